"""Every node's edges by number, read from the traversal index a build writes beside its
store (:mod:`newskg.indexes.traversal`): the index of a graph opened ``in_memory=True``.

Each ``quads_for_pattern`` call crosses from Python into Oxigraph and reads and decodes every
statement from RocksDB; ``neighbours(depth=2)`` or ``path()`` make thousands of them. Here a
node's edges are a slice of an array, a level of a breadth-first search is a few numpy
operations over a whole frontier, and the arrays are mapped from the index's files, so that
opening costs next to nothing and memory holds only what traversal touches.

Terms become pyoxigraph objects only when asked for, once each (``term``); a node's edges
become ``Edge`` objects the first time they are asked for, and are kept with the node
(``newskg.query.graph.IndexedNode``). Nodes are numbered, and everything here is asked by
number: ``number`` turns a term into its number once, at the edge of the API.

The index holds each distinct statement once (a triple that several named graphs hold is one
edge, as ``out()`` has always said). The store is read-only and its index written with it,
so the index can never go stale.
"""

from __future__ import annotations

import tempfile
from itertools import pairwise
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from newskg.indexes import traversal, traversal_write

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Adjacency:
    """Statements by node number: ``out_of``/``in_of`` for ``Node.out``/``in_``, and, for
    traversal, each node's neighbours in both directions without rdf:type statements and
    literal neighbours (what ``KnowledgeGraph._hops`` yields from the store)."""

    def __init__(self, folder: Path) -> None:
        index = traversal.load(folder)
        self.size = int(index.meta["terms"])
        self._type = index.type_id
        self._terms_index = index.terms
        self._out, self._in, self._hop = (index.rows[d] for d in ("out", "in", "hop"))
        # per part (base, changes), memoryviews for one item at a time (a memoryview's item
        # is a Python int, far cheaper than a numpy scalar)
        self._out_parts = _views(self._out, "pred", "obj")
        self._in_parts = _views(self._in, "pred", "subj")
        self._terms: list[Term | None] = [None] * self.size
        self._numbers: dict[Term, int | None] = {}

    @classmethod
    def of_store(cls, store: ox.Store) -> Adjacency:
        """The index of a store that was built without one (by an older newskg): written
        to a temporary folder, from which it is mapped (the files stay readable after the
        folder is gone)."""
        with tempfile.TemporaryDirectory(prefix="newskg-traversal-") as tmp:
            dump = Path(tmp) / "quads.nq"
            store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            traversal_write.write(Path(tmp) / "index", dump)
            return cls(Path(tmp) / "index")

    def __len__(self) -> int:
        return self.size

    def number(self, term: Term) -> int | None:
        """The number of ``term``, or None when no statement names it."""
        try:
            return self._numbers[term]
        except KeyError:
            pass
        number = self._find(str(term))
        if number is not None and not self._has_edges(number):
            number = None  # a graph name, or a term an incremental build left unused
        self._numbers[term] = number
        return number

    def term(self, number: int) -> Term:
        """The pyoxigraph term of ``number``, made once."""
        term = self._terms[number]
        if term is None:
            term = self._terms[number] = _parse(self._line(number))
        return term

    def out_of(self, node: int, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``node`` as subject, made anew (callers may change the
        list)."""
        subject, term = self.term(node), self.term
        row = self._row(self._out, self._out_parts, node, predicate)
        return [ox.Triple(subject, term(p), term(o)) for p, o in row]

    def in_of(self, node: int, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``node`` as object."""
        obj, term = self.term(node), self.term
        row = self._row(self._in, self._in_parts, node, predicate)
        return [ox.Triple(term(s), term(p), obj) for p, s in row]

    def reachable(self, start: int, depth: int) -> list[int]:
        """Every node within ``depth`` hops of ``start``, ``start`` excepted."""
        seen = np.zeros(self.size, dtype=bool)  # pages of zeros: only those touched cost
        seen[start] = True
        frontier = np.array([start], dtype=np.int32)
        found: list[np.ndarray] = []
        for _ in range(depth):
            reached = self._hops_from(frontier)[1]
            frontier = _distinct(reached[~seen[reached]])
            if not len(frontier):
                break
            seen[frontier] = True
            found.append(frontier)
        return np.concatenate(found).tolist() if found else []

    def path(self, start: int, goal: int, max_hops: int) -> list[ox.Triple] | None:
        """The statements of a shortest path from ``start`` to ``goal`` (each may point
        either way), or None when there is none within ``max_hops``.

        A search from both ends, as ``newskg.query.traversal.shortest_path``, expanding the
        smaller frontier a whole level at a time. Every node one level finds is as far from
        its side's root as any other, so where the two sides meet at all, each meeting node
        closes a path of the same, shortest, length."""
        if start == goal:
            return []
        reached = np.zeros(self.size, dtype=np.uint8)  # bit 1: from start, bit 2: from goal
        sides = (_Side(start, 1), _Side(goal, 2))
        reached[start], reached[goal] = 1, 2
        while sides[0].frontier.size and sides[1].frontier.size:
            if sides[0].depth + sides[1].depth >= max_hops:
                return None
            mine = min(sides, key=lambda side: (side.frontier.size, side.depth))
            sources, found = self._hops_from(mine.frontier)
            fresh = (reached[found] & mine.bit) == 0
            found, sources = found[fresh], sources[fresh]
            order = np.argsort(found, kind="stable")  # the first source of each node found
            found, sources = found[order], sources[order]
            first = np.ones(len(found), dtype=bool)
            first[1:] = found[1:] != found[:-1]
            found, sources = found[first], sources[first]
            meeting = found[reached[found] != 0]
            reached[found] |= mine.bit
            mine.add(found, sources)
            if meeting.size:
                middle = int(meeting[0])
                nodes = sides[0].chain(middle)[::-1] + sides[1].chain(middle)[1:]
                return [self._statement(a, b) for a, b in pairwise(nodes)]
        return None

    # -- helpers -------------------------------------------------------------------------

    def _hops_from(self, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(source, neighbour) for every hop out of ``frontier``, as two aligned arrays."""
        lengths, row = self._hop.gather(frontier)
        return np.repeat(frontier, lengths), row["node"]

    def _statement(self, a: int, b: int) -> ox.Triple:
        """A statement between two neighbours, in whichever direction it points."""
        for subject, obj in ((a, b), (b, a)):
            for p, o in self._row(self._out, self._out_parts, subject, None):
                if o == obj and p != self._type:
                    return ox.Triple(self.term(subject), self.term(p), self.term(o))
        raise AssertionError(f"no statement between neighbours {a} and {b}")  # pragma: no cover

    def _row(
        self,
        rows: traversal.Rows,
        parts: list[tuple[memoryview, memoryview]],
        node: int,
        predicate: ox.NamedNode | None,
    ) -> list[tuple[int, int]]:
        """(predicate, other end) of each statement of ``node`` in one direction."""
        part, lo, hi = rows.locate(node)
        predicates, others = parts[part]
        pairs = zip(predicates[lo:hi], others[lo:hi], strict=True)
        wanted = self._wanted(predicate)
        return list(pairs) if wanted == -1 else [pair for pair in pairs if pair[0] == wanted]

    def _wanted(self, predicate: ox.NamedNode | None) -> int:
        """-1 for any predicate, -2 for one the graph never uses, else its number."""
        if predicate is None:
            return -1
        number = self._find(str(predicate))
        return -2 if number is None else number

    def _has_edges(self, number: int) -> bool:
        _, lo, hi = self._out.locate(number)
        if lo != hi:
            return True
        _, lo, hi = self._in.locate(number)
        return lo != hi

    def _find(self, line: str) -> int | None:
        return self._terms_index.find(line.encode("utf-8"))

    def _line(self, number: int) -> str:
        return self._terms_index.line(number).decode("utf-8")


class _Side:
    """One side of the path search: what it has reached, level by level, and from where."""

    def __init__(self, root: int, bit: int) -> None:
        self.frontier = np.array([root], dtype=np.int32)
        self.depth = 0
        self.levels: list[tuple[np.ndarray, np.ndarray]] = []  # (nodes sorted, parents)
        self.root = root
        self.bit = bit

    def add(self, nodes: np.ndarray, parents: np.ndarray) -> None:
        self.levels.append((nodes, parents))
        self.frontier = nodes
        self.depth += 1

    def chain(self, node: int) -> list[int]:
        """``node`` and its parents back to the root."""
        chain = [node]
        for nodes, parents in reversed(self.levels):
            i = int(np.searchsorted(nodes, node))
            if i < len(nodes) and nodes[i] == node:
                node = int(parents[i])
                chain.append(node)
        if chain[-1] != self.root:  # pragma: no cover - every node found has a parent
            raise AssertionError("broken path")
        return chain


def _views(rows: traversal.Rows, *columns: str) -> list[tuple[memoryview, memoryview]]:
    """Memoryviews of two columns of a direction's rows, for its base and its changes."""
    return [
        (memoryview(rows.base[columns[0]]), memoryview(rows.base[columns[1]])),
        (memoryview(rows.changed[columns[0]]), memoryview(rows.changed[columns[1]])),
    ]


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (numpy's ``unique`` hashes first: slower on these)."""
    values = np.sort(values)
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _parse(line: str) -> Term:
    """The pyoxigraph term of a canonical N-Triples term."""
    if line.startswith("<"):
        return ox.NamedNode(line[1:-1])
    if line.startswith("_:"):
        return ox.BlankNode(line[2:])
    close = line.rindex('"')
    if "\\" not in line:
        value, rest = line[1:close], line[close + 1 :]
        if not rest:
            return ox.Literal(value)
        if rest.startswith("@"):
            return ox.Literal(value, language=rest[1:])
        return ox.Literal(value, datatype=ox.NamedNode(rest[3:-1]))
    (triple,) = ox.parse(f"<x:s> <x:p> {line} .", format=ox.RdfFormat.N_TRIPLES)
    return triple.object
