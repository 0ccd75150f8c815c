"""Locate evidence quotes in the article text and anchor them to sentences.

Sentences come from sentencex (docs/drafting.md says why): it knows each language's
abbreviations ("Mr.", "U.S.") and keeps a quotation with full stops inside it in one
sentence. The drafter splits with the same function, so a draft's sentences are the build's.

Offsets are Unicode code points (Python ``str`` indices): start inclusive, end exclusive, as
Web Annotation's TextPositionSelector defines them. A quote must occur in the text exactly;
when it occurs more than once the curator names which occurrence, because silently taking the
first could anchor a claim to the wrong sentence.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import sentencex
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

CONTEXT_CHARS = 32
# How alike (0-100, rapidfuzz's partial ratio) a passage must be to be offered for a quote
# that is not in the article: below this it is another passage, not the one meant.
CLOSEST_PASSAGE_SCORE = 70
# The shortest run of equal characters that lines a passage up with a quote.
MIN_BLOCK = 3
# The longest excerpt of a passage shown in a hint.
EXCERPT_CHARS = 100

# Characters trimmed from the ends of a sentence: white space and the byte-order mark, which
# is not white space to Python but is no part of any sentence.
TRIM = " \t\r\n\f\v\u00a0\ufeff"
# The language whose rules split a text when an article's language is not known yet.
DEFAULT_LANGUAGE = "en"


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


def split_sentences(text: str, language: str = DEFAULT_LANGUAGE) -> list[Sentence]:
    """The sentences of ``text`` by the rules of ``language`` (a BCP 47 tag), numbered from 1
    and trimmed of surrounding white space."""
    sentences: list[Sentence] = []
    primary = language.split("-", 1)[0].lower() or DEFAULT_LANGUAGE
    for bound in sentencex.get_sentence_boundaries(primary, text):
        start, end = trimmed(text, bound["start_index"], bound["end_index"])
        if end > start:
            sentences.append(Sentence(len(sentences) + 1, start, end, text[start:end]))
    return sentences


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) without the white space (and byte-order mark) at either end."""
    while start < end and text[start] in TRIM:
        start += 1
    while end > start and text[end - 1] in TRIM:
        end -= 1
    return start, end


def find_quote(text: str, quote: str, occurrence: int | None) -> Span:
    """Locate ``quote``; raise ``ValueError`` with a curator-facing message if it cannot be."""
    if not quote:
        raise ValueError("empty evidence quote")
    starts = occurrences(text, quote)
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


def occurrences(text: str, quote: str) -> list[int]:
    """Where ``quote`` starts in ``text``, every occurrence (overlapping ones too)."""
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


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of the article text, for a hint: where it is and what it says."""

    start: int
    end: int
    line: int  # 1-based, in article.txt
    column: int  # 1-based, in code points
    text: str

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= EXCERPT_CHARS else self.text[:EXCERPT_CHARS] + "…"
        return f"{self.line}:{self.column}: {shown!r}"


def closest_passage(text: str, quote: str) -> Passage | None:
    """The passage of ``text`` most like ``quote`` (fuzzy, so that a changed word, a fixed
    typo or straightened quotation marks still find it), widened to whole words; None when
    nothing is alike enough."""
    if not quote.strip() or not text:
        return None
    found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=CLOSEST_PASSAGE_SCORE)
    if found is None:
        return None
    start, end = _tightened(quote, text, found.dest_start, found.dest_end)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Passage(start, end, line, column, text[start:end])


def _tightened(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """The part of [start, end) that lines up with the quote: a window as long as the quote
    also takes in what surrounds a shorter passage."""
    slack = len(quote) // 4
    lo, hi = max(0, start - slack), min(len(text), end + slack)
    blocks = [
        op
        for op in Levenshtein.opcodes(quote, text[lo:hi])
        if op.tag == "equal" and op.dest_end - op.dest_start >= MIN_BLOCK
    ]
    if not blocks:
        return start, end
    return lo + blocks[0].dest_start, lo + blocks[-1].dest_end


def quote_hint(text: str, quote: str, article: Path) -> str:
    """The hint for a quote that cannot be located: the closest passage when it is not in the
    article at all."""
    passage = closest_passage(text, quote) if quote and quote not in text else None
    if passage is None:
        return "copy the quote exactly from article.txt (typos included)"
    return f"closest passage: {article}:{passage}; copy it exactly (typos included)"


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
