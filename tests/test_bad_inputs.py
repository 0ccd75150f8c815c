"""The bad-input corpus: every case in tests/bad_inputs/<case>/case.yaml fails cleanly.

Each case patches a fresh copy of a built project (or only passes CLI arguments), runs the
CLI in-process from the project folder, and checks: the exit code, the exact first lines of
stderr (file:line:column relative to the project), no traceback, and that nothing under kg/
changed. See tests/bad_inputs/README.md for the case format.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import copy_project, run_cli

CASES = Path(__file__).parent / "bad_inputs"
DEFAULT_ARGS = ["build", "--project", "."]


def _alias_bomb(path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _oversized(path: Path) -> None:
    path.write_text("# padding\n" + ("#" + "x" * 1023 + "\n") * 9 * 1024, encoding="utf-8")


def _deep_nesting(path: Path) -> None:
    path.write_text("article: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")


def _not_utf8(path: Path) -> None:
    path.write_bytes(b"article:\n  title: caf\xe9\n")


def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)  # reading it would wait for a writer that never comes


def _dev_zero(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to("/dev/zero")  # stat says 0 bytes; reading never ends


def _oversized_article(path: Path) -> None:
    path.write_text("A sentence of the article. " * ((17 << 20) // 27 + 1), encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "alias-bomb": _alias_bomb,
    "oversized": _oversized,
    "deep-nesting": _deep_nesting,
    "not-utf8": _not_utf8,
    "fifo": _fifo,
    "dev-zero": _dev_zero,
    "oversized-article": _oversized_article,
}


def _apply(edit: dict[str, Any], project: Path) -> None:
    target = project / edit["file"]
    if "replace" in edit:
        text = target.read_text(encoding="utf-8")
        assert edit["replace"] in text, f"{edit['file']} no longer contains {edit['replace']!r}"
        target.write_text(text.replace(edit["replace"], edit["with"], 1), encoding="utf-8")
    elif "write" in edit:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edit["write"], encoding="utf-8")
    elif "copy" in edit:
        shutil.copytree(project / edit["copy"], target)
    elif "generate" in edit:
        target.parent.mkdir(parents=True, exist_ok=True)
        GENERATORS[edit["generate"]](target)
    elif edit.get("delete"):
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()
    elif edit.get("mkdir"):
        target.mkdir(parents=True)
    else:
        raise AssertionError(f"unknown edit {edit}")


def _update_expected_stderr(case: Path, got: list[str], lines: int) -> None:
    """NEWSKG_UPDATE_GOLDEN=1: write the stderr a case now gives into its case.yaml (review
    the diff before committing it)."""
    text = case.read_text(encoding="utf-8")
    head, sep, _ = text.rpartition("  stderr: |\n")
    assert sep, f"{case}: only a final 'stderr: |' block can be updated"
    keep = got if len(got) <= max(lines, 6) else got[:lines]
    case.write_text(head + sep + "".join(f"    {line}\n" for line in keep), encoding="utf-8")


def snapshot(kg: Path) -> dict[str, str]:
    """Every file and symlink under kg/ with its content hash or link target."""
    state: dict[str, str] = {}
    if not kg.exists():
        return state
    for path in sorted(kg.rglob("*")):
        rel = str(path.relative_to(kg))
        if path.is_symlink():
            state[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            state[rel] = "dir"
    return state


def _load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for folder in sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        cases.append((folder.name, spec))
    return cases


ALL_CASES = _load_cases()


@pytest.fixture(scope="module")
def built_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with a good build in kg/, copied for each case."""
    root = copy_project(tmp_path_factory.mktemp("bad-inputs-template"))
    result = run_cli("build", "--project", root, "--no-shacl")
    assert result.code == 0, result.err
    return root


def test_the_corpus_is_big_and_covers_every_input_kind():
    assert len(ALL_CASES) >= 40
    kinds = {name.split("-", 1)[0] for name, _ in ALL_CASES}
    assert {"facts", "entities", "mapping", "rml", "query", "cli"} <= kinds


@pytest.mark.parametrize(("name", "spec"), ALL_CASES, ids=[n for n, _ in ALL_CASES])
def test_bad_input(name, spec, built_template, tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(built_template, project, symlinks=True)
    for edit in spec.get("edits", []):
        _apply(edit, project)
    before = snapshot(project / "kg")
    monkeypatch.chdir(project)

    result = run_cli(*spec.get("args", DEFAULT_ARGS))

    expect = spec["expect"]
    assert "Traceback" not in result.err
    assert result.code == expect["exit"], result.err
    wanted = expect["stderr"].splitlines() if expect.get("stderr") else []
    got = result.err.splitlines()
    if got[: len(wanted)] != wanted and os.environ.get("NEWSKG_UPDATE_GOLDEN"):
        _update_expected_stderr(CASES / name / "case.yaml", got, len(wanted))
        wanted = got[: len(wanted)]
    assert got[: len(wanted)] == wanted, result.err
    if "last_line" in expect:  # argparse: the usage above it changes as commands are added
        assert got[-1] == expect["last_line"], result.err
    if "last_line_starts" in expect:  # ... and so does the list of commands
        assert got[-1].startswith(expect["last_line_starts"]), result.err
    if expect["exit"] != 0:
        assert got, "a failure must say why"
    assert snapshot(project / "kg") == before, "a failed command changed kg/"
