"""Shared fixtures: a copy of the project's data in tmp_path, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newskg.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_ARTICLE = "000_62ce04f1d7ffd07b"
PROJECT_DIRS = ("seeds", "mappings", "ontology", "queries")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return CliResult(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def serve_subprocess(*argv: str | Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``newskg serve --port 0 ARGV`` as a child process, with the first line it prints (the
    endpoint announcement); killed on the way out if the test left it running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newskg.cli", "serve", "--port", "0", *map(str, argv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the project's seeds, mappings, ontology and queries."""
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def built_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed KG built once per test session from a copy of the project."""
    root = tmp_path_factory.mktemp("seedkg")
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, root / name)
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    return root
