"""The YARRRML cases (yarrrml-parser's tests and the specification's examples): newskg gives
the reference's quads or refuses clearly, and how morph-kgc does on the same cases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newskg.tools.conformance import (
    isomorphic_nquads,
    read_cases,
    reference_quads,
    rml_core_from_legacy,
    run_conformance,
)
from tests.conftest import run_cli

CASES = Path(__file__).resolve().parent / "yarrrml-cases"
ROOT = Path(__file__).resolve().parents[2]


def test_every_yarrrml_case_passes_or_is_refused_clearly():
    report = run_conformance(CASES)
    reasons = "\n\n".join(f"{f.case}: {f.reason}" for f in report.failures)
    assert (report.passed, len(report.refused), len(report.failures)) == (39, 64, 0), reasons
    assert report.total == 103 and report.ok


def test_conformance_command_counts_refusals():
    result = run_cli("conformance", CASES)
    assert result.code == 0, result.err
    assert result.out.strip().endswith(
        "39/103 conformance cases passed, 64 refused clearly, 0 failed"
    )
    assert "refused parser-example1: mapping.yml:8:27: reference formulation 'xpath'" in result.out


def _case(folder: Path, yarrrml: str, reference: str, refused: str | None = None) -> None:
    folder.mkdir()
    (folder / "mapping.yml").write_text(textwrap.dedent(yarrrml), encoding="utf-8")
    (folder / "reference.rml.ttl").write_text(textwrap.dedent(reference), encoding="utf-8")
    (folder / "p.csv").write_text("id\n1\n", encoding="utf-8")
    if refused is not None:
        (folder / "refused.txt").write_text(refused, encoding="utf-8")


REFERENCE = """\
    @prefix rr: <http://www.w3.org/ns/r2rml#>.
    @prefix rml: <http://semweb.mmlab.be/ns/rml#>.
    @prefix ql: <http://semweb.mmlab.be/ns/ql#>.
    <#m> a rr:TriplesMap;
      rml:logicalSource [ rml:source "p.csv"; rml:referenceFormulation ql:CSV ];
      rr:subjectMap [ rr:template "http://example.com/{id}" ];
      rr:predicateObjectMap [ rr:predicateMap [ rr:constant "http://example.com/p" ];
        rr:objectMap [ rr:constant "http://example.com/o"; rr:termType rr:IRI ] ].
"""


def test_a_case_passes_fails_or_is_refused_by_its_own_files(tmp_path):
    """Same quads as the reference: passed; other quads: failed; the error refused.txt
    holds: refused; another error: failed."""
    same = "prefixes: {ex: http://example.com/}\nmappings:\n  m:\n    sources: [[p.csv~csv]]\n"
    same += "    s: ex:$(id)\n    po: [[ex:p, ex:o~iri]]\n"
    _case(tmp_path / "a-same", same, REFERENCE)
    _case(tmp_path / "b-other", same.replace("ex:o~iri", "ex:x~iri"), REFERENCE)
    refused = "mapping.yml:1:1: targets (output destinations) are not supported; newskg writes "
    refused += "the store\n  hint: remove it\n"
    _case(tmp_path / "c-refused", "targets: [me]\n" + same, REFERENCE, refused)
    _case(tmp_path / "d-refused-otherwise", "targets: [me]\n" + same, REFERENCE, "other\n")
    report = run_conformance(tmp_path)
    assert report.passed == 1
    assert [r.case for r in report.refused] == ["c-refused"]
    assert [f.case for f in report.failures] == ["b-other", "d-refused-otherwise"]


def test_a_reference_that_does_not_parse_fails_the_case(tmp_path):
    same = "prefixes: {ex: http://example.com/}\nmappings:\n  m:\n    sources: [[p.csv~csv]]\n"
    _case(tmp_path / "broken", same + "    s: ex:$(id)\n", "this is not turtle")
    report = run_conformance(tmp_path)
    assert [f.case for f in report.failures] == ["broken"]
    assert "reference.rml.ttl does not parse" in report.failures[0].reason


def test_legacy_rml_is_read_as_rmlmapper_reads_it():
    """The namespaces become RML-Core's; a string constant where an IRI is due becomes that
    IRI; a string constant of a literal object stays a literal."""
    text = rml_core_from_legacy(
        textwrap.dedent(REFERENCE).replace(
            "rr:termType rr:IRI ] ].", 'rr:termType rr:IRI ], [ rr:constant "text" ] ].'
        )
    )
    assert "semweb.mmlab.be" not in text and "r2rml#" not in text
    assert "<http://example.com/p>" in text and "<http://example.com/o>" in text
    assert '"text"' in text


# --------------------------------------------------------------------------- morph-kgc

# One morph-kgc process runs every case (morph-kgc as a library, from its own venv, in each
# case's folder since it reads sources relative to the working directory).
_MORPH_RUN = """
import json, os, sys
import morph_kgc
out = {}
for name, folder, maps in json.load(open(sys.argv[1])):
    os.chdir(folder)
    config = "[CONFIGURATION]\\nnumber_of_processes=1\\n[DataSource1]\\nmappings=" + ",".join(maps)
    try:
        out[name] = {"quads": "".join(q + " .\\n" for q in morph_kgc.materialize_set(config))}
    except BaseException as exc:
        out[name] = {"error": type(exc).__name__ + ": " + str(exc)[:300]}
json.dump(out, open(sys.argv[2], "w"))
"""


def morphkgc_outcomes(python: Path, work: Path) -> dict[str, str]:
    """For every case with reference quads: passed, error or wrong output, by morph-kgc."""
    cases = [
        (c, reference_quads(c)[0] if c.output is None else c.output.read_text())
        for c in read_cases(CASES)
    ]
    judged = [(c, expected) for c, expected in cases if expected is not None]
    todo = [(c.name, str(c.mapping.parent), [str(m) for m in c.mappings]) for c, _ in judged]
    (work / "cases.json").write_text(json.dumps(todo), encoding="utf-8")
    (work / "run.py").write_text(_MORPH_RUN, encoding="utf-8")
    subprocess.run(
        [str(python), str(work / "run.py"), str(work / "cases.json"), str(work / "out.json")],
        check=True,
        capture_output=True,
        # morph-kgc's output on multiple-sources-with-linked-mappings depends on the hash
        # seed (the reference's 3 quads or none): one seed, so that the counts are stable.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = json.loads((work / "out.json").read_text(encoding="utf-8"))
    outcomes = {}
    for case, expected in judged:
        got = found[case.name]
        if "error" in got:
            outcomes[case.name] = "error"
            continue
        try:
            same = isomorphic_nquads(got["quads"], expected)
        except ValueError:
            same = False
        outcomes[case.name] = "passed" if same else "wrong output"
    return outcomes


def _morph_python() -> tuple[Path | None, str]:
    env = os.environ.get("NEWSKG_MORPH_PYTHON")
    python = Path(env) if env else ROOT / ".venv-morph" / "bin" / "python"
    if not python.exists():
        return None, f"{python} does not exist (set NEWSKG_MORPH_PYTHON)"
    return python, ""


def test_morphkgc_on_the_cases_with_reference_quads(tmp_path):
    """The figures of docs/mapping-language.md ("YARRRML cases"): morph-kgc 2.10 on every
    case whose expected quads are known, against newskg on the same cases."""
    python, why = _morph_python()
    if python is None:
        pytest.skip(f"morph-kgc unavailable: {why}")
    outcomes = morphkgc_outcomes(python, tmp_path)
    counts = {
        k: sum(1 for v in outcomes.values() if v == k) for k in ("passed", "error", "wrong output")
    }
    table = "\n".join(f"{v:13} {k}" for k, v in sorted(outcomes.items()))
    print(table, file=sys.stderr)
    assert len(outcomes) == 50, table
    assert counts == {"passed": 16, "error": 15, "wrong output": 19}, table
