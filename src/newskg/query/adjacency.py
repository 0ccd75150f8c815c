"""Every node's edges in Python lists: the traversal index of an in-memory KnowledgeGraph.

Each ``quads_for_pattern`` call crosses from Python into Oxigraph and builds a Python object
per statement, at about a microsecond a statement: for one ``out()`` that is fine, but
``neighbours(depth=2)`` or ``path()`` make thousands of such calls. Built once, when a graph
is opened with ``in_memory=True`` (:mod:`newskg.query.in_memory`), this index turns each call into
a list lookup.

Nodes are numbered, and everything here is asked by number: hashing a small int costs
nothing, where hashing a pyoxigraph term hashes its whole IRI every time, and a level of
``reachable`` is one set union done in C. ``number`` turns a term into its number once, at
the edge of the API.

The lists hold each distinct statement once (a triple that several named graphs hold is one
edge, as ``out()`` has always said), in the store's order. The store is read-only and the
in-memory copy a snapshot, so the index can never go stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from newskg.query.traversal import reachable, shortest_path
from newskg.rdf import RDF_TYPE

TYPE = ox.NamedNode(RDF_TYPE)

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class Adjacency:
    """Statements by node number: ``out_of``/``in_of`` for ``Node.out``/``in_``, and, for
    traversal, each node's neighbours in both directions without rdf:type statements and
    literal neighbours (what ``KnowledgeGraph._hops`` yields from the store)."""

    __slots__ = (
        "_hop_edges",
        "_hop_nodes",
        "_neighbours",
        "incoming",
        "number",
        "outgoing",
        "terms",
    )

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
            if p != TYPE and not isinstance(o, ox.Literal):
                hop_nodes[si].append(oi)
                hop_edges[si].append(triple)
                hop_nodes[oi].append(si)
                hop_edges[oi].append(triple)
        #: the number of a term, or None when no statement names it: the dict's own get, as
        #: node() asks it for every call and a Python method around it would double the cost
        self.number: Callable[[Term], int | None] = ids.get
        #: the term of each number
        self.terms = terms
        #: each node's distinct statements, as subject and as object: read, never changed
        #: (``out_of``/``in_of`` hand out copies)
        self.outgoing, self.incoming = out, in_
        self._hop_nodes, self._hop_edges = hop_nodes, hop_edges
        # each neighbour once, for reachable(): two statements between the same two nodes
        # (a meeting's participant and its organiser) are one step
        self._neighbours = [tuple(dict.fromkeys(nodes)) for nodes in hop_nodes]

    def __len__(self) -> int:
        return len(self.terms)

    def out_of(self, node: int, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``node`` as subject (a new list: callers may change it)."""
        return _matching(self.outgoing[node], predicate)

    def in_of(self, node: int, predicate: ox.NamedNode | None = None) -> list[ox.Triple]:
        """Distinct statements with ``node`` as object."""
        return _matching(self.incoming[node], predicate)

    def reachable(self, start: int, depth: int) -> set[int]:
        """Every node within ``depth`` hops of ``start``, ``start`` excepted."""
        return reachable(self._neighbours.__getitem__, start, depth)

    def path(self, start: int, goal: int, max_hops: int) -> list[ox.Triple] | None:
        """The statements of a shortest path, as ``newskg.query.traversal.shortest_path``.

        The very search the on-disk graph and bench/api.py's raw pyoxigraph and rdflib
        columns run, over numbers. (Done level by level over sets, as ``reachable`` is, it
        is not enough faster to pay for a second implementation.)"""
        return shortest_path(self._hops, start, goal, max_hops)

    def _hops(self, node: int) -> Iterator[tuple[ox.Triple, int]]:
        return zip(self._hop_edges[node], self._hop_nodes[node], strict=True)


def _matching(edges: list[ox.Triple], predicate: ox.NamedNode | None) -> list[ox.Triple]:
    if predicate is None:
        return list(edges)
    return [t for t in edges if t.predicate == predicate]
