"""`newskg.query.adjacency`: the traversal index, asked by node number."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import example, given
from hypothesis import strategies as st

from newskg.query.adjacency import Adjacency
from tests.query.test_traversal import distance, graphs

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


def numbered(edges: list[tuple[int, int]]) -> tuple[Adjacency, list[int | None]]:
    """The index of a small integer graph (edge (a, b): <a> <link> <b>), and the number of
    each node 0..11 in it (None for a node that no edge names)."""
    link = ox.NamedNode(EX + "link")
    index = Adjacency(
        ox.Quad(ox.NamedNode(f"{EX}{a}"), link, ox.NamedNode(f"{EX}{b}")) for a, b in edges
    )
    return index, [index.number(ox.NamedNode(f"{EX}{n}")) for n in range(12)]


@given(graphs, st.integers(0, 11), st.integers(0, 11), st.integers(0, 6))
@example([(0, 1), (1, 2), (2, 3), (0, 4), (4, 5), (5, 3)], 0, 3, 3)  # two shortest paths
@example([(0, 1), (1, 1), (1, 2)], 0, 2, 2)  # a loop on the way
def test_path_is_shortest_and_connects_the_two_nodes(edges, start, goal, max_hops):
    index, numbers = numbered(edges)
    a, b = numbers[start], numbers[goal]
    if a is None or b is None:
        return  # no number to ask by: the graph API answers None before it asks
    path = index.path(a, b, max_hops)
    shortest = distance(edges, start, goal)
    if shortest is None or shortest > max_hops:
        assert path is None
        return
    assert path is not None and len(path) == shortest
    node = ox.NamedNode(f"{EX}{start}")  # each statement leads on from the one before it
    for s, _, o in path:
        assert node in (s, o)
        node = o if node == s else s
    assert node == ox.NamedNode(f"{EX}{goal}")


@given(graphs, st.integers(0, 11), st.integers(0, 4))
def test_reachable_is_every_node_within_depth(edges, start, depth):
    index, numbers = numbered(edges)
    first = numbers[start]
    if first is None:
        return
    expected = {
        numbers[n]
        for n in range(12)
        if n != start and (d := distance(edges, start, n)) is not None and d <= depth
    }
    assert index.reachable(first, depth) == expected
