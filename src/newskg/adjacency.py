"""Every node's edges in Python lists: the traversal index of an in-memory KnowledgeGraph.

Each ``quads_for_pattern`` call crosses from Python into Oxigraph and builds a Python object
per statement, at about a microsecond a statement: for one ``out()`` that is fine, but
``neighbours(depth=2)`` or ``path()`` make thousands of such calls. Built once, when a graph
is opened with ``in_memory=True``, this index turns each call into a list lookup.

Nodes are numbered, and the searches run over those numbers: hashing a small int costs
nothing, where hashing a pyoxigraph term hashes its whole IRI every time, and a level of
``neighbours`` is a few set operations done in C. Terms are looked up again only for the
answer.

The lists hold each distinct statement once (a triple that several named graphs hold is one
edge, as ``out()`` has always said), in the store's order. The store is read-only and the
in-memory copy a snapshot, so the index can never go stale.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from newskg.traversal import shortest_path

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Adjacency:
    """Statements by node: ``out_edges``/``in_edges`` for ``Node.out``/``in_``, and, for
    traversal, each node's neighbours in both directions without rdf:type statements and
    literal neighbours (what ``KnowledgeGraph._hops`` yields from the store)."""

    __slots__ = ("_hashes", "_hop_edges", "_hop_nodes", "_ids", "_in", "_out", "_terms")

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        ids: dict[Term, int] = {}
        terms: list[Term] = []
        out: list[list[ox.Triple]] = []
        in_: list[list[ox.Triple]] = []
        hop_nodes: list[list[int]] = []  # neighbours of each node, both directions
        hop_edges: list[list[ox.Triple]] = []  # the statement leading to each of them

        def number(term: Term) -> int:
            i = ids.get(term)
            if i is None:
                i = ids[term] = len(terms)
                terms.append(term)
                for lists in (out, in_, hop_nodes, hop_edges):
                    lists.append([])
            return i

        seen: set[ox.Triple] = set()
        for quad in quads:
            triple = quad.triple
            if triple in seen:
                continue
            seen.add(triple)
            s, p, o = triple
            si, oi = number(s), number(o)
            out[si].append(triple)
            in_[oi].append(triple)
            if p != RDF_TYPE and not isinstance(o, ox.Literal):
                hop_nodes[si].append(oi)
                hop_edges[si].append(triple)
                hop_nodes[oi].append(si)
                hop_edges[oi].append(triple)
        self._ids = ids  # node -> its number
        self._terms = terms
        self._hashes = [hash(term) for term in terms]
        self._out, self._in = out, in_
        self._hop_nodes, self._hop_edges = hop_nodes, hop_edges

    def __contains__(self, term: object) -> bool:
        return term in self._ids

    def out_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``term`` as subject (a new list: callers may change it)."""
        return self._edges(self._out, term, predicate)

    def in_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``term`` as object."""
        return self._edges(self._in, term, predicate)

    def _edges(
        self, by_node: list[list[ox.Triple]], term: Term, predicate: ox.NamedNode | None
    ) -> list[ox.Triple]:
        i = self._ids.get(term)
        edges = by_node[i] if i is not None else []
        if predicate is None:
            return list(edges)
        return [t for t in edges if t.predicate == predicate]

    def reachable(self, start: Term, depth: int) -> list[tuple[Term, int]]:
        """Every node within ``depth`` hops of ``start``, ``start`` excepted, with its hash
        (``hash(term)``, computed once when the index was built)."""
        first = self._ids.get(start)
        if first is None:
            return []
        hop_nodes = self._hop_nodes
        seen = {first}
        frontier: set[int] = {first}
        for _ in range(depth):
            found: set[int] = set()
            for node in frontier:
                found.update(hop_nodes[node])
            frontier = found - seen
            if not frontier:
                break
            seen |= frontier
        seen.discard(first)
        terms, hashes = self._terms, self._hashes
        return [(terms[i], hashes[i]) for i in seen]

    def path(self, start: Term, goal: Term, max_hops: int) -> list[ox.Triple] | None:
        """The statements of a shortest path, as ``newskg.traversal.shortest_path``."""
        if start == goal:
            return []
        a, b = self._ids.get(start), self._ids.get(goal)
        if a is None or b is None:
            return None
        return shortest_path(self._hops, a, b, max_hops)

    def _hops(self, node: int) -> Iterator[tuple[ox.Triple, int]]:
        return zip(self._hop_edges[node], self._hop_nodes[node], strict=True)
