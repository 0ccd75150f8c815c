"""What tells a build whether an article changed: stat stamps and content hashes.

An article's *stamp* is the size, mtime and ctime of its ``article.txt`` and ``facts.yaml``;
its *content hash* a SHA-256 of the two files' bytes. The manifest keeps both per article
(:mod:`newskg.builder.plan` compares them); an export's stamp (size and mtime of its TriG
file) tells whether ``kg/`` still holds the file the build wrote. The process that builds an
article takes its stamp, then its hash, before reading it (:func:`stamp_and_hash`): a change
after that moves the stamp, and the next build hashes the article again.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from newskg.errors import InputError
from newskg.files import read_input
from newskg.inputs.article import ARTICLE_FILE, FACTS_FILE, MAX_ARTICLE_BYTES

# A file changed this close to when its stamp was taken may change again within the same
# timestamp tick without its stamp moving: such a stamp is not recorded, so it is hashed.
RACY_NS = 2_000_000_000

Stamp = list[int]


def input_stamp(folder: str, facts: os.stat_result, recent_ns: int) -> Stamp | None:
    """Size, mtime and ctime of an article's two files (``facts``: facts.yaml's ``stat``);
    None when article.txt is missing or either changed after ``recent_ns``, too recently for
    its stamp to be trusted next time."""
    try:
        text = os.stat(f"{folder}{os.sep}{ARTICLE_FILE}")
    except OSError:
        return None
    stamp: Stamp = []
    for info in (text, facts):
        if max(info.st_mtime_ns, info.st_ctime_ns) > recent_ns:
            return None
        stamp += (info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    return stamp


def stamp_and_hash(folder: str | Path) -> tuple[Stamp | None, str]:
    """An article's stamp and content hash, taken in that order, now."""
    base = os.fspath(folder)
    try:
        facts = os.stat(f"{base}{os.sep}{FACTS_FILE}")
        stamp = input_stamp(base, facts, time.time_ns() - RACY_NS)
    except OSError:  # the build reports the missing file when it loads the article
        stamp = None
    return stamp, content_hash(base)


def export_stamp(path: str | Path) -> Stamp | None:
    """Size and mtime of a TriG file (a rename keeps both): whether kg/ still holds what the
    build wrote. None when it is missing."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def content_hash(folder: str | Path) -> str:
    """What decides whether an article is rebuilt: its text and facts, byte for byte."""
    digest = hashlib.sha256()
    base = os.fspath(folder)
    for name in (ARTICLE_FILE, FACTS_FILE):
        digest.update(file_bytes(os.path.join(base, name)))
        digest.update(b"\0")
    return digest.hexdigest()


def file_bytes(path: str) -> bytes:
    """A file's bytes, or a marker when it cannot be an input (missing, a folder, a FIFO or
    device, unreadable, too large): the article is then rebuilt and load_article names the
    file and the problem, where an error here would read as a failed write. Every build
    hashes every article, so this stays on os-level calls (see read_input)."""
    try:
        return read_input(path, max_bytes=MAX_ARTICLE_BYTES)
    except InputError as exc:
        return b"\xff " + exc.message.encode()


__all__ = [
    "RACY_NS",
    "Stamp",
    "content_hash",
    "export_stamp",
    "file_bytes",
    "input_stamp",
    "stamp_and_hash",
]
