"""The commit of a build: a store and exports written aside, swapped into ``kg/`` atomically.

See :mod:`newskg.store` for the layout. Nothing in ``kg/`` moves until :meth:`StagedBuild.commit`
writes its journal; a build that fails or is killed before that leaves ``kg/`` as it was, and
one killed after it is finished by :func:`recover` at the start of the next build.

A build stages only the TriG files it wrote (every graph for a full build, the changed
articles' for an incremental one) and the list of files in ``kg/graphs/`` to delete (the
graphs of articles that are gone); the commit moves the one and deletes the other.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from newskg.builder.bulk_load import Concatenated, Growing, Waitable, load_parts
from newskg.builder.manifest import ManifestEntries
from newskg.builder.trash import discard
from newskg.errors import StoreError, location_of
from newskg.store import (
    GRAPHS_DIR,
    JOURNAL_FILE,
    LEGACY_RUNS_DIR,
    LOCK_FILE,
    MANIFEST_FILE,
    STORE_LINK,
    KgLayout,
)

REMOVED_FILE = "removed.json"  # in a build folder until its commit is finished
# Up to this many staged TriG files (an incremental build's), each is synced at the commit.
_FSYNC_EACH_MAX = 32

# How StagedBuild names its directory; the journal must name one of these, nothing else.
_BUILD_NAME = re.compile(r"build-[0-9]{8}T[0-9]{6}-[0-9]+-[0-9]+\Z")


@contextmanager
def build_lock(layout: KgLayout) -> Iterator[None]:
    """Hold the output folder for one build. Two builds interleaving their commits (or one
    collecting the other's fresh runs as garbage) would lose work; a second build is refused
    rather than queued so that nobody waits on a build they did not know was running. The
    lock dies with its process, so a killed build never leaves it behind."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with (layout.root / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                "another newskg build is writing this folder",
                location=location_of(layout.root),
                hint="wait for it to finish, then build again",
            ) from None
        yield


class StagedBuild:
    """A store directory and export files being written aside, swapped in by :meth:`commit`."""

    def __init__(self, layout: KgLayout) -> None:
        self.layout = layout
        self.committed = False
        layout.stores.mkdir(parents=True, exist_ok=True)
        recover(layout)
        name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        assert _BUILD_NAME.match(name)
        self.dir = layout.stores / name
        self.dir.mkdir()
        self.exports_dir = self.dir / "exports"
        self.graphs_dir = self.exports_dir / GRAPHS_DIR  # staged kg/graphs/ files
        self.graphs_dir.mkdir(parents=True)
        self.store_dir = self.dir / "store"

    def load_nquads(self, files: Iterable[Path]) -> None:
        """Bulk-load N-Quads files into the new store, then compact it.

        The files are read as one stream and loaded a part at a time, in memory bounded
        whatever their size (:func:`newskg.builder.bulk_load.load_parts`)."""
        load_parts(self.store_dir, Concatenated(files))

    def load_growing(
        self, first: Path, folder: Path, pattern: str, done: Waitable, cancel: Waitable
    ) -> None:
        """:meth:`load_nquads` of ``first`` and of the files matching ``pattern`` in
        ``folder`` while other processes still append whole lines to them (a full build's
        workers): the store loads as the articles are made. Once ``done`` is set, every
        file is read to its end; once ``cancel`` is, the load stops with an error."""
        load_parts(self.store_dir, Growing(first, folder, pattern, done, cancel))

    def update_from(
        self,
        previous: Path,
        remove: Iterable[str],
        add: Iterable[Path],
        *,
        removed_quads: Path | None = None,
    ) -> None:
        """Start from a copy of the ``previous`` store and replace some named graphs; the
        quads of those it removes are written to ``removed_quads`` (N-Quads) when given.

        ``Store.backup`` is a RocksDB checkpoint (hard links, no rewrite), so copying a large
        store costs little; the previous store itself is never opened for writing."""
        source = ox.Store.read_only(str(previous))
        try:
            source.backup(str(self.store_dir))
        finally:
            del source
        store = ox.Store(str(self.store_dir))
        graphs = [ox.NamedNode(graph[1:-1]) for graph in remove]
        try:
            if removed_quads is not None:  # what the indexes take out (newskg.indexes)
                with removed_quads.open("w", encoding="utf-8", newline="\n") as out:
                    for graph in graphs:
                        out.writelines(
                            f"{q} .\n" for q in store.quads_for_pattern(None, None, None, graph)
                        )
            for graph in graphs:
                store.remove_graph(graph)
            for path in add:  # few graphs: a transactional load is enough
                store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
            store.flush()
        finally:
            del store

    def manifest_entries(self) -> ManifestEntries:
        """The manifest of this build, open for its per-article entries: see
        :meth:`write_manifest`."""
        return ManifestEntries(self.dir / MANIFEST_FILE)

    def write_manifest(self, entries: ManifestEntries, header: dict[str, object]) -> None:
        """Build facts (base IRI, counts, content hashes) kept beside the store they
        describe: ``header``'s, and the per-article ``entries`` under ``"inputs"``."""
        entries.finish(header)

    def remove_at_commit(self, names: list[str]) -> None:
        """Files of ``kg/graphs/`` that the commit deletes (graphs no longer in the build)."""
        (self.dir / REMOVED_FILE).write_text(json.dumps(sorted(names)) + "\n", encoding="utf-8")

    def commit(self) -> None:
        """Swap exports and store in. Everything before this point can fail harmlessly.

        Export files and a symlink cannot be replaced in one atomic step, so the commit
        point is the journal ``kg/.commit`` naming this build: once it is on disk the build
        counts as done, and a commit interrupted after it (killed, disk error) is finished by
        :func:`recover` at the start of the next build. Before it, nothing in ``kg/`` moved.
        """
        # What the next build trusts is synced before the commit point. The TriG files of a
        # full build are not, one by one (an fsync each would cost more than writing them):
        # the next build compares every file with the stamp in the manifest and writes any
        # that a crash of the machine truncated again.
        staged = [self.dir / MANIFEST_FILE, self.dir / REMOVED_FILE]
        files = [Path(e.path) for e in os.scandir(self.graphs_dir)]
        if len(files) <= _FSYNC_EACH_MAX:
            staged += files
        for path in staged:
            if path.exists():
                _fsync(path)
        previous = _current_target(self.layout)
        journal_tmp = self.layout.root / f"{JOURNAL_FILE}.new-{os.getpid()}"
        journal_tmp.write_text(self.dir.name + "\n", encoding="utf-8")
        _fsync(journal_tmp)
        os.replace(journal_tmp, self.layout.journal)  # the commit point
        self.committed = True
        _fsync_dir(self.layout.root)
        _finish(self.layout, self.dir)
        _prune(self.layout, keep={self.dir, previous} - {None})

    def abort(self) -> None:
        if not self.committed:  # after the commit point, recover() needs it
            shutil.rmtree(self.dir, ignore_errors=True)


def _finish(layout: KgLayout, build_dir: Path) -> None:
    """Move the exports of a committed build into place, then point ``kg/store`` at it.
    Every step can be repeated, so an interrupted finish is simply run again."""
    exports = build_dir / "exports"
    staged = exports / GRAPHS_DIR
    if staged.is_dir():
        layout.graphs.mkdir(exist_ok=True)
        with os.scandir(staged) as entries:
            for entry in entries:
                os.replace(entry.path, layout.graphs / entry.name)
    removed = build_dir / REMOVED_FILE
    if removed.exists():
        for name in json.loads(removed.read_text(encoding="utf-8")):
            (layout.graphs / name).unlink(missing_ok=True)
    if layout.graphs.is_dir():
        _fsync_dir(layout.graphs)
    link_tmp = layout.root / f".{STORE_LINK}.new-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    os.symlink(os.path.relpath(build_dir / "store", layout.root), link_tmp)
    if layout.store.exists() and not layout.store.is_symlink():
        # A store from an older layout: move it aside so the symlink can take its place.
        shutil.move(str(layout.store), str(layout.stores / f"legacy-{os.getpid()}"))
    os.replace(link_tmp, layout.store)
    _fsync_dir(layout.root)
    shutil.rmtree(exports, ignore_errors=True)
    removed.unlink(missing_ok=True)
    shutil.rmtree(layout.root / LEGACY_RUNS_DIR, ignore_errors=True)
    layout.journal.unlink(missing_ok=True)


def recover(layout: KgLayout) -> None:
    """Finish a commit that a killed build started (see :meth:`StagedBuild.commit`).

    The journal is checked before it is trusted: it must name, in the form this module
    writes, a build directory under ``kg/.stores`` that holds a store. Anything else (a
    damaged or hand-edited journal) cannot be finished, and the previous build stands."""
    try:
        raw = layout.journal.read_bytes()[:256]
    except FileNotFoundError:
        return
    except OSError:  # a folder, no permission: not a journal this module wrote
        raw = b""
    try:
        name = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        name = ""
    build_dir = layout.stores / name
    if _BUILD_NAME.match(name) and (build_dir / "store").is_dir() and not build_dir.is_symlink():
        _finish(layout, build_dir)
    else:
        _remove(layout.journal)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _current_target(layout: KgLayout) -> Path | None:
    """The build directory ``kg/store`` points into, if it is one of ``kg/.stores``."""
    if not layout.store.is_symlink():
        return None
    try:
        target = layout.store.resolve(strict=True).parent
    except (OSError, RuntimeError):  # dangling, or a loop: no usable previous build
        return None
    return target if target.parent == layout.stores.resolve() else None


def _prune(layout: KgLayout, keep: set[Path | None]) -> None:
    keep_resolved = {p.resolve() for p in keep if p is not None}
    discard(layout, [e for e in layout.stores.iterdir() if e.resolve() not in keep_resolved])
