"""Figures of news text: a number, the comparator worded before it and the unit phrase after.

Numbers written in digits ("41,000", "1.5 million", "US$2 billion") are read here; numbers
written in words ("three", "twenty-one thousand") by text2num, whose English grammar is
complete and needs no data. The comparator words are the model's own (the synonyms of the
``comparator`` vocabulary: "over", "more than", "nearly", "up to", "some"…), so a word the
model learns is found in the text too. The unit phrase is what follows the number up to a
function word, a verb in the past tense or punctuation ("41,000 ICT professionals and …"),
and takes a registry name whole ("1,300 small and medium-sized enterprises").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import text_to_num

from newskg.drafting.text import WORD
from newskg.model.schema import Vocabulary

LANGUAGE = "en"
# Below this, a number written as a lone word ("one", "two") is as often not a figure.
WORD_NUMBER_THRESHOLD = 3
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<currency>US\$|\$|€|£|¥|₹|฿)?"
    r"(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?P<fraction>\.[0-9]+)?"
    r"(?P<scale>\s+(?:thousand|million|billion|trillion)\b)?(?P<percent>\s*%|\s+per\s?cent\b)?"
    r"(?![\w]|[.,][0-9])"
)
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# Words that end a unit phrase: what follows them is no longer the thing counted.
_UNIT_STOPS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "in",
        "at",
        "by",
        "to",
        "from",
        "with",
        "for",
        "of",
        "on",
        "under",
        "over",
        "since",
        "until",
        "into",
        "who",
        "which",
        "that",
        "than",
        "as",
        "per",
        "each",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "this",
        "these",
        "those",
        "it",
        "its",
        "their",
        "his",
        "her",
        "our",
        "we",
        "they",
        "he",
        "she",
    ]
)
UNIT_WORDS = 4
# A number of these is a duration ("three years"), not a figure of the model.
DURATIONS = frozenset(
    ["year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours"]
)


@dataclass(frozen=True, slots=True)
class Figure:
    start: int  # the number (and its currency, scale and percent sign)
    end: int
    value: str  # canonical: 41000, 1.5
    comparator: str  # a term of the comparator vocabulary
    comparator_start: int  # where the comparator words start (== start when none)
    unit: str | None  # the unit phrase as written
    unit_end: int  # where the unit phrase ends (== end when none)


class FigureReader:
    """Reads figures with the comparator words of the model."""

    def __init__(self, comparators: Vocabulary) -> None:
        phrases: dict[str, str] = {}
        for word in [*comparators.terms, *comparators.synonyms]:
            phrases[word.replace("-", " ")] = comparators.synonyms.get(word, word)
        self._terms = phrases
        alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        self._before = re.compile(rf"(?i)\b(?P<words>{alternatives})\s+$")

    def figures(
        self, text: str, excluded: Iterable[tuple[int, int]], names: Iterable[tuple[int, int]]
    ) -> list[Figure]:
        """Every figure of ``text`` outside the ``excluded`` spans (dates, names with digits
        such as "Thailand 4.0"); ``names`` are registry mentions a unit phrase may take."""
        blocked = sorted(excluded)
        named = sorted(names)
        out: list[Figure] = []
        for start, end, value in sorted(_numbers(text)):
            if any(s < end and start < e for s, e in blocked):
                continue
            words = self._before.search(text, max(0, start - 40), start)
            comparator, comparator_start = "exactly", start
            if words:
                comparator = self._terms[words.group("words").lower()]
                comparator_start = words.start()
            unit_end = _unit_end(text, end, named)
            unit = " ".join(text[end:unit_end].split()) or None
            if unit and unit.split()[0].lower() in DURATIONS:
                continue
            out.append(Figure(start, end, value, comparator, comparator_start, unit, unit_end))
        return out


def _numbers(text: str) -> Iterable[tuple[int, int, str]]:
    taken: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(text):
        if _is_year(match):
            continue
        number = Decimal(match["number"].replace(",", "") + (match["fraction"] or ""))
        if match["scale"]:
            number *= _SCALES[match["scale"].strip()]
        taken.append(match.span())
        yield match.start(), match.end(), _canonical(number)
    tokens = [_Token(m.group(), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+|\S", text)]
    for found in text_to_num.find_numbers(tokens, LANGUAGE, WORD_NUMBER_THRESHOLD):
        if found.is_ordinal:
            continue
        start, end = tokens[found.start].start, tokens[found.end - 1].end
        if not any(s < end and start < e for s, e in taken):
            yield start, end, _canonical(Decimal(str(found.value)))


def _is_year(match: re.Match[str]) -> bool:
    """A bare four-digit number of this or the last century is a year ("Summit 2022", "a
    2025 target"), not a figure."""
    bare = not (match["currency"] or match["fraction"] or match["scale"] or match["percent"])
    return bare and re.fullmatch(r"(19|20)[0-9]{2}", match["number"]) is not None


def _canonical(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _unit_end(text: str, end: int, names: list[tuple[int, int]]) -> int:
    """Where the unit phrase after a number ends (``end`` when there is none)."""
    unit_end = end
    count = 0
    for match in WORD.finditer(text, end):
        gap = text[unit_end : match.start()]
        if gap.strip() or "\n" in gap or count >= UNIT_WORDS:
            break
        name = next(((s, e) for s, e in names if s == match.start()), None)
        if name is not None:  # a registry name is taken whole: "small and medium-sized …"
            unit_end = name[1]
            count += 1
            continue
        if any(s < match.start() < e for s, e in names):
            continue
        word = match.group()
        if word.lower() in _UNIT_STOPS or word[:1].isdigit():
            break
        if count and word.endswith("ed"):  # "people attended": the verb is not the unit
            break
        unit_end = match.end()
        count += 1
    return unit_end


class _Token:
    """A word or a mark, as text2num reads a text (its ``Token`` protocol)."""

    __slots__ = ("end", "start", "word")

    def __init__(self, word: str, start: int, end: int) -> None:
        self.word, self.start, self.end = word, start, end

    def text(self) -> str:
        return self.word

    def nt_separated(self, previous: _Token) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False
