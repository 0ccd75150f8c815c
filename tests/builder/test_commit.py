"""`newskg.builder.commit`: the journal kg/.commit is checked before it is trusted."""

from __future__ import annotations

import os

import pytest

from newskg.builder.commit import recover
from newskg.store import KgLayout
from tests.conftest import run_cli


@pytest.mark.parametrize(
    "journal",
    [
        b"..\n",  # made kg/store a symlink to itself, and every later build crashed
        b".\n",
        b"../../etc\n",
        b"build-20260101T000000-1-1/../..\n",
        bytes(range(256)),  # gave UnicodeDecodeError on every build
        b"",
        b"build-20260101T000000-1-1\n",  # the form of a build name, but no such build
    ],
)
def test_a_damaged_journal_is_dropped_and_the_build_stands(project, journal):
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    layout = KgLayout(project / "kg")
    before = os.readlink(layout.store)
    layout.journal.write_bytes(journal)
    recover(layout)
    assert not layout.journal.exists()
    assert os.readlink(layout.store) == before
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0
    layout.journal.write_bytes(journal)
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0


def test_a_store_link_that_loops_is_replaced_by_the_next_build(project):
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    layout = KgLayout(project / "kg")
    layout.store.unlink()
    layout.store.symlink_to("store")  # what a journal of ".." used to leave
    result = run_cli("build", "--project", project, "--no-shacl")
    assert result.code == 0, result.err
    assert layout.store.resolve().parent.parent == layout.stores.resolve()
    assert run_cli("query", "meetings", "--kg", layout.root).code == 0
