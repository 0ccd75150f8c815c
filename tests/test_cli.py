"""CLI subcommands run in-process: show, export, queries, and argument errors."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest
import rdflib

from tests.conftest import ROOT, SEED_ARTICLE, copy_project, edit_text, run_cli


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


def test_show_a_fact_by_its_key_or_by_its_id(built_kg):
    kg = built_kg / "kg"
    by_key = run_cli("show", f"{SEED_ARTICLE}.academy-smes-trained", "--kg", kg)
    assert by_key.code == 0, by_key.err
    by_id = run_cli("show", "academy-smes-trained", "--kg", kg)
    assert by_id.out == by_key.out
    assert f"<https://w3id.org/newskg/id/{SEED_ARTICLE}.academy-smes-trained>" in by_id.out


@pytest.fixture(scope="module")
def twice_reported(tmp_path_factory) -> object:
    """The seed article under a second id (same fact ids), and a second 'Huawei Technologies'."""
    root = copy_project(tmp_path_factory.mktemp("twice"))
    shutil.copytree(root / "seeds" / SEED_ARTICLE, root / "seeds" / "001_reprint")
    edit_text(
        root / "seeds" / "entities.yaml",
        "entities:\n",
        "entities:\n  - {id: huawei-device, type: Organization, label: Huawei Technologies}\n",
    )
    assert run_cli("build", "--project", root).code == 0
    return root / "kg"


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        ("academy-smes-trained", ["001_reprint.academy-smes-trained",
                                  f"{SEED_ARTICLE}.academy-smes-trained"]),
        ("Huawei Technologies", ["huawei", "huawei-device"]),
    ],
)  # fmt: skip
def test_an_ambiguous_name_lists_the_candidates_instead_of_picking_one(
    twice_reported, name, listed
):
    result = run_cli("show", name, "--kg", twice_reported)
    assert result.code == 6 and "Traceback" not in result.err
    assert f"'{name}' is" in result.err and "2 nodes" in result.err
    for key in listed:
        assert key in result.err
    assert "name one of them by its id" in result.err


def test_validate_reports_every_article_sorted_by_file_and_line(project):
    second = project / "seeds" / "001_second"
    shutil.copytree(project / "seeds" / SEED_ARTICLE, second)
    for folder in (project / "seeds" / SEED_ARTICLE, second):
        edit_text(folder / "facts.yaml", "    comparator: exactly\n", "    comparator: exact\n")
        edit_text(folder / "facts.yaml", "    unit: Thai university\n", "    unit: []\n")
    result = run_cli("validate", "--project", project)
    assert result.code == 2
    located = [line for line in result.err.splitlines() if line.startswith("error: ")]
    files = [line.split(":")[1].strip() for line in located]
    assert len(located) == 4 and files == sorted(files)
    assert "seeds/000_" in files[0] and "seeds/001_second" in files[-1]
    lines = [int(line.split(":")[2]) for line in located[:2]]
    assert lines == sorted(lines)


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
    store = ox.Store.read_only(str((built_kg / "kg" / "store").resolve()))
    reference = {(q.subject, q.predicate, q.object) for q in store}
    parsed = parse(out)
    triples = {
        (s, p, o) for s, p, o, *_ in (parsed.quads() if hasattr(parsed, "quads") else parsed)
    }
    assert len(triples) == len(reference)
    if fmt == "jsonld":
        json.loads(out.read_text())


def test_export_trig_is_the_build_graph_files_joined(built_kg, tmp_path):
    """The union TriG holds each graph's block exactly as its file in kg/graphs/ does."""
    out = tmp_path / "again.trig"
    assert run_cli("export", "--format", "trig", "-o", out, "--kg", built_kg / "kg").code == 0
    union = out.read_text(encoding="utf-8")
    files = sorted((built_kg / "kg" / "graphs").glob("*.trig"))
    assert len(files) == 3
    for path in files:
        block = path.read_text(encoding="utf-8").split("\n\n", 1)[1]  # after its header
        assert block in union
    dataset = {q for path in files for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)}
    assert set(ox.parse(path=str(out), format=ox.RdfFormat.TRIG)) == dataset


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


def test_a_binding_that_is_not_utf8_is_a_query_error(built_kg):
    """A byte that is not UTF-8 reaches Python as a lone surrogate: it was a traceback."""
    result = run_cli("query", "facts-in-sentence", "--bind", "fragment=\udcff",
                     "--kg", built_kg / "kg", "--queries", ROOT / "queries")  # fmt: skip
    assert result.code == 3 and "not valid Unicode" in result.err
    assert "Traceback" not in result.err
