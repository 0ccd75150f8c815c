"""The W3C RML-Core conformance cases (JSON) must all pass."""

from pathlib import Path

import pytest

from newskg.tools.conformance import isomorphic_nquads, run_conformance
from tests.conftest import run_cli

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "rml-core"


@pytest.mark.skipif(not CASES.is_dir(), reason=f"conformance cases not found at {CASES}")
def test_all_rml_core_cases_pass():
    report = run_conformance(CASES)
    reasons = "\n".join(f"{f.case}: {f.reason}" for f in report.failures)
    assert (report.passed, report.total) == (76, 76), reasons


@pytest.mark.skipif(not CASES.is_dir(), reason=f"conformance cases not found at {CASES}")
def test_conformance_command_prints_count():
    result = run_cli("conformance", CASES)
    assert result.code == 0, result.err
    assert result.out.strip().endswith("76/76 conformance cases passed")


def test_comparison_handles_blank_nodes_and_graphs():
    a = '_:x <http://e/p> "1" <http://e/g> .\n_:x <http://e/q> _:y .\n'
    b = '_:b2 <http://e/q> _:b1 .\n_:b2 <http://e/p> "1" <http://e/g> .\n'
    assert isomorphic_nquads(a, b)
    assert not isomorphic_nquads(a, b.replace("<http://e/g>", ""))
    assert isomorphic_nquads(
        '<http://e/a> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .',
        '<http://e/a> <http://e/p> "x".',
    )
