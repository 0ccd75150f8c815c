"""The test suite never depends on what the user keeps in seeds/: in a copy of the project
whose seeds/ has two more articles (and their registry entries), built as a user would, the
suites that build, query and check inputs still pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, add_articles, run_cli

# Set in the copy's run, so that this test does not run itself again there.
NESTED = "NEWSKG_SEED_INDEPENDENCE_RUN"
COPIED = ("tests", "mappings", "ontology", "queries", "seeds", "kg", "docs")
SUITES = (
    "tests/builder/test_build.py",
    "tests/query/test_saved.py",
    "tests/test_cli.py",
    "tests/test_bad_inputs.py",
    "tests/test_api_docs.py",
)


@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already inside the copy's run")
def test_the_suite_passes_after_a_user_adds_articles(tmp_path):
    copy = tmp_path / "project"
    for name in COPIED:
        shutil.copytree(
            ROOT / name,
            copy / name,
            ignore=shutil.ignore_patterns("store", ".stores", "__pycache__"),
        )
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, copy / name)
    added = add_articles(copy / "seeds", ["fx1-mou-signing-ceremony", "fx3-talent-summit"])
    built = run_cli("build", "--project", copy)
    assert built.code == 0, built.err
    assert f"built {1 + len(added)} article(s)" in built.out

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *SUITES],
        cwd=copy,
        env={**os.environ, NESTED: "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
    # The one check that compares with the shipped seeds says why it does not apply.
    assert "seeds/ holds articles of its own" in result.stdout
