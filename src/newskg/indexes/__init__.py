"""Indexes a build writes beside its store, so that readers load them instead of making them.

Both live in the build's own folder (``kg/.stores/<build>/``, see :mod:`newskg.store`), so
the symlink swap that publishes a store publishes its indexes with it, and a reader always
gets the indexes of the store it opened:

- ``traversal/``: every node's edges as arrays over term numbers
  (:mod:`newskg.indexes.traversal`), read by ``KnowledgeGraph.open(in_memory=True)``;
- ``text.sqlite``: the text of every sentence and quote in an SQLite FTS5 index
  (:mod:`newskg.indexes.text`), which answers the saved queries that search text.

A full build calls :func:`write_indexes` from scratch, from the N-Quads files its store is
loaded from, in a process of its own while the store loads; an incremental one, once its
store is complete, as the previous build's indexes with the changes written beside them
(:mod:`newskg.indexes.traversal_update`, :mod:`newskg.indexes.text`): what it costs follows
the change, not the size of the graph.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from newskg.indexes import text

TRAVERSAL_DIR = "traversal"
TEXT_FILE = "text.sqlite"
_DUMP = "all-quads.nq"


def write_indexes(
    build_dir: Path,
    nquads: Path | list[Path],
    *,
    previous_dir: Path | None = None,
    replaced_graphs: Iterable[str] = (),
    replaced_quads: Path | None = None,
) -> None:
    """Write the indexes of the store ``build_dir/store`` beside it. The ``nquads`` files hold
    every quad of the store (a full build) or, with ``previous_dir``, the quads of the graphs that
    replace ``replaced_graphs`` (N-Triples IRIs, ``<…>``) of the previous build, whose
    indexes are the starting point; ``replaced_quads`` (N-Quads) holds those graphs' quads
    as the previous store held them. When the previous indexes are missing or damaged, or
    ``replaced_quads`` is not given, the whole store is indexed anew."""
    # numpy is imported here: a build with nothing to do never writes an index
    from newskg.indexes import traversal, traversal_update, traversal_write

    replaced = list(replaced_graphs)
    if (
        previous_dir is not None
        and replaced_quads is not None
        and traversal.exists(previous_dir / TRAVERSAL_DIR)
        and (previous_dir / TEXT_FILE).is_file()
    ):
        try:
            traversal_update.update(
                build_dir / TRAVERSAL_DIR,
                previous_dir / TRAVERSAL_DIR,
                replaced_quads,
                nquads,
            )
            text.write(
                build_dir / TEXT_FILE, nquads, previous=previous_dir / TEXT_FILE, replaced=replaced
            )
            return
        # the previous ones are damaged: a file cut short, missing or of another kind
        except (ValueError, KeyError, IndexError, EOFError, OSError, sqlite3.DatabaseError):
            _remove(build_dir)
    if previous_dir is not None:  # none to start from (an older newskg's build): all anew
        nquads = [_dumped(build_dir)]
    try:
        traversal_write.write(build_dir / TRAVERSAL_DIR, nquads)
        text.write(build_dir / TEXT_FILE, nquads)
    finally:
        (build_dir / _DUMP).unlink(missing_ok=True)


def _remove(build_dir: Path) -> None:
    shutil.rmtree(build_dir / TRAVERSAL_DIR, ignore_errors=True)
    for path in (build_dir / TEXT_FILE, text.changes_path(build_dir / TEXT_FILE)):
        path.unlink(missing_ok=True)


def _dumped(build_dir: Path) -> Path:
    """Every quad of the store in an N-Quads file: for a previous build that has no index."""
    store = ox.Store.read_only(str(build_dir / "store"))
    try:
        store.dump(str(build_dir / _DUMP), format=ox.RdfFormat.N_QUADS)
    finally:
        del store
    return build_dir / _DUMP


__all__ = ["TEXT_FILE", "TRAVERSAL_DIR", "write_indexes"]
