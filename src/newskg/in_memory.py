"""``KnowledgeGraph.open(..., in_memory=True)``: the graph and its nodes over a traversal index.

An in-memory graph answers everything an on-disk one does, with the same answers; only where
edges come from differs, so it is a subclass that overrides the few methods that read edges,
and its nodes are a Node subclass that does the same.

Each node of the index has one Node object, made when the graph is opened (for the 227k
terms of the 1M-quad bench graph, at most 0.4 s and 26 MB, against the ~30 s and 0.9 GB
of the store copy and the index): a ``neighbours(2)`` that reaches hundreds of nodes then
picks objects out of a list rather than building and hashing each one, which had been most
of its time. Nodes are value objects, equal by term to any Node of any graph, so sharing
them is safe.
"""

from __future__ import annotations

import pyoxigraph as ox

from newskg.adjacency import Adjacency
from newskg.graph import DEFAULT_BASE, Edge, KnowledgeGraph, Node, NodeName


class InMemoryGraph(KnowledgeGraph):
    """A KnowledgeGraph over an in-memory copy of the store and its :class:`Adjacency`."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE) -> None:
        super().__init__(store, base)
        self.adjacency = Adjacency(store)
        outgoing = self.adjacency.outgoing
        # a literal is never a Node (node() takes IRIs; hops never lead to literals)
        self._nodes: list[IndexedNode | None] = [
            None if isinstance(term, ox.Literal) else IndexedNode(self, term, i, outgoing[i])
            for i, term in enumerate(self.adjacency.terms)
        ]

    @classmethod
    def copy_of(cls, store: ox.Store, base: str = DEFAULT_BASE) -> InMemoryGraph:
        """The graph of an in-memory copy of ``store`` (which is left as it is)."""
        memory = ox.Store()
        memory.bulk_load(input=store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
        return cls(memory, base)

    def node(self, id_or_iri: NodeName) -> Node:
        term = id_or_iri if type(id_or_iri) is ox.NamedNode else self._term(id_or_iri)
        number = self.adjacency.number(term)
        if number is None:
            raise self._not_in_graph(term)
        return self._nodes[number]  # type: ignore[return-value]  # an IRI's node is never None

    def _exists(self, term: ox.NamedNode) -> bool:
        return self.adjacency.number(term) is not None

    def out_edges(
        self, term: ox.NamedNode | ox.BlankNode | ox.Literal, predicate: ox.NamedNode | None = None
    ) -> list[Edge]:
        number = self.adjacency.number(term)
        return [] if number is None else self.adjacency.out_of(number, predicate)

    def in_edges(
        self, term: ox.NamedNode | ox.BlankNode | ox.Literal, predicate: ox.NamedNode | None = None
    ) -> list[Edge]:
        number = self.adjacency.number(term)
        return [] if number is None else self.adjacency.in_of(number, predicate)

    def path(self, a: NodeName, b: NodeName, max_hops: int = 4) -> list[Edge] | None:
        start, goal = self.adjacency.number(self._term(a)), self.adjacency.number(self._term(b))
        if start is None or goal is None:
            return None
        return self.adjacency.path(start, goal, max_hops)


class IndexedNode(Node):
    """A node of an :class:`InMemoryGraph`: its edges are read by its number in the index."""

    __slots__ = ("_number", "_outgoing")
    kg: InMemoryGraph

    def __init__(
        self,
        kg: InMemoryGraph,
        term: ox.NamedNode | ox.BlankNode,
        number: int,
        outgoing: list[Edge],
    ) -> None:
        super().__init__(kg, term)
        # hashing a pyoxigraph term re-reads its whole IRI: once here, not at every set
        # that neighbours() fills
        self._hash = hash(term)
        self._number = number
        # the index's own list, copied on every read: node(x).out() is the API's commonest
        # call, and reaching the list through the graph and its index was half its time
        self._outgoing = outgoing

    def __hash__(self) -> int:
        return self._hash  # type: ignore[return-value]  # always set, by the index

    def out(self, predicate: str | None = None) -> list[Edge]:
        if predicate is None:
            return list(self._outgoing)
        return self.kg.adjacency.out_of(self._number, self._predicate(predicate))

    def in_(self, predicate: str | None = None) -> list[Edge]:
        return self.kg.adjacency.in_of(self._number, self._predicate(predicate))

    def neighbours(self, depth: int = 1) -> set[Node]:
        nodes = self.kg._nodes  # hops never lead to a literal: none of these is None
        return set(map(nodes.__getitem__, self.kg.adjacency.reachable(self._number, depth)))  # type: ignore[arg-type]
