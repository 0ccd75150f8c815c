"""The text index: every sentence's and quote's text in SQLite FTS5, to find text fast.

``CONTAINS`` over every sentence is a scan of the whole graph: seconds at 10k articles. FTS5's
trigram tokenizer indexes every three-character run of a text (in any case), so the texts
that hold every trigram of a fragment of three characters or more are found by the index.
They are a superset of the texts that contain the fragment, in any case or in its own: the
saved query that asked applies its own filter to them (``newskg.query.saved``), so the
answer is exact. Positions are not kept (``detail=none``): the index is smaller and
quicker to write, and the query's filter drops the few texts that hold the trigrams apart.

The index is one table ``texts(text, node, graph)``: each ``schema:text`` statement of the
store, with its subject's IRI and its named graph. A full build writes it whole
(``text.sqlite``, the *base*). An incremental build leaves the base as it is (a hard link
to the previous build's) and writes the changes since beside it
(``text-changes.sqlite``): the same table for the graphs written since the base, and a
table ``replaced(graph)`` of the graphs whose rows in the base no longer count. Its cost is
that of the changes, not of the base; once the changes grow past :data:`COMPACT_SHARE`
of the base, both are merged into a new base.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from newskg.files import line_blocks, shared_copy
from newskg.rdf import SCHEMA

# The most candidates a search hands to SPARQL: past this, a fragment in a fifth of the
# texts of 10k articles, a scan of every text is about as quick as naming them all.
MOST_CANDIDATES = 20_000
_TEXT_PREDICATE = ox.NamedNode(f"{SCHEMA}text")
_TEXT = str(_TEXT_PREDICATE)
_SHORTEST = 3  # a trigram index finds nothing shorter than a trigram
_CREATE = (
    "CREATE VIRTUAL TABLE texts USING fts5("
    "text, node UNINDEXED, graph UNINDEXED, tokenize='trigram', detail=none)"
)
_REPLACED = "CREATE TABLE replaced(graph TEXT PRIMARY KEY) WITHOUT ROWID"
# Changes past this share of the base's size are merged into a new base.
COMPACT_SHARE = 0.125
_NEEDLE = f" {_TEXT} ".encode("ascii")
_CHUNK = 1 << 24


def write(
    path: Path,
    nquads: Path | list[Path],
    *,
    previous: Path | None = None,
    replaced: Iterable[str] = (),
    compact_share: float = COMPACT_SHARE,
) -> None:
    """Write the text index of the ``schema:text`` statements in the ``nquads`` files to
    ``path``; with ``previous``, that index less the rows of the ``replaced`` graphs
    (N-Triples IRIs), plus those in ``nquads``."""
    files = [nquads] if isinstance(nquads, Path) else nquads
    graphs = [(g[1:-1],) for g in replaced]
    if previous is None:
        _write_base(path, files)
        return
    old_changes = changes_path(previous)
    if old_changes.is_file() and os.path.getsize(old_changes) > compact_share * os.path.getsize(
        previous
    ):
        _compact(path, previous, files, graphs)
        return
    _check(previous)
    shared_copy(previous, path)
    changes = changes_path(path)
    if old_changes.is_file():
        shutil.copyfile(old_changes, changes)
    connection = sqlite3.connect(changes)
    try:
        with connection:
            if not old_changes.is_file():
                connection.execute(_CREATE)
                connection.execute(_REPLACED)
            # the changes are small: finding a graph's rows by a scan costs little
            connection.executemany("DELETE FROM texts WHERE graph = ?", graphs)
            connection.executemany("INSERT OR IGNORE INTO replaced VALUES (?)", graphs)
            for file in files:
                connection.executemany("INSERT INTO texts VALUES (?, ?, ?)", _texts(file))
    finally:
        connection.close()


def changes_path(path: Path) -> Path:
    """Where the changes to the base index ``path`` are (``text-changes.sqlite``)."""
    return path.with_name(f"{path.stem}-changes{path.suffix}")


def _write_base(path: Path, files: list[Path]) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(_CREATE)
            for file in files:
                connection.executemany("INSERT INTO texts VALUES (?, ?, ?)", _texts(file))
        _optimize(connection)
    finally:
        connection.close()


def _compact(path: Path, previous: Path, files: list[Path], graphs: list[tuple[str]]) -> None:
    """A new base: the previous base with its changes merged in, then this build's."""
    shutil.copyfile(previous, path)
    connection = sqlite3.connect(path.resolve().as_uri(), uri=True)
    try:
        uri = f"{changes_path(previous).resolve().as_uri()}?mode=ro"
        connection.execute("ATTACH DATABASE ? AS changes", (uri,))
        with connection:
            connection.execute(
                "DELETE FROM main.texts WHERE graph IN (SELECT graph FROM changes.replaced)"
            )
            connection.execute("INSERT INTO main.texts SELECT * FROM changes.texts")
            connection.executemany("DELETE FROM main.texts WHERE graph = ?", graphs)
            for file in files:
                connection.executemany("INSERT INTO main.texts VALUES (?, ?, ?)", _texts(file))
        connection.execute("DETACH DATABASE changes")
        _optimize(connection)
    finally:
        connection.close()


def _optimize(connection: sqlite3.Connection) -> None:
    """One segment, for the quickest searches (an update adds a few)."""
    connection.execute("INSERT INTO texts(texts) VALUES ('optimize')")
    connection.commit()


def _check(path: Path) -> None:
    """Raise sqlite3.DatabaseError unless ``path`` is a text index (its first page read)."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        connection.execute("SELECT text, node, graph FROM texts LIMIT 1").fetchall()
    finally:
        connection.close()


class TextIndex:
    """A build's text index, opened read-only: its base and, when an incremental build
    wrote them, the changes since."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        changes = changes_path(path)
        self._changed = changes.is_file()
        if self._changed:
            changes_uri = f"{changes.resolve().as_uri()}?mode=ro&immutable=1"
            self._connection.execute("ATTACH DATABASE ? AS changes", (changes_uri,))

    @classmethod
    def open(cls, path: Path) -> TextIndex | None:
        """The index at ``path``, or None when the build wrote none."""
        if not path.is_file():
            return None
        try:
            return cls(path)
        except sqlite3.Error:
            return None

    def nodes_containing(self, fragment: str, *, any_case: bool = False) -> list[str] | None:
        """The IRIs of every node whose text contains ``fragment`` (and maybe more: the
        caller filters), or None when the index cannot tell: a fragment shorter than three
        characters, more than :data:`MOST_CANDIDATES` nodes, or, for ``any_case``, a
        fragment beyond ASCII, where SQLite's case folding and SPARQL's ``LCASE`` may
        differ."""
        if len(fragment) < _SHORTEST or (any_case and not fragment.isascii()):
            return None
        # trigrams that cover the fragment without overlapping (and the last): a text that
        # holds the fragment holds them all, and each one fewer to intersect saves time
        starts = [*range(0, len(fragment) - 2, 3), len(fragment) - 3]
        trigrams = dict.fromkeys(fragment[i : i + 3] for i in starts)
        every = " AND ".join('"' + t.replace('"', '""') + '"' for t in trigrams)
        # in its own case the fragment is looked for exactly (instr counts code points, as
        # CONTAINS does); in any case, SQLite folds only ASCII, so the query's filter decides
        where = "texts MATCH ?1" + ("" if any_case else " AND instr(text, ?2) > 0")
        query = f"SELECT DISTINCT node FROM texts WHERE {where} LIMIT ?3"
        if self._changed:  # the base's rows of graphs written since do not count
            query = (
                f"SELECT DISTINCT node FROM (SELECT node FROM main.texts WHERE {where} AND "
                "graph NOT IN (SELECT graph FROM changes.replaced) "
                f"UNION ALL SELECT node FROM changes.texts WHERE {where}) LIMIT ?3"
            )
        try:
            rows = self._connection.execute(
                query, (every, "" if any_case else fragment, MOST_CANDIDATES + 1)
            ).fetchall()
        except sqlite3.Error:
            return None
        if len(rows) > MOST_CANDIDATES:
            return None
        return [row[0] for row in rows]


def _texts(nquads: Path) -> Iterator[tuple[str, str, str]]:
    """(text, node IRI, graph IRI) of every ``schema:text`` statement in ``nquads``, read a
    block at a time, so that memory stays that of one block whatever the file's size."""
    for block in line_blocks(nquads, _CHUNK):
        yield from _parsed(_lines_with(_NEEDLE, block))


def _parsed(lines: Iterator[bytes]) -> Iterator[tuple[str, str, str]]:
    """(text, node IRI, graph IRI) of the ``schema:text`` statements among N-Quads lines."""
    document = b"".join(lines)
    if not document.strip():
        return
    for quad in ox.parse(document, format=ox.RdfFormat.N_QUADS):
        subject, text, graph = quad.subject, quad.object, quad.graph_name
        if quad.predicate == _TEXT_PREDICATE and isinstance(text, ox.Literal):
            yield text.value, subject.value, str(graph)[1:-1]


def _lines_with(needle: bytes, block: bytes) -> Iterator[bytes]:
    """The lines of ``block`` (whole lines) that hold ``needle``, found by ``bytes.find``,
    which skips the lines in between at memory speed."""
    at = block.find(needle)
    while at != -1:
        start = block.rfind(b"\n", 0, at) + 1
        end = block.find(b"\n", at) + 1 or len(block)
        yield block[start:end]
        at = block.find(needle, end)
