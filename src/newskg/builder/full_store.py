"""A full build's store and indexes, made while its articles are.

Both are made from the N-Quads files the articles are written to (:mod:`newskg.builder.pool`)
and from the entities and ontology graphs' file, and neither needs the other, so they need
not wait for the last article, nor for each other:

- the store is bulk-loaded in a thread of the main process as the workers append to the
  files (:meth:`~newskg.builder.commit.StagedBuild.load_growing`; Oxigraph's load releases
  the GIL and keeps a core and a half busy, beside the workers it uses what they leave);
- the indexes (:mod:`newskg.indexes`) are written by a forked process once the files are
  complete, while the store's load ends and the store is compacted.

The order in which they start matters. The index process is forked first, while this process
is small (a fork's peak memory counts what it inherits) and before any thread of the load
exists; the worker processes next; the load's thread last, so that it is forked into none of
them. The store is loaded here rather than in a forked process: a fork of a process that
had opened an Oxigraph store (a long-lived caller of :func:`newskg.builder.build`) waits
forever for that store's background threads.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from newskg.builder.background import Background
from newskg.builder.bulk_load import Waitable
from newskg.builder.commit import StagedBuild
from newskg.indexes import write_indexes

FIXED_NQUADS = "fixed.nq"  # the entities and ontology graphs' quads, in the work folder


class FullStore:
    """:meth:`begin` before the articles, :meth:`start` once their workers exist,
    :meth:`finish` and :meth:`indexes` after them; :meth:`stop` if the build fails."""

    def __init__(self, staged: StagedBuild, work: Path, pattern: str) -> None:
        self.staged, self.work, self.pattern = staged, work, pattern
        self.fixed = work / FIXED_NQUADS
        context = multiprocessing.get_context("fork")
        self._written = context.Event()  # every article's quads are in the files
        self._cancel = threading.Event()
        self._indexing: Background | None = None
        self._loading: threading.Thread | None = None
        self._failed: BaseException | None = None  # what ended the load, if not success

    def begin(self, quads: Iterable[str]) -> None:
        """Write the entities and ontology graphs' N-Quads ``quads`` (lines) and fork the
        process that writes the indexes once every file is complete."""
        with self.fixed.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(quads)
        self._indexing = Background(
            _indexes_once_written, self._written, self.staged.dir, self.fixed, self.pattern
        )

    def start(self) -> None:
        """Start loading the store from the files as they grow (once the workers exist)."""
        self._loading = threading.Thread(target=self._load, name="newskg-store", daemon=True)
        self._loading.start()

    def finish(self) -> list[Path]:
        """Every article is written: wait for the store's load to read the files to their
        end and compact the store. Returns the files it loaded."""
        self._written.set()
        if self._loading is None:  # no article was made: nothing started the load
            self.start()
        assert self._loading is not None
        self._loading.join()
        if self._failed is not None:
            raise self._failed
        return [self.fixed, *sorted(self.work.glob(self.pattern))]

    def indexes(self) -> float:
        """Wait for the indexes; the seconds they took once the files were complete."""
        assert self._indexing is not None
        return float(self._indexing.wait())

    def stop(self) -> None:
        """End the load and the index process (the build failed), before the build's folder,
        which both write in, is removed."""
        self._cancel.set()
        if self._loading is not None:
            self._loading.join()
        if self._indexing is not None:
            self._indexing.stop()

    def _load(self) -> None:
        try:
            self.staged.load_growing(
                self.fixed, self.work, self.pattern, self._written, self._cancel
            )
        except BaseException as exc:  # raised by finish(), in the main thread
            self._failed = exc


def _indexes_once_written(written: Waitable, build_dir: Path, fixed: Path, pattern: str) -> float:
    """In the index process: wait until every file is complete (or the build is gone), then
    write the indexes from them; the seconds that took."""
    parent = os.getppid()
    while not written.wait(1.0):
        if os.getppid() != parent:  # the build was killed: no one will say
            return 0.0
    mark = time.perf_counter()
    write_indexes(build_dir, [fixed, *sorted(fixed.parent.glob(pattern))])
    return time.perf_counter() - mark


__all__ = ["FIXED_NQUADS", "FullStore"]
