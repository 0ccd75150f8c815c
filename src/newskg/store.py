"""The Oxigraph store on disk: built aside, swapped in atomically, opened read-only.

Layout of the output folder (``kg/`` by default)::

    kg/store          symlink -> .stores/<build>   (what readers open; git-ignored)
    kg/.stores/       store directories; the previous one is kept so that a reader that
                      opened it just before a swap can finish its query
    kg/newskg.ttl     deterministic exports (committed)
    kg/newskg.trig

Why a symlink: replacing a symlink with ``os.replace`` is atomic on POSIX, so a reader sees
either the old store or the new one, never a half-written directory, and a build that fails
or is killed before the swap leaves ``kg/`` exactly as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from newskg.errors import NotFoundError, StoreError, location_of

STORE_LINK = "store"
STORES_DIR = ".stores"
TURTLE_EXPORT = "newskg.ttl"
TRIG_EXPORT = "newskg.trig"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class KgLayout:
    root: Path

    @property
    def store(self) -> Path:
        return self.root / STORE_LINK

    @property
    def stores(self) -> Path:
        return self.root / STORES_DIR

    @property
    def turtle(self) -> Path:
        return self.root / TURTLE_EXPORT

    @property
    def trig(self) -> Path:
        return self.root / TRIG_EXPORT


class StagedBuild:
    """A store directory and export files being written aside, swapped in by :meth:`commit`."""

    def __init__(self, layout: KgLayout) -> None:
        self.layout = layout
        layout.stores.mkdir(parents=True, exist_ok=True)
        name = f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        self.dir = layout.stores / name
        self.dir.mkdir()
        self.exports_dir = self.dir / "exports"
        self.exports_dir.mkdir()
        self.store_dir = self.dir / "store"

    def load_nquads(self, nquads: Iterable[bytes] | bytes) -> None:
        store = ox.Store(str(self.store_dir))
        try:
            if isinstance(nquads, bytes):
                store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
            else:
                for chunk in nquads:
                    store.bulk_load(input=chunk, format=ox.RdfFormat.N_QUADS)
            store.flush()
            store.optimize()
        finally:
            del store

    def write_manifest(self, manifest: dict[str, object]) -> None:
        """Build facts (base IRI, counts, content hashes) kept beside the store they describe."""
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        (self.dir / MANIFEST_FILE).write_text(text, encoding="utf-8")

    def export_path(self, name: str) -> Path:
        return self.exports_dir / name

    def commit(self) -> None:
        """Swap exports and store in. Everything before this point can fail harmlessly."""
        for export in sorted(self.exports_dir.iterdir()):
            _fsync(export)
            os.replace(export, self.layout.root / export.name)
        previous = _current_target(self.layout)
        link_tmp = self.layout.root / f".{STORE_LINK}.new-{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(os.path.relpath(self.dir / "store", self.layout.root), link_tmp)
        if self.layout.store.exists() and not self.layout.store.is_symlink():
            # A store from an older layout: move it aside so the symlink can take its place.
            shutil.move(str(self.layout.store), str(self.layout.stores / f"legacy-{os.getpid()}"))
        os.replace(link_tmp, self.layout.store)
        shutil.rmtree(self.exports_dir, ignore_errors=True)
        _prune(self.layout, keep={self.dir, previous} - {None})

    def abort(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _current_target(layout: KgLayout) -> Path | None:
    if layout.store.is_symlink():
        return layout.store.resolve().parent
    return None


def _prune(layout: KgLayout, keep: set[Path | None]) -> None:
    keep_resolved = {p.resolve() for p in keep if p is not None}
    for entry in layout.stores.iterdir():
        if entry.resolve() not in keep_resolved:
            shutil.rmtree(entry, ignore_errors=True)


def open_store(path: Path) -> ox.Store:
    """Open a built store read-only. ``path`` is ``kg/`` or ``kg/store``."""
    if (path / STORE_LINK).exists() and not (path / "CURRENT").exists():
        path = path / STORE_LINK
    if not path.exists():
        raise NotFoundError(
            "no store here",
            location=location_of(path),
            hint="run 'newskg build' first, or pass the folder that holds kg/store",
        )
    real = path.resolve()
    try:
        return ox.Store.read_only(str(real))
    except OSError as exc:
        raise StoreError(
            f"cannot open the store: {exc}",
            location=location_of(path),
            hint="rebuild it with 'newskg build'",
        ) from None
