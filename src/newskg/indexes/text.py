"""The text index: every sentence's and quote's text in SQLite FTS5, to find text fast.

``CONTAINS`` over every sentence is a scan of the whole graph: seconds at 10k articles. FTS5's
trigram tokenizer indexes every three-character run of a text (in any case), so the texts
that hold every trigram of a fragment of three characters or more are found by the index.
They are a superset of the texts that contain the fragment, in any case or in its own: the
saved query that asked applies its own filter to them (``newskg.query.saved``), so the
answer is exact. Positions are not kept (``detail=none``): the index is smaller and
quicker to write, and the query's filter drops the few texts that hold the trigrams apart.

The index is one table ``texts(text, node, graph)``: each ``schema:text`` statement of the
store, with its subject's IRI and its named graph, so that an incremental build deletes the
rows of the graphs it replaces and adds the new ones to a copy of the previous index.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

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
_NEEDLE = f" {_TEXT} ".encode("ascii")
_CHUNK = 1 << 24


def write(
    path: Path,
    nquads: Path | list[Path],
    *,
    previous: Path | None = None,
    replaced: Iterable[str] = (),
) -> None:
    """Write the text index of the ``schema:text`` statements in the ``nquads`` files to
    ``path``;
    with ``previous``, a copy of that index less the rows of the ``replaced`` graphs
    (N-Triples IRIs), plus those in ``nquads``."""
    if previous is not None:
        shutil.copyfile(previous, path)
    connection = sqlite3.connect(path)
    try:
        with connection:
            if previous is None:
                connection.execute(_CREATE)
            else:
                connection.executemany(
                    "DELETE FROM texts WHERE graph = ?", ((g[1:-1],) for g in replaced)
                )
            for file in [nquads] if isinstance(nquads, Path) else nquads:
                connection.executemany("INSERT INTO texts VALUES (?, ?, ?)", _texts(file))
        if previous is None:  # one segment, for the quickest searches; an update adds a few
            connection.execute("INSERT INTO texts(texts) VALUES ('optimize')")
            connection.commit()
    finally:
        connection.close()


class TextIndex:
    """A build's text index, opened read-only."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)

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
        exact = "" if any_case else " AND instr(text, ?) > 0"
        try:
            rows = self._connection.execute(
                f"SELECT DISTINCT node FROM texts WHERE texts MATCH ?{exact} LIMIT ?",
                (every, *(() if any_case else (fragment,)), MOST_CANDIDATES + 1),
            ).fetchall()
        except sqlite3.Error:
            return None
        if len(rows) > MOST_CANDIDATES:
            return None
        return [row[0] for row in rows]


def _texts(nquads: Path) -> Iterator[tuple[str, str, str]]:
    """(text, node IRI, graph IRI) of every ``schema:text`` statement in ``nquads``."""
    found = []
    with nquads.open("rb") as handle:
        rest = b""
        while block := handle.read(_CHUNK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            found.extend(_lines_with(_NEEDLE, block[:cut]))
            rest = block[cut:]
    found.extend(_lines_with(_NEEDLE, rest + b"\n"))
    for quad in ox.parse(b"".join(found), format=ox.RdfFormat.N_QUADS):
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
