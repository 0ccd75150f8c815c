"""A full build's traversal index (:mod:`newskg.indexes.traversal`), written from N-Quads
files in passes whose memory does not grow with the number of quads.

Numbering every term in one dictionary and sorting every statement in memory made the
writer's memory grow with the graph (docs/performance.md). Here only arrays of a few numbers
per term stay in memory; the quads go to scratch files as rows of term numbers, and each
direction's rows are sorted a range of nodes at a time:

1. *Numbering*, a block of N-Quads at a time: the block's distinct terms, each spelt as
   pyoxigraph spells it, are looked up by a 96-bit digest (Python's 64-bit ``hash`` of the
   spelling and the CRC-32 that readers find terms by) in sorted runs of the digests met
   so far; a term not found is numbered next, in the order terms are first met, and its
   line written to ``terms.nt``. The block's quads go to a scratch file as rows of numbers.
2. *Out-edges*: the quads, split into files by ranges of subjects of at most about ``rows``
   rows each, every range sorted in memory into distinct statements with how many graphs
   hold each; the statements and the pairs of neighbours they give go to scratch files.
3. *In-edges* and *hops*: the statements and the pairs, split and sorted the same way by
   object and by node.

Two terms sharing a 96-bit digest (about one chance in 10^15 at ten million terms) would
be one term; a shared 64-bit hash alone is told apart by the CRC.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from newskg.indexes.numbering import (
    Counter,
    indexed_terms,
    literal_flags,
    parsed_spellings,
    respelt,
    split_quads,
)
from newskg.indexes.traversal import ADDED_TERMS, TERMS, TYPE, empty_changes, save

ROWS_AT_ONCE = 1 << 21  # rows sorted in memory at once: what bounds the writer's memory
_SCRATCH = ".writing"
_hash64 = hash  # a name of the module's own, so that a test can make every term's hash one
_COLUMNS = {
    "out_pred": np.int32,
    "out_obj": np.int32,
    "out_count": np.uint32,
    "in_subj": np.int32,
    "in_pred": np.int32,
    "hop_node": np.int32,
}


def write(folder: Path, nquads: Path | list[Path], *, rows: int = ROWS_AT_ONCE) -> None:
    """Write the index of the quads in the ``nquads`` files to ``folder``: a base and no
    changes. ``rows`` bounds how many rows are sorted in memory at once."""
    folder.mkdir(parents=True)
    scratch = folder / _SCRATCH
    scratch.mkdir()
    try:
        paths = [nquads] if isinstance(nquads, Path) else list(nquads)
        quads, statements, pairs = (scratch / f"{n}.bin" for n in ("quads", "stmts", "pairs"))
        arrays, type_id = _numbered(paths, folder / TERMS, quads)
        (folder / ADDED_TERMS).write_bytes(b"")
        size = len(arrays["literal"])
        columns = _ColumnFiles(folder, scratch)
        with statements.open("wb") as s_out, pairs.open("wb") as p_out:
            arrays["out_ptr"] = _pointers(
                _out_edges(
                    _ranges(quads, 4, 0, size, rows, scratch),
                    size,
                    columns,
                    s_out,
                    p_out,
                    type_id,
                    arrays["literal"],
                )
            )
        arrays["in_ptr"] = _pointers(
            _in_edges(_ranges(statements, 3, 2, size, rows, scratch), size, columns)
        )
        arrays["hop_ptr"] = _pointers(
            _hops(_ranges(pairs, 2, 0, size, rows, scratch), size, columns)
        )
        columns.finish()
        arrays |= empty_changes()
        entries = sum(columns.lengths[name] for name in ("out_pred", "in_subj", "hop_node"))
        meta = {"terms": size, "base_terms": size, "type": None if type_id < 0 else type_id}
        save(folder, arrays, {**meta, "base_entries": entries, "changed_entries": 0})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _numbered(paths: list[Path], lines: Path, quads: Path) -> tuple[dict[str, np.ndarray], int]:
    """Number the terms of the N-Quads files ``paths``, writing their lines to ``lines`` and
    the quads as rows of numbers to ``quads``; the terms' arrays and the number of rdf:type
    (-1 if no quad uses it). The digests go once the terms are numbered."""
    with lines.open("wb") as out, quads.open("wb") as rows:
        terms = _Terms(out)
        for columns in (block for path in paths for block in split_quads(path)):
            rows.write(terms.number(columns).tobytes())
    type_id = terms.find(TYPE)
    terms.digests = _Digests()
    return terms.arrays(), type_id


class _Digests:
    """Term numbers by digest (a 64-bit hash and a CRC-32), in runs sorted by hash (terms
    that share one are told apart by their CRC when looked up): a run is merged
    with the one before it once it is half that one's size, so there are few runs, adding n
    digests costs about n log n, and a lookup is one binary search a run."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def find(self, hashes: np.ndarray, crcs: np.ndarray) -> np.ndarray:
        """The number of each digest, -1 for one not added."""
        found = np.full(len(hashes), -1, dtype=np.int64)
        for run_hashes, run_crcs, run_numbers in self.runs:
            lo = np.searchsorted(run_hashes, hashes, side="left")
            hi = np.searchsorted(run_hashes, hashes, side="right")
            single = np.flatnonzero(hi - lo == 1)
            at = lo[single]
            same = run_crcs[at] == crcs[single]
            found[single[same]] = run_numbers[at[same]]
            for i in np.flatnonzero(hi - lo > 1):  # terms that share a 64-bit hash: rare
                for j in range(lo[i], hi[i]):
                    if run_crcs[j] == crcs[i]:
                        found[i] = run_numbers[j]
        return found

    def add(self, hashes: np.ndarray, crcs: np.ndarray, numbers: np.ndarray) -> None:
        order = np.argsort(hashes)
        self.runs.append((hashes[order], crcs[order], numbers[order]))
        while len(self.runs) > 1 and len(self.runs[-2][0]) < 2 * len(self.runs[-1][0]):
            last, before = self.runs.pop(), self.runs.pop()
            self.runs.append(_merged(before, last))


def _merged(
    one: tuple[np.ndarray, ...], other: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two runs sorted by hash as one (a merge in place of a sort: no index array of the
    whole, whose memory the largest runs would double)."""
    at = np.searchsorted(one[0], other[0]) + np.arange(len(other[0]))
    size = len(one[0]) + len(other[0])
    kept = np.ones(size, dtype=bool)
    kept[at] = False
    merged = []
    for mine, theirs in zip(one, other, strict=True):
        column = np.empty(size, dtype=mine.dtype)
        column[at] = theirs
        column[kept] = mine
        merged.append(column)
    return merged[0], merged[1], merged[2]


class _Terms:
    """Numbers terms in the order they are first met, writing each one's line to ``lines``;
    two spellings of one literal (``"x"^^xsd:string`` and ``"x"``) are one term."""

    def __init__(self, lines: BinaryIO) -> None:
        self.lines = lines
        self.digests = _Digests()
        self.size = 0
        self._lengths: list[np.ndarray] = []
        self._crcs: list[np.ndarray] = []
        self._literal: list[np.ndarray] = []

    def number(self, columns: Sequence[Sequence[bytes]]) -> np.ndarray:
        """The quads of one block (subjects, predicates, objects, graphs) as rows of term
        numbers (int32), numbering the terms not met before."""
        local = Counter()  # the block's distinct spellings, numbered in C
        ids = [np.fromiter(map(local.__getitem__, c), np.int64, len(c)) for c in columns]
        spelt = respelt(list(local), parsed_spellings)
        hashes = np.fromiter(map(_hash64, spelt), np.int64, len(spelt))
        crcs = np.fromiter(map(zlib.crc32, spelt), np.uint32, len(spelt))
        numbers = self.digests.find(hashes, crcs)
        missing = np.flatnonzero(numbers < 0)
        if len(missing):
            self._add(spelt, hashes, crcs, missing, numbers)
        return np.stack([numbers[i] for i in ids], axis=1).astype(np.int32)

    def _add(
        self,
        spelt: list[bytes],
        hashes: np.ndarray,
        crcs: np.ndarray,
        missing: np.ndarray,
        numbers: np.ndarray,
    ) -> None:
        """Number the terms at ``missing`` (block positions, ascending): spellings of one
        digest take the number of the first met."""
        by_digest = missing[np.lexsort((missing, crcs[missing], hashes[missing]))]
        first = np.ones(len(by_digest), dtype=bool)
        first[1:] = (np.diff(hashes[by_digest]) != 0) | (np.diff(crcs[by_digest]) != 0)
        leaders = by_digest[first]  # each term's first spelling met, in digest order
        met = np.sort(leaders)
        numbers[by_digest] = (self.size + np.searchsorted(met, leaders))[np.cumsum(first) - 1]
        new_lines = [spelt[k] for k in met.tolist()]
        self.lines.write(b"".join(line + b"\n" for line in new_lines))
        self.digests.add(hashes[met], crcs[met], numbers[met].astype(np.int32))
        self._lengths.append(np.fromiter(map(len, new_lines), np.uint32, len(met)) + 1)
        self._crcs.append(crcs[met])
        self._literal.append(literal_flags(new_lines))
        self.size += len(met)

    def find(self, line: bytes) -> int:
        """The number of a term by its spelling, -1 if not met."""
        digest = np.array([_hash64(line)], np.int64), np.array([zlib.crc32(line)], np.uint32)
        return int(self.digests.find(*digest)[0])

    def arrays(self) -> dict[str, np.ndarray]:
        """offsets, hashes (sorted), by_hash and literal of every term."""
        lengths = np.concatenate([np.zeros(0, np.uint32), *self._lengths])
        crcs = np.concatenate([np.zeros(0, np.uint32), *self._crcs])
        self._lengths.clear()
        self._crcs.clear()
        literal = np.concatenate([np.zeros(0, bool), *self._literal])
        return indexed_terms(lengths, crcs, 0) | {"literal": literal}


class _ColumnFiles:
    """The index's long columns, written a range of rows at a time: raw to scratch files,
    then each as ``<name>.npy`` once its length is known."""

    def __init__(self, folder: Path, scratch: Path) -> None:
        self.folder = folder
        self.parts = {name: scratch / f"{name}.part" for name in _COLUMNS}
        self.handles = {name: path.open("wb") for name, path in self.parts.items()}
        self.lengths = dict.fromkeys(_COLUMNS, 0)

    def append(self, name: str, values: np.ndarray) -> None:
        self.handles[name].write(np.ascontiguousarray(values, dtype=_COLUMNS[name]).tobytes())
        self.lengths[name] += len(values)

    def finish(self) -> None:
        for name, handle in self.handles.items():
            handle.close()
            header = {
                "descr": np.lib.format.dtype_to_descr(np.dtype(_COLUMNS[name])),
                "fortran_order": False,
                "shape": (self.lengths[name],),
            }
            with (self.folder / f"{name}.npy").open("wb") as out:
                np.lib.format.write_array_header_1_0(out, header)
                with self.parts[name].open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 24)
            self.parts[name].unlink()


def _out_edges(
    ranges: Iterator[np.ndarray],
    size: int,
    columns: _ColumnFiles,
    statements: BinaryIO,
    pairs: BinaryIO,
    type_id: int,
    literal: np.ndarray,
) -> np.ndarray:
    """Write the out direction's columns: the distinct statements of each range of quads,
    sorted, each once with how many graphs hold it; write the statements to ``statements``
    and each pair of neighbours both ways to ``pairs``, leaving out rdf:type statements
    (``type_id``) and literal objects (``literal``, by term). How many statements each node
    is the subject of."""
    counts = np.zeros(size, dtype=np.int64)
    for quads in ranges:
        quads = quads[np.lexsort((quads[:, 3], quads[:, 2], quads[:, 1], quads[:, 0]))]
        quads = quads[_firsts(quads)]  # a quad written twice counts once
        starts = np.flatnonzero(_firsts(quads[:, :3]))
        s, p, o = (quads[starts, k] for k in range(3))
        columns.append("out_pred", p)
        columns.append("out_obj", o)
        columns.append("out_count", np.diff(np.append(starts, len(quads))))
        counts += np.bincount(s, minlength=size)
        statements.write(np.stack([s, p, o], axis=1).tobytes())
        hop = (p != type_id) & ~literal[o]
        pairs.write(np.stack([s[hop], o[hop]], axis=1).tobytes())
        pairs.write(np.stack([o[hop], s[hop]], axis=1).tobytes())
    return counts


def _in_edges(ranges: Iterator[np.ndarray], size: int, columns: _ColumnFiles) -> np.ndarray:
    """Write the in direction's columns (statements by object, then subject and predicate);
    how many statements each node is the object of."""
    counts = np.zeros(size, dtype=np.int64)
    for statements in ranges:
        s, p, o = statements[:, 0], statements[:, 1], statements[:, 2]
        order = np.lexsort((p, s, o))
        columns.append("in_subj", s[order])
        columns.append("in_pred", p[order])
        counts += np.bincount(o, minlength=size)
    return counts


def _hops(ranges: Iterator[np.ndarray], size: int, columns: _ColumnFiles) -> np.ndarray:
    """Write each node's neighbours, once each and in order; how many each node has."""
    counts = np.zeros(size, dtype=np.int64)
    for pairs in ranges:
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        pairs = pairs[_firsts(pairs)]
        columns.append("hop_node", pairs[:, 1])
        counts += np.bincount(pairs[:, 0], minlength=size)
    return counts


def _firsts(rows: np.ndarray) -> np.ndarray:
    """Which rows of sorted ``rows`` differ from the row before them."""
    first = np.ones(len(rows), dtype=bool)
    first[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    return first


def _ranges(
    source: Path, width: int, key: int, size: int, rows: int, scratch: Path
) -> Iterator[np.ndarray]:
    """The rows of ``source`` (int32, ``width`` columns) a range of values of column ``key``
    at a time, in order of the ranges, each of at most about ``rows`` rows (a single value
    with more rows is a range of its own). ``source`` is deleted once it has been split."""
    counts = np.zeros(size, dtype=np.int64)
    for chunk in _chunks(source, width, rows):
        counts += np.bincount(chunk[:, key], minlength=size)
    total = int(counts.sum())
    parts = -(-total // rows) if total else 1
    bounds = np.unique(np.searchsorted(np.cumsum(counts), np.arange(1, parts) * (total / parts)))
    del counts  # a number per term: not kept while the ranges are sorted
    if len(bounds) == 0:
        yield from _chunks(source, width, max(total, 1))
        source.unlink()
        return
    files = [scratch / f"{source.stem}-{k}.bin" for k in range(len(bounds) + 1)]
    handles = [path.open("wb") for path in files]
    try:
        for chunk in _chunks(source, width, rows):
            which = np.searchsorted(bounds, chunk[:, key], side="right")
            order = np.argsort(which, kind="stable")
            cuts = np.searchsorted(which[order], np.arange(len(files) + 1))
            chunk = chunk[order]
            for handle, lo, hi in zip(handles, cuts[:-1], cuts[1:], strict=True):
                handle.write(chunk[lo:hi].tobytes())
    finally:
        for handle in handles:
            handle.close()
    source.unlink()
    for path in files:
        yield from _chunks(path, width, max(path.stat().st_size, 1))
        path.unlink()


def _chunks(path: Path, width: int, rows: int) -> Iterator[np.ndarray]:
    """The rows of an int32 table file, ``rows`` at a time."""
    with path.open("rb") as handle:
        while True:
            chunk = np.fromfile(handle, dtype=np.int32, count=rows * width)
            if not len(chunk):
                return
            yield chunk.reshape(-1, width)


def _pointers(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


__all__ = ["ROWS_AT_ONCE", "write"]
