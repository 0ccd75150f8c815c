"""`newskg.indexes.traversal_update`: an index updated with some graphs replaced answers
every traversal as the index a full build writes of the same quads."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskg.indexes import traversal, traversal_update, traversal_write
from newskg.query.adjacency import Adjacency

EX = "http://example.org/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def nquads(path: Path, quads: Iterable[ox.Quad]) -> Path:
    path.write_text("".join(f"{q} .\n" for q in quads), encoding="utf-8")
    return path


def answers(index: Path, terms: Iterable[ox.NamedNode | ox.Literal]) -> dict[str, object]:
    """What a reader of ``index`` is told of each of ``terms``: whether it is a node, its
    statements both ways, its neighbours, and how far each other node is."""
    adjacency = Adjacency(index)
    numbers = {str(t): adjacency.number(t) for t in terms}
    told: dict[str, object] = {}
    for name, number in numbers.items():
        if number is None:
            told[name] = None
            continue
        reached = {str(adjacency.term(r)) for r in adjacency.reachable(number, 1)}
        paths = {}
        for other, goal in numbers.items():
            if goal is not None and goal != number and not other.startswith('"'):
                path = adjacency.path(number, goal, 4)
                paths[other] = None if path is None else len(path)
        told[name] = (
            sorted(map(str, adjacency.out_of(number))),
            sorted(map(str, adjacency.in_of(number))),
            reached,
            paths,
        )
    return told


def replaced(tmp_path: Path, first: list[ox.Quad], graphs: set[ox.NamedNode],
             new: list[ox.Quad], **options: float) -> tuple[Path, Path]:  # fmt: skip
    """The index of ``first`` updated with ``graphs`` replaced by ``new``, and the index a
    full build writes of the same quads."""
    traversal_write.write(tmp_path / "first", nquads(tmp_path / "first.nq", first))
    removed = nquads(tmp_path / "removed.nq", (q for q in first if q.graph_name in graphs))
    added = nquads(tmp_path / "added.nq", new)
    traversal_update.update(tmp_path / "updated", tmp_path / "first", removed, added, **options)
    final = [q for q in first if q.graph_name not in graphs] + new
    traversal_write.write(tmp_path / "full", nquads(tmp_path / "final.nq", final))
    return tmp_path / "updated", tmp_path / "full"


FIRST = [
    ox.Quad(n("a"), n("knows"), n("b"), n("g1")),
    ox.Quad(n("a"), n("knows"), n("b"), n("g2")),  # held by two graphs: g1 goes, it stays
    ox.Quad(n("a"), n("label"), ox.Literal("only in g1"), n("g1")),  # a term only g1 used
    ox.Quad(n("c"), n("knows"), n("d"), n("g1")),  # a hop that goes with g1
    ox.Quad(n("c"), RDF_TYPE, n("Person"), n("g2")),
    ox.Quad(n("d"), n("knows"), n("e"), n("g2")),
]
NEW = [
    ox.Quad(n("a"), n("knows"), n("b"), n("g1")),
    ox.Quad(n("a"), n("met"), n("f"), n("g1")),  # a new predicate, a new node
    ox.Quad(n("f"), RDF_TYPE, n("Person"), n("g1")),
    ox.Quad(n("e"), n("label"), ox.Literal("x", datatype=ox.NamedNode(XSD_STRING)), n("g1")),
]
TERMS = [
    *(n(x) for x in ("a", "b", "c", "d", "e", "f", "Person", "g1")),
    ox.Literal("only in g1"),
    ox.Literal("x"),
]


@pytest.mark.parametrize("share", [1e9, 0.0])  # changes beside the base; merged into one
def test_an_update_answers_as_a_full_index_of_the_same_quads(tmp_path, share):
    updated, full = replaced(tmp_path, FIRST, {n("g1")}, NEW, compact_share=share)
    assert answers(updated, TERMS) == answers(full, TERMS)
    told = answers(updated, TERMS)
    assert told[str(ox.Literal("only in g1"))] is None  # no statement names it any more
    assert told[str(n("c"))] is not None and str(n("d")) not in told[str(n("c"))][2]  # type: ignore[index]
    index = Adjacency(updated)
    a, b = index.number(n("a")), index.number(n("b"))
    assert a is not None and b is not None
    assert index.path(a, b, 1) == [ox.Triple(n("a"), n("knows"), n("b"))]


def test_the_base_is_shared_and_the_changes_hold_only_the_rows_touched(tmp_path):
    updated, _ = replaced(tmp_path, FIRST, {n("g1")}, NEW, compact_share=1e9)
    for name in ("terms.nt", "out_obj.npy", "hop_node.npy"):
        assert os.stat(updated / name).st_ino == os.stat(tmp_path / "first" / name).st_ino
    index = traversal.load(updated)
    changed = {index.terms.line(int(x)).decode() for x in index.rows["out"].changed_nodes}
    assert changed == {str(n("a")), str(n("c")), str(n("e")), str(n("f"))}


def test_updates_in_a_row_and_a_compaction_answer_as_a_full_index(tmp_path):
    traversal_write.write(tmp_path / "0", nquads(tmp_path / "0.nq", FIRST))
    steps = [
        ({n("g1")}, NEW),
        ({n("g2")}, [ox.Quad(n("b"), n("knows"), n("c"), n("g2"))]),
        ({n("g1")}, [q for q in FIRST if q.graph_name == n("g1")]),
        ({n("g3")}, [ox.Quad(n("e"), n("knows"), n("a"), n("g3"))]),
    ]
    quads = list(FIRST)
    for k, (graphs, new) in enumerate(steps, start=1):
        removed = nquads(tmp_path / f"removed-{k}.nq", (q for q in quads if q.graph_name in graphs))
        added = nquads(tmp_path / f"added-{k}.nq", new)
        share = 0.0 if k == 3 else 1.0  # the third merges every change into a new base
        previous, folder = tmp_path / str(k - 1), tmp_path / str(k)
        traversal_update.update(folder, previous, removed, added, compact_share=share)
        assert (traversal.load(folder).meta["changed_entries"] == 0) == (k == 3)
        quads = [q for q in quads if q.graph_name not in graphs] + new
        traversal_write.write(tmp_path / f"full-{k}", nquads(tmp_path / f"full-{k}.nq", quads))
        assert answers(folder, TERMS) == answers(tmp_path / f"full-{k}", TERMS), f"step {k}"


def test_a_removed_quad_the_index_does_not_hold_is_refused(tmp_path):
    traversal_write.write(tmp_path / "first", nquads(tmp_path / "first.nq", FIRST))
    for k, quad in enumerate(
        [
            ox.Quad(n("a"), n("knows"), n("nobody"), n("g1")),  # a term it never held
            ox.Quad(n("b"), n("knows"), n("a"), n("g1")),  # a statement it never held
        ]
    ):
        removed = nquads(tmp_path / f"removed-{k}.nq", [quad])
        nothing = nquads(tmp_path / "nothing.nq", [])
        with pytest.raises(ValueError):
            traversal_update.update(tmp_path / f"u{k}", tmp_path / "first", removed, nothing)


def test_a_term_an_update_adds_is_spelt_as_the_store_spells_it(tmp_path):
    """The next update removes it as the store holds it (an integer written "+05" is held
    as "5"), and finds it."""
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    traversal_write.write(tmp_path / "0", nquads(tmp_path / "0.nq", FIRST))
    written = tmp_path / "written.nq"
    written.write_text(f'<{EX}a> <{EX}count> "+05"^^<{integer.value}> <{EX}g3> .\n', "utf-8")
    nothing = nquads(tmp_path / "nothing.nq", [])
    traversal_update.update(tmp_path / "1", tmp_path / "0", nothing, written)
    store = ox.Store()
    store.load(path=str(written), format=ox.RdfFormat.N_QUADS)
    held = nquads(tmp_path / "held.nq", store)
    assert '"5"' in held.read_text("utf-8")
    index = Adjacency(tmp_path / "1")
    assert index.number(ox.Literal("5", datatype=integer)) is not None
    traversal_update.update(tmp_path / "2", tmp_path / "1", held, nothing)
    assert answers(tmp_path / "2", TERMS) == answers(tmp_path / "0", TERMS)


# A graph of up to 8 nodes in 3 named graphs; some statements are rdf:type, some literal.
statements = st.lists(
    st.tuples(st.integers(0, 7), st.sampled_from(["knows", "type", "label"]),
              st.integers(0, 7), st.integers(0, 2)),
    max_size=25,
)  # fmt: skip


def quads_of(rows: list[tuple[int, str, int, int]]) -> list[ox.Quad]:
    quads = set()
    for s, p, o, g in rows:
        predicate = RDF_TYPE if p == "type" else n(p)
        obj = ox.Literal(f"v{o}") if p == "label" else n(f"x{o}")
        quads.add(ox.Quad(n(f"x{s}"), predicate, obj, n(f"g{g}")))
    return sorted(quads, key=str)


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(statements, st.sets(st.integers(0, 2)), statements, st.booleans())
def test_any_replacement_answers_as_a_full_index(tmp_path_factory, first, gone, new, compact):
    tmp = tmp_path_factory.mktemp("update")
    graphs = {n(f"g{g}") for g in gone}
    added = [q for q in quads_of(new) if q.graph_name in graphs]
    updated, full = replaced(
        tmp, quads_of(first), graphs, added, compact_share=0.0 if compact else 1e9
    )
    terms = [*(n(f"x{i}") for i in range(8)), *(ox.Literal(f"v{i}") for i in range(8))]
    assert answers(updated, terms) == answers(full, terms)
