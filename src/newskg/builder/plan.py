"""Which articles a build must process: fingerprints, content hashes and the previous manifest.

The manifest records a fingerprint of everything every article depends on (entities.yaml,
mappings, ontology and shapes, base IRI, newskg's code) and, per article, a content hash of
``article.txt`` + ``facts.yaml``, the stat stamps of those two files and of its TriG file in
``kg/graphs/`` (:mod:`newskg.builder.stamps`). When the fingerprint is unchanged, only new
and changed articles are processed (:func:`plan`); any change to it rebuilds everything. An
article whose files' stamps are unchanged costs three ``stat`` calls; one whose stamps moved
is hashed, and rebuilt only if its content changed or its TriG file is not the one the build
wrote. A full build plans by name alone: the process that builds an article stamps and
hashes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg.builder.project import Project, mapping_files
from newskg.builder.stamps import RACY_NS, content_hash, export_stamp, file_bytes, input_stamp
from newskg.inputs import ENTITIES_FILE
from newskg.inputs.entities import SHARED_FILE
from newskg.model.schema import MODEL_FILE
from newskg.store import ENTITIES_EXPORT, MANIFEST_FILE, ONTOLOGY_EXPORT, KgLayout

MANIFEST_FORMAT = 5
# newskg's own code: a change to it may change any article's output.
_CODE = Path(__file__).resolve().parents[1]
FIXED_EXPORTS = (ENTITIES_EXPORT, ONTOLOGY_EXPORT)


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

    todo: list[str]  # names of the articles to load, map and validate, in name order
    kept: dict[str, dict[str, Any]]  # unchanged articles: their manifest entries
    removed: list[str]  # articles of the previous build that are gone
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
    build (None for a full build: every article, by name). Strings, not Paths: at 10k
    articles, making a Path of each costs as much as their three ``stat`` calls."""
    if previous is None:
        return Plan([name for name, _ in articles], {}, [])
    old_inputs = previous.inputs
    result = Plan([], {}, sorted(set(old_inputs).difference(name for name, _ in articles)))
    recent = time.time_ns() - RACY_NS
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
        if export_intact and old.get("sha256") == content_hash(folder):
            result.kept[name] = {**old, "stamp": stamp}
            result.restamped = result.restamped or stamp is not None
            continue
        result.todo.append(name)
    return result


def fingerprint(project: Project) -> str:
    """Everything every article depends on: if any of it changes, everything is rebuilt."""
    digest = hashlib.sha256(f"{MANIFEST_FORMAT}\0{project.base}\0".encode())

    def add(path: Path, name: str) -> None:
        digest.update(name.encode() + b"\0")
        digest.update(file_bytes(str(path)))
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
