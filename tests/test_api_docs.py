"""docs/api.md is executable: its examples run with doctest against the seed KG."""

from __future__ import annotations

import doctest

from tests.conftest import ROOT


def test_api_examples_run(built_kg, monkeypatch):
    # The examples open "kg" and read "seeds/…" as a user would from the project folder.
    monkeypatch.chdir(built_kg)
    result = doctest.testfile(
        str(ROOT / "docs" / "api.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        report=True,
    )
    assert result.attempted > 40
    assert result.failed == 0, f"{result.failed} example(s) in docs/api.md failed (see above)"
