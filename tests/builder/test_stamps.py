"""Stamps and content hashes: what tells a build an article changed."""

from __future__ import annotations

import time

from newskg.builder import stamps
from newskg.builder.stamps import content_hash, export_stamp, stamp_and_hash


def _article(tmp_path, text: str = "Text.\n", facts: str = "facts: []\n"):
    folder = tmp_path / "a-1"
    folder.mkdir(exist_ok=True)
    (folder / "article.txt").write_text(text, encoding="utf-8")
    (folder / "facts.yaml").write_text(facts, encoding="utf-8")
    return folder


def test_a_file_just_written_has_no_stamp_but_a_hash(tmp_path):
    folder = _article(tmp_path)
    stamp, sha = stamp_and_hash(folder)
    assert stamp is None  # its ctime is now: a change within the same tick would not show
    assert sha == content_hash(folder) and len(sha) == 64


def test_an_article_left_alone_has_sizes_and_times_of_both_files(tmp_path, monkeypatch):
    folder = _article(tmp_path, text="Text!\n", facts="facts: []\n")
    later = time.time_ns() + 10 * 10**9  # the build looks at it ten seconds after the edit
    monkeypatch.setattr(stamps.time, "time_ns", lambda: later)
    stamp, _ = stamp_and_hash(folder)
    text, facts = (folder / "article.txt").stat(), (folder / "facts.yaml").stat()
    assert stamp == [
        *(text.st_size, text.st_mtime_ns, text.st_ctime_ns),
        *(facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns),
    ]


def test_the_hash_follows_either_file(tmp_path):
    first = content_hash(_article(tmp_path))
    assert content_hash(_article(tmp_path, text="Other.\n")) != first
    assert content_hash(_article(tmp_path, facts="facts: [1]\n")) != content_hash(
        _article(tmp_path, text="Other.\n")
    )


def test_a_missing_file_still_hashes_and_has_no_stamp(tmp_path):
    folder = _article(tmp_path)
    (folder / "facts.yaml").unlink()
    stamp, sha = stamp_and_hash(folder)
    assert stamp is None and len(sha) == 64
    assert sha != content_hash(_article(tmp_path))


def test_an_export_stamp_is_size_and_mtime_or_none(tmp_path):
    path = tmp_path / "a.trig"
    assert export_stamp(path) is None
    path.write_text("x", encoding="utf-8")
    assert export_stamp(path) == [1, path.stat().st_mtime_ns]
