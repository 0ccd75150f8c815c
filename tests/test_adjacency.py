"""`newskg.adjacency`: an in-memory graph answers every traversal as the on-disk one does."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import newskg
from newskg.adjacency import Adjacency
from newskg.errors import NotFoundError
from newskg.graph import KnowledgeGraph

BASE = "https://w3id.org/newskg/"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def both(built_kg) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    disk = newskg.KnowledgeGraph.open(built_kg / "kg")
    memory = newskg.KnowledgeGraph.open(built_kg / "kg", in_memory=True)
    assert disk.adjacency is None and memory.adjacency is not None
    return disk, memory


def every_node(kg: KnowledgeGraph) -> list[ox.NamedNode | ox.BlankNode]:
    nodes = {q.subject for q in kg.store} | {
        q.object for q in kg.store if isinstance(q.object, ox.NamedNode | ox.BlankNode)
    }
    return sorted(nodes, key=str)


def test_every_node_has_the_same_edges_both_ways(both):
    disk, memory = both
    nodes = every_node(disk)
    assert len(nodes) > 100
    for term in nodes:
        for predicate in (None, "rdfs:label"):
            a, b = disk.node(term).out(predicate), memory.node(term).out(predicate)
            assert sorted(a, key=str) == sorted(b, key=str), term
            assert len(b) == len(set(b))  # each statement once
        assert sorted(disk.node(term).in_(), key=str) == sorted(memory.node(term).in_(), key=str)


def test_neighbours_and_paths_are_the_same_both_ways(both):
    disk, memory = both
    people = ["prayut-chan-o-cha", "ren-zhengfei", "huawei", "huawei-asean-academy-thailand"]
    for name in people:
        for depth in (1, 2):
            assert disk.node(name).neighbours(depth) == {
                disk.node(n.term) for n in memory.node(name).neighbours(depth)
            }
    for a in people:
        for b in people:
            for hops in (1, 2, 4):
                on_disk, in_memory = disk.path(a, b, hops), memory.path(a, b, hops)
                assert (on_disk is None) == (in_memory is None)
                if in_memory is not None:
                    assert len(in_memory) == len(on_disk)


def test_lookups_and_errors_are_the_same(both):
    _, memory = both
    assert memory.node("huawei").label == "Huawei Technologies"
    assert memory.node("Huawei Technologies").iri == BASE + "id/organization/huawei"
    with pytest.raises(NotFoundError, match="is not in the graph"):
        memory.node(ox.NamedNode(BASE + "id/organization/nobody"))
    with pytest.raises(NotFoundError):
        memory.node("no-such-thing")
    assert memory.meetings() == both[0].meetings()  # SPARQL views read the in-memory store


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
    assert index.out_edges(a, None) == [
        ox.Triple(a, knows, b),
        ox.Triple(a, label, ox.Literal("A")),
        ox.Triple(a, rdf_type, ox.NamedNode(EX + "Person")),
    ]
    assert index.out_edges(a, knows) == [ox.Triple(a, knows, b)]
    assert index.in_edges(b, None) == [ox.Triple(a, knows, b)]
    # traversal: b is a's only neighbour (not its type, not its label), once
    assert index.reachable(a, 2) == [(b, hash(b))] and index.reachable(b, 1) == [(a, hash(a))]
    assert index.path(a, b, 1) == [ox.Triple(a, knows, b)]
    assert index.path(b, ox.NamedNode(EX + "Person"), 4) is None  # types are not hops
    assert index.path(a, ox.NamedNode(EX + "nowhere"), 4) is None
    assert a in index and ox.Literal("A") in index and ox.NamedNode(EX) not in index
    # what a caller gets is a copy: changing it leaves the index as it was
    index.out_edges(a, None).clear()
    assert len(index.out_edges(a, None)) == 3
