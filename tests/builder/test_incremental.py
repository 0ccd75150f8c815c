"""Incremental builds: only changed articles are rebuilt, and the result equals a full build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newskg.builder import Project, build
from tests.conftest import ROOT, edit_text, run_cli


def _exports(kg: Path) -> dict[str, bytes]:
    """The build's TriG files, one per graph, by name."""
    return {p.name: p.read_bytes() for p in sorted((kg / "graphs").iterdir())}


def _stamps(kg: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (kg / "graphs").iterdir()}


def _store_quads(kg: Path) -> set[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str((kg / "store").resolve()))
    return {str(q) for q in store}


@pytest.fixture
def synthetic(tmp_path) -> Path:
    """A project with 6 synthetic articles (one a copy of another under a new id)."""
    seeds = tmp_path / "seeds"
    assert run_cli("synth", "--articles", "5", "--out", seeds).code == 0
    # same content under another id: identical triples about shared entities must merge
    shutil.copytree(seeds / "syn-000003", seeds / "syn-000003-copy")
    for name in ("mappings", "ontology"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def _full_copy(project: Path, into: Path, validate: bool = True) -> dict[str, bytes]:
    """The exports of a --full build of the same inputs in another folder."""
    other = Project(project, out=into)
    build(other, validate=validate, full=True, jobs=1, progress=False)
    return _exports(into)


def test_one_changed_article_is_rebuilt_and_equals_a_full_build(synthetic, tmp_path):
    project = Project(synthetic)
    first = build(project, progress=False)
    assert not first.incremental and first.rebuilt == 6
    before = _stamps(synthetic / "kg")
    facts = synthetic / "seeds" / "syn-000004" / "facts.yaml"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace('title: "', 'title: "Revised: ', 1),
        encoding="utf-8",
    )
    second = build(project, progress=False)
    assert second.incremental and second.rebuilt == 1 and second.removed == 0
    assert b"Revised: " in (synthetic / "kg" / "graphs" / "syn-000004.trig").read_bytes()
    after = _stamps(synthetic / "kg")
    assert [n for n in after if after[n] != before[n]] == ["syn-000004.trig"]  # only it
    incremental = _exports(synthetic / "kg")
    assert incremental == _full_copy(synthetic, tmp_path / "full")
    assert _store_quads(synthetic / "kg") == _store_quads(tmp_path / "full")


def test_added_and_deleted_articles(synthetic, tmp_path):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    seeds = synthetic / "seeds"
    shutil.rmtree(seeds / "syn-000002")
    shutil.copytree(seeds / "syn-000001", seeds / "syn-000001-b")
    report = build(project, validate=False, progress=False)
    assert report.incremental and report.rebuilt == 1 and report.removed == 1
    assert report.articles == 6
    assert _exports(synthetic / "kg") == _full_copy(synthetic, tmp_path / "full", False)
    assert _store_quads(synthetic / "kg") == _store_quads(tmp_path / "full")
    assert not (synthetic / "kg" / "graphs" / "syn-000002.trig").exists()


def test_nothing_changed_rebuilds_nothing(synthetic):
    """Nothing is compiled, staged or written: the same store, the same files."""
    project = Project(synthetic)
    first = build(project, validate=False, progress=False)
    kg = synthetic / "kg"
    before = (_stamps(kg), (kg / "store").resolve(), sorted((kg / ".stores").iterdir()))
    report = build(project, validate=False, progress=False)
    assert report.incremental and report.rebuilt == 0 and "compile" not in report.timings
    assert (report.quads, report.graphs) == (first.quads, first.graphs)
    assert (_stamps(kg), (kg / "store").resolve(), sorted((kg / ".stores").iterdir())) == before


def test_a_touched_article_is_hashed_not_rebuilt(synthetic):
    """A new mtime alone (a checkout, `touch`) costs a hash, not a rebuild."""
    import os

    project = Project(synthetic)
    build(project, validate=False, progress=False)
    facts = synthetic / "seeds" / "syn-000001" / "facts.yaml"
    os.utime(facts, ns=(facts.stat().st_atime_ns, facts.stat().st_mtime_ns - 10**10))
    report = build(project, validate=False, progress=False)
    assert report.incremental and report.rebuilt == 0


@pytest.mark.parametrize(
    "edit",
    [
        "seeds/entities.yaml",
        "seeds/shared-facts.yaml",
        "mappings/events.yaml",
        "ontology/shapes.ttl",
        "ontology/model.yaml",
    ],
)
def test_a_change_to_shared_inputs_rebuilds_everything(synthetic, edit):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    path = synthetic / edit
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(before + "\n# edited\n", encoding="utf-8")
    report = build(project, validate=False, progress=False)
    assert not report.incremental and report.rebuilt == 6


def test_full_flag_and_manifest_hashes(synthetic):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    report = build(project, full=True, validate=False, progress=False)
    assert not report.incremental and report.rebuilt == 6
    manifest = json.loads(
        ((synthetic / "kg" / "store").resolve().parent / "manifest.json").read_text()
    )
    assert manifest["validated"] is False and len(manifest["fingerprint"]) == 64
    assert set(manifest["inputs"]) == {
        p.name for p in (synthetic / "seeds").iterdir() if p.is_dir()
    }
    assert all(len(v["sha256"]) == 64 for v in manifest["inputs"].values())


def test_validating_after_a_no_shacl_build_validates_everything(synthetic):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    report = build(project, progress=False)
    assert not report.incremental and report.rebuilt == 6 and "shacl" in report.timings


def test_parallel_and_serial_builds_are_identical(synthetic, tmp_path):
    build(Project(synthetic), validate=False, jobs=2, full=True, progress=False)
    parallel = _exports(synthetic / "kg")
    assert parallel == _full_copy(synthetic, tmp_path / "serial", False)


def test_a_failing_article_in_an_incremental_build_leaves_kg_untouched(synthetic):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    before = _exports(synthetic / "kg")
    target = (synthetic / "kg" / "store").resolve()
    facts = synthetic / "seeds" / "syn-000001" / "facts.yaml"
    edit_text(facts, "    speaker: ", "    speaker: nobody-")
    result = run_cli("build", "--project", synthetic, "--jobs", "2", "--no-shacl")
    assert result.code == 2, result.err
    assert "syn-000001" in result.err and "facts.yaml:" in result.err
    assert _exports(synthetic / "kg") == before
    assert (synthetic / "kg" / "store").resolve() == target


def test_a_series_of_edits_each_equals_a_full_build(synthetic, tmp_path):
    """One incremental build after another equals a full build: subjects shared with other
    articles (the copy describes the same posts and people), a graph at the start and at
    the end of the order, all articles gone and back."""
    project = Project(synthetic)
    seeds = synthetic / "seeds"
    build(project, validate=False, progress=False)
    parked = tmp_path / "parked"
    parked.mkdir()

    def replace_facts(target: str, source: str) -> None:
        # another article's facts and text under this id: other posts, people, prefixes
        for name in ("article.txt", "facts.yaml"):
            text = (seeds / source / name).read_text(encoding="utf-8")
            (seeds / target / name).write_text(text.replace(source, target), encoding="utf-8")

    steps = [
        lambda: shutil.rmtree(seeds / "syn-000003-copy"),  # shared subjects lose a contributor
        lambda: replace_facts("syn-000000", "syn-000004"),  # first graph in the order
        lambda: replace_facts("syn-000004", "syn-000001"),  # last graph in the order
        lambda: shutil.copytree(seeds / "syn-000003", seeds / "syn-000003-copy"),
        lambda: [shutil.move(str(p), parked) for p in seeds.iterdir() if p.is_dir()],
        lambda: [shutil.move(str(p), seeds) for p in parked.iterdir()],
    ]
    for n, step in enumerate(steps):
        step()
        report = build(project, validate=False, progress=False)
        assert report.incremental, n
        expected = _full_copy(synthetic, tmp_path / f"full-{n}", False)
        assert _exports(synthetic / "kg") == expected, f"step {n}"
        assert _store_quads(synthetic / "kg") == _store_quads(tmp_path / f"full-{n}")
        articles = sorted(f"{p.name}.trig" for p in seeds.iterdir() if p.is_dir())
        assert sorted(_exports(synthetic / "kg")) == ["_entities.trig", "_ontology.trig", *articles]


def test_an_edited_or_deleted_graph_file_is_written_again(synthetic, tmp_path):
    """kg/graphs/ holds what the build wrote: a file edited or deleted since is rewritten by
    the next build, which rebuilds that article (or the entities graph) only."""
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    graphs = synthetic / "kg" / "graphs"
    edited = graphs / "syn-000002.trig"
    edited.write_bytes(edited.read_bytes().replace(b"schema:", b"schema:edited-", 1))
    (graphs / "syn-000003.trig").unlink()
    (graphs / "_entities.trig").unlink()
    report = build(project, validate=False, progress=False)
    assert report.incremental and report.rebuilt == 2
    assert _exports(synthetic / "kg") == _full_copy(synthetic, tmp_path / "full", False)


def test_a_stray_graph_file_goes_with_a_full_build(synthetic):
    project = Project(synthetic)
    build(project, validate=False, progress=False)
    stray = synthetic / "kg" / "graphs" / "gone-article.trig"
    stray.write_text("", encoding="utf-8")
    build(project, validate=False, full=True, progress=False)
    assert not stray.exists()


def test_an_incremental_build_reuses_what_the_last_one_compiled(synthetic, tmp_path, monkeypatch):
    """The registry, ontology and shapes compiled by one build are read back by the next
    (same inputs); a damaged copy is compiled again, with the same result."""
    from newskg.builder import article

    project = Project(synthetic)
    build(project, validate=False, progress=False)
    saved = (synthetic / "kg" / "store").resolve().parent / article.COMPILED_FILE
    compiled: list[object] = []
    real_init = article.Builder.__init__
    monkeypatch.setattr(
        article.Builder,
        "__init__",
        lambda self, *a, **k: compiled.append(1) or real_init(self, *a, **k),
    )
    facts = synthetic / "seeds" / "syn-000001" / "facts.yaml"
    edit_text(facts, 'title: "', 'title: "Revised: ')
    assert build(project, validate=False, progress=False).rebuilt == 1
    assert compiled == []  # read back, not compiled
    saved = (synthetic / "kg" / "store").resolve().parent / article.COMPILED_FILE
    saved.write_bytes(b"not a pickle")
    edit_text(facts, 'title: "Revised: ', 'title: "Revised twice: ')
    assert build(project, validate=False, progress=False).rebuilt == 1
    assert compiled == [1]
    assert _exports(synthetic / "kg") == _full_copy(synthetic, tmp_path / "full", False)


def test_a_reused_build_reads_its_mappings_back_and_links_what_it_read(synthetic, monkeypatch):
    """The mappings too are read back (compiled again from their checked models, no file
    read); the next build's copy of what was compiled is the same file, not a new one."""
    from newskg.builder import article

    project = Project(synthetic)
    build(project, validate=False, progress=False)
    first = (synthetic / "kg" / "store").resolve().parent / article.COMPILED_FILE

    def refuse(*_: object) -> None:
        raise AssertionError("mappings compiled from their files")

    monkeypatch.setattr(article, "compile_mappings", refuse)
    facts = synthetic / "seeds" / "syn-000002" / "facts.yaml"
    edit_text(facts, 'title: "', 'title: "Revised: ')
    assert build(project, validate=False, progress=False).rebuilt == 1
    second = (synthetic / "kg" / "store").resolve().parent / article.COMPILED_FILE
    assert second != first and second.stat().st_ino == first.stat().st_ino


def test_a_second_build_of_the_same_folder_is_refused(synthetic):
    import fcntl

    build(Project(synthetic), validate=False, progress=False)
    before = _exports(synthetic / "kg")
    with (synthetic / "kg" / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli("build", "--project", synthetic, "--no-shacl", "--full")
    assert result.code == 5, result.err
    assert "another newskg build is writing this folder" in result.err
    assert "Traceback" not in result.err
    assert _exports(synthetic / "kg") == before
