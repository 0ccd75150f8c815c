"""Every saved query answers on Apache Jena's engine as `newskg query` answers on the build:
the fixture articles exported as TriG, loaded into Jena's TDB2 with the union default graph
Fuseki gives it, every query run in one JVM (tests/query/jena.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.query.saved import find_query, list_queries
from tests.conftest import ROOT, run_cli
from tests.query import jena
from tests.query.saved_run import bound_text, cli_answer, normalised

QUERIES = ROOT / "queries"
# How many triples the default graph holds, and how many statements the named graphs.
COUNTS = {
    "count-default": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "count-named": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
}


@pytest.fixture(scope="module")
def answers(beat_kg: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Jena's answers to every saved query (its parameters bound) and to COUNTS."""
    reason = jena.unavailable()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("jena")
    data = folder / "kg.trig"
    result = run_cli("export", "--format", "trig", "-o", data, "--kg", beat_kg / "kg")
    assert result.code == 0, result.err
    queries = {q.name: bound_text(q) for q in list_queries(QUERIES)} | COUNTS
    return jena.select(jena.compiled(folder), data, queries, folder / "queries")


def _count(results: dict) -> int:
    (row,) = results["results"]["bindings"]
    return int(row["n"]["value"])


def test_the_union_default_graph_is_a_set_of_the_named_graphs(answers, beat_kg):
    store = ox.Store.read_only(str(beat_kg / "kg" / "store"))
    quads = list(store)
    triples = {(q.subject, q.predicate, q.object) for q in quads}
    assert len(triples) < len(quads)  # some triple is stated in two graphs: a bag would differ
    assert _count(answers["count-default"]) == len(triples)
    assert _count(answers["count-named"]) == len(quads)


@pytest.mark.parametrize("name", [q.name for q in list_queries(QUERIES)])
def test_saved_queries_answer_alike_on_jena(answers, beat_kg, name):
    local = normalised(cli_answer(find_query(name, QUERIES), beat_kg / "kg"))
    assert local, f"{name} answers nothing on the fixture articles: nothing is compared"
    assert normalised(answers[name]) == local
