"""Where the text names registry entities (by label and alias), and the names it does not know.

Every label and alias of the registry goes into one Aho-Corasick automaton (pyahocorasick), so
the text is read once however large the registry grows. Names of people, organisations,
places, programmes and strategies match with their case ("Ren" is not "ren"); concepts, groups
and posts also in lower case, as prose writes them ("digital economy", "the prime minister"),
except acronyms ("AI", "ICT"). A match must stand between word boundaries, and of overlapping
matches the leftmost longest wins: "Huawei Technologies CEO" is the post, not the company.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick
from rapidfuzz import fuzz, process, utils

from newskg.drafting.text import WORD, ArticleText

# Entity types written in lower case in running text as often as not.
COMMON_NOUN_TYPES = frozenset({"Concept", "Group", "Post"})
# How alike (0-100) a candidate name and a registry label or alias must be to be named as a
# possible spelling of that entity.
SIMILAR_SCORE = 88
# Capitalised words that are not names by themselves.
_NOT_NAMES = frozenset(
    [
        "I",
        "A",
        "An",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "We",
        "They",
        "You",
        "Our",
        "Their",
        "His",
        "Her",
        "CEO",
        "PM",
        "MOU",
        "MOUs",
        "MoU",
        "MoUs",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Gen",
        "Prof",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
# Lower-case words that may join the capitalised words of one name.
_NAME_JOINERS = frozenset({"of", "and", "for", "the", "de", "la", "du", "van", "von", "&"})
# What may come right before a word that starts a clause (a capital there proves nothing).
_CLAUSE_OPENERS = frozenset('.!?:;"(-\u201c\u2018\u2014\u2013')


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    entity: str  # registry id
    type: str  # its entity type
    name: str  # the label or alias matched


@dataclass(frozen=True, slots=True)
class Candidate:
    """A capitalised name the registry does not know, each place it occurs."""

    name: str
    spans: tuple[tuple[int, int], ...]
    similar: str | None  # a registry id spelled much like it


class EntityMatcher:
    """The registry's labels and aliases, compiled once for any number of texts."""

    def __init__(self, entities: Iterable[dict[str, Any]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._names: dict[str, str] = {}  # label or alias -> entity id, for similar names
        keys: dict[str, list[tuple[str, str, str, bool]]] = {}
        for entity in entities:
            eid, etype = entity["id"], entity["type"]
            for name in (entity["label"], *entity.get("aliases", ())):
                if not name.strip():
                    continue
                self._names.setdefault(name, eid)
                exact_case = etype not in COMMON_NOUN_TYPES or _is_acronym(name)
                keys.setdefault(folded(name), []).append((eid, etype, name, exact_case))
        for key, values in keys.items():
            self._automaton.add_word(key, (len(key), values))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    def mentions(self, text: str) -> list[Mention]:
        """Every mention of a registry entity in ``text``, leftmost longest, in text order."""
        if self._empty:
            return []
        found: list[Mention] = []
        for last, (length, values) in self._automaton.iter(folded(text)):
            start, end = last + 1 - length, last + 1
            if not _bounded(text, start, end):
                continue
            written = text[start:end]
            for eid, etype, name, exact_case in values:
                if written == name or (not exact_case and _as_prose(written)):
                    found.append(Mention(start, end, eid, etype, name))
                    break
        found.sort(key=lambda m: (m.start, m.start - m.end))
        chosen: list[Mention] = []
        for mention in found:
            if not chosen or mention.start >= chosen[-1].end:
                chosen.append(mention)
        return chosen

    def candidates(self, article: ArticleText, mentions: list[Mention]) -> list[Candidate]:
        """Capitalised names outside every mention, grouped by name, in order of first
        occurrence; each with a registry entity spelled much like it, if any."""
        text = article.text
        covered = [(m.start, m.end) for m in mentions]
        spans: dict[str, list[tuple[int, int]]] = {}
        for start, end in _capitalised_runs(text, article, covered):
            spans.setdefault(text[start:end], []).append((start, end))
        return [Candidate(name, tuple(where), self._similar(name)) for name, where in spans.items()]

    def _similar(self, name: str) -> str | None:
        best = process.extractOne(
            name,
            list(self._names),
            scorer=fuzz.ratio,
            processor=utils.default_process,
            score_cutoff=SIMILAR_SCORE,
        )
        return self._names[best[0]] if best else None


def folded(text: str) -> str:
    """``text`` in lower case, character for character (a character whose lower case is
    longer, as 'İ', is kept), so that offsets into it are offsets into ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _as_prose(written: str) -> bool:
    """Whether a common noun is written as prose writes one: no capital past the first letter
    ("Digital economy", not "Digital Economy", which is part of a name)."""
    return written[1:] == written[1:].lower()


def _is_acronym(name: str) -> bool:
    return name.isupper() and " " not in name


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _capitalised_runs(
    text: str, article: ArticleText, covered: list[tuple[int, int]]
) -> Iterable[tuple[int, int]]:
    """Runs of capitalised words ("Queen Sirikit National Convention Center", "Minister of
    Digital Economy and Society") outside ``covered``, without a leading "The"; a single word
    that opens a clause is left out, its capital proves nothing."""
    inside = {i for start, end in covered for i in range(start, end)}
    for sentence in article.sentences:
        run: list[tuple[int, int]] = []  # the run's words; a joiner is kept while pending
        joiner: tuple[int, int] | None = None
        for word in article.words(sentence.start, sentence.end):
            end = _without_possessive(text, word.start, word.end)
            piece = text[word.start : end]
            gap = text[(joiner or run[-1])[1] : word.start] if run else ""
            if word.start in inside or gap.strip():
                yield from _named(text, run)
                run, joiner = [], None
                if word.start in inside:
                    continue
            if piece[:1].isupper() and piece not in _NOT_NAMES:
                if joiner:
                    run.append(joiner)
                    joiner = None
                run.append((word.start, end))
            elif run and joiner is None and piece in _NAME_JOINERS:
                joiner = (word.start, end)
                continue
            else:
                yield from _named(text, run)
                run, joiner = [], None
            if end < word.end:  # "Huawei's": the name ends at the apostrophe
                yield from _named(text, run)
                run, joiner = [], None
        yield from _named(text, run)


def _named(text: str, run: list[tuple[int, int]]) -> Iterable[tuple[int, int]]:
    if not run:
        return
    start, end = run[0][0], run[-1][1]
    if len(run) == 1 and _opens_clause(text, start):
        return
    yield start, end


def _opens_clause(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    if not before or "\n" in text[len(before) : start]:
        return True
    if before[-1] in '"”' and len(before) > 1 and not before[-2].isspace():
        return False  # a closing quotation mark: '…," Prasert said'
    return before[-1] in _CLAUSE_OPENERS


def _without_possessive(text: str, start: int, end: int) -> int:
    word = text[start:end]
    for ending in ("'s", "\u2019s", "'", "\u2019"):
        if word.endswith(ending) and len(word) > len(ending):
            return end - len(ending)
    return end


__all__ = ["WORD", "Candidate", "EntityMatcher", "Mention", "folded"]
