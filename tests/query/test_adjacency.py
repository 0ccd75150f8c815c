"""`newskg.query.adjacency`: the traversal index, asked by node number."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newskg.indexes import traversal_update, traversal_write
from newskg.query.adjacency import Adjacency
from tests.query.test_traversal import distance, graphs

EX = "http://example.org/"
G = ox.NamedNode(EX + "g")


def indexed(quads: Iterable[ox.Quad]) -> Adjacency:
    """The index of ``quads`` as a build writes it (the arrays stay mapped once the
    temporary folder is gone)."""
    with tempfile.TemporaryDirectory() as tmp:
        nquads = Path(tmp) / "quads.nq"
        nquads.write_text("".join(f"{q} .\n" for q in quads), encoding="utf-8")
        traversal_write.write(Path(tmp) / "index", nquads)
        return Adjacency(Path(tmp) / "index")


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
    index = indexed(quads)
    na, nb = index.number(a), index.number(b)
    assert na is not None and nb is not None and index.term(na) == a
    assert sorted(index.out_of(na), key=str) == sorted(
        [
            ox.Triple(a, rdf_type, ox.NamedNode(EX + "Person")),
            ox.Triple(a, knows, b),
            ox.Triple(a, label, ox.Literal("A")),
        ],
        key=str,
    )
    assert index.out_of(na, knows) == [ox.Triple(a, knows, b)]
    assert index.in_of(nb) == [ox.Triple(a, knows, b)]
    # traversal: b is a's only neighbour (not its type, not its label), once
    assert index.reachable(na, 2) == [nb] and index.reachable(nb, 1) == [na]
    assert index.path(na, nb, 1) == [ox.Triple(a, knows, b)]
    person = index.number(ox.NamedNode(EX + "Person"))
    assert person is not None and index.path(nb, person, 4) is None  # types are not hops
    assert index.number(ox.Literal("A")) is not None and index.number(ox.NamedNode(EX)) is None
    assert index.number(g1) is None  # graph names are not nodes
    # what a caller gets is a copy: changing it leaves the index as it was
    index.out_of(na).clear()
    assert len(index.out_of(na)) == 3


def test_terms_come_back_as_they_went_in_whatever_their_spelling():
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    values = [
        ox.Literal('a "quoted"\nline\\ é'),
        ox.Literal("chat", language="fr"),
        ox.Literal("41000", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.BlankNode("b1"),
    ]
    index = indexed(ox.Quad(s, p, v, G) for v in values)
    number = index.number(s)
    assert number is not None
    assert sorted(map(str, index.out_of(number))) == sorted(str(ox.Triple(s, p, v)) for v in values)
    for value in values:
        found = index.number(value)
        assert found is not None and index.term(found) == value


def test_two_spellings_of_one_literal_are_one_term(tmp_path):
    nquads = tmp_path / "quads.nq"
    nquads.write_text(
        f'<{EX}s> <{EX}p> "x"^^<http://www.w3.org/2001/XMLSchema#string> <{EX}g> .\n'
        f'<{EX}t> <{EX}p> "x" <{EX}g> .\n',
        encoding="utf-8",
    )
    traversal_write.write(tmp_path / "index", nquads)
    index = Adjacency(tmp_path / "index")
    x = index.number(ox.Literal("x"))
    assert x is not None and len(index.in_of(x)) == 2


def test_an_incremental_index_replaces_the_graphs_it_is_told_of(tmp_path):
    a, b, c, knows = (ox.NamedNode(EX + n) for n in ("a", "b", "c", "knows"))
    g1, g2 = ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    first.write_text(f"{ox.Quad(a, knows, b, g1)} .\n{ox.Quad(b, knows, c, g2)} .\n", "utf-8")
    traversal_write.write(tmp_path / "one", first)
    second.write_text(f"{ox.Quad(a, knows, c, g1)} .\n", "utf-8")
    removed = tmp_path / "removed.nq"  # graph g1 as it was
    removed.write_text(f"{ox.Quad(a, knows, b, g1)} .\n", "utf-8")
    traversal_update.update(tmp_path / "two", tmp_path / "one", removed, second)
    index = Adjacency(tmp_path / "two")
    na, nb, nc = index.number(a), index.number(b), index.number(c)
    assert na is not None and nb is not None and nc is not None
    assert index.out_of(na) == [ox.Triple(a, knows, c)]
    assert index.in_of(nb) == [] and index.out_of(nb) == [ox.Triple(b, knows, c)]
    assert sorted(index.reachable(nc, 1)) == sorted([na, nb])


def numbered(edges: list[tuple[int, int]]) -> tuple[Adjacency, list[int | None]]:
    """The index of a small integer graph (edge (a, b): <a> <link> <b>), and the number of
    each node 0..11 in it (None for a node that no edge names)."""
    link = ox.NamedNode(EX + "link")
    index = indexed(
        ox.Quad(ox.NamedNode(f"{EX}{a}"), link, ox.NamedNode(f"{EX}{b}"), G) for a, b in edges
    )
    return index, [index.number(ox.NamedNode(f"{EX}{n}")) for n in range(12)]


@settings(deadline=None, max_examples=60)  # each example writes an index
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


@settings(deadline=None, max_examples=60)
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
    assert set(index.reachable(first, depth)) == expected
