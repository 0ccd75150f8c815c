"""Date phrases of news text, resolved against the article's date.

News writes dates in few shapes: "25 November", "15 March 2022", "November 25, 2021",
"2021-11-25", "April 2022", "6 and 7 September", "on Tuesday", "in 2019", "in June". Each is
matched by its own pattern and checked as a calendar date by :mod:`datetime`; a phrase without
a year takes the year that puts it nearest the article's date, a bare weekday the last such
day on or before it. No date library is used: those tried read "we" as a Wednesday or
"2025" as a time of day (docs/drafting.md, "Dates").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sep", "Sept"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTH = (
    "(?P<month>"
    + "|".join(
        sorted(
            (m for m in MONTHS if len(m) > 4 or m in ("May", "June", "July")), key=len, reverse=True
        )
    )
    + "|(?:"
    + "|".join(m for m in MONTHS if len(m) <= 4 and m not in ("May", "June", "July"))
    + r")\.?)"
)
_DAY = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)[0-9]{2})"
# Prepositions before a bare year or month that make it a date ("in 2019", "until August").
_BEFORE = r"\b(?i:in|by|since|until|till|from|to|before|after|early|late)\s+"
_PATTERNS = {
    "iso": rf"\b{_YEAR}-(?P<mm>[01][0-9])-(?P<dd>[0-3][0-9])\b",
    "range": rf"\b(?P<first>[0-3]?[0-9])(?:st|nd|rd|th)?\s*(?:and|-|\u2013|to)\s*{_DAY}\s+{_MONTH}"
    rf"(?:,?\s+{_YEAR})?\b",
    "day-month": rf"\b{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?\b",
    "month-day": rf"\b{_MONTH}\s+{_DAY}(?:,\s*{_YEAR})?\b(?!\s*[0-9%])",
    "month-year": rf"\b{_MONTH}\s+{_YEAR}\b",
    "weekday": r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")\b",
    "year": rf"{_BEFORE}{_YEAR}\b(?![-/.,]?[0-9])",
    "month": rf"{_BEFORE}{_MONTH}(?![\w-]|\s+[0-9])",
}
_COMPILED = {kind: re.compile(pattern) for kind, pattern in _PATTERNS.items()}


@dataclass(frozen=True, slots=True)
class DatePhrase:
    start: int
    end: int
    value: str  # YYYY-MM-DD, YYYY-MM or YYYY
    end_value: str | None = None  # the last day of a range ("6 and 7 September")

    @property
    def is_day(self) -> bool:
        return len(self.value) == 10


def date_phrases(text: str, article_date: dt.date | None) -> list[DatePhrase]:
    """Every date phrase of ``text`` that names a real date, in text order. Without the
    article's date, a phrase with no year is left out: it cannot be resolved."""
    found: list[DatePhrase] = []
    for kind, match in _scan(text):
        phrase = _resolve(kind, match, article_date)
        if phrase is None:
            continue
        # "Thursday (25 November)", "Tuesday, 15 March": one phrase, dated by the day.
        previous = found[-1] if found else None
        between = text[previous.end : phrase.start] if previous else ""
        joined = re.fullmatch(r"\s*[(,]?\s*", between) is not None
        if previous and _is_weekday(text, previous) and phrase.is_day and joined:
            close = phrase.end + (text[phrase.end : phrase.end + 1] == ")")
            found[-1] = DatePhrase(previous.start, close, phrase.value, phrase.end_value)
            continue
        found.append(phrase)
    return found


def _is_weekday(text: str, phrase: DatePhrase) -> bool:
    return text[phrase.start : phrase.end] in WEEKDAYS


def stated_date(text: str) -> str | None:
    """The date an article states for itself: the first full date of its first paragraph
    (a dateline, "BANGKOK, 15 March 2022 -", or a "date 2021-11-25" line)."""
    first = text.lstrip("\ufeff \t\r\n").split("\n\n", 1)[0]
    if len(first) < 200 and "\n" in text.strip():  # a headline: the date is in the next one
        rest = text.lstrip("\ufeff \t\r\n")[len(first) :]
        first = first + rest.lstrip().split("\n\n", 1)[0][:200]
    for phrase in date_phrases(first[:400], None):
        if phrase.is_day:
            return phrase.value
    return None


def _scan(text: str) -> list[tuple[str, re.Match[str]]]:
    """Matches of every pattern, none overlapping another: the patterns are tried from the
    most specific (a full date) to the least (a bare month), each keeping what is left."""
    chosen: list[tuple[str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    for kind, regex in _COMPILED.items():
        for match in regex.finditer(text):
            if all(match.end() <= start or match.start() >= end for start, end in taken):
                chosen.append((kind, match))
                taken.append(match.span())
    return sorted(chosen, key=lambda item: item[1].start())


def _resolve(kind: str, match: re.Match[str], article_date: dt.date | None) -> DatePhrase | None:
    groups = match.groupdict()

    def group(name: str) -> str:
        return groups.get(name) or ""

    start, end = match.start(), match.end()
    try:
        if kind == "iso":
            value = dt.date(int(group("year")), int(group("mm")), int(group("dd")))
            return DatePhrase(start, end, value.isoformat())
        if kind == "month-year":
            month = MONTHS[group("month").rstrip(".")]
            return DatePhrase(start, end, f"{group('year')}-{month:02d}")
        if kind == "year":
            return DatePhrase(start, end, group("year"))
        if kind == "weekday":
            return _weekday(start, end, WEEKDAYS.index(group("weekday")), article_date)
        month = MONTHS[group("month").rstrip(".")]
        year_text = group("year")
        if kind == "month":
            if article_date is None:
                return None
            year = _nearest_year(article_date, month, 15)
            return DatePhrase(start, end, f"{year}-{month:02d}")
        day = int(group("day"))
        year = int(year_text) if year_text else None
        if year is None:
            if article_date is None:
                return None
            year = _nearest_year(article_date, month, day)
        last = dt.date(year, month, day)
        if kind == "range":
            first = dt.date(year, month, int(group("first")))
            return DatePhrase(start, end, first.isoformat(), last.isoformat())
        return DatePhrase(start, end, last.isoformat())
    except ValueError:  # 31 February, 0 May: not a date
        return None


def _nearest_year(article: dt.date, month: int, day: int) -> int:
    """The year that puts (month, day) nearest the article's date."""

    def distance(year: int) -> int:
        try:
            return abs((dt.date(year, month, day) - article).days)
        except ValueError:
            return 10**6

    return min((article.year, article.year - 1, article.year + 1), key=distance)


def _weekday(start: int, end: int, weekday: int, article: dt.date | None) -> DatePhrase | None:
    if article is None:
        return None
    back = (article.weekday() - weekday) % 7
    return DatePhrase(start, end, (article - dt.timedelta(days=back)).isoformat())
