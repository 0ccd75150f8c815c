"""Skeletons of the facts whose trigger words a sentence holds: events ("met", "summit"),
agreements ("signed", "MOU", "memorandum of understanding"), foundings ("established",
"opened", "set up") and initiatives ("initiatives", "programme"); and post holdings, which a
post named right before a person states ("Thai Prime Minister Prayut").

A skeleton takes what its sentence names: the people as participants in their posts, the
organisations as parties, the venue, the date. A definite reference ("the meeting", "The
MOU") adds its sentence to the fact already drafted rather than drafting another. Fields the
text does not state are left empty for the curator, and named in the record's ``draft:``.
"""

from __future__ import annotations

import re
from typing import Any

from newskg.drafting.dates import DatePhrase
from newskg.drafting.mentions import Mention
from newskg.drafting.text import ArticleText, Sentence
from newskg.inputs.review import DRAFT
from newskg.model.schema import Model

# Event kind -> the words that report one.
EVENT_WORDS = {
    "signing-ceremony": r"signing ceremony|ceremony|witnessed the signing",
    "meeting": r"met|meets?|meeting|talks",
    "summit": r"summit",
    "conference": r"conference|forum|symposium",
    "visit": r"visit(?:s|ed)?",
}
# Agreement kind -> the words that name one.
AGREEMENT_WORDS = {
    "mou": r"MOUs?|MoUs?|memorand(?:um|a) of understanding",
    "contract": r"contracts?",
    "agreement": r"agreements?",
}
FOUNDING_WORDS = r"established|founded|set up|opened|launched|inaugurated"
INITIATIVE_WORDS = r"initiatives?|programmes?|programs?|campaigns?"
# Words before a trigger that make it a reference to one already reported.
_DEFINITE = r"(?:the|this|that|its)(?:\s+[\w-]+){0,2}\s+"
PLACE_TYPES = ("Venue", "City", "Region", "Country")


class Skeletons:
    """Drafts skeleton facts, keeping the ids it has given and what each sentence holds."""

    def __init__(
        self,
        article: ArticleText,
        mentions: list[Mention],
        dates: list[DatePhrase],
        model: Model,
        headline: int | None = None,
    ) -> None:
        self.article = article
        # The headline restates the article: no fact is drafted from it.
        self.sentences = [s for s in article.sentences if s.number != headline]
        self.mentions = mentions
        self.dates = dates
        self.model = model
        self.ids: set[str] = set()
        self.agents = frozenset(model.families.get("agent", ()))
        self.capacities: dict[str, str] = {}  # person -> the post the article gives them
        self.by_sentence: dict[int, list[dict[str, Any]]] = {}  # facts drafted from it
        modes = model.vocabularies["attendance-mode"]
        self.modes = {w.replace("-", " "): modes.synonyms.get(w, w) for w in modes.words}
        self.modes.update({w.replace("-", " "): t for w, t in modes.synonyms.items()})

    # -- ids and what sentences hold ------------------------------------------------------

    def new_id(self, wanted: str) -> str:
        base = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", wanted.lower())).strip("-")
        base = base[:60].strip("-") or "fact"
        fid, n = base, 1
        while fid in self.ids:
            n += 1
            fid = f"{base}-{n}"
        self.ids.add(fid)
        return fid

    def fact_of(self, sentence: Sentence) -> str | None:
        """The agreement, initiative or event drafted from ``sentence``, if any."""
        for fact in self.by_sentence.get(sentence.number, []):
            return str(fact["id"])
        return None

    def in_sentence(self, sentence: Sentence, types: tuple[str, ...] | frozenset[str]) -> list[str]:
        out: list[str] = []
        for m in self.mentions:
            inside = sentence.start <= m.start and m.end <= sentence.end
            if inside and m.type in types and m.entity not in out:
                out.append(m.entity)
        return out

    def people_in(self, sentence: Sentence) -> list[str]:
        return self.in_sentence(sentence, ("Person",))

    # -- post holdings --------------------------------------------------------------------

    def post_holdings(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Post holdings stated by a post next to a person, and each post's holder."""
        text = self.article.text
        out: list[dict[str, Any]] = []
        holders: dict[str, str] = {}
        seen: set[tuple[str, str]] = set()
        for first, second in zip(self.mentions, self.mentions[1:], strict=False):
            gap = text[first.end : second.start]
            if first.type == "Post" and second.type == "Person" and re.fullmatch(r"\s+", gap):
                post, person = first, second
            elif first.type == "Person" and second.type == "Post" and re.fullmatch(r",\s+", gap):
                person, post = first, second
            else:
                continue
            holders.setdefault(post.entity, person.entity)
            self.capacities.setdefault(person.entity, post.entity)
            if (person.entity, post.entity) in seen:
                continue
            seen.add((person.entity, post.entity))
            out.append(
                {
                    DRAFT: "check: person, post",
                    "id": self.new_id(f"{person.entity}-{post.entity}"),
                    "person": person.entity,
                    "post": post.entity,
                    "evidence": [self.article.evidence(first.start, second.end)],
                }
            )
        return out, holders

    # -- events, agreements, foundings, initiatives ----------------------------------------

    def events(self, holders: dict[str, str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for sentence in self.sentences:
            for kind, words in EVENT_WORDS.items():
                found = _trigger(sentence.text, words)
                if found is None:
                    continue
                earlier = _referred(found, out, kind)
                if earlier is not None:
                    self._add_evidence(earlier, sentence)
                    self._add_roles(earlier, "participants", self.people_in(sentence))
                    break
                record = self._event(kind, sentence)
                out.append(record)
                break
        return out

    def _event(self, kind: str, sentence: Sentence) -> dict[str, Any]:
        day = self._date_in(sentence, full=True)
        mode = next(
            (t for w, t in self.modes.items() if re.search(rf"(?i)\b{w}\b", sentence.text)), None
        )
        record: dict[str, Any] = {
            DRAFT: "fill: label, topics; check: kind, date, mode, participants, location",
            "id": self.new_id(kind),
            "kind": kind,
            "label": None,
            "date": day.value if day else None,
        }
        if day and day.end_value:
            record["end_date"] = day.end_value
        if mode:
            record["mode"] = mode
        place = self.in_sentence(sentence, ("Venue", "City"))
        if place:
            record["location"] = place[0]
        organisers = self._after(sentence, r"(?:organi[sz]ed|hosted) by")
        if organisers:
            record["organisers"] = organisers
        self._add_roles(record, "participants", self.people_in(sentence))
        self._add_evidence(record, sentence)
        return record

    def agreements(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        ceremony = next((e["id"] for e in events if e["kind"] == "signing-ceremony"), None)
        for sentence in self.sentences:
            for kind, words in AGREEMENT_WORDS.items():
                found = _trigger(sentence.text, words, ignore_case=kind != "mou")
                if found is None:
                    continue
                earlier = _referred(found, out, None if kind == "agreement" else kind)
                record = earlier or self._agreement(kind, sentence, ceremony)
                if earlier is None:
                    out.append(record)
                else:
                    self._add_evidence(record, sentence)
                self._agreement_details(record, sentence)
                break
        return out

    def _agreement(self, kind: str, sentence: Sentence, ceremony: str | None) -> dict[str, Any]:
        record: dict[str, Any] = {
            DRAFT: "fill: label; check: kind, parties, signed, place, signatories, witnesses",
            "id": self.new_id(kind),
            "kind": kind,
            "label": None,
            "parties": self.in_sentence(sentence, tuple(self.agents - {"Person"})),
        }
        if ceremony:
            record["event"] = ceremony
        self._add_evidence(record, sentence)
        return record

    def _agreement_details(self, record: dict[str, Any], sentence: Sentence) -> None:
        text = sentence.text
        lowered = text.lower()
        if "signed" in lowered:
            day = self._date_in(sentence, full=True)
            if day and "signed" not in record:
                record["signed"] = day.value
            place = self.in_sentence(sentence, ("Venue", "City"))
            if place and "place" not in record:
                record["place"] = place[0]
        people = self.people_in(sentence)
        role = (
            "witnesses" if "witness" in lowered else "signatories" if "signed" in lowered else None
        )
        if role and people:
            self._add_roles(record, role, people)
        term = re.search(r"(?i)\bfor ((?:[a-z]+|[0-9]+) (?:years?|months?))\b", text)
        if term and "term" not in record:
            record["term"] = term.group(1)
        span = re.search(r"(?i)\bfrom (\S+ \S+) (?:to|until) (\S+ \S+?)[.,;]?(?:\s|$)", text)
        if span:
            inside = [d for d in self.dates if sentence.start <= d.start < sentence.end]
            if len(inside) >= 2:
                record.setdefault("valid_from", _partial(inside[-2]))
                record.setdefault("valid_until", _partial(inside[-1]))
        parties = record["parties"]
        for party in self.in_sentence(sentence, tuple(self.agents - {"Person"})):
            if party not in parties:
                parties.append(party)

    def establishments(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        kinds = ("Programme", "Organization", "GovernmentBody")
        for sentence in self.sentences:
            found = _trigger(sentence.text, FOUNDING_WORDS)
            if found is None:
                continue
            verb = sentence.start + found.start()
            after = [m for m in self._mentions_in(sentence) if m.start >= verb and m.type in kinds]
            before = [
                m for m in self._mentions_in(sentence) if m.end <= verb and m.type in self.agents
            ]
            when = self._date_in(sentence, full=False)
            record: dict[str, Any] = {
                DRAFT: "fill: purpose; check: subject, founder, date, location",
                "id": self.new_id(f"{after[0].entity}-founding" if after else "founding"),
                "subject": after[0].entity if after else None,
                "founder": before[-1].entity if before else None,
                "date": _partial(when) if when else None,
            }
            places = [
                m.entity
                for m in self._mentions_in(sentence)
                if m.type in PLACE_TYPES and not any(a.start <= m.start < a.end for a in after[:1])
            ]
            if places:
                record["location"] = places[0]
            self._add_evidence(record, sentence, own=False)
            out.append(record)
        return out

    def initiatives(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for sentence in self.sentences:
            found = _trigger(sentence.text, INITIATIVE_WORDS)
            if found is None or self.in_sentence(sentence, ("Programme",)):
                continue
            earlier = _referred(found, out, None)
            if earlier is not None:
                self._add_evidence(earlier, sentence)
                continue
            verb = sentence.start + found.start()
            organiser = [
                m.entity
                for m in self._mentions_in(sentence)
                if m.end <= verb and m.type in self.agents - {"Group"}
            ]
            record: dict[str, Any] = {
                DRAFT: "fill: label, aims, topics; check: organiser, beneficiaries",
                "id": self.new_id("initiative"),
                "label": None,
                "organiser": organiser[-1] if organiser else None,
            }
            beneficiaries = self.in_sentence(sentence, ("Group",))
            if beneficiaries:
                record["beneficiaries"] = beneficiaries
            self._add_evidence(record, sentence)
            out.append(record)
        return out

    # -- helpers --------------------------------------------------------------------------

    def _mentions_in(self, sentence: Sentence) -> list[Mention]:
        return [m for m in self.mentions if sentence.start <= m.start and m.end <= sentence.end]

    def _date_in(self, sentence: Sentence, *, full: bool) -> DatePhrase | None:
        for phrase in self.dates:
            if sentence.start <= phrase.start < sentence.end and (phrase.is_day or not full):
                return phrase
        return None

    def _after(self, sentence: Sentence, words: str) -> list[str]:
        found = re.search(rf"(?i)\b{words}\b", sentence.text)
        if found is None:
            return []
        start = sentence.start + found.end()
        return [
            m.entity
            for m in self._mentions_in(sentence)
            if m.start >= start and m.type in self.agents - {"Person"}
        ]

    def _add_roles(self, record: dict[str, Any], field: str, people: list[str]) -> None:
        roles = record.setdefault(field, [])
        for person in people:
            if any(r["person"] == person for r in roles):
                continue
            role = {"person": person}
            if person in self.capacities:
                role["capacity"] = self.capacities[person]
            roles.append(role)
        if not roles:
            del record[field]

    def _add_evidence(self, record: dict[str, Any], sentence: Sentence, own: bool = True) -> None:
        evidence = record.setdefault("evidence", [])
        quote = self.article.evidence(sentence.start, sentence.end)
        if quote not in evidence:
            evidence.append(quote)
        record.setdefault("_sentences", []).append(sentence.number)
        if own:
            self.by_sentence.setdefault(sentence.number, []).append(record)


def _trigger(text: str, words: str, *, ignore_case: bool = True) -> re.Match[str] | None:
    return re.search(rf"\b(?:{words})\b", text, re.IGNORECASE if ignore_case else 0)


def _referred(
    found: re.Match[str], drafted: list[dict[str, Any]], kind: str | None
) -> dict[str, Any] | None:
    """The fact a definite reference ("the meeting", "The MOU") points back to."""
    before = found.string[: found.start()]
    if not re.search(rf"(?i)\b{_DEFINITE}$", before):
        return None
    same = [r for r in drafted if kind is None or r.get("kind") == kind]
    return same[-1] if same else None


def _partial(phrase: DatePhrase) -> str | int:
    return int(phrase.value) if len(phrase.value) == 4 else phrase.value
