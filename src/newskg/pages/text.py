"""An article's text cut at the edges of its evidence spans, so that every span can be
highlighted even where spans overlap or nest: each piece knows which spans cover it and
which begin at it. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True, slots=True)
class Span:
    """One evidence passage: code-point offsets (end exclusive) and its number on the page."""

    start: int
    end: int
    number: int


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text between two span edges: the spans that begin here (their markers come
    first) and the spans covering it, outermost first."""

    text: str
    begins: tuple[Span, ...]
    covered_by: tuple[Span, ...]

    @property
    def innermost(self) -> Span | None:
        return self.covered_by[-1] if self.covered_by else None

    @property
    def depth(self) -> int:
        return len(self.covered_by)


def numbered(offsets: Iterable[tuple[int, int]]) -> list[Span]:
    """Spans for distinct ``(start, end)`` pairs, numbered in reading order (an outer span
    before the spans it holds)."""
    ordered = sorted(set(offsets), key=lambda se: (se[0], -se[1]))
    return [Span(start, end, i) for i, (start, end) in enumerate(ordered, 1)]


def pieces(text: str, spans: Iterable[Span]) -> list[Piece]:
    """``text`` cut at every edge of ``spans`` (clipped to the text; empty spans dropped)."""
    kept = sorted(
        (
            Span(max(0, s.start), min(len(text), s.end), s.number)
            for s in spans
            if min(len(text), s.end) > max(0, s.start)
        ),
        key=lambda s: (s.start, -s.end, s.number),
    )
    edges = sorted({0, len(text), *(s.start for s in kept), *(s.end for s in kept)})
    out = []
    for left, right in pairwise(edges):
        covering = tuple(s for s in kept if s.start <= left < s.end)
        begins = tuple(s for s in kept if s.start == left)
        out.append(Piece(text[left:right], begins, covering))
    return out
