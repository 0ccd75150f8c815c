"""The built graph on disk: the layout of the output folder, and the store opened read-only.

Every stage that reads a build finds it here; :mod:`newskg.builder.commit` writes it. Layout of
the output folder (``kg/`` by default)::

    kg/store          symlink -> .stores/<build>   (what readers open; git-ignored)
    kg/.stores/       store directories; the previous one is kept so that a reader that
                      opened it just before a swap can finish its query
    kg/.trash/        older store directories, moved out of .stores/ at a commit and
                      deleted by a process of their own (git-ignored)
    kg/graphs/        one deterministic TriG file per named graph (committed):
                      <article-id>.trig per article, _entities.trig and _ontology.trig
                      (an article id starts with a letter or digit, so the names never meet)
    kg/.commit        present only while a build is being swapped in (the commit journal)
    kg/.lock          held (flock) by the build writing this folder; builds run one at a time

The union exports (``newskg.ttl`` and the like) are not written by the build but by
``newskg export`` (:mod:`newskg.exports.formats`), streamed from the store.

Why a symlink: replacing a symlink with ``os.replace`` is atomic on POSIX, so a reader sees
either the old store or the new one, never a half-written directory, and a build that fails
or is killed before the swap leaves ``kg/`` exactly as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from newskg.errors import Location, NotFoundError, StoreError, location_of

STORE_LINK = "store"
STORES_DIR = ".stores"
TRASH_DIR = ".trash"  # see newskg.builder.trash.discard
GRAPHS_DIR = "graphs"
ENTITIES_EXPORT = "_entities.trig"  # in GRAPHS_DIR, beside "<article-id>.trig"
ONTOLOGY_EXPORT = "_ontology.trig"
MANIFEST_FILE = "manifest.json"
JOURNAL_FILE = ".commit"  # names the build being swapped in; see StagedBuild.commit
LEGACY_RUNS_DIR = ".runs"  # per-article Turtle runs of older builds: deleted on sight
LOCK_FILE = ".lock"


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
    def trash(self) -> Path:
        return self.root / TRASH_DIR

    @property
    def graphs(self) -> Path:
        return self.root / GRAPHS_DIR

    def article_export(self, article_id: str) -> Path:
        return self.root / GRAPHS_DIR / f"{article_id}.trig"

    @property
    def journal(self) -> Path:
        return self.root / JOURNAL_FILE


def store_path(path: Path) -> Path:
    """The store directory that ``path`` (``kg/`` or ``kg/store``) names now, its symlink
    followed; cheap to poll, and the store is not opened (it may not exist)."""
    if (path / STORE_LINK).exists() and not (path / "CURRENT").exists():
        path = path / STORE_LINK
    return path.resolve()


def read_manifest(path: Path) -> dict[str, Any]:
    """What the build of ``path`` (``kg/`` or ``kg/store``) recorded beside its store (base
    IRI, counts, content hashes); empty when there is none or it cannot be read."""
    try:
        manifest = json.loads((store_path(path).parent / MANIFEST_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


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
    except (OSError, RuntimeError) as exc:  # RocksDB reports damage as RuntimeError
        raise damaged_store(exc, path) from None


def is_damage(exc: BaseException) -> bool:
    """Whether an error of Oxigraph's is RocksDB reporting a damaged store."""
    return str(exc).startswith(("Corruption", "IO error"))


def damaged_store(exc: Exception, path: Path | None = None) -> StoreError:
    """The error for a store that cannot be opened or read (a bad ``CURRENT``, a truncated
    or corrupted table file, ...): a full build makes a new one from the seeds."""
    detail = " ".join(str(exc).split())[:300]
    # kg/store as the user knows it, not the build directory its symlink points to
    where = None if path is None else Location(str(Path(location_of(path.parent).file) / path.name))
    return StoreError(
        f"the store is damaged or unreadable: {detail}",
        location=where,
        hint="'newskg build --full' rebuilds it from the seeds",
    )
