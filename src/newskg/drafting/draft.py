"""The first draft of an article's facts, made from its text and the registry alone.

What the text states is drafted as it is found: the article's date and headline, its sources
("said a press release"), who holds which post ("Thai Prime Minister Prayut"), every direct
quotation with its speaker candidates, every figure with its comparator, value and unit
phrase. Events, agreements, foundings and initiatives are drafted as skeletons where their
trigger words appear ("met", "signed", "memorandum of understanding", "established",
"initiatives"…), with what their sentences name filled in and the rest left empty. Every
record is marked ``draft:`` with what the curator must fill and check; the sections
``mentions``, ``dates`` and ``candidates`` list the registry entities, dates and unknown names
the text holds, each with its sentences (see :mod:`newskg.inputs.review`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from newskg.drafting.dates import DatePhrase, date_phrases, stated_date
from newskg.drafting.mentions import EntityMatcher, Mention
from newskg.drafting.numbers import Figure, FigureReader
from newskg.drafting.quotes import SPEECH_VERBS, quotations
from newskg.drafting.skeletons import Skeletons
from newskg.drafting.text import ArticleText, Sentence
from newskg.inputs.entities import Registry
from newskg.inputs.evidence import occurrences
from newskg.inputs.fields import slug_of
from newskg.inputs.review import DRAFT
from newskg.model.schema import Model

LANGUAGE = "en"
# Words shortly before a figure that make it a target ("aims to train 10,000").
_TARGET = re.compile(
    r"(?i)\b(?:aims?|aiming|targets?|targeting|plans?|planning|will|would|expects?)\b"
    r"(?:\W+\w+){0,4}\W+$"
)
_SOURCES = [  # (kind, id, pattern of the words that name the source)
    ("PressRelease", "press-release", r"(?i)\b(?:a|the|its|in a) press release\b"),
    ("Statement", "statement", r"(?i)\b(?:a|the|its) statement(?: issued by \w[\w ]*?(?=[,.]))?"),
    ("Report", "report", r"(?i)\baccording to (?:a|the) report\b"),
    ("Interview", "interview", r"(?i)\bin an interview\b"),
]


@dataclass
class Draft:
    """A draft facts file: its sections in the order they are written."""

    sections: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many records each section holds (the article's metadata left out)."""
        return {k: len(v) for k, v in self.sections.items() if isinstance(v, list) and v}


def draft_facts(
    text: str,
    registry: Registry,
    model: Model,
    *,
    date: str | None = None,
    title: str | None = None,
    matcher: EntityMatcher | None = None,
) -> Draft:
    """The draft facts of ``text`` (pure: nothing is read or written). ``date`` and
    ``title`` are the article's, when known; otherwise what the text states. A ``matcher``
    made once serves many articles of the same registry."""
    entities = registry.document["entities"]
    return _Drafter(text, entities, model, date, title, matcher or EntityMatcher(entities)).run()


class _Drafter:
    def __init__(
        self,
        text: str,
        entities: list[dict[str, Any]],
        model: Model,
        date: str | None,
        title: str | None,
        matcher: EntityMatcher,
    ) -> None:
        self.text = text
        self.article = ArticleText(text)
        self.model = model
        self.date = date or stated_date(text)
        self.title = title or _headline(text)
        self.matcher = matcher
        self.mentions = matcher.mentions(text)
        day = dt.date.fromisoformat(self.date) if self.date else None
        self.dates = date_phrases(text, day)
        self.agent_types = frozenset(model.families.get("agent", ()))
        self.draft = Draft()
        headline = self.article.sentences[0].number if _headline(text) else None
        self.skeletons = Skeletons(self.article, self.mentions, self.dates, model, headline)
        self.candidates = matcher.candidates(self.article, self.mentions)

    def run(self) -> Draft:
        sections = self.draft.sections
        sections["article"] = self._metadata()
        holdings, holders = self.skeletons.post_holdings()
        sources = self._sources()
        sections["sources"] = [record for record, _ in sources]
        events = self.skeletons.events(holders)
        sections["events"] = events
        sections["agreements"] = self.skeletons.agreements(events)
        sections["establishments"] = self.skeletons.establishments()
        sections["initiatives"] = self.skeletons.initiatives()
        sections["quotes"] = self._quotes(holders, events)
        sections["figures"] = self._figures(sources)
        sections["post_holdings"] = holdings
        self._cite(sources)
        sections["mentions"] = self._mentions()
        sections["dates"] = self._dates()
        sections["candidates"] = self._candidates()
        for name in [k for k, v in sections.items() if v in ([], None)]:
            del sections[name]
        return self.draft

    # -- the article and its sources ------------------------------------------------------

    def _metadata(self) -> dict[str, Any]:
        fill = [name for name, value in (("title", self.title), ("date", self.date)) if not value]
        check = [name for name in ("title", "date") if name not in fill] + ["language"]
        return {
            DRAFT: _todo(fill, check),
            "title": self.title,
            "date": self.date,
            "language": LANGUAGE,
        }

    def _sources(self) -> list[tuple[dict[str, Any], list[Sentence]]]:
        """One source of each kind the text names, with the sentences that name it."""
        out: list[tuple[dict[str, Any], list[Sentence]]] = []
        for kind, sid, pattern in _SOURCES:
            matches = list(re.finditer(pattern, self.text))
            if not matches:
                continue
            label = matches[0].group().strip()
            label = re.sub(r"(?i)^in a ", "a ", label)
            record: dict[str, Any] = {DRAFT: "check: label, kind", "id": sid, "label": label}
            record["kind"] = kind
            issuer = self._issuer(matches[0].start(), matches[0].end())
            if issuer:
                record["issuer"] = issuer
            sentences = [self.article.sentence_at(m.start()) for m in matches]
            out.append((record, sentences))
        return out

    def _issuer(self, start: int, end: int) -> str | None:
        return next(
            (
                m.entity
                for m in self.mentions
                if start <= m.start < end and m.type in self.agent_types
            ),
            None,
        )

    def _cite(self, sources: list[tuple[dict[str, Any], list[Sentence]]]) -> None:
        """``according_to`` on every fact drafted from a sentence that names a source."""
        for record, sentences in sources:
            numbers = {s.number for s in sentences}
            for section in ("events", "agreements", "establishments", "initiatives", "figures"):
                for fact in self.draft.sections.get(section, []):
                    if numbers & set(fact.pop("_sentences", ())):
                        fact.setdefault("according_to", record["id"])
        for section in ("events", "agreements", "establishments", "initiatives", "figures"):
            for fact in self.draft.sections.get(section, []):
                fact.pop("_sentences", None)

    # -- quotations and figures -----------------------------------------------------------

    def _quotes(self, holders: dict[str, str], events: list[dict[str, Any]]) -> list[Any]:
        out: list[dict[str, Any]] = []
        during = events[0]["id"] if len(events) == 1 else None
        for quote in quotations(self.article, self.mentions, holders, self.agent_types):
            speaker = quote.speakers[0] if quote.speakers else None
            check = ["speaker"] if speaker else []
            unknown = self._unknown_names(quote.attribution)
            if len(quote.speakers) > 1:
                check = ["speaker (or " + ", ".join(quote.speakers[1:]) + ")"]
            record: dict[str, Any] = {
                DRAFT: _todo(
                    [] if speaker else [f"speaker{unknown}"],
                    [*check, *(["during"] if during else [])],
                ),
                "id": self.skeletons.new_id(f"{speaker or 'unattributed'}-quote"),
                "speaker": speaker,
                "text": self.text[quote.start : quote.end],
            }
            starts = occurrences(self.text, record["text"])
            if len(starts) > 1:
                record["occurrence"] = starts.index(quote.start) + 1
            if during:
                record["during"] = during
            if quote.attribution:
                record["evidence"] = [
                    self.article.evidence(s.start, s.end) for s in quote.attribution
                ]
            out.append(record)
        return out

    def _unknown_names(self, spans: Iterable[Any]) -> str:
        """ " (the text names 'Prasert', not in the registry)", for a speaker left empty."""
        names = [
            c.name
            for c in self.candidates
            for start, _ in c.spans
            if any(s.start <= start < s.end for s in spans)
        ]
        if not names:
            return ""
        return " (the text names " + ", ".join(f"'{n}'" for n in dict.fromkeys(names)) + ")"

    def _figures(self, sources: list[tuple[dict[str, Any], list[Sentence]]]) -> list[Any]:
        reader = FigureReader(self.model.vocabularies["comparator"])
        excluded = [(d.start, d.end) for d in self.dates]
        excluded += [(m.start, m.end) for m in self.mentions if _has_digit(self.text, m)]
        names = [(m.start, m.end) for m in self.mentions]
        out: list[dict[str, Any]] = []
        for figure in reader.figures(self.text, excluded, names):
            sentence = self.article.sentence_at(figure.start)
            out.append(self._figure(figure, sentence))
        return out

    def _figure(self, figure: Figure, sentence: Sentence) -> dict[str, Any]:
        subject = self.skeletons.fact_of(sentence) or self._nearest_agent(sentence, figure.start)
        target = _TARGET.search(self.text, sentence.start, figure.comparator_start)
        by = next(
            (
                d
                for d in self.dates
                if sentence.start <= d.start < sentence.end
                and d.start >= figure.end
                and self.text[d.start : d.start + 2].lower() == "by"
            ),
            None,
        )
        record: dict[str, Any] = {
            DRAFT: _todo(
                [] if subject else ["subject"],
                [*(["subject"] if subject else []), "measure", "unit", "kind", "speaker"],
            ),
            "id": self.skeletons.new_id(slug_of(figure.unit or "") or "figure"),
        }
        if target or by:
            record["kind"] = "target"
        record["subject"] = subject
        record["measure"] = figure.unit
        record["value"] = int(figure.value) if figure.value.isdigit() else float(figure.value)
        record["comparator"] = figure.comparator
        record["unit"] = figure.unit
        if by is not None and (target or by):
            record["by"] = _year_or_month(by)
        speaker = self._speaker_of(sentence)
        if speaker:
            record["speaker"] = speaker
        record["evidence"] = [self.article.evidence(sentence.start, sentence.end)]
        record["_sentences"] = [sentence.number]
        return record

    def _nearest_agent(self, sentence: Sentence, before: int) -> str | None:
        """The last programme, organisation or other agent named before ``before`` in the
        sentence: what a figure most likely counts for."""
        kinds = {*self.agent_types, "Programme"} - {"Person"}
        found = [
            m.entity
            for m in self.mentions
            if sentence.start <= m.start and m.end <= before and m.type in kinds
        ]
        return found[-1] if found else None

    def _speaker_of(self, sentence: Sentence) -> str | None:
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", sentence.text)}
        if not words & SPEECH_VERBS:
            return None
        people = self.skeletons.people_in(sentence)
        return people[0] if people else None

    # -- what the curator uses and deletes ------------------------------------------------

    def _mentions(self) -> list[dict[str, Any]]:
        """Each sentence that names registry entities, with the names as written and the ids
        they stand for."""
        by_sentence: dict[Sentence, dict[str, str]] = {}
        for mention in self.mentions:
            sentence = self.article.sentence_at(mention.start)
            names = by_sentence.setdefault(sentence, {})
            names.setdefault(self.text[mention.start : mention.end], mention.entity)
        return [
            {"names": names, "evidence": self._quotes_of([sentence])}
            for sentence, names in by_sentence.items()
        ]

    def _dates(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for phrase in self.dates:
            entry: dict[str, Any] = {"date": phrase.value}
            if phrase.end_value:
                entry["until"] = phrase.end_value
            entry["phrase"] = self.text[phrase.start : phrase.end]
            entry["evidence"] = self._quotes_of([self.article.sentence_at(phrase.start)])
            out.append(entry)
        return out

    def _candidates(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for candidate in self.candidates:
            sentences = list(dict.fromkeys(self.article.sentence_at(s) for s, _ in candidate.spans))
            entry: dict[str, Any] = {"name": candidate.name}
            if candidate.similar:
                entry["similar"] = candidate.similar
            entry["evidence"] = self._quotes_of(sentences)
            out.append(entry)
        return out

    def _quotes_of(self, sentences: Iterable[Sentence]) -> list[Any]:
        return [self.article.evidence(s.start, s.end) for s in sentences]


def _headline(text: str) -> str | None:
    """The first paragraph, when it is one line without a full stop: a headline."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0].strip()
    rest = text.lstrip("\ufeff \t\r\n")[len(first) :]
    if first and len(first) <= 200 and first[-1] not in '.!?:"”' and rest.strip():
        return first
    return None


def _todo(fill: list[str], check: list[str]) -> str:
    parts = []
    if fill:
        parts.append("fill: " + ", ".join(fill))
    if check:
        parts.append("check: " + ", ".join(check))
    return "; ".join(parts) or "review"


def _year_or_month(phrase: DatePhrase) -> str | int:
    return int(phrase.value) if len(phrase.value) == 4 else phrase.value


def _has_digit(text: str, mention: Mention) -> bool:
    return any(c.isdigit() for c in text[mention.start : mention.end])
