"""The Python API: nodes, edges, traversal, evidence, bound parameters."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

import newskg
from newskg.errors import NotFoundError
from newskg.graph import Iri, KnowledgeGraph
from newskg.traversal import reachable, shortest_path

BASE = "https://w3id.org/newskg/"


@pytest.fixture(scope="module")
def kg(built_kg) -> KnowledgeGraph:
    return newskg.KnowledgeGraph.open(built_kg / "kg")


def test_node_by_id_label_prefixed_name_and_iri(kg):
    assert kg.node("huawei").iri == BASE + "id/organization/huawei"
    assert kg.node("Huawei Technologies").iri == BASE + "id/organization/huawei"
    assert kg.node(BASE + "id/organization/huawei").label == "Huawei Technologies"
    assert kg.node("nkg:Meeting").label == "Meeting"
    with pytest.raises(NotFoundError):
        kg.node("no-such-thing")


def test_types_include_aligned_super_classes(kg):
    academy = kg.node("huawei-asean-academy-thailand")
    assert "https://w3id.org/newskg/ontology#TrainingProgramme" in academy.types
    assert "https://schema.org/EducationalOccupationalProgram" in academy.types


def test_out_and_in_edges(kg):
    ren = kg.node("ren-zhengfei")
    assert any(e.predicate.value.endswith("#speaker") for e in ren.in_())
    labels = [e.object.value for e in ren.out("rdfs:label")]
    assert labels == ["Ren Zhengfei"]


def test_neighbours_grow_with_depth(kg):
    ren = kg.node("ren-zhengfei")
    one, two = ren.neighbours(1), ren.neighbours(2)
    assert one < two
    assert kg.node(BASE + "id/meeting/000_62ce04f1d7ffd07b/prayut-ren-meeting") in one


def test_path_between_two_entities(kg):
    path = kg.path("prayut-chan-o-cha", "huawei-asean-academy-thailand", max_hops=4)
    assert path is not None and 1 <= len(path) <= 4
    nodes = {path[0].subject.value, path[0].object.value}
    assert BASE + "id/person/prayut-chan-o-cha" in nodes
    assert kg.path("prayut-chan-o-cha", "huawei-asean-academy-thailand", max_hops=1) is None


def undirected(edges: list[tuple[int, int]]):
    """hops() over small integer graphs: each edge (a, b) listed from both ends."""

    def hops(node: int):
        for a, b in edges:
            if a == node:
                yield (a, b), b
            if b == node:
                yield (a, b), a

    return hops


def distance(edges: list[tuple[int, int]], start: int, goal: int) -> int | None:
    """Plain one-sided breadth-first search: the reference for shortest_path."""
    hops, seen, queue = undirected(edges), {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        for _, other in hops(node):
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return seen.get(goal)


graphs = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30)


@given(graphs, st.integers(0, 11), st.integers(0, 11), st.integers(0, 6))
def test_shortest_path_is_shortest_and_connects_the_two_nodes(edges, start, goal, max_hops):
    path = shortest_path(undirected(edges), start, goal, max_hops)
    shortest = distance(edges, start, goal)
    if shortest is None or shortest > max_hops:
        assert path is None
        return
    assert path is not None and len(path) == shortest
    node = start  # each edge leads on from the node the one before it reached
    for a, b in path:
        assert node in (a, b)
        node = b if node == a else a
    assert node == goal


@given(graphs, st.integers(0, 11), st.integers(0, 4))
def test_reachable_is_every_node_within_depth(edges, start, depth):
    nodes = {n for edge in edges for n in edge}
    expected = {
        n for n in nodes - {start} if (d := distance(edges, start, n)) is not None and d <= depth
    }
    assert reachable(undirected(edges), start, depth) == expected


def test_shortest_path_meets_in_the_middle_of_a_hub():
    """A star: the search from the leaf side must not expand the hub's thousand edges on
    both sides, yet finds the two-hop path through it."""
    edges = [(0, k) for k in range(1, 1000)]
    calls: list[int] = []
    hops = undirected(edges)

    def counted(node: int):
        calls.append(node)
        return hops(node)

    assert shortest_path(counted, 5, 7, 2) == [(0, 5), (0, 7)]
    assert calls.count(0) == 0  # only the two leaves were expanded


def test_evidence_of_an_entity_points_into_the_article(kg, built_kg):
    text = (built_kg / "seeds" / "000_62ce04f1d7ffd07b" / "article.txt").read_text()
    evidence = kg.node("thai-universities").evidence()
    assert evidence
    for ev in evidence:
        assert text[ev.start : ev.end] == ev.exact
        assert ev.sentence is not None and ev.exact in ev.sentence


def test_bound_iri_parameter(kg):
    rows = kg.select(
        "SELECT ?who ?q WHERE { ?q nkg:speaker ?who }", who=Iri(BASE + "id/person/ren-zhengfei")
    )
    assert len(rows) >= 2
    assert set(rows.column("who")) == {BASE + "id/person/ren-zhengfei"}
