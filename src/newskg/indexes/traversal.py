"""The traversal index: every node's edges as numpy arrays over term numbers, on disk.

Reading a node's edges from Oxigraph costs a RocksDB read and a term decoding per statement,
and copying a whole store into Python objects costs minutes and gigabytes at 10k articles.
This index holds the same edges as a few flat arrays a reader maps into memory, so opening a
graph for traversal is a load, and a breadth-first search is a handful of array operations.

Layout of the folder (``<build>/traversal/``)::

    terms.nt       each distinct term once, in canonical N-Triples (pyoxigraph's ``str``),
                   one a line, in number order (N-Triples escapes newlines in literals)
    offsets.npy    uint64 [terms + 1]: where each term's line starts in terms.nt
    hashes.npy     uint32 [terms]: the CRC-32 of each term's line, sorted, ...
    by_hash.npy    int32 [terms]: ... and the number of the term each belongs to
    literal.npy    bool [terms]: whether the term is a literal
    quads.npy      int32 [quads, 4]: subject, predicate, object and graph of every quad
    out_ptr.npy    int64 [terms + 1] and out_pred.npy, out_obj.npy (int32): each distinct
                   statement once, by subject (a triple several graphs hold is one edge)
    in_ptr.npy     and in_subj.npy, in_pred.npy: the same statements by object
    hop_ptr.npy    and hop_node.npy: each node's neighbours in either direction, once each,
                   leaving out rdf:type statements and literals (what traversal follows)
    meta.json      format version, counts, and the number of rdf:type

An incremental build starts from the previous index: terms are only ever appended (a term
no statement uses any more has no edges, which readers treat as absent), the quads of the
replaced graphs are dropped and the new ones added, and the edge arrays are sorted anew.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from newskg.rdf import RDF_TYPE

FORMAT = 1
META = "meta.json"
TERMS = "terms.nt"
ARRAYS = (
    "offsets",
    "hashes",
    "by_hash",
    "literal",
    "quads",
    "out_ptr",
    "out_pred",
    "out_obj",
    "in_ptr",
    "in_subj",
    "in_pred",
    "hop_ptr",
    "hop_node",
)
_TYPE = f"<{RDF_TYPE}>"
_CHUNK = 1 << 24  # bytes of N-Quads read at a time
_QUAD = re.compile(rb"^(\S+) (\S+) (.*) (\S+) \.[ \t\r]*$", re.MULTILINE)


def exists(folder: Path) -> bool:
    """Whether ``folder`` holds a complete index of this format."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT


def term_hash(line: bytes) -> int:
    """The hash a term's N-Triples form (UTF-8) is found by: stable across processes,
    unlike ``hash``; collisions are told apart by comparing the term itself."""
    return zlib.crc32(line)


def load(folder: Path) -> tuple[dict[str, np.ndarray], bytes | memoryview, dict[str, int]]:
    """The arrays of an index (mapped, not read), its terms file and its meta data."""
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in ARRAYS}
    terms = _mapped(folder / TERMS)
    return arrays, terms, meta


def write(
    folder: Path,
    nquads: Path | list[Path],
    *,
    previous: Path | None = None,
    removed: Iterable[str] = (),
) -> None:
    """Write the index of the quads in the ``nquads`` files to ``folder``; with ``previous``, of the
    previous index's quads less those of the ``removed`` graphs, plus those in ``nquads``."""
    folder.mkdir(parents=True)
    numbering = _Numbering(previous)
    quads = _numbered_quads(nquads, numbering)
    if previous is not None:
        old = np.load(previous / "quads.npy")
        gone = [i for g in removed if (i := numbering.find(g.encode("utf-8"))) is not None]
        old = old[~np.isin(old[:, 3], np.asarray(gone, dtype=np.int32))]
        quads = np.concatenate([old, quads])
    lines = numbering.finish(quads)
    type_id = numbering.find(_TYPE.encode("ascii"))
    lookup = _write_terms(folder, previous, lines)
    terms = len(lookup["literal"])
    arrays = _edges(quads, terms, -1 if type_id is None else type_id, lookup["literal"])
    arrays["quads"] = quads
    for name, array in {**lookup, **arrays}.items():
        np.save(folder / f"{name}.npy", array)
    meta = {"format": FORMAT, "terms": terms, "quads": len(quads), "type": type_id}
    (folder / META).write_text(json.dumps(meta) + "\n", encoding="utf-8")


class _Numbering:
    """Term numbers: the previous index's, then new terms numbered as they are met."""

    def __init__(self, previous: Path | None) -> None:
        self.previous = previous
        self.new: dict[bytes, int] = {}  # a new term's spelling -> its provisional number
        self.known: dict[bytes, int] = {}  # terms of the previous index met so far
        self.start = 0
        self._old: tuple[dict[str, np.ndarray], bytes | memoryview, dict[str, int]] | None = None
        if previous is not None:
            self._old = load(previous)
            self.start = int(self._old[2]["terms"])

    def find(self, line: bytes) -> int | None:
        """The number of a term of the previous index (or a new one), or None."""
        number = self.new.get(line)
        if number is None and self._old is not None:
            number = self.known.get(line)
            if number is None:
                arrays, terms, _ = self._old
                number = _lookup(arrays, terms, line)
                if number is not None:
                    self.known[line] = number
        return number

    def number(self, line: bytes) -> int:
        number = self.find(line)
        if number is None:
            number = self.new[line] = self.start + len(self.new)
        return number

    def finish(self, quads: np.ndarray) -> list[bytes]:
        """The new terms in number order, each spelt as pyoxigraph spells it (the form
        readers look terms up by); two spellings of one literal (``"x"^^xsd:string`` and
        ``"x"``) become one term, and ``quads`` is renumbered to match."""
        spelt = list(self.new)
        literals = [k for k, line in enumerate(spelt) if line.startswith(b'"')]
        canonical = list(spelt)
        if literals:
            document = b"".join(b"<x:s> <x:p> " + spelt[k] + b" .\n" for k in literals)
            triples = ox.parse(document, format=ox.RdfFormat.N_TRIPLES)
            for k, triple in zip(literals, triples, strict=True):
                canonical[k] = str(triple.object).encode("utf-8")
        lines: list[bytes] = []
        final: dict[bytes, int] = {}
        remap = np.empty(len(spelt), dtype=np.int32)
        for k, line in enumerate(canonical):
            number = final.get(line)
            if number is None:
                old = self.find(line) if line != spelt[k] and self._old is not None else None
                number = old if old is not None and old < self.start else None
                if number is None:
                    number = final[line] = self.start + len(lines)
                    lines.append(line)
            remap[k] = number
        if len(lines) != len(spelt):
            new = quads >= self.start
            quads[new] = remap[quads[new] - self.start]
        self.new = final
        return lines


def _write_terms(
    folder: Path, previous: Path | None, encoded: list[bytes]
) -> dict[str, np.ndarray]:
    """Write terms.nt (the previous index's terms, then ``encoded``); returns the arrays
    that find a term in it: offsets, hashes, by_hash and literal."""
    with (folder / TERMS).open("wb") as out:
        if previous is not None:
            with (previous / TERMS).open("rb") as old:
                os.sendfile(out.fileno(), old.fileno(), 0, os.fstat(old.fileno()).st_size)
        out.write(b"".join(line + b"\n" for line in encoded))
    if previous is not None:
        old = {
            n: np.load(previous / f"{n}.npy") for n in ("offsets", "hashes", "by_hash", "literal")
        }
    else:
        old = {
            "offsets": np.zeros(1, dtype=np.uint64),
            "hashes": np.zeros(0, dtype=np.uint32),
            "by_hash": np.zeros(0, dtype=np.int32),
            "literal": np.zeros(0, dtype=bool),
        }
    start = len(old["literal"])
    lengths = np.fromiter((len(line) + 1 for line in encoded), np.uint64, len(encoded))
    offsets = np.concatenate([old["offsets"], old["offsets"][-1] + np.cumsum(lengths)])
    new_hashes = np.fromiter((zlib.crc32(line) for line in encoded), np.uint32, len(encoded))
    hashes = np.concatenate([old["hashes"], new_hashes])
    new_numbers = np.arange(start, start + len(encoded), dtype=np.int32)
    numbers = np.concatenate([old["by_hash"], new_numbers])
    order = np.argsort(hashes, kind="stable")
    literal = np.fromiter((line.startswith(b'"') for line in encoded), bool, len(encoded))
    return {
        "offsets": offsets.astype(np.uint64),
        "hashes": hashes[order],
        "by_hash": numbers[order].astype(np.int32),
        "literal": np.concatenate([old["literal"], literal]),
    }


def _numbered_quads(nquads: Path | list[Path], numbering: _Numbering) -> np.ndarray:
    """The quads of N-Quads files as rows of term numbers."""
    columns: list[np.ndarray] = []
    # a full build numbers millions of terms: a dict that numbers what it lacks keeps the
    # usual case, a term met before, in C
    if numbering.previous is None:
        numbering.new = _Counter()
        number = numbering.new.__getitem__
    else:
        number = numbering.number
    paths = [nquads] if isinstance(nquads, Path) else nquads
    for s, p, o, g in (rows for path in paths for rows in _split(path)):
        block = np.empty((len(s), 4), dtype=np.int32)
        for column, terms in enumerate((s, p, o, g)):
            block[:, column] = list(map(number, terms))
        columns.append(block)
    return np.concatenate(columns) if columns else np.zeros((0, 4), dtype=np.int32)


class _Counter(dict[bytes, int]):
    """Numbers new keys as they are met: 0, 1, 2…"""

    def __missing__(self, key: bytes) -> int:
        number = self[key] = len(self)
        return number


def _split(nquads: Path) -> Iterator[tuple[tuple[bytes, ...], ...]]:
    """Subjects, predicates, objects and graphs of the lines of an N-Quads file whose every
    quad is in a named graph, as a build writes them: ``S P O G .``, one a line (S, P and
    G never hold a space; an object literal may). One regular expression over a large
    block splits it in C, where splitting line by line in Python took most of the time."""
    with nquads.open("rb") as handle:
        rest = b""
        while block := handle.read(_CHUNK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            rows = _QUAD.findall(block)
            if rows:
                yield tuple(zip(*rows, strict=True))
        if rest.strip():
            yield tuple(zip(*_QUAD.findall(rest + b"\n"), strict=True))


def _edges(
    quads: np.ndarray, terms: int, type_id: int, literal: np.ndarray
) -> dict[str, np.ndarray]:
    """The distinct statements of ``quads`` by subject, by object, and as hops."""
    s, p, o = quads[:, 0].astype(np.int64), quads[:, 1].astype(np.int64), quads[:, 2]
    # one sort of (subject, predicate, object) gives both the distinct statements and the
    # out-edge order; predicates are few, so they are renumbered to keep the key in 64 bits
    predicates, p_small = np.unique(p, return_inverse=True)
    width = max(len(predicates), 1)
    if terms * terms * width < 2**62:
        key = _distinct((s * width + p_small) * terms + o)
        o_u = (key % terms).astype(np.int32)
        rest = key // terms
        p_u = predicates[rest % width].astype(np.int32)
        s_u = (rest // width).astype(np.int32)
    else:  # a graph of billions of terms: the slower general sort
        order = np.lexsort((o, p, s))
        sorted_rows = np.stack([s[order], p[order], o[order]], axis=1)
        keep = np.ones(len(order), dtype=bool)
        keep[1:] = np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
        s_u, p_u, o_u = (sorted_rows[keep, i].astype(np.int32) for i in range(3))
    by_object = np.argsort(o_u, kind="stable")
    hop = (p_u != type_id) & ~literal[o_u]
    a = np.concatenate([s_u[hop], o_u[hop]]).astype(np.int64)
    b = np.concatenate([o_u[hop], s_u[hop]]).astype(np.int64)
    pairs = _distinct(a * terms + b)
    return {
        "out_ptr": _pointers(s_u, terms),
        "out_pred": p_u,
        "out_obj": o_u,
        "in_ptr": _pointers(o_u, terms),
        "in_subj": s_u[by_object],
        "in_pred": p_u[by_object],
        "hop_ptr": _pointers(pairs // terms, terms),
        "hop_node": (pairs % terms).astype(np.int32),
    }


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values of ``keys``, sorted (a sort and a comparison: numpy's own
    ``unique`` hashes first, several times slower on millions of integers)."""
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return keys[keep]


def _pointers(sorted_keys: np.ndarray, terms: int) -> np.ndarray:
    """CSR row pointers: row ``i`` of a list sorted by key is ``[ptr[i], ptr[i + 1])``."""
    counts = np.bincount(sorted_keys, minlength=terms)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


def _lookup(arrays: dict[str, np.ndarray], terms: bytes | memoryview, line: bytes) -> int | None:
    """The number of the term whose N-Triples form is ``line``, or None."""
    hashes, by_hash, offsets = arrays["hashes"], arrays["by_hash"], arrays["offsets"]
    wanted = term_hash(line)
    encoded = line + b"\n"
    i = int(np.searchsorted(hashes, wanted))
    while i < len(hashes) and int(hashes[i]) == wanted:
        number = int(by_hash[i])
        if terms[int(offsets[number]) : int(offsets[number + 1])] == encoded:
            return number
        i += 1
    return None


def _mapped(path: Path) -> bytes | memoryview:
    """The bytes of a file, mapped into memory (an empty file is empty bytes)."""
    import mmap

    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
