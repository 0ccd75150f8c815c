"""Atomic builds, proven: a build that is killed or fails at any point leaves kg/ consistent.

"Consistent" means: kg/store opens and answers, and it and the TriG files in kg/graphs/ are all
of one build, either the previous one (byte-identical files) or, once the commit point (the journal
kg/.commit) was passed, the new one after `recover()`, which the next build runs first.
"""

from __future__ import annotations

import builtins
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newskg.builder.commit import recover
from newskg.query.graph import KnowledgeGraph
from newskg.store import KgLayout
from tests.conftest import SEED_ARTICLE, copy_project, edit_text, run_cli

FACTS = f"seeds/{SEED_ARTICLE}/facts.yaml"
OLD_TITLE = "  title: Thai PM Prayut"
NEW_TITLE = "  title: Edited - Thai PM Prayut"
HEADLINE = "SELECT ?t WHERE { ?a a schema:NewsArticle ; schema:headline ?t }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
KILL_TRIALS = 20
SHACL_KILL_TRIALS = 2


@dataclass(frozen=True)
class Generation:
    """What kg/ holds after a complete build of one version of the project."""

    headline: str
    quads: int
    graphs: tuple[tuple[str, bytes], ...]  # kg/graphs/: each file's name and bytes


@dataclass(frozen=True)
class Fixture:
    base: Path  # a project whose kg/ holds the OLD build
    old: Generation
    new: Generation  # what building after the title edit gives
    seconds: float  # wall time of a complete `--no-shacl` build in a subprocess
    shacl_seconds: float  # extra time SHACL adds


def _copy_project(dst: Path) -> Path:
    return copy_project(dst)


def _edit_title(project: Path) -> None:
    path = project / FACTS
    text = path.read_text(encoding="utf-8")
    assert OLD_TITLE in text
    path.write_text(text.replace(OLD_TITLE, NEW_TITLE, 1), encoding="utf-8")


def _generation(kg: Path) -> Generation:
    graph = KnowledgeGraph.open(kg)
    headline = graph.select(HEADLINE).column("t")
    quads = graph.select(COUNT).column("n")
    del graph
    assert len(headline) == 1
    files = tuple((p.name, p.read_bytes()) for p in sorted((kg / "graphs").iterdir()))
    return Generation(headline[0], quads[0], files)


def _build_command(project: Path, *, shacl: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "newskg.cli",
        "build",
        "--project",
        str(project),
        *([] if shacl else ["--no-shacl"]),
    ]


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    base = _copy_project(tmp_path_factory.mktemp("atomic-base"))
    result = run_cli("build", "--project", base)  # with SHACL: the seeds are valid
    assert result.code == 0, result.err
    shacl_seconds = float(result.out.split(" in ")[2].split("s")[0])
    old = _generation(base / "kg")

    new_project = tmp_path_factory.mktemp("atomic-new")
    shutil.copytree(base, new_project, symlinks=True, dirs_exist_ok=True)
    _edit_title(new_project)
    started = time.perf_counter()
    subprocess.run(_build_command(new_project, shacl=False), check=True, capture_output=True)
    seconds = time.perf_counter() - started
    new = _generation(new_project / "kg")
    assert new.headline != old.headline and new.graphs != old.graphs
    assert new.quads == old.quads
    return Fixture(base, old, new, seconds, shacl_seconds)


def _trial_project(fx: Fixture, tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    shutil.copytree(fx.base, project, symlinks=True)
    _edit_title(project)
    return project


def check_consistent(fx: Fixture, kg: Path) -> str:
    """Assert kg/ is wholly the old or wholly the new build; return which."""
    layout = KgLayout(kg)
    pending = layout.journal.exists()
    before = _generation(kg)  # opens and answers, even mid-commit
    assert before.quads == fx.old.quads, "a reader saw a partial graph"
    if pending:  # killed after the commit point: the next build finishes it
        recover(layout)
        assert not layout.journal.exists()
    state = _generation(kg)
    if state == fx.old:
        assert not pending
        return "old"
    assert state == fx.new, "kg/ mixes two builds"
    return "new"


def test_kill_at_random_points_leaves_kg_consistent(fx, tmp_path):
    rng = random.Random(6)
    outcomes: dict[str, int] = {"old": 0, "new": 0}
    trials = [False] * KILL_TRIALS + [True] * SHACL_KILL_TRIALS
    for i, shacl in enumerate(trials):
        project = _trial_project(fx, tmp_path, f"trial-{i}")
        duration = fx.seconds + (fx.shacl_seconds if shacl else 0.0)
        delay = rng.uniform(0.05, duration * 1.1)
        process = subprocess.Popen(
            _build_command(project, shacl=shacl),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.wait()
        outcomes[check_consistent(fx, project / "kg")] += 1
        # and the next build, from whatever the kill left, succeeds and gives the new graph
        if i in (0, len(trials) // 2):
            assert run_cli("build", "--project", project, "--no-shacl").code == 0
            assert _generation(project / "kg") == fx.new
    assert sum(outcomes.values()) == len(trials) >= 20
    assert outcomes["old"] > 0  # the delays do reach into the builds


# Kill the build exactly at each os.replace of the commit (journal, the changed article's TriG
# file, symlink) and at the journal's removal: the windows a random delay rarely hits.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    at, kind = int(sys.argv[1]), sys.argv[2]
    calls = [0]
    real = {"replace": os.replace, "unlink": Path.unlink}

    def maybe_die():
        calls[0] += 1
        if calls[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)

    def replace(src, dst, *a, **k):
        maybe_die()
        return real["replace"](src, dst, *a, **k)

    def unlink(self, *a, **k):
        if self.name == ".commit":
            maybe_die()
        return real["unlink"](self, *a, **k)

    if kind == "replace":
        os.replace = replace
    else:
        Path.unlink = unlink
    from newskg.cli import main
    sys.exit(main(sys.argv[3:]))
    """
)


@pytest.mark.parametrize(
    ("kind", "at", "expected"),
    [
        ("replace", 1, "old"),  # before the journal is in place
        ("replace", 2, "new"),  # journal written, the article's TriG file not yet moved
        ("replace", 3, "new"),  # the TriG file moved, store symlink not
        ("unlink", 1, "new"),  # everything moved, journal not yet removed
    ],
)
def test_kill_inside_the_commit(fx, tmp_path, kind, at, expected):
    project = _trial_project(fx, tmp_path, "p")
    command = [sys.executable, "-c", KILLER, str(at), kind]
    result = subprocess.run(
        [*command, "build", "--project", str(project), "--no-shacl"], capture_output=True
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert check_consistent(fx, project / "kg") == expected


def _files(project: Path) -> list[str]:
    """Every file and folder under kg/ but the store directories' insides."""
    kg = project / "kg"
    names = [
        str(p.relative_to(kg)) for p in kg.rglob("*") if ".stores/" not in str(p.relative_to(kg))
    ]
    return sorted(names)


def _assert_untouched(fx: Fixture, project: Path, files: list[str] | None = None) -> None:
    assert _generation(project / "kg") == fx.old
    assert not KgLayout(project / "kg").journal.exists()
    if files is not None:  # nothing added to kg/, nothing half-written left in it
        assert _files(project) == files


def test_shacl_violation_leaves_previous_build(fx, tmp_path):
    project = _trial_project(fx, tmp_path, "p")
    path = project / "mappings" / "cooperation.yaml"
    edit_text(path, "      - [nkg:comparator, nkg:$(comparator)~iri]\n", "")
    result = run_cli("build", "--project", project)
    assert result.code == 4 and "Traceback" not in result.err
    _assert_untouched(fx, project)


def test_bad_fact_in_the_last_article_leaves_previous_build(fx, tmp_path):
    project = _trial_project(fx, tmp_path, "p")
    last = project / "seeds" / "zzz_last_article"
    shutil.copytree(project / "seeds" / SEED_ARTICLE, last)
    facts = last / "facts.yaml"
    edit_text(facts, "    unit: ICT professional\n", "    unit: []\n")
    files = _files(project)
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 2 and "zzz_last_article/facts.yaml:" in result.err
    _assert_untouched(fx, project, files)  # the edited first article's new TriG file is gone too


def _fail_on_call(n: int, real: object) -> object:
    """``real``, failing on its n-th call."""
    calls = [0]

    def fake(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == n:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[operator]

    return fake


@pytest.mark.parametrize("at", [1, 2, 3])
def test_write_error_in_the_commit(fx, tmp_path, monkeypatch, at):
    """os.replace fails (disk full) at each step of the commit: exit 5, no traceback, and
    kg/ is the old build (before the journal) or is finished into the new one by the next
    build (after it)."""
    project = _trial_project(fx, tmp_path, "p")
    monkeypatch.setattr(os, "replace", _fail_on_call(at, os.replace))
    result = run_cli("build", "--project", project, "--no-shacl")
    monkeypatch.undo()
    assert result.code == 5, result.err
    assert "Traceback" not in result.err and "No space left on device" in result.err
    assert check_consistent(fx, project / "kg") == ("old" if at == 1 else "new")


@pytest.mark.parametrize(
    "target",
    [
        "newskg.builder.commit.StagedBuild.remove_at_commit",
        "newskg.builder.commit.StagedBuild.write_manifest",
    ],
)
def test_write_error_while_staging(fx, tmp_path, monkeypatch, target):
    project = _trial_project(fx, tmp_path, "p")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(target, disk_full)
    files = _files(project)
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 5, result.err
    assert result.err.startswith("error: ") and "Traceback" not in result.err
    _assert_untouched(fx, project, files)
    # nothing staged is left behind
    assert len(list((project / "kg" / ".stores").iterdir())) == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    "target",
    [
        "newskg.builder.full_store.write_indexes",
        "newskg.builder.commit.StagedBuild.load_growing",
    ],
)
def test_write_error_in_a_full_builds_store_or_indexes(fx, tmp_path, monkeypatch, target, jobs):
    """A full build loads its store while its articles are made and writes its indexes in
    another process: the disk filling up in either leaves kg/ as it was, and nothing staged
    behind."""
    project = _trial_project(fx, tmp_path, "p")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(target, disk_full)
    files = _files(project)
    result = run_cli("build", "--project", project, "--no-shacl", "--full", "--jobs", jobs)
    assert result.code == 5, result.err
    assert "No space left on device" in result.err and "Traceback" not in result.err
    _assert_untouched(fx, project, files)
    assert len(list((project / "kg" / ".stores").iterdir())) == 1


def test_a_failing_article_in_a_parallel_full_build_stops_the_store_loading(fx, tmp_path):
    """The store of a full build with workers loads while the articles are made; an article
    that fails ends the build, the loading process with it, and leaves nothing behind."""
    project = _trial_project(fx, tmp_path, "p")
    facts = project / FACTS
    edit_text(facts, NEW_TITLE, NEW_TITLE + "\n  unknown_field: x")
    files = _files(project)
    result = run_cli("build", "--project", project, "--no-shacl", "--full", "--jobs", "2")
    assert result.code == 2 and "Traceback" not in result.err, result.err
    _assert_untouched(fx, project, files)
    assert len(list((project / "kg" / ".stores").iterdir())) == 1
    assert not [c for c in multiprocessing.active_children() if c.is_alive()]


def test_unwritable_output_folder(fx, tmp_path):
    project = _trial_project(fx, tmp_path, "p")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("build", "--project", project, "--no-shacl", "--out", blocker / "kg")
    assert result.code == 5, result.err
    assert "cannot write the build" in result.err and "Traceback" not in result.err
    _assert_untouched(fx, project)


def test_a_full_disk_while_writing_an_articles_graph_leaves_no_part_of_it(
    fx, tmp_path, monkeypatch
):
    """The disk fills up in the middle of an article's TriG file: exit 5, and kg/ holds what
    it held (the half-written file is in the staged build, which is removed)."""
    project = _trial_project(fx, tmp_path, "p")
    second = project / "seeds" / "zzz_second"
    shutil.copytree(project / "seeds" / SEED_ARTICLE, second)
    files = _files(project)
    real = builtins.open

    class HalfThenFull:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> HalfThenFull:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    def half_then_full(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real(file, mode, *args, **kwargs)
        if str(file).endswith("zzz_second.trig") and "w" in mode:
            return HalfThenFull(handle)
        return handle

    monkeypatch.setattr(builtins, "open", half_then_full)
    result = run_cli("build", "--project", project, "--no-shacl")
    monkeypatch.undo()
    assert result.code == 5 and "No space left on device" in result.err, result.err
    _assert_untouched(fx, project, files)
    assert len(list((project / "kg" / ".stores").iterdir())) == 1


def test_legacy_run_files_are_removed_by_the_next_build(fx, tmp_path):
    project = _trial_project(fx, tmp_path, "p")
    partial = project / "kg" / ".runs" / f".partial-1-{SEED_ARTICLE}.0123.run"
    partial.parent.mkdir()
    partial.write_text("half a run", encoding="utf-8")
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    assert not partial.parent.exists()
