"""Which articles a build must process: fingerprints, content hashes and the previous manifest.

The manifest records a fingerprint of everything every article depends on (entities.yaml,
mappings, ontology and shapes, base IRI, newskg's code) and, per article, a content hash of
``article.txt`` + ``facts.yaml``, the stat stamps of those two files and of its TriG file in
``kg/graphs/``. When the fingerprint is unchanged, only new and changed articles are
processed (:func:`plan`); any change to it rebuilds everything. An article whose files'
stamps are unchanged costs three ``stat`` calls; one whose stamps moved is hashed, and
rebuilt only if its content changed or its TriG file is not the one the build wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskg.builder.project import Project, mapping_files
from newskg.errors import InputError
from newskg.files import read_input
from newskg.inputs import ENTITIES_FILE
from newskg.inputs.article import ARTICLE_FILE, MAX_ARTICLE_BYTES
from newskg.inputs.entities import SHARED_FILE
from newskg.model.schema import MODEL_FILE
from newskg.store import ENTITIES_EXPORT, MANIFEST_FILE, ONTOLOGY_EXPORT, KgLayout

MANIFEST_FORMAT = 5
# newskg's own code: a change to it may change any article's output.
_CODE = Path(__file__).resolve().parents[1]
# A file changed this close to when its stamp was taken may change again within the same
# timestamp tick without its stamp moving: such a stamp is not recorded, so it is hashed.
_RACY_NS = 2_000_000_000
FIXED_EXPORTS = (ENTITIES_EXPORT, ONTOLOGY_EXPORT)

Stamp = list[int]


@dataclass(frozen=True)
class Previous:
    """The build an incremental build starts from."""

    dir: Path
    inputs: dict[str, dict[str, Any]]  # the manifest's per-article entries
    fixed_intact: bool  # the entities and ontology TriG files are the ones it wrote
    manifest: dict[str, Any]


@dataclass
class Plan:
    """What a build does with each article folder."""

    todo: list[Path]  # articles to load, map and validate, in name order
    kept: dict[str, dict[str, Any]]  # unchanged articles: their manifest entries
    removed: list[str]  # articles of the previous build that are gone
    content: dict[str, str] = field(default_factory=dict)  # content hash of each todo article
    stamps: dict[str, Stamp | None] = field(default_factory=dict)  # input stamps of todo ones
    restamped: bool = False  # a kept entry's stamp was refreshed: worth a new manifest

    @property
    def nothing_to_do(self) -> bool:
        return not self.todo and not self.removed


def plan(
    seeds: Path,
    articles: list[tuple[str, os.stat_result]],
    previous: Previous | None,
    layout: KgLayout,
) -> Plan:
    """The plan for the ``articles`` of ``seeds`` (each folder's name and the ``stat`` of
    its facts.yaml, as :func:`newskg.inputs.article_entries` gives them) given the previous
    build (None for a full build). Strings, not Paths, until an article is to be processed:
    at 10k articles, making a Path of each costs as much as their three ``stat`` calls."""
    old_inputs = previous.inputs if previous is not None else {}
    result = Plan([], {}, sorted(set(old_inputs).difference(name for name, _ in articles)))
    recent = time.time_ns() - _RACY_NS
    graphs = os.path.join(os.fspath(layout.graphs), "")
    base = os.path.join(os.fspath(seeds), "")
    for name, facts in articles:
        folder = base + name
        stamp = input_stamp(folder, facts, recent)
        old = old_inputs.get(name)
        export_intact = old is not None and (
            export_stamp(f"{graphs}{name}.trig") == old.get("export")
        )
        if export_intact and stamp is not None and old.get("stamp") == stamp:
            result.kept[name] = old
            continue
        sha = content_hash(folder)
        if export_intact and old.get("sha256") == sha:
            result.kept[name] = {**old, "stamp": stamp}
            result.restamped = result.restamped or stamp is not None
            continue
        result.todo.append(Path(folder))
        result.content[name] = sha
        result.stamps[name] = stamp
    return result


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


def previous_build(layout: KgLayout, print_: str, validate: bool) -> Previous | None:
    """The current build, if an incremental build may start from it: same fingerprint and
    manifest format, validated if this build validates, its store there."""
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
    inputs, fixed = manifest.get("inputs"), manifest.get("fixed")
    if not isinstance(inputs, dict) or not isinstance(fixed, dict):
        return None
    if not all(isinstance(entry, dict) for entry in inputs.values()):
        return None
    intact = all(export_stamp(layout.graphs / name) == fixed.get(name) for name in FIXED_EXPORTS)
    return Previous(folder, inputs, intact, manifest)
