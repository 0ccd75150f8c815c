"""Each saved query (competency question) answers correctly on the seed KG."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.inputs.evidence import split_sentences
from newskg.query.graph import KnowledgeGraph
from newskg.query.saved import find_query, list_queries
from newskg.query.terms import Iri
from tests.conftest import ROOT, SEED, SEED_ARTICLE, run_cli
from tests.query.saved_run import bound_text, cli_answer

QUERIES = ROOT / "queries"
TEXT = (SEED / "article.txt").read_text(encoding="utf-8")
BASE = "https://w3id.org/newskg/"


@pytest.fixture(scope="module")
def kg(built_kg: Path) -> KnowledgeGraph:
    return KnowledgeGraph.open(built_kg / "kg")


def rows(kg: KnowledgeGraph, name: str, **bindings) -> list[dict]:
    return kg.select(find_query(name, QUERIES).text, **bindings).values()


def test_every_saved_query_has_a_header_and_runs(kg):
    queries = list_queries(QUERIES)
    assert len(queries) >= 10
    for query in queries:
        assert query.title != query.name and query.answers, query.name
        bindings = {n: "x" for n in query.required}
        kg.query(query.text, **bindings)


def test_who_met_whom_when_and_in_what_capacity(kg):
    result = {(r["participant"], r["capacity"], r["date"], r["mode"]) for r in rows(kg, "meetings")}
    assert result == {
        ("Prayut Chan-o-cha", "Prime Minister of Thailand", "2021-11-25", "virtual"),
        ("Ren Zhengfei", "Chief Executive Officer of Huawei Technologies", "2021-11-25", "virtual"),
    }


def test_quotes_with_speaker_and_exact_offsets(kg):
    result = rows(kg, "quotes")
    assert len(result) == 4
    speakers = [r["speaker"] for r in result]
    assert speakers == ["Prayut Chan-o-cha"] * 2 + ["Ren Zhengfei"] * 2
    for r in result:
        assert TEXT[r["start"] : r["end"]] == r["quote"]
    assert result[0]["quote"].startswith("Huawei has provided profound contributions")


def test_quotes_can_be_narrowed_to_one_speaker_by_binding(kg):
    ren = Iri(BASE + "id/ren-zhengfei")
    result = rows(kg, "quotes", speakerId=ren)
    assert [r["speaker"] for r in result] == ["Ren Zhengfei", "Ren Zhengfei"]


def test_six_proposed_areas_technologies_and_sectors(kg):
    result = rows(kg, "cooperation-areas")
    proposed = {r["item"] for r in result if r["status"] == "proposed"}
    assert proposed == {
        "Digital economy",
        "5G smart hospital",
        "Cloud and computing",
        "Digital power",
        "Smart logistics",
        "Data center",
    }
    assert {r["proposedBy"] for r in result if r["status"] == "proposed"} == {"Prayut Chan-o-cha"}
    tech = {r["item"] for r in result if r["kind"] == "technology"}
    assert tech == {"5G", "Cloud computing", "Artificial intelligence"}
    sectors = {r["item"] for r in result if r["kind"] == "sector"}
    assert sectors == {"Healthcare", "Education", "Transportation", "E-government", "Smart city"}
    scenarios = {r["item"] for r in result if r["kind"] == "scenario"}
    assert scenarios == {"Port", "Airport"}


def test_training_figures_keep_their_wording(kg):
    result = {r["measure"]: r for r in rows(kg, "figures")}
    trained = result["ICT professionals trained"]
    assert (trained["value"], trained["comparator"], trained["unit"]) == (
        41000,
        "greater than",
        "ICT professional",
    )
    assert trained["asOf"] == "2021-11-25"
    assert "which has trained over 41,000 ICT professionals" in trained["sentence"]
    smes = next(r for m, r in result.items() if "enterprises" in m)
    assert (smes["value"], smes["comparator"]) == (1300, "exactly")


def test_agreements_and_their_parties(kg):
    result = rows(kg, "agreements")
    assert {r["party"] for r in result} == {"Huawei Technologies", "Thai universities"}
    assert {(r["kind"], r["count"], r["comparator"]) for r in result} == {
        ("Memorandum of understanding", 20, "greater than")
    }


def test_everything_about_one_entity_is_traceable_to_a_graph(kg):
    result = rows(kg, "entity", entity=Iri(BASE + "id/huawei"))
    assert {r["direction"] for r in result} == {"in", "out"}
    graphs = {r["graph"] for r in result}
    assert f"{BASE}graph/article/{SEED_ARTICLE}" in graphs
    assert f"{BASE}graph/entities" in graphs
    assert any(r["property"] == "https://schema.org/sameAs" for r in result)


def test_facts_anchored_to_a_sentence(kg):
    fragment = "more than 20 Thai universities"
    result = rows(kg, "facts-in-sentence", fragment=fragment)
    (sentence,) = [s for s in split_sentences(TEXT) if fragment in s.text]
    assert {r["n"] for r in result} == {sentence.number}
    types = {r["type"] for r in result}
    assert {"Agreement", "Figure"} <= types or {"MemorandumOfUnderstanding", "Figure"} <= types


def test_press_release_attributions(kg):
    result = rows(kg, "press-release")
    facts = {r["fact"].rsplit(".", 1)[-1] for r in result}  # id/<article>.<fact>
    assert facts == {
        "prayut-appreciation",
        "prayut-eagerness-to-cooperate",
        "huawei-asean-academy-thailand-founding",
        "academy-ict-professionals-trained",
        "academy-smes-trained",
    }
    assert all("said a press release" in r["sentence"] for r in result)


def test_what_each_side_expressed(kg):
    result = {(r["speaker"], r["kind"]) for r in rows(kg, "statements")}
    assert {
        ("Prayut Chan-o-cha", "Appreciation"),
        ("Prayut Chan-o-cha", "Eagerness"),
        ("Ren Zhengfei", "Gratitude"),
        ("Ren Zhengfei", "Congratulations"),
    } <= result


def test_programme_founding_and_figures(kg):
    result = rows(kg, "programmes")
    assert {(r["programme"], r["provider"], r["founded"]) for r in result} == {
        ("Huawei ASEAN Academy (Thailand)", "Huawei Technologies", "2019")
    }
    assert {r["value"] for r in result} == {41000, 1300}


def test_strategy_and_goal(kg):
    result = rows(kg, "strategy")
    assert ("Thailand 4.0", "strategy") in {(r["target"], r["kind"]) for r in result}
    assert ("Become the ASEAN digital hub", "goal") in {(r["target"], r["kind"]) for r in result}


def test_events_are_found_without_a_reasoner(kg):
    result = rows(kg, "events")
    assert any(r["type"] == "Meeting" and r["date"] == "2021-11-25" for r in result)
    asked = kg.query("ASK { ?m a schema:Event ; schema:attendee <" + BASE + "id/ren-zhengfei> }")
    assert asked is True


def test_digital_inclusion_initiative(kg):
    (row,) = rows(kg, "initiatives")
    assert row["organiser"] == "Huawei Technologies"
    assert row["beneficiary"] == "Vulnerable groups"


def test_articles_lists_the_seed(kg):
    (row,) = rows(kg, "articles")
    assert row["id"] == SEED_ARTICLE and row["facts"] > 30


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_query_formats(built_kg, fmt):
    result = run_cli(
        "query", "figures", "--format", fmt, "--kg", built_kg / "kg", "--queries", QUERIES
    )
    assert result.code == 0, result.err
    if fmt == "json":
        data = json.loads(result.out)
        assert data["head"]["vars"][0] == "about"
        values = {b["value"]["value"] for b in data["results"]["bindings"]}
        assert "41000" in values
    elif fmt == "csv":
        assert result.out.startswith("about,kind,measure,comparator,value")
        assert "41000" in result.out
    elif fmt == "tsv":
        assert result.out.startswith("?about\t?kind\t?measure")
        assert '"41000"^^<http://www.w3.org/2001/XMLSchema#integer>' in result.out
    else:
        assert "greater than" in result.out and "(3 rows)" in result.out


def test_query_errors(built_kg, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x ?y }")
    result = run_cli("query", bad, "--kg", built_kg / "kg")
    assert result.code == 3 and "SPARQL syntax error" in result.err
    result = run_cli("query", "meeting", "--kg", built_kg / "kg", "--queries", QUERIES)
    assert result.code == 6 and "did you mean 'meetings'?" in result.err
    result = run_cli("query", "facts-in-sentence", "--kg", built_kg / "kg", "--queries", QUERIES)
    assert result.code == 3 and "needs ?fragment" in result.err
    result = run_cli(
        "query", "meetings", "--bind", "nope", "--kg", built_kg / "kg", "--queries", QUERIES
    )
    assert result.code == 2 and "write --bind NAME=VALUE" in result.err


def test_hostile_binding_values_stay_values(kg):
    hostile = '" } ; DROP ALL ; SELECT * { ?s ?p ?o } #'
    assert rows(kg, "facts-in-sentence", fragment=hostile) == []
    found = kg.select("SELECT ?v ?s WHERE { ?s schema:value ?v }", v=Decimal("41000"))
    assert len(found) == 0  # 41000 is stored as xsd:integer; a decimal binding is another term
    found = kg.select("SELECT ?v ?s WHERE { ?s schema:value ?v }", v=41000)
    assert len(found) == 1


def test_a_text_search_answers_as_a_scan_of_every_text_does(kg):
    """The text index only names candidates: with it and without it, the same rows."""
    scan = KnowledgeGraph(kg.store, kg.base)  # no text index: the query reads every text
    assert kg.text_index is not None and scan.text_index is None
    for name, bindings in [
        ("facts-in-sentence", {"fragment": "more than 20 Thai universities"}),
        ("facts-in-sentence", {"fragment": "41,000"}),
        ("facts-in-sentence", {"fragment": "20"}),  # too short for the index
        ("facts-in-sentence", {"fragment": "MORE THAN 20"}),  # CONTAINS minds the case
        ("search", {"text": "DIGITAL ECONOMY"}),
        ("search", {"text": "ren zhengfei"}),
        ("search", {"text": "nowhere in the article"}),
    ]:
        query = find_query(name, QUERIES)
        indexed, scanned = query.run(kg, **bindings), query.run(scan, **bindings)
        assert indexed.rows == scanned.rows, (name, bindings)
    assert len(find_query("facts-in-sentence", QUERIES).run(kg, fragment="MORE THAN 20")) == 0


def test_the_full_text_query_finds_sentences_and_quotes_in_any_case(kg):
    result = find_query("search", QUERIES).run(kg, text="DIGITAL ECONOMY").values()
    assert {r["kind"] for r in result} == {"sentence", "quote"}
    assert all("digital economy" in r["passage"].lower() for r in result)
    quote = next(r for r in result if r["kind"] == "quote")
    assert quote["speaker"] == "Prayut Chan-o-cha" and quote["facts"] >= 1


def test_hostile_text_searches_stay_values(kg):
    hostile = '" } ; DROP ALL ; SELECT * { ?s ?p ?o } # AND "x" OR NEAR('
    for name, parameter in (("facts-in-sentence", "fragment"), ("search", "text")):
        assert len(find_query(name, QUERIES).run(kg, **{parameter: hostile})) == 0


def test_programmes_pair_each_founding_with_its_own_articles_figures(kg):
    result = rows(kg, "programmes")
    assert {r["article"] for r in result} == {
        "Thai PM Prayut Chan-o-cha and Huawei CEO Ren Zhengfei discuss digital cooperation "
        "in a virtual meeting"
    }


def _rows(results: dict) -> list[tuple]:
    names = results["head"]["vars"]
    return [
        tuple(tuple(sorted(b[n].items())) if n in b else None for n in names)
        for b in results["results"]["bindings"]
    ]


@pytest.mark.parametrize("name", [q.name for q in list_queries(QUERIES)])
def test_saved_queries_answer_alike_over_a_union_that_is_a_set(beat_kg, name):
    """Jena's union default graph is a set, Oxigraph's and Virtuoso's a bag (a triple in two
    graphs is seen twice): each saved query gives the same rows, in the same order, over
    both. The set is made here as Jena makes it: every distinct triple once in the default
    graph, the named graphs as they are. Jena itself runs the queries in test_jena.py; this
    needs no Java, and tells a difference of the union from one of the engines."""
    query = find_query(name, QUERIES)
    bag = _rows(cli_answer(query, beat_kg / "kg"))
    built = ox.Store.read_only(str(beat_kg / "kg" / "store"))
    as_set = ox.Store()
    as_set.extend(built)
    as_set.extend({ox.Quad(q.subject, q.predicate, q.object) for q in built})
    answer = as_set.query(bound_text(query), use_default_graph_as_union=False)
    assert bag, f"{name} answers nothing on the fixture articles: nothing is compared"
    assert _rows(json.loads(answer.serialize(format=ox.QueryResultsFormat.JSON))) == bag
