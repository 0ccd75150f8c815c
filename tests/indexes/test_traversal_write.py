"""`newskg.indexes.traversal_write`: the index of a full build, written a range of rows at a
time, holds every statement once with the graphs that hold it, whatever the range size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskg.indexes import traversal, traversal_write
from newskg.query.adjacency import Adjacency
from tests.indexes.test_traversal_update import EX, XSD_STRING, n, nquads, quads_of, statements


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(statements, st.integers(1, 6))
def test_an_index_written_a_few_rows_at_a_time_is_the_one_written_at_once(
    tmp_path_factory, rows, at_once
):
    tmp = tmp_path_factory.mktemp("ranges")
    source = nquads(tmp / "all.nq", quads_of(rows))
    traversal_write.write(tmp / "whole", source)
    traversal_write.write(tmp / "ranges", source, rows=at_once)
    assert files_of(tmp / "ranges") == files_of(tmp / "whole")


def test_a_statement_is_one_edge_counted_once_per_graph_that_holds_it(tmp_path):
    # "x"^^xsd:string and "x" are one literal: one quad in g1, another in g2
    source = tmp_path / "quads.nq"
    source.write_text(
        f'<{EX}a> <{EX}label> "x"^^<{XSD_STRING}> <{EX}g1> .\n'
        f'<{EX}a> <{EX}label> "x" <{EX}g1> .\n'
        f'<{EX}a> <{EX}label> "x" <{EX}g2> .\n'
        f"<{EX}a> <{EX}knows> <{EX}b> <{EX}g1> .\n",
        encoding="utf-8",
    )
    traversal_write.write(tmp_path / "index", source, rows=2)
    index = traversal.load(tmp_path / "index")
    a = index.terms.find(f"<{EX}a>".encode())
    assert a is not None
    lo, hi = int(index.arrays["out_ptr"][a]), int(index.arrays["out_ptr"][a + 1])
    edges = {
        (index.terms.line(int(p)), index.terms.line(int(o))): int(count)
        for p, o, count in zip(
            index.arrays["out_pred"][lo:hi],
            index.arrays["out_obj"][lo:hi],
            index.arrays["out_count"][lo:hi],
            strict=True,
        )
    }
    assert edges == {
        (f"<{EX}label>".encode(), b'"x"'): 2,
        (f"<{EX}knows>".encode(), f"<{EX}b>".encode()): 1,
    }
    adjacency = Adjacency(tmp_path / "index")
    b = adjacency.number(n("b"))
    assert b is not None
    assert {str(adjacency.term(t)) for t in adjacency.reachable(b, 1)} == {str(n("a"))}


def test_terms_that_share_a_64_bit_hash_stay_apart(tmp_path, monkeypatch):
    source = nquads(tmp_path / "all.nq", quads_of([(s, "knows", s + 1, 0) for s in range(7)]))
    traversal_write.write(tmp_path / "apart", source)
    monkeypatch.setattr(traversal_write, "_hash64", lambda line: 7)
    traversal_write.write(tmp_path / "shared", source, rows=3)
    assert files_of(tmp_path / "shared") == files_of(tmp_path / "apart")


def test_no_quads_make_an_index_of_no_terms(tmp_path):
    traversal_write.write(tmp_path / "index", nquads(tmp_path / "none.nq", []))
    index = traversal.load(tmp_path / "index")
    assert index.terms.size == 0 and index.type_id == -1
    assert Adjacency(tmp_path / "index").number(n("a")) is None
    assert sorted(p.name for p in (tmp_path / "index").iterdir() if p.is_dir()) == []


def test_a_failed_write_leaves_no_scratch_files(tmp_path, monkeypatch):
    source = nquads(tmp_path / "all.nq", quads_of([(0, "knows", 1, 0)]))

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(traversal_write, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        traversal_write.write(tmp_path / "index", source)
    assert [p.name for p in (tmp_path / "index").iterdir() if p.is_dir()] == []
    assert not any(p.suffix in {".bin", ".part"} for p in (tmp_path / "index").rglob("*"))


def test_rows_of_every_direction_are_sorted_as_readers_expect(tmp_path):
    rows = [
        (s, p, o, g)
        for s in range(8)
        for p in ("knows", "type")
        for o in (7 - s, s)
        for g in (0, 2)
    ]
    traversal_write.write(tmp_path / "index", nquads(tmp_path / "all.nq", quads_of(rows)), rows=5)
    arrays = traversal.load(tmp_path / "index").arrays
    for ptr, first, second in (
        ("out_ptr", "out_pred", "out_obj"),
        ("in_ptr", "in_subj", "in_pred"),
        ("hop_ptr", "hop_node", "hop_node"),
    ):
        for lo, hi in zip(arrays[ptr][:-1], arrays[ptr][1:], strict=True):
            keys = list(
                zip(arrays[first][lo:hi].tolist(), arrays[second][lo:hi].tolist(), strict=True)
            )
            assert keys == sorted(set(keys))
    assert np.all(arrays["out_count"] == 2)
