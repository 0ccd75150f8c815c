"""Run files: each article's sorted per-subject Turtle records, kept in ``kg/.runs/`` between
builds so that an incremental build can patch the Turtle export (:mod:`newskg.builder.exports`).

A run file is named by everything its content depends on (:func:`~newskg.builder.plan.run_name`)
and written aside, then renamed, so that a build never trusts a half-written one.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from newskg.exports.patch import NotPatchable
from newskg.exports.rdf_text import parse_record

PARTIAL_PREFIX = ".partial-"


def write_run(folder: Path, name: str, records: list[str]) -> None:
    # Written aside and renamed: a killed build never leaves a half-written run under a name
    # that a later build would trust, and a failed write (disk full) leaves nothing.
    partial = folder / f"{PARTIAL_PREFIX}{os.getpid()}-{name}"
    try:
        partial.write_text("".join(records), encoding="utf-8", newline="\n")
        os.replace(partial, folder / name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def remove_runs(folder: Path, names: Iterable[str]) -> None:
    """Delete run files a failed build wrote, and any half-written one a killed build left."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        partials = [e.name for e in entries if e.name.startswith(PARTIAL_PREFIX)]
    for name in [*names, *partials]:
        with contextlib.suppress(OSError):
            (folder / name).unlink(missing_ok=True)


def read_run(path: Path) -> dict[str, tuple[str, list[str]]]:
    """A run file as key -> (subject, "p o" rows)."""
    records: dict[str, tuple[str, list[str]]] = {}
    try:
        with path.open(encoding="utf-8", newline="\n") as handle:
            for line in handle:
                key, _, _, subject, rows = parse_record(line)
                records[key] = (subject, rows)
    except (OSError, ValueError) as exc:
        raise NotPatchable(f"cannot read {path.name}: {exc}") from None
    return records


def collect_runs(folder: Path, keep: set[str]) -> None:
    """Delete run files the current build does not refer to (older versions, killed builds)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name not in keep:
                    Path(entry.path).unlink(missing_ok=True)
    except OSError:
        pass  # garbage left for the next build to collect; the build itself is complete


def merge_lines(paths: list[Path], target: Path) -> None:
    files = [p.open(encoding="utf-8", newline="\n") for p in paths]
    try:
        with target.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(heapq.merge(*files))
    finally:
        for handle in files:
            handle.close()


def concatenate(paths: Iterable[Path], out: Any) -> None:
    for path in paths:
        with path.open(encoding="utf-8", newline="\n") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)
