"""The traversal index: every node's edges as numpy arrays over term numbers, on disk.

Reading a node's edges from Oxigraph costs a RocksDB read and a term decoding per statement,
and copying a whole store into Python objects costs minutes and gigabytes at 10k articles.
This index holds the same edges as a few flat arrays a reader maps into memory, so opening a
graph for traversal is a load, and a breadth-first search is a handful of array operations.

An index is a *base*, which a full build writes (:mod:`newskg.indexes.traversal_write`), and
the *changes* since, which incremental builds write (:mod:`newskg.indexes.traversal_update`).
Layout of the folder (``<build>/traversal/``)::

    terms.nt       each distinct term once, in canonical N-Triples (pyoxigraph's ``str``),
                   one a line, in number order (N-Triples escapes newlines in literals)
    offsets.npy    uint64 [terms + 1]: where each term's line starts in terms.nt
    hashes.npy     uint32 [terms]: the CRC-32 of each term's line, sorted, ...
    by_hash.npy    int32 [terms]: ... and the number of the term each belongs to
    literal.npy    bool [terms]: whether the term is a literal
    out_ptr.npy    int64 [terms + 1] and out_pred.npy, out_obj.npy (int32): each distinct
                   statement once, by subject (a triple several graphs hold is one edge),
                   and out_count.npy (uint32): how many named graphs hold it
    in_ptr.npy     and in_subj.npy, in_pred.npy: the same statements by object
    hop_ptr.npy    and hop_node.npy: each node's neighbours in either direction, once each,
                   leaving out rdf:type statements and literals (what traversal follows)

    added.nt       the terms added since the base, numbered on from its last, with
                   added_offsets.npy, added_hashes.npy, added_by_hash.npy, added_literal.npy
    changed_<d>_nodes.npy   int32, sorted: the nodes whose row of direction <d> (out, in,
                   hop) is no longer the base's, and changed_<d>_ptr.npy (int64) with one
                   array per column (changed_out_pred.npy, ...): their rows as they are now
    meta.json      format version, counts, the number of rdf:type

Within a row, out-statements are sorted by (predicate, object), in-statements by (subject,
predicate) and hops by neighbour, all by number. A row in the changes replaces the base's
whole (an empty one says the node has no such edges any more); a node numbered past the
base has rows only there. A term no statement uses any more keeps its number and has no
edges, which readers treat as absent.

An incremental build hard-links the base files of the previous index (they are never
written in place) and writes its changes, so its cost follows the change, not the graph.
"""

from __future__ import annotations

import bisect
import json
import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from newskg.indexes.numbering import term_hash
from newskg.rdf import RDF_TYPE

FORMAT = 2
META = "meta.json"
TERMS = "terms.nt"
ADDED_TERMS = "added.nt"
TERM_ARRAYS = ("offsets", "hashes", "by_hash", "literal")
# each direction's columns beside its row pointers
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "out": ("pred", "obj", "count"),
    "in": ("subj", "pred"),
    "hop": ("node",),
}
BASE_ARRAYS = (
    *TERM_ARRAYS,
    *(f"{d}_{c}" for d, columns in DIRECTIONS.items() for c in ("ptr", *columns)),
)
CHANGE_ARRAYS = (
    *(f"added_{name}" for name in TERM_ARRAYS),
    *(f"changed_{d}_{c}" for d, columns in DIRECTIONS.items() for c in ("nodes", "ptr", *columns)),
)
TYPE = f"<{RDF_TYPE}>".encode("ascii")


def exists(folder: Path) -> bool:
    """Whether ``folder`` holds a complete index of this format."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT


class Terms:
    """The terms of an index by number, and the number of a term: the base's, then those
    added since."""

    def __init__(
        self,
        base: dict[str, np.ndarray],
        base_text: bytes | memoryview,
        added: dict[str, np.ndarray],
        added_text: bytes | memoryview,
    ) -> None:
        self._base = (base, base_text)
        self.base_size = len(base["hashes"])
        self.size = self.base_size + len(added["hashes"])
        # memoryviews: one item at a time, a Python int is far cheaper than a numpy scalar
        self._parts = [
            (
                memoryview(part["hashes"]),
                memoryview(part["by_hash"]),
                memoryview(part["offsets"]),
                text,
            )
            for part, text in ((base, base_text), (added, added_text))
        ]
        self.literal = (base["literal"], added["literal"])

    def with_added(self, added: dict[str, np.ndarray], added_text: bytes) -> Terms:
        """The same base with ``added`` as the terms added since."""
        return Terms(*self._base, added, added_text)

    def find(self, line: bytes) -> int | None:
        """The number of the term whose N-Triples form is ``line``, or None."""
        wanted = term_hash(line)
        for hashes, by_hash, _, _ in self._parts:
            i = bisect.bisect_left(hashes, wanted)  # type: ignore[call-overload]
            while i < len(hashes) and hashes[i] == wanted:
                number = by_hash[i]
                if self.line(number) == line:
                    return number
                i += 1
        return None

    def line(self, number: int) -> bytes:
        """The N-Triples form of term ``number``."""
        part = number >= self.base_size
        _, _, offsets, text = self._parts[part]
        at = number - self.base_size if part else number
        return bytes(text[offsets[at] : offsets[at + 1] - 1])

    def is_literal(self, numbers: np.ndarray) -> np.ndarray:
        """Whether each of ``numbers`` is a literal."""
        base, added = self.literal
        found = np.zeros(len(numbers), dtype=bool)
        old = numbers < self.base_size
        found[old] = base[numbers[old]]
        found[~old] = added[numbers[~old] - self.base_size]
        return found


class Rows:
    """One direction's rows: the base's, less those replaced by the changes."""

    def __init__(
        self,
        base_ptr: np.ndarray,
        base: dict[str, np.ndarray],
        changed_nodes: np.ndarray,
        changed_ptr: np.ndarray,
        changed: dict[str, np.ndarray],
    ) -> None:
        self.base_ptr, self.base = base_ptr, base
        self.changed_nodes, self.changed_ptr, self.changed = changed_nodes, changed_ptr, changed
        self.base_rows = len(base_ptr) - 1
        self._nodes = memoryview(changed_nodes)
        self._ptrs = (memoryview(base_ptr), memoryview(changed_ptr))

    def locate(self, node: int) -> tuple[int, int, int]:
        """(part, lo, hi): the row of ``node`` is [lo, hi) of the base (part 0) or of the
        changes (part 1)."""
        if self._nodes:
            i = bisect.bisect_left(self._nodes, node)  # type: ignore[call-overload]
            if i < len(self._nodes) and self._nodes[i] == node:
                ptr = self._ptrs[1]
                return 1, ptr[i], ptr[i + 1]
        if node < self.base_rows:
            ptr = self._ptrs[0]
            return 0, ptr[node], ptr[node + 1]
        return 0, 0, 0

    def gather(self, nodes: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The rows of ``nodes`` one after another: each one's length, and each column."""
        nodes = np.asarray(nodes, dtype=np.int64)
        starts, lengths = np.zeros(len(nodes), np.int64), np.zeros(len(nodes), np.int64)
        at, hit = self._changed_at(nodes)
        base = ~hit & (nodes < self.base_rows)
        starts[base] = self.base_ptr[nodes[base]]
        lengths[base] = self.base_ptr[nodes[base] + 1] - starts[base]
        starts[hit] = self.changed_ptr[at[hit]]
        lengths[hit] = self.changed_ptr[at[hit] + 1] - starts[hit]
        if not hit.any():  # the usual case: one gather from the base
            positions = ranges(starts, lengths)
            return lengths, {name: column[positions] for name, column in self.base.items()}
        firsts = np.cumsum(lengths) - lengths  # where each row starts in the result
        total = int(lengths.sum())
        found = {name: np.empty(total, dtype=column.dtype) for name, column in self.base.items()}
        for part, columns in ((base, self.base), (hit, self.changed)):
            source = ranges(starts[part], lengths[part])
            target = ranges(firsts[part], lengths[part])
            for name, column in columns.items():
                found[name][target] = column[source]
        return lengths, found

    def _changed_at(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each of ``nodes`` is in the changed nodes, and whether it is there."""
        if not len(self.changed_nodes):
            return np.zeros(len(nodes), np.int64), np.zeros(len(nodes), dtype=bool)
        at = np.searchsorted(self.changed_nodes, nodes)
        hit = at < len(self.changed_nodes)
        hit[hit] = self.changed_nodes[at[hit]] == nodes[hit]
        return at, hit


@dataclass
class Index:
    """An index as it was loaded: its meta data, its terms and its rows."""

    meta: dict[str, int]
    terms: Terms
    rows: dict[str, Rows]
    arrays: dict[str, np.ndarray]  # every array by file name, for checks and for links

    @property
    def type_id(self) -> int:
        """The number of rdf:type, -1 when no statement uses it."""
        return -1 if self.meta.get("type") is None else int(self.meta["type"])


def load(folder: Path) -> Index:
    """The index in ``folder``, its base files mapped into memory, its changes read. Raises
    ValueError when it is of another format or its arrays are not of the sizes it says."""
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"traversal index: format {meta.get('format')}, not {FORMAT}")
    arrays = {n: np.load(folder / f"{n}.npy", mmap_mode="r") for n in BASE_ARRAYS}
    arrays |= {n: np.load(folder / f"{n}.npy") for n in CHANGE_ARRAYS}
    # plain arrays over the mapped files: numpy's memmap class checks every slice in Python
    arrays = {name: array.view(np.ndarray) for name, array in arrays.items()}
    terms = Terms(
        {n: arrays[n] for n in TERM_ARRAYS},
        _mapped(folder / TERMS),
        {n: arrays[f"added_{n}"] for n in TERM_ARRAYS},
        (folder / ADDED_TERMS).read_bytes(),
    )
    rows = {
        d: Rows(
            arrays[f"{d}_ptr"],
            {c: arrays[f"{d}_{c}"] for c in columns},
            arrays[f"changed_{d}_nodes"],
            arrays[f"changed_{d}_ptr"],
            {c: arrays[f"changed_{d}_{c}"] for c in columns},
        )
        for d, columns in DIRECTIONS.items()
    }
    index = Index(meta, terms, rows, arrays)
    _check(index)
    return index


def _check(index: Index) -> None:
    """Raise ValueError unless the arrays are of the sizes their meta data give: what a
    truncated or mismatched file breaks first, found before a search reads past an end."""
    arrays, meta = index.arrays, index.meta
    base, terms = int(meta["base_terms"]), int(meta["terms"])
    expected = {"offsets": base + 1, "added_offsets": terms - base + 1}
    for name in ("hashes", "by_hash", "literal"):
        expected |= {name: base, f"added_{name}": terms - base}
    for d in DIRECTIONS:
        expected[f"{d}_ptr"] = base + 1
        expected[f"changed_{d}_ptr"] = len(arrays[f"changed_{d}_nodes"]) + 1
    _sizes(arrays, expected)  # the pointers first: their last item gives the rest
    for d, columns in DIRECTIONS.items():
        for prefix in ("", "changed_"):
            end = int(arrays[f"{prefix}{d}_ptr"][-1])
            _sizes(arrays, {f"{prefix}{d}_{c}": end for c in columns})
        nodes = arrays[f"changed_{d}_nodes"]
        if len(nodes) and (int(nodes[-1]) >= terms or int(nodes[0]) < 0):
            raise ValueError(f"traversal index: a changed {d} row of no term")


def _sizes(arrays: dict[str, np.ndarray], expected: dict[str, int]) -> None:
    for name, rows in expected.items():
        if len(arrays[name]) != rows:
            raise ValueError(f"traversal index: {name} has {len(arrays[name])} rows, not {rows}")


def save(folder: Path, arrays: dict[str, np.ndarray], meta: dict[str, int | None]) -> None:
    """Write ``arrays`` (each as ``<name>.npy``, in its format's type), then ``meta``, which
    makes the folder an index."""
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", np.asarray(array, dtype=_dtype(name)))
    (folder / META).write_text(json.dumps({"format": FORMAT, **meta}) + "\n", encoding="utf-8")


def entries(arrays: dict[str, np.ndarray], prefix: str = "") -> int:
    """How many row entries ``arrays`` hold over every direction (``prefix`` "changed_":
    the changes')."""
    return sum(len(arrays[f"{prefix}{d}_{columns[0]}"]) for d, columns in DIRECTIONS.items())


def empty_changes() -> dict[str, np.ndarray]:
    """The change arrays of an index that has none."""
    empty: dict[str, np.ndarray] = {n: np.zeros(0, np.int32) for n in CHANGE_ARRAYS}
    empty["added_offsets"] = np.zeros(1, np.uint64)
    for d in DIRECTIONS:
        empty[f"changed_{d}_ptr"] = np.zeros(1, np.int64)
    return empty


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``start, start + 1, … start + length - 1`` of every (start, length), one after the
    other: each start repeated over its length, plus a count that restarts at each."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return shift + np.arange(total)


def _dtype(name: str) -> type:
    """The type of the array ``name`` in the format."""
    last = name.rsplit("_", 1)[-1]
    types = {"ptr": np.int64, "count": np.uint32, "offsets": np.uint64, "hashes": np.uint32}
    return bool if last == "literal" else types.get(last, np.int32)


def _mapped(path: Path) -> bytes | memoryview:
    """The bytes of a file, mapped into memory (an empty file is empty bytes)."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
