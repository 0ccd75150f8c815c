"""The quads of N-Quads files as rows of term numbers, each term spelt as readers look it
up, and the arrays that find a term by its spelling: what the traversal index is written
from, whole (:mod:`newskg.indexes.traversal_write`) or as changes
(:mod:`newskg.indexes.traversal_update`)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from newskg.files import line_blocks

_CHUNK = 1 << 24  # bytes of N-Quads read at a time
_QUAD = re.compile(rb"^(\S+) (\S+) (.*) (\S+) \.[ \t\r]*$", re.MULTILINE)


def term_hash(line: bytes) -> int:
    """The hash a term's N-Triples form (UTF-8) is found by: stable across processes,
    unlike ``hash``; collisions are told apart by comparing the term itself."""
    return zlib.crc32(line)


class Numbering:
    """Term numbers of an update: the ``size`` terms of the previous index (found by
    ``previous``), then new terms numbered as they are met."""

    def __init__(self, previous: Callable[[bytes], int | None], size: int) -> None:
        self.previous = previous
        self.new: dict[bytes, int] = {}  # a new term's spelling -> its provisional number
        self.known: dict[bytes, int] = {}  # terms of the previous index met so far
        self.start = size
        self.merged = False  # two spellings of one literal became one term

    def find(self, line: bytes) -> int | None:
        """The number of a term of the previous index (or a new one), or None."""
        number = self.new.get(line)
        if number is None:
            number = self.known.get(line)
            if number is None:
                number = self.previous(line)
                if number is not None:
                    self.known[line] = number
        return number

    def number(self, line: bytes) -> int:
        number = self.find(line)
        if number is None:
            number = self.new[line] = self.start + len(self.new)
        return number

    def finish(self, quads: np.ndarray) -> list[bytes]:
        """The new terms in number order, each spelt as a store spells it, numbers,
        booleans and times in their canonical forms (the quads a later update removes are
        read from the store, and must find them); two spellings of one literal
        (``"x"^^xsd:string`` and ``"x"``) become one term, and ``quads`` is renumbered to
        match."""
        spelt = list(self.new)
        canonical = respelt(spelt, _stored)
        lines: list[bytes] = []
        final: dict[bytes, int] = {}
        remap = np.empty(len(spelt), dtype=np.int32)
        for k, line in enumerate(canonical):
            number = final.get(line)
            if number is None:
                old = self.find(line) if line != spelt[k] else None
                number = old if old is not None and old < self.start else None
                if number is None:
                    number = final[line] = self.start + len(lines)
                    lines.append(line)
            remap[k] = number
        if len(lines) != len(spelt):
            self.merged = True
            new = quads >= self.start
            quads[new] = remap[quads[new] - self.start]
        self.new = final
        return lines


def respelt(lines: list[bytes], spelling: Callable[[list[bytes]], list[bytes]]) -> list[bytes]:
    """``lines`` (terms in N-Triples) with every literal as ``spelling`` spells it."""
    out = list(lines)
    literals = [k for k, line in enumerate(lines) if line.startswith(b'"')]
    for k, line in zip(literals, spelling([lines[k] for k in literals]), strict=True):
        out[k] = line
    return out


def parsed_spellings(literals: list[bytes]) -> list[bytes]:
    """Each literal as pyoxigraph's parser spells it."""
    document = b"".join(b"<x:s> <x:p> " + line + b" .\n" for line in literals)
    return [
        str(t.object).encode("utf-8") for t in ox.parse(document, format=ox.RdfFormat.N_TRIPLES)
    ]


def _stored(literals: list[bytes]) -> list[bytes]:
    """Each literal as a store spells it once it holds it."""
    document = b"".join(b"<x:%d> <x:p> %s .\n" % (k, line) for k, line in enumerate(literals))
    store = ox.Store()
    store.load(document, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    spelt = [b""] * len(literals)
    for quad in store:
        spelt[int(quad.subject.value[2:])] = str(quad.object).encode("utf-8")
    return spelt


def numbered_quads(nquads: Path | list[Path], number: Callable[[bytes], int]) -> np.ndarray:
    """The quads of N-Quads files as rows of term numbers."""
    columns: list[np.ndarray] = []
    paths = [nquads] if isinstance(nquads, Path) else nquads
    for s, p, o, g in (rows for path in paths for rows in split_quads(path)):
        block = np.empty((len(s), 4), dtype=np.int32)
        for column, terms in enumerate((s, p, o, g)):
            block[:, column] = list(map(number, terms))
        columns.append(block)
    return np.concatenate(columns) if columns else np.zeros((0, 4), dtype=np.int32)


def term_arrays(lines: list[bytes], first: int) -> dict[str, np.ndarray]:
    """offsets, hashes (sorted) and by_hash of terms ``lines`` numbered from ``first``."""
    lengths = np.fromiter((len(line) + 1 for line in lines), np.uint64, len(lines))
    hashes = np.fromiter(map(zlib.crc32, lines), np.uint32, len(lines))  # term_hash, in C
    return indexed_terms(lengths, hashes, first)


def indexed_terms(lengths: np.ndarray, hashes: np.ndarray, first: int) -> dict[str, np.ndarray]:
    """offsets, hashes (sorted) and by_hash of terms numbered from ``first`` whose lines
    (newline included) are ``lengths`` long and hash to ``hashes``."""
    offsets = np.concatenate([np.zeros(1, np.uint64), np.cumsum(lengths, dtype=np.uint64)])
    order = np.argsort(hashes, kind="stable")
    return {
        "offsets": offsets,
        "hashes": hashes[order],
        "by_hash": (order + first).astype(np.int32),
    }


def literal_flags(lines: list[bytes]) -> np.ndarray:
    return np.fromiter((line.startswith(b'"') for line in lines), bool, len(lines))


class Counter(dict[bytes, int]):
    """Numbers new keys as they are met: 0, 1, 2…"""

    def __missing__(self, key: bytes) -> int:
        number = self[key] = len(self)
        return number


def split_quads(nquads: Path) -> Iterator[tuple[Sequence[bytes], ...]]:
    """Subjects, predicates, objects and graphs of the lines of an N-Quads file whose every
    quad is in a named graph, as a build writes them: ``S P O G .``, one a line (S, P and
    G never hold a space; an object literal may). A large block is split at once, where
    splitting line by line in Python took most of the time: by :func:`_columns`, or by one
    regular expression when a line is not of that exact form."""
    for block in line_blocks(nquads, _CHUNK):
        columns = _columns(block)
        if columns is not None:
            yield columns
            continue
        rows = _QUAD.findall(block)
        if rows:
            yield tuple(zip(*rows, strict=True))


def _columns(block: bytes) -> tuple[list[bytes], ...] | None:
    """What ``_QUAD.findall`` finds in ``block`` (whole lines), as columns, when every line
    is ``S P O G .`` exactly as a build writes it; None otherwise. The term boundaries of
    every line are found with array operations (a line's first two spaces, and the last
    one before its closing `` .``), leaving one slice per term to Python: about half the
    time of the regular expression and the transposition of its rows."""
    data = np.frombuffer(block, dtype=np.uint8)
    ends = np.flatnonzero(data == 10)  # each line's newline
    # other whitespace would end a term where the expression's \S+ does not
    if len(ends) == 0 or np.any((data >= 9) & (data <= 13) & (data != 10)):
        return None
    starts = np.concatenate([[0], ends[:-1] + 1])
    spaces = np.flatnonzero(data == 32)
    first = np.searchsorted(spaces, starts)
    if first[-1] + 1 >= len(spaces) or ends[0] < 2:
        return None
    s_end, p_end = spaces[first], spaces[first + 1]
    dot = ends - 2  # the space before the closing dot
    g_space = spaces[np.maximum(np.searchsorted(spaces, dot) - 1, 0)]
    shaped = (
        (data[ends - 1] == 46)
        & (data[dot] == 32)
        & (s_end > starts)
        & (p_end > s_end + 1)
        & (g_space > p_end)
        & (g_space + 1 < dot)
    )
    if not shaped.all():
        return None
    a, b, c, d, e = (x.tolist() for x in (starts, s_end, p_end, g_space, dot))
    return (
        [block[i:j] for i, j in zip(a, b, strict=True)],
        [block[i + 1 : j] for i, j in zip(b, c, strict=True)],
        [block[i + 1 : j] for i, j in zip(c, d, strict=True)],
        [block[i + 1 : j] for i, j in zip(d, e, strict=True)],
    )
