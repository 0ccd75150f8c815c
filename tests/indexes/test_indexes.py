"""`newskg.indexes`: a build writes its traversal and text indexes beside its store, and every
incremental build keeps them in step: they always answer as a full build's do."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.builder import Project, build
from newskg.indexes import TEXT_FILE, TRAVERSAL_DIR, text
from newskg.query.graph import InMemoryGraph, KnowledgeGraph
from newskg.store import store_path
from tests.conftest import ROOT, run_cli


@pytest.fixture
def synthetic(tmp_path) -> Path:
    """A project of 4 synthetic articles."""
    assert run_cli("synth", "--articles", "4", "--out", tmp_path / "seeds").code == 0
    for name in ("mappings", "ontology"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def indexed(kg: Path) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]]]:
    """What the indexes of a build answer: every node's edges and neighbours as the
    traversal index gives them, and every (node, text) of the text index."""
    graph = KnowledgeGraph.open(kg, in_memory=True)
    assert isinstance(graph, InMemoryGraph)
    nodes = {q.subject for q in graph.store} | {
        q.object for q in graph.store if not isinstance(q.object, ox.Literal)
    }
    edges, hops = set(), set()
    for term in nodes:
        edges |= {str(e) for e in graph.out_edges(term)} | {str(e) for e in graph.in_edges(term)}
        hops |= {(str(term), str(n.term)) for n in graph.node(term).neighbours(1)}
    return edges, hops, texts_of(store_path(kg).parent / TEXT_FILE)


def texts_of(path: Path) -> set[tuple[str, str]]:
    """Every (node, text) a text index holds: its base's, less those of the graphs
    replaced since, and its changes'."""
    with sqlite3.connect(path) as connection:
        texts = set(connection.execute("SELECT node, text, graph FROM texts"))
    changes = text.changes_path(path)
    if changes.is_file():
        with sqlite3.connect(changes) as connection:
            replaced = {g for (g,) in connection.execute("SELECT graph FROM replaced")}
            texts = {t for t in texts if t[2] not in replaced}
            texts |= set(connection.execute("SELECT node, text, graph FROM texts"))
    return {(node, value) for node, value, _ in texts}


def test_incremental_builds_keep_the_indexes_in_step_with_a_full_build(synthetic, tmp_path):
    project, seeds = Project(synthetic), synthetic / "seeds"
    build(project, validate=False, progress=False)
    steps = [
        lambda: (seeds / "syn-000001" / "facts.yaml").write_text(
            (seeds / "syn-000001" / "facts.yaml")
            .read_text("utf-8")
            .replace("title: ", "title: X", 1),
            "utf-8",
        ),
        lambda: shutil.rmtree(seeds / "syn-000002"),
        lambda: shutil.copytree(seeds / "syn-000003", seeds / "syn-000003-copy"),
    ]
    for n, step in enumerate(steps):
        step()
        assert build(project, validate=False, progress=False).incremental
        full = Project(synthetic, out=tmp_path / f"full-{n}")
        build(full, validate=False, full=True, progress=False)
        assert indexed(synthetic / "kg") == indexed(tmp_path / f"full-{n}"), f"step {n}"


def test_a_build_after_one_without_indexes_indexes_the_whole_store(synthetic, tmp_path):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    previous = store_path(synthetic / "kg").parent
    shutil.rmtree(previous / TRAVERSAL_DIR)  # as an older newskg left it
    (previous / TEXT_FILE).unlink()
    # a graph opened for traversal without an index makes one from the store
    memory, disk = (KnowledgeGraph.open(synthetic / "kg", in_memory=m) for m in (True, False))
    article = disk.articles()[0]
    assert sorted(map(str, memory.node(article).in_())) == sorted(
        map(str, disk.node(article).in_())
    )
    assert memory.text_index is None  # and saved queries read every text themselves
    facts = synthetic / "seeds" / "syn-000000" / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("title: ", "title: Y", 1), "utf-8")
    assert build(project, validate=False, progress=False).incremental
    assert not (store_path(synthetic / "kg").parent / "all-quads.nq").exists()
    build(Project(synthetic, out=tmp_path / "full"), validate=False, full=True, progress=False)
    assert indexed(synthetic / "kg") == indexed(tmp_path / "full")


@pytest.mark.parametrize("missing", [False, True])
def test_damaged_indexes_of_the_previous_build_are_made_anew(synthetic, tmp_path, missing):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    previous = store_path(synthetic / "kg").parent
    if missing:
        (previous / TRAVERSAL_DIR / "hashes.npy").unlink()
    else:
        (previous / TRAVERSAL_DIR / "out_obj.npy").write_bytes(b"not an array")
        (previous / TEXT_FILE).write_bytes(b"not a database")
    facts = synthetic / "seeds" / "syn-000003" / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("title: ", "title: Z", 1), "utf-8")
    assert build(project, validate=False, progress=False).incremental
    build(Project(synthetic, out=tmp_path / "full"), validate=False, full=True, progress=False)
    assert indexed(synthetic / "kg") == indexed(tmp_path / "full")


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "hop_node.npy").write_bytes(b"not an array"),
        lambda folder: (folder / "out_ptr.npy").unlink(),
        # a well-formed array of the wrong size, as a file of another build would be
        lambda folder: (folder / "in_subj.npy").write_bytes((folder / "hop_ptr.npy").read_bytes()),
    ],
)
def test_a_damaged_traversal_index_is_made_anew_from_the_store_when_opened(synthetic, damage):
    build(Project(synthetic), validate=False, progress=False)
    damage(store_path(synthetic / "kg").parent / TRAVERSAL_DIR)
    memory, disk = (KnowledgeGraph.open(synthetic / "kg", in_memory=m) for m in (True, False))
    for article in disk.articles():
        assert sorted(map(str, memory.node(article).in_())) == sorted(
            map(str, disk.node(article).in_())
        )


def test_an_incremental_build_shares_the_previous_bases_and_writes_changes(synthetic):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    previous = store_path(synthetic / "kg").parent
    base = {p: (previous / p).stat().st_ino for p in (f"{TRAVERSAL_DIR}/out_obj.npy", TEXT_FILE)}
    facts = synthetic / "seeds" / "syn-000002" / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("title: ", "title: W", 1), "utf-8")
    assert build(project, validate=False, progress=False).incremental
    current = store_path(synthetic / "kg").parent
    assert current != previous
    assert {p: (current / p).stat().st_ino for p in base} == base
    assert text.changes_path(current / TEXT_FILE).is_file()
