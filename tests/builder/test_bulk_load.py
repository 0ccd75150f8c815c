"""`newskg.builder.bulk_load`: a store loaded from N-Quads files, a part at a time, with few
files open."""

from __future__ import annotations

import os
import resource
import threading
import time

import pyoxigraph as ox
import pytest

from newskg.builder import bulk_load
from newskg.builder.bulk_load import Concatenated, load_parts
from newskg.builder.commit import StagedBuild
from newskg.store import KgLayout


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
    """Each bulk load is handed about ``LOAD_PART`` bytes and the rest of the line they end
    in; a part that ends where the input does leaves nothing out and adds nothing."""
    long_text = "x" * 300  # a line far longer than the small parts
    lines = [f'<http://e/s{i}> <http://e/p> "{long_text if i % 4 == 0 else i}" <http://e/g> .\n'
             for i in range(12)]  # fmt: skip
    source = tmp_path / "all.nq"
    source.write_text("".join(lines), encoding="utf-8")
    size = source.stat().st_size if part == "exact" else part
    monkeypatch.setattr("newskg.builder.bulk_load.LOAD_PART", size)
    staged = StagedBuild(KgLayout(tmp_path / "kg"))
    staged.load_nquads([source])
    store = ox.Store.read_only(str(staged.store_dir))
    loaded = {f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n" for q in store}
    assert loaded == set(lines)


def _load_recording_the_limit(tmp_path, monkeypatch) -> list[int]:
    """Load a small file; the soft limit on open files each store opened under."""
    source = tmp_path / "all.nq"
    source.write_text('<http://e/s> <http://e/p> "v" <http://e/g> .\n', encoding="utf-8")
    seen: list[int] = []
    real = ox.Store

    def opening(path: str) -> ox.Store:
        seen.append(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        return real(path)

    monkeypatch.setattr(bulk_load.ox, "Store", opening)
    load_parts(tmp_path / "store", Concatenated([source]))
    return seen


def test_the_store_opens_with_few_tables_and_the_limit_is_put_back(tmp_path, monkeypatch):
    """Oxigraph sizes RocksDB's cache of open files, each holding its index in memory,
    from the limit on open files when the store opens (docs/performance.md)."""
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    seen = _load_recording_the_limit(tmp_path, monkeypatch)
    assert seen == [bulk_load._OXIGRAPH_RESERVE + bulk_load._OPEN_TABLES]
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before


def test_a_limit_already_low_is_left_as_it_is(tmp_path, monkeypatch):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (100, hard))
    try:
        assert _load_recording_the_limit(tmp_path, monkeypatch) == [100]
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (100, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_process_holding_many_descriptors_keeps_room_to_open_more(tmp_path, monkeypatch):
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(200)]
    try:
        seen = _load_recording_the_limit(tmp_path, monkeypatch)
        assert seen[0] >= len(held) + bulk_load._HEADROOM
    finally:
        for fd in held:
            os.close(fd)
