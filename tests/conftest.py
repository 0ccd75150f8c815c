"""Shared fixtures: a copy of the project's data in tmp_path, and an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from newskg.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# The tests' own articles and registry: never the project's seeds/, which is the user's data
# and changes as articles are added.
FIXTURE_SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_ARTICLE = "000_62ce04f1d7ffd07b"
SEED = FIXTURE_SEEDS / SEED_ARTICLE
# Articles of other shapes than the seed (an MOU signing ceremony, a second report of the
# seed's meeting, a summit with agreements and targets), with the registry entries they need.
FIXTURE_ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
# What a project holds besides its seeds: the product's mappings, ontology and saved queries.
PRODUCT_DIRS = ("mappings", "ontology", "queries")


def copy_project(target: Path, seeds: Path = FIXTURE_SEEDS) -> Path:
    """A project in ``target``: the product's mappings, ontology and queries, and ``seeds``
    (by default the fixture seeds) as its seeds/."""
    for name in PRODUCT_DIRS:
        shutil.copytree(ROOT / name, target / name)
    shutil.copytree(seeds, target / "seeds")
    return target


def edit_text(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` by ``new``, failing when ``old`` is not there so
    that a test never passes by editing nothing."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_articles(seeds: Path, names: Iterable[str] | None = None) -> list[str]:
    """Add fixture articles to ``seeds`` as a user would: their folders, and their registry
    entries appended to entities.yaml and shared-facts.yaml. Returns the article ids."""
    chosen = sorted(names or (p.name for p in FIXTURE_ARTICLES.iterdir() if p.is_dir()))
    for name in chosen:
        shutil.copytree(FIXTURE_ARTICLES / name, seeds / name)
    for registry, sections in (("entities.yaml", ("entities",)), ("shared-facts.yaml", None)):
        extra = yaml.safe_load((FIXTURE_ARTICLES / registry).read_text(encoding="utf-8"))
        target = seeds / registry
        data = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else {}
        for section in sections or extra:
            data.setdefault(section, []).extend(extra[section])
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return chosen


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> CliResult:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return CliResult(code, out.getvalue(), err.getvalue())


SERVE_ARGS = ("--port", "0")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def serve_subprocess(*argv: str | Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``newskg serve --port 0 ARGV`` as a child process, with the first line it prints (the
    endpoint announcement); killed on the way out if the test left it running."""
    process = subprocess.Popen(
        # faulthandler: a server that hangs can be made to show where (SIGABRT).
        [sys.executable, "-X", "faulthandler", "-m", "newskg.cli", "serve", *SERVE_ARGS]
        + [str(arg) for arg in argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A suite started in the background inherits SIGINT ignored, and Python then sets no
        # Ctrl-C handler: the server is given the default back, as a terminal would give it.
        preexec_fn=_default_sigint,
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
    """A writable project: the fixture seeds with the product's mappings, ontology, queries."""
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def beat_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of the seed and the fixture articles (see FIXTURE_ARTICLES), built once."""
    root = copy_project(tmp_path_factory.mktemp("beatkg"))
    add_articles(root / "seeds")
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(scope="session")
def built_kg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed KG built once per test session from a copy of the project."""
    root = copy_project(tmp_path_factory.mktemp("seedkg"))
    result = run_cli("build", "--project", root)
    assert result.code == 0, result.err
    return root


@dataclass
class Listener:
    """A loopback TCP port that records every connection made to it (and answers none)."""

    url: str
    contacts: list[bytes]


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A server that must not be contacted: a SERVICE or LOAD aimed at it proves, by its
    empty ``contacts``, that no request left newskg."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    contacts: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    contacts.append(conn.recv(4096) or b"<connected>")
                except OSError:
                    contacts.append(b"<connected>")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.getsockname()[1]}/sparql", contacts)
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
