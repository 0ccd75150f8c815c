"""Locate evidence quotes in the article text and anchor them to sentences.

Offsets are Unicode code points (Python ``str`` indices): start inclusive, end exclusive, as
Web Annotation's TextPositionSelector defines them. A quote must occur in the text exactly;
when it occurs more than once the curator names which occurrence, because silently taking the
first could anchor a claim to the wrong sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

CONTEXT_CHARS = 32

# A sentence ends at . ! or ? (optionally followed by a closing quote) before whitespace and
# an upper-case letter, digit or opening quote; paragraphs (blank lines) always end one.
_SENTENCE_END = re.compile('[.!?]["\u201d\u2019)]?(?=\\s+["\u201c\u2018(A-Z0-9])|\\n\\s*\\n')


@dataclass(frozen=True, slots=True)
class Sentence:
    number: int  # 1-based
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    cursor = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end() if not match.group().startswith("\n") else match.start()
        _append(sentences, text, cursor, end)
        cursor = match.end()
    _append(sentences, text, cursor, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    # Trim surrounding whitespace so that offsets point at the first and last characters.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(len(sentences) + 1, start, end, text[start:end]))


def find_quote(text: str, quote: str, occurrence: int | None) -> Span:
    """Locate ``quote``; raise ``ValueError`` with a curator-facing message if it cannot be."""
    if not quote:
        raise ValueError("empty evidence quote")
    starts = _occurrences(text, quote)
    if not starts:
        raise ValueError(_not_found_message(text, quote))
    if occurrence is None:
        if len(starts) > 1:
            raise ValueError(
                f"quote occurs {len(starts)} times in the article; "
                "make it longer or add 'occurrence: N' (1-based) to say which one"
            )
        start = starts[0]
    else:
        if not 1 <= occurrence <= len(starts):
            raise ValueError(
                f"occurrence {occurrence} asked for, but the quote occurs {len(starts)} time(s)"
            )
        start = starts[occurrence - 1]
    end = start + len(quote)
    return Span(
        start,
        end,
        quote,
        text[max(0, start - CONTEXT_CHARS) : start],
        text[end : end + CONTEXT_CHARS],
    )


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    index = text.find(quote)
    while index != -1:
        found.append(index)
        index = text.find(quote, index + 1)
    return found


def _not_found_message(text: str, quote: str) -> str:
    message = "quote not found in the article text"
    # Point at the longest prefix of the quote that does occur: that is where it diverges.
    lo, hi = 0, len(quote)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo >= 8:
        found_at = text.find(quote[:lo])
        actual = text[found_at + lo : found_at + lo + 20]
        message += (
            f"; it matches up to character {lo} ('…{quote[max(0, lo - 20) : lo]}'), where the "
            f"article has {actual!r} but the quote has {quote[lo : lo + 20]!r}"
        )
    return message


def sentences_overlapping(sentences: list[Sentence], start: int, end: int) -> list[Sentence]:
    """Sentences that share at least one character with [start, end)."""
    starts = [s.start for s in sentences]
    first = max(0, bisect_right(starts, start) - 1)
    out: list[Sentence] = []
    for sentence in sentences[first:]:
        if sentence.start >= end:
            break
        if sentence.end > start:
            out.append(sentence)
    return out
