"""`newskg.query.in_memory`: an in-memory graph answers everything as the on-disk one does."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import newskg
from newskg.errors import NotFoundError
from newskg.query.graph import InMemoryGraph, KnowledgeGraph, Node

BASE = "https://w3id.org/newskg/"
EX = "http://example.org/"


@pytest.fixture(scope="module")
def both(built_kg) -> tuple[KnowledgeGraph, KnowledgeGraph]:
    disk = newskg.KnowledgeGraph.open(built_kg / "kg")
    memory = newskg.KnowledgeGraph.open(built_kg / "kg", in_memory=True)
    assert not isinstance(disk, InMemoryGraph) and isinstance(memory, InMemoryGraph)
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
    assert memory.node("Huawei Technologies").iri == BASE + "id/huawei"
    with pytest.raises(NotFoundError, match="is not in the graph"):
        memory.node(ox.NamedNode(BASE + "id/nobody"))
    with pytest.raises(NotFoundError):
        memory.node("no-such-thing")
    with pytest.raises(TypeError, match="not int"):
        memory.node(42)  # type: ignore[arg-type]
    assert memory.meetings() == both[0].meetings()  # SPARQL views read the in-memory store


def test_an_in_memory_graph_has_one_node_object_per_node_equal_to_on_disk_nodes(both):
    disk, memory = both
    ren = memory.node("ren-zhengfei")
    assert memory.node(ren.term) is ren  # made once, when the graph was opened
    assert ren == disk.node("ren-zhengfei") and hash(ren) == hash(disk.node("ren-zhengfei"))
    assert ren in {disk.node("ren-zhengfei")}
    for n in ren.neighbours(2):
        assert isinstance(n, Node) and memory.node(n.term) is n
    # shared nodes hand out copies: what one caller does to a list, the next never sees
    edges = ren.out()
    edges.clear()
    assert sorted(ren.out(), key=str) == sorted(disk.node("ren-zhengfei").out(), key=str) != []
    # nodes unknown to the graph: no edges, no path, as on disk
    nowhere = ox.NamedNode(EX + "nowhere")
    assert memory.out_edges(nowhere) == disk.out_edges(nowhere) == []
    assert memory.in_edges(nowhere) == disk.in_edges(nowhere) == []
    assert memory.path("ren-zhengfei", newskg.Iri(EX + "nowhere")) is None
    assert disk.path("ren-zhengfei", newskg.Iri(EX + "nowhere")) is None
    assert memory.out_edges(ox.Literal("Huawei Technologies")) == []
