"""Indexes a build writes beside its store, so that readers load them instead of making them.

Both live in the build's own folder (``kg/.stores/<build>/``, see :mod:`newskg.store`), so
the symlink swap that publishes a store publishes its indexes with it, and a reader always
gets the indexes of the store it opened:

- ``traversal/``: every node's edges as arrays over term numbers
  (:mod:`newskg.indexes.traversal`), read by ``KnowledgeGraph.open(in_memory=True)``;
- ``text.sqlite``: the text of every sentence and quote in an SQLite FTS5 index
  (:mod:`newskg.indexes.text`), which answers the saved queries that search text.

A build calls :func:`write_indexes` once its store is complete: from scratch for a full
build, or from the previous build's indexes with the changed articles' graphs replaced.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from newskg.indexes import text, traversal

TRAVERSAL_DIR = "traversal"
TEXT_FILE = "text.sqlite"
_DUMP = "all-quads.nq"


def write_indexes(
    build_dir: Path,
    nquads: Path | list[Path],
    *,
    previous_dir: Path | None = None,
    replaced_graphs: Iterable[str] = (),
) -> None:
    """Write the indexes of the store ``build_dir/store`` beside it. The ``nquads`` files hold
    every quad of the store (a full build) or, with ``previous_dir``, the quads of the graphs that
    replace ``replaced_graphs`` (N-Triples IRIs, ``<…>``) of the previous build, whose
    indexes are the starting point (when they are missing or damaged, the whole store is
    indexed anew)."""
    replaced = list(replaced_graphs)
    if previous_dir is not None and (
        traversal.exists(previous_dir / TRAVERSAL_DIR) and (previous_dir / TEXT_FILE).is_file()
    ):
        try:
            _write(build_dir, nquads, previous_dir, replaced)
            return
        # the previous ones are damaged: a file cut short, missing or of another kind
        except (ValueError, KeyError, EOFError, FileNotFoundError, sqlite3.DatabaseError):
            _remove(build_dir)
    if previous_dir is not None:  # none to start from (an older newskg's build): all anew
        nquads = [_dumped(build_dir)]
    try:
        _write(build_dir, nquads, None, [])
    finally:
        (build_dir / _DUMP).unlink(missing_ok=True)


def _write(
    build_dir: Path, nquads: Path | list[Path], previous_dir: Path | None, replaced: list[str]
) -> None:
    old_traversal = None if previous_dir is None else previous_dir / TRAVERSAL_DIR
    traversal.write(build_dir / TRAVERSAL_DIR, nquads, previous=old_traversal, removed=replaced)
    old_text = None if previous_dir is None else previous_dir / TEXT_FILE
    text.write(build_dir / TEXT_FILE, nquads, previous=old_text, replaced=replaced)


def _remove(build_dir: Path) -> None:
    shutil.rmtree(build_dir / TRAVERSAL_DIR, ignore_errors=True)
    (build_dir / TEXT_FILE).unlink(missing_ok=True)


def _dumped(build_dir: Path) -> Path:
    """Every quad of the store in an N-Quads file: for a previous build that has no index."""
    store = ox.Store.read_only(str(build_dir / "store"))
    try:
        store.dump(str(build_dir / _DUMP), format=ox.RdfFormat.N_QUADS)
    finally:
        del store
    return build_dir / _DUMP


__all__ = ["TEXT_FILE", "TRAVERSAL_DIR", "write_indexes"]
