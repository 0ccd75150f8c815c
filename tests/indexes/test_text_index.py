"""`newskg.indexes.text`: the text of sentences and quotes, found by any three characters."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.indexes import text

EX = "http://example.org/"
TEXT = ox.NamedNode("https://schema.org/text")


def nquads(path: Path, texts: dict[str, tuple[str, str]]) -> Path:
    """An N-Quads file of ``node -> (text, graph)`` schema:text statements, and a label."""
    lines = [
        f"{ox.Quad(ox.NamedNode(EX + node), TEXT, ox.Literal(t), ox.NamedNode(EX + g))} .\n"
        f'<{EX}{node}> <{EX}label> "{node}" <{EX}{g}> .\n'
        for node, (t, g) in texts.items()
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_fragment_finds_every_text_that_contains_it_in_any_case(tmp_path):
    source = nquads(
        tmp_path / "a.nq",
        {
            "s1": ('It has trained over 41,000 ICT "professionals".', "g1"),
            "s2": ("Digital Economy\nand 5G", "g1"),
            "q1": ("digital economy, said Ren", "g2"),
        },
    )
    text.write(tmp_path / "text.sqlite", source)
    index = text.TextIndex(tmp_path / "text.sqlite")
    assert index.nodes_containing("41,000") == [EX + "s1"]
    assert index.nodes_containing('"professionals"') == [EX + "s1"]
    assert index.nodes_containing("ital econ") == [EX + "q1"]  # in its own case: exactly
    any_case = index.nodes_containing("ital econ", any_case=True)
    assert sorted(any_case or []) == [EX + "q1", EX + "s2"]
    assert index.nodes_containing("Economy\nand") == [EX + "s2"]
    assert index.nodes_containing("nowhere to be found") == []
    # what the index cannot tell: the query then reads every text itself
    assert index.nodes_containing("41") is None
    assert index.nodes_containing("économie", any_case=True) is None
    assert index.nodes_containing("économie") == []


def test_an_update_replaces_the_texts_of_the_graphs_it_is_told_of(tmp_path):
    text.write(tmp_path / "one.sqlite", nquads(tmp_path / "a.nq", {
        "s1": ("the old sentence", "g1"), "s2": ("a sentence kept", "g2")
    }))  # fmt: skip
    text.write(
        tmp_path / "two.sqlite",
        nquads(tmp_path / "b.nq", {"s3": ("the new sentence", "g1")}),
        previous=tmp_path / "one.sqlite",
        replaced=[f"<{EX}g1>"],
    )
    index = text.TextIndex(tmp_path / "two.sqlite")
    assert sorted(index.nodes_containing("sentence") or []) == [EX + "s2", EX + "s3"]
    assert text.TextIndex(tmp_path / "one.sqlite").nodes_containing("old sent") == [EX + "s1"]


def test_no_index_and_a_damaged_one_are_told_apart_from_an_answer(tmp_path):
    assert text.TextIndex.open(tmp_path / "missing.sqlite") is None
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all")
    junk = text.TextIndex.open(tmp_path / "junk.sqlite")
    assert junk is None or junk.nodes_containing("anything") is None


def test_updates_write_their_changes_beside_a_shared_base_until_merged(tmp_path):
    text.write(tmp_path / "0.sqlite", nquads(tmp_path / "0.nq", {
        "s1": ("the old sentence", "g1"), "s2": ("a sentence kept", "g2")
    }))  # fmt: skip
    steps = [  # (graphs replaced, new rows): g1 twice, so its rows in the changes go too
        (["g1"], {"s3": ("the new sentence", "g1")}),
        (["g1", "g3"], {"s4": ("the newest sentence", "g1"), "s5": ("sentence three", "g3")}),
        (["g2"], {}),
    ]
    for k, (graphs, rows) in enumerate(steps, start=1):
        text.write(
            tmp_path / f"{k}.sqlite",
            nquads(tmp_path / f"{k}.nq", rows),
            previous=tmp_path / f"{k - 1}.sqlite",
            replaced=[f"<{EX}{g}>" for g in graphs],
            compact_share=1e9,
        )
        base = (tmp_path / "0.sqlite").stat()
        assert (tmp_path / f"{k}.sqlite").stat().st_ino == base.st_ino  # the base, shared
        assert text.changes_path(tmp_path / f"{k}.sqlite").is_file()
    found = [
        sorted(text.TextIndex(tmp_path / f"{k}.sqlite").nodes_containing("sentence") or [])
        for k in range(4)
    ]
    assert found == [
        [EX + "s1", EX + "s2"],
        [EX + "s2", EX + "s3"],
        [EX + "s2", EX + "s4", EX + "s5"],
        [EX + "s4", EX + "s5"],
    ]
    # merged: a new base, no changes, the same answers
    text.write(
        tmp_path / "merged.sqlite",
        nquads(tmp_path / "none.nq", {}),
        previous=tmp_path / "3.sqlite",
        replaced=[],
        compact_share=0.0,
    )
    assert not text.changes_path(tmp_path / "merged.sqlite").exists()
    merged = text.TextIndex(tmp_path / "merged.sqlite")
    assert sorted(merged.nodes_containing("sentence") or []) == found[-1]
    assert merged.nodes_containing("ntence thr", any_case=True) == [EX + "s5"]


def test_a_damaged_base_is_refused_before_it_is_shared(tmp_path):
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all")
    with pytest.raises(sqlite3.DatabaseError):
        text.write(
            tmp_path / "new.sqlite",
            nquads(tmp_path / "a.nq", {}),
            previous=tmp_path / "junk.sqlite",
        )
