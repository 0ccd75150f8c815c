"""`newskg.builder.trash`: old builds leave kg/.stores at once and are deleted aside."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from newskg.store import KgLayout
from tests.conftest import run_cli


def _gone(path: Path, within: float = 120.0) -> bool:
    """Whether ``path`` disappears within ``within`` seconds (a deleter works on its own)."""
    deadline = time.monotonic() + within
    while path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _build_three_times(project: Path) -> tuple[KgLayout, list[str]]:
    """Three builds: the third commit moves the first build out of kg/.stores."""
    layout = KgLayout(project / "kg")
    names = []
    for _ in range(3):
        assert run_cli("build", "--project", project, "--no-shacl", "--full").code == 0
        names.append(layout.store.resolve().parent.name)
    return layout, names


def test_an_old_build_leaves_kg_stores_at_once_and_its_trash_is_deleted(project):
    layout, names = _build_three_times(project)
    assert sorted(p.name for p in layout.stores.iterdir()) == sorted(names[1:])
    assert _gone(layout.trash / names[0])
    assert list(layout.trash.iterdir()) == []


def test_trash_a_deleter_left_is_deleted_by_the_next_build(project):
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    layout = KgLayout(project / "kg")
    left = layout.trash / "build-20260101T000000-1-1"
    (left / "store").mkdir(parents=True)
    (left / "store" / "000001.sst").write_bytes(b"x" * 1000)
    assert run_cli("build", "--project", project, "--no-shacl").code == 0  # nothing to do
    assert _gone(left)


def test_without_a_shell_old_builds_are_deleted_during_the_commit(project, monkeypatch):
    monkeypatch.setenv("PATH", str(project / "no-such-folder"))
    layout, names = _build_three_times(project)
    assert sorted(p.name for p in layout.stores.iterdir()) == sorted(names[1:])
    assert list(layout.trash.iterdir()) == []


# Three builds in a fresh interpreter that turns warnings into errors: the deleters they
# start are neither left as zombies nor reported as still running.
BUILDS_THEN_CHILDREN = """
import os, sys
from newskg.cli import main
for _ in range(3):
    assert main(["build", "--project", sys.argv[1], "--no-shacl", "--full"]) == 0
try:
    print(os.waitpid(-1, os.WNOHANG))
except ChildProcessError:
    print("no children")
"""


def test_a_build_leaves_no_child_process_and_no_warning(project):
    result = subprocess.run(
        [sys.executable, "-W", "error", "-X", "dev", "-c", BUILDS_THEN_CHILDREN, str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "no children"
    assert "Warning" not in result.stderr, result.stderr
