"""The article text as the drafter reads it: sentences, paragraphs, words and evidence quotes.

Sentences are the build's (:func:`newskg.inputs.evidence.split_sentences`, by
sentencex), so a draft anchors evidence to the sentences the graph will have. Offsets here
are always into the text as received (a byte-order mark and CRLF line ends included), so
every quote the draft writes is found again by the loader
(:func:`newskg.inputs.evidence.find_quote`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from newskg.inputs.evidence import occurrences, split_sentences, trimmed

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
WORD = re.compile(r"[^\W_](?:[\w'\u2019.-]*[^\W_])?")


@dataclass(frozen=True, slots=True)
class Sentence:
    number: int  # 1-based, in text order
    start: int
    end: int
    text: str
    paragraph: int  # 0-based


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the text: what a mention, a quote or a figure was found in."""

    start: int
    end: int


class ArticleText:
    """The text, its sentences and paragraphs, and the evidence quotes of spans of it."""

    def __init__(self, text: str) -> None:
        self.text = text
        breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(text)]
        self.sentences = [
            Sentence(s.number, s.start, s.end, s.text, bisect_right(breaks, s.start))
            for s in split_sentences(text)
        ]
        self._starts = [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence that holds ``offset`` (or the last one before it)."""
        return self.sentences[max(0, bisect_right(self._starts, offset) - 1)]

    def sentences_of(self, start: int, end: int) -> list[Sentence]:
        """The sentences that share a character with [start, end)."""
        return [s for s in self.sentences if s.start < end and s.end > start]

    def evidence(self, start: int, end: int) -> Any:
        """The evidence item for [start, end): the quote, with ``occurrence`` when the same
        words occur more than once."""
        start, end = trimmed(self.text, start, end)
        quote = self.text[start:end]
        starts = occurrences(self.text, quote)
        if len(starts) == 1:
            return quote
        return {"quote": quote, "occurrence": starts.index(start) + 1}

    def words(self, start: int, end: int) -> list[Span]:
        return [Span(m.start(), m.end()) for m in WORD.finditer(self.text, start, end)]
