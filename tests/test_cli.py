"""CLI subcommands run in-process: show, export, queries, and argument errors."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from tests.conftest import ROOT, run_cli


def test_show_an_entity_with_its_evidence(built_kg):
    result = run_cli("show", "huawei-asean-academy-thailand", "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    assert result.out.startswith("Huawei ASEAN Academy (Thailand)\n")
    assert "nkg:TrainingProgramme" in result.out
    assert "schema:EducationalOccupationalProgram" in result.out  # materialised super-class
    assert (
        '"which has trained over 41,000 ICT professionals"' in result.out or "41,000" in result.out
    )
    assert "evidence (" in result.out


def test_show_by_label_and_alias(built_kg):
    assert "Prayut Chan-o-cha" in run_cli("show", "Gen Prayut", "--kg", built_kg / "kg").out
    result = run_cli("show", "huawe", "--kg", built_kg / "kg")
    assert result.code == 6 and "did you mean 'huawei'?" in result.err


@pytest.mark.parametrize(
    ("fmt", "parse"),
    [
        ("ttl", lambda p: rdflib.Graph().parse(p, format="turtle")),
        ("trig", lambda p: rdflib.Dataset().parse(p, format="trig")),
        ("nt", lambda p: rdflib.Graph().parse(p, format="nt")),
        ("nq", lambda p: rdflib.Dataset().parse(p, format="nquads")),
        ("jsonld", lambda p: rdflib.Dataset().parse(p, format="json-ld")),
    ],
)
def test_every_export_format_reparses_to_the_same_graph(built_kg, tmp_path, fmt, parse):
    out = tmp_path / f"kg.{fmt}"
    result = run_cli("export", "--format", fmt, "-o", out, "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    reference = rdflib.Graph().parse(built_kg / "kg" / "newskg.ttl", format="turtle")
    parsed = parse(out)
    triples = {
        (s, p, o) for s, p, o, *_ in (parsed.quads() if hasattr(parsed, "quads") else parsed)
    }
    assert len(triples) == len(reference)
    if fmt == "jsonld":
        json.loads(out.read_text())


def test_export_ttl_equals_the_build_export(built_kg, tmp_path):
    out = tmp_path / "again.ttl"
    assert run_cli("export", "--format", "ttl", "-o", out, "--kg", built_kg / "kg").code == 0
    assert out.read_bytes() == (built_kg / "kg" / "newskg.ttl").read_bytes()
    dataset = list(ox.parse(path=str(built_kg / "kg" / "newskg.trig"), format=ox.RdfFormat.TRIG))
    out = tmp_path / "again.trig"
    assert run_cli("export", "--format", "trig", "-o", out, "--kg", built_kg / "kg").code == 0
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.TRIG))) == len(dataset)


def test_list_queries():
    result = run_cli("queries", "--queries", ROOT / "queries")
    assert result.code == 0
    assert "meetings" in result.out and "Who met whom" in result.out


def test_missing_store_is_a_clear_error(tmp_path):
    result = run_cli("show", "huawei", "--kg", tmp_path / "nowhere")
    assert result.code == 6
    assert "run 'newskg build' first" in result.err


def test_unknown_subcommand_and_bad_format():
    assert run_cli("frobnicate").code == 2
    result = run_cli("export", "--format", "xml")
    assert result.code == 2
    assert "invalid choice" in result.err  # argparse writes to main()'s err stream


@pytest.mark.parametrize(
    "argv",
    [
        ("serve", "--port", "99999"),
        ("serve", "--port", "-1"),
        ("serve", "--timeout", "nan"),
        ("push", "http://127.0.0.1:1/store", "--timeout", "-1"),
        ("push", "http://127.0.0.1:1/store", "--timeout", "0"),
        ("push", "http://127.0.0.1:1/store", "--timeout", "nan"),
    ],
)
def test_out_of_range_numbers_are_usage_errors_not_tracebacks(tmp_path, argv):
    result = run_cli(*argv, "--kg", tmp_path / "nowhere")
    assert result.code == 2 and f"{argv[-2]} {argv[-1]}" in result.err
