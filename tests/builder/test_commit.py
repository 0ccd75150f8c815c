"""`newskg.builder.commit`: the journal kg/.commit is checked before it is trusted."""

from __future__ import annotations

import os
import threading
import time

import pyoxigraph as ox
import pytest

from newskg.builder.commit import StagedBuild, recover
from newskg.store import KgLayout
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "journal",
    [
        b"..\n",  # made kg/store a symlink to itself, and every later build crashed
        b".\n",
        b"../../etc\n",
        b"build-20260101T000000-1-1/../..\n",
        bytes(range(256)),  # gave UnicodeDecodeError on every build
        b"",
        b"build-20260101T000000-1-1\n",  # the form of a build name, but no such build
    ],
)
def test_a_damaged_journal_is_dropped_and_the_build_stands(project, journal):
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    layout = KgLayout(project / "kg")
    before = os.readlink(layout.store)
    layout.journal.write_bytes(journal)
    recover(layout)
    assert not layout.journal.exists()
    assert os.readlink(layout.store) == before
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0
    layout.journal.write_bytes(journal)
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0


def test_a_store_link_that_loops_is_replaced_by_the_next_build(project):
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    layout = KgLayout(project / "kg")
    layout.store.unlink()
    layout.store.symlink_to("store")  # what a journal of ".." used to leave
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 0, result.err
    assert layout.store.resolve().parent.parent == layout.stores.resolve()
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0


def test_the_store_is_loaded_from_every_file_as_one_stream(tmp_path):
    """Files are read one after the other; one that does not end its last line does not
    run it into the next file's first, and an empty file adds nothing."""
    lines = [f'<http://e/s{i}> <http://e/p> "v {i}" <http://e/g{i % 3}> .\n' for i in range(9)]
    files = []
    for name, text in [
        ("a", lines[0] + lines[1]),
        ("b", lines[2].rstrip("\n")),
        ("c", ""),
        ("d", "".join(lines[3:])),
    ]:
        files.append(tmp_path / f"{name}.nq")
        files[-1].write_text(text, encoding="utf-8")
    layout = KgLayout(tmp_path / "kg")
    staged = StagedBuild(layout)
    staged.load_nquads(files)
    store = ox.Store.read_only(str(staged.store_dir))
    loaded = {f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in store}
    assert loaded == set(lines)


def test_the_store_loads_files_as_workers_append_to_them(tmp_path):
    """Lines are taken only once whole (a write may stop mid-line), from files that appear
    later too, and everything is read once the writers are done; a last line without its
    newline still counts."""
    lines = [f'<http://e/s{i}> <http://e/p> "v {i}" <http://e/g{i % 3}> .\n' for i in range(40)]
    work = tmp_path / "work"
    work.mkdir()
    first = work / "fixed.nq"
    first.write_text(lines[0], encoding="utf-8")
    done = threading.Event()
    staged = StagedBuild(KgLayout(tmp_path / "kg"))
    loading = threading.Thread(
        target=staged.load_growing, args=(first, work, "articles-*.nq", done, threading.Event())
    )
    loading.start()
    with (work / "articles-1.nq").open("a", encoding="utf-8") as one:
        for line in lines[1:20]:
            one.write(line[:10])
            one.flush()
            time.sleep(0.005)
            one.write(line[10:])
            one.flush()
    (work / "articles-2.nq").write_text("".join(lines[20:]).rstrip("\n"), encoding="utf-8")
    done.set()
    loading.join(timeout=60)
    assert not loading.is_alive()
    store = ox.Store.read_only(str(staged.store_dir))
    loaded = {f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in store}
    assert loaded == set(lines)


@pytest.mark.parametrize("part", [1, 7, 60, 4096, "exact"])
def test_the_store_is_loaded_a_part_at_a_time_without_cutting_a_line(tmp_path, monkeypatch, part):
    """Each bulk load is handed about ``_LOAD_PART`` bytes and the rest of the line they end
    in; a part that ends where the input does leaves nothing out and adds nothing."""
    long_text = "x" * 300  # a line far longer than the small parts
    lines = [f'<http://e/s{i}> <http://e/p> "{long_text if i % 4 == 0 else i}" <http://e/g> .\n'
             for i in range(12)]  # fmt: skip
    source = tmp_path / "all.nq"
    source.write_text("".join(lines), encoding="utf-8")
    size = source.stat().st_size if part == "exact" else part
    monkeypatch.setattr("newskg.builder.commit._LOAD_PART", size)
    staged = StagedBuild(KgLayout(tmp_path / "kg"))
    staged.load_nquads([source])
    store = ox.Store.read_only(str(staged.store_dir))
    loaded = {f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in store}
    assert loaded == set(lines)
