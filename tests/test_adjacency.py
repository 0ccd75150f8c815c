"""`newskg.adjacency`: the traversal index, asked by node number."""

from __future__ import annotations

import pyoxigraph as ox

from newskg.adjacency import Adjacency

EX = "http://example.org/"


def test_the_index_holds_each_statement_once_and_leaves_types_and_literals_out_of_hops():
    a, b, g1, g2 = (ox.NamedNode(EX + n) for n in ("a", "b", "g1", "g2"))
    knows, label = ox.NamedNode(EX + "knows"), ox.NamedNode(EX + "label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = [
        ox.Quad(a, knows, b, g1),
        ox.Quad(a, knows, b, g2),  # the same statement in another graph
        ox.Quad(a, label, ox.Literal("A"), g1),
        ox.Quad(a, rdf_type, ox.NamedNode(EX + "Person"), g1),
    ]
    index = Adjacency(quads)
    na, nb = index.number(a), index.number(b)
    assert na is not None and nb is not None and index.terms[na] == a
    assert index.hashes[na] == hash(a)
    assert index.out_of(na) == [
        ox.Triple(a, knows, b),
        ox.Triple(a, label, ox.Literal("A")),
        ox.Triple(a, rdf_type, ox.NamedNode(EX + "Person")),
    ]
    assert index.out_of(na, knows) == [ox.Triple(a, knows, b)]
    assert index.in_of(nb) == [ox.Triple(a, knows, b)]
    # traversal: b is a's only neighbour (not its type, not its label), once
    assert index.reachable(na, 2) == {nb} and index.reachable(nb, 1) == {na}
    assert index.path(na, nb, 1) == [ox.Triple(a, knows, b)]
    person = index.number(ox.NamedNode(EX + "Person"))
    assert person is not None and index.path(nb, person, 4) is None  # types are not hops
    assert index.number(ox.Literal("A")) is not None and index.number(ox.NamedNode(EX)) is None
    assert len(index) == 4  # a, b, "A", Person (graph names are not nodes)
    # what a caller gets is a copy: changing it leaves the index as it was
    index.out_of(na).clear()
    assert len(index.out_of(na)) == 3
