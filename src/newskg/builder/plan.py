"""Which articles a build must process: fingerprints, content hashes and the previous manifest.

The manifest records a fingerprint of everything every article depends on (entities.yaml,
mappings, ontology and shapes, base IRI, newskg's code) and a content hash of each article's
``article.txt`` + ``facts.yaml``. When the fingerprint is unchanged, only new and changed
articles are processed (:func:`plan`); any change to it rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg.builder.project import Project, mapping_files
from newskg.errors import InputError
from newskg.files import read_input
from newskg.inputs import ENTITIES_FILE
from newskg.inputs.article import MAX_ARTICLE_BYTES
from newskg.inputs.entities import SHARED_FILE
from newskg.model.schema import MODEL_FILE
from newskg.store import MANIFEST_FILE, TRIG_EXPORT, TURTLE_EXPORT, KgLayout

MANIFEST_FORMAT = 4
# newskg's own code: a change to it may change any article's output.
_CODE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Previous:
    """The build an incremental build starts from."""

    dir: Path
    inputs: dict[str, dict[str, Any]]  # the manifest's per-article entries
    fixed_prefixes: dict[str, list[str]]  # what the entities and ontology graphs use, per export


@dataclass(frozen=True)
class Plan:
    """What a build does with each article folder."""

    todo: list[Path]  # articles to load, map and validate, in export order
    kept: dict[str, dict[str, Any]]  # unchanged articles: their manifest entries, reused
    removed: list[str]  # articles of the previous build that are gone


def plan(
    folders: list[Path], content: Mapping[str, str], previous: Mapping[str, Any] | None
) -> Plan:
    """The plan for ``folders`` with these content hashes, given the previous build's
    per-article entries (None for a full build)."""
    todo: list[Path] = []
    kept: dict[str, dict[str, Any]] = {}
    for folder in folders:
        old = previous.get(folder.name) if previous is not None else None
        if old is not None and old.get("sha256") == content[folder.name]:
            kept[folder.name] = old
        else:
            todo.append(folder)
    removed = sorted(set(previous) - set(content)) if previous is not None else []
    return Plan(todo, kept, removed)


def content_hash(folder: Path) -> str:
    """What decides whether an article is rebuilt: its text and facts, byte for byte."""
    digest = hashlib.sha256()
    base = os.fspath(folder)
    for name in ("article.txt", "facts.yaml"):
        digest.update(_file_bytes(os.path.join(base, name)))
        digest.update(b"\0")
    return digest.hexdigest()


def _file_bytes(path: str) -> bytes:
    """A file's bytes, or a marker when it cannot be an input (missing, a folder, a FIFO or
    device, unreadable, too large): the article is then rebuilt and load_article names the
    file and the problem, where an error here would read as a failed write. Every build
    hashes every article, so this stays on os-level calls (see read_input)."""
    try:
        return read_input(path, max_bytes=MAX_ARTICLE_BYTES)
    except InputError as exc:
        return b"\xff " + exc.message.encode()


def fingerprint(project: Project) -> str:
    """Everything every article depends on: if any of it changes, everything is rebuilt."""
    digest = hashlib.sha256(f"{MANIFEST_FORMAT}\0{project.base}\0".encode())

    def add(path: Path, name: str) -> None:
        digest.update(name.encode() + b"\0")
        digest.update(_file_bytes(str(path)))
        digest.update(b"\0")

    add(project.seeds_dir / ENTITIES_FILE, "entities")
    for path in mapping_files(project.mappings_dir):
        add(path, f"mappings/{path.name}")
    for path in sorted(project.ontology_dir.glob("*.ttl")):
        add(path, f"ontology/{path.name}")
    add(project.ontology_dir / MODEL_FILE, "model")
    add(project.seeds_dir / SHARED_FILE, "shared facts")
    for path in sorted(_CODE.rglob("*.py")):
        add(path, f"code/{path.relative_to(_CODE)}")
    return digest.hexdigest()


def run_name(article_id: str, sha256: str, print_: str) -> str:
    """The run file of an article, named by everything its content depends on, so that a
    build never overwrites a file that the current build still refers to."""
    digest = hashlib.sha256(f"{print_}\0{sha256}".encode()).hexdigest()[:24]
    return f"{article_id}.{digest}.run"


def export_stamp(path: Path) -> dict[str, int]:
    """Size and mtime of an export: whether kg/ still holds what the build wrote."""
    info = path.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def previous_build(
    layout: KgLayout, print_: str, validate: bool, runs: set[str]
) -> Previous | None:
    """The current build, if an incremental build may start from it: same fingerprint, its
    exports in kg/ untouched since, and the run file of every article still there."""
    if not layout.store.is_symlink():
        return None
    try:
        folder = layout.store.resolve(strict=True).parent
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    if manifest.get("fingerprint") != print_ or (validate and not manifest.get("validated")):
        return None
    if not (folder / "store").is_dir():
        return None
    exports, inputs, fixed = (manifest.get(k) for k in ("exports", "inputs", "fixed_prefixes"))
    if not isinstance(exports, dict) or not isinstance(inputs, dict) or not isinstance(fixed, dict):
        return None
    for name, path in ((TURTLE_EXPORT, layout.turtle), (TRIG_EXPORT, layout.trig)):
        try:
            if exports.get(name) != export_stamp(path):
                return None  # edited or replaced since: patching it would not give a build
        except OSError:
            return None
    for article_id, entry in inputs.items():
        if (
            not isinstance(entry, dict)
            or run_name(article_id, str(entry.get("sha256")), print_) not in runs
        ):
            return None
    return Previous(folder, inputs, fixed)
