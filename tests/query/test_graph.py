"""The Python API: nodes, edges, traversal, evidence, bound parameters."""

from __future__ import annotations

from decimal import Decimal

import pytest

import newskg
from newskg.errors import NotFoundError
from newskg.query.graph import KnowledgeGraph
from newskg.query.terms import Iri

BASE = "https://w3id.org/newskg/"


@pytest.fixture(scope="module")
def kg(built_kg) -> KnowledgeGraph:
    return newskg.KnowledgeGraph.open(built_kg / "kg")


def test_node_by_id_label_prefixed_name_and_iri(kg):
    assert kg.node("huawei").iri == BASE + "id/huawei"
    assert kg.node("Huawei Technologies").iri == BASE + "id/huawei"
    assert kg.node(BASE + "id/huawei").label == "Huawei Technologies"
    assert kg.node("nkg:Meeting").label == "Meeting"
    with pytest.raises(NotFoundError):
        kg.node("no-such-thing")


def test_a_node_is_named_as_path_and_quotes_name_one(kg):
    huawei = kg.node("huawei")
    assert kg.node(huawei) == huawei == kg.node(Iri(huawei.iri))
    with pytest.raises(TypeError, match=r"name a node by .* not int"):
        kg.node(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not NoneType"):
        kg.path(None, "huawei")  # type: ignore[arg-type]


def test_types_include_aligned_super_classes(kg):
    academy = kg.node("huawei-asean-academy-thailand")
    assert "https://w3id.org/newskg/ontology#TrainingProgramme" in academy.types
    assert "https://schema.org/EducationalOccupationalProgram" in academy.types


def test_out_and_in_edges(kg):
    ren = kg.node("ren-zhengfei")
    assert any(e.predicate.value.endswith("#speaker") for e in ren.in_())
    labels = [e.object.value for e in ren.out("rdfs:label")]
    assert labels == ["Ren Zhengfei"]


def test_neighbours_grow_with_depth(kg):
    ren = kg.node("ren-zhengfei")
    one, two = ren.neighbours(1), ren.neighbours(2)
    assert one < two
    assert kg.node(BASE + "id/prayut-ren-meeting-2021") in one


def test_path_between_two_entities(kg):
    path = kg.path("prayut-chan-o-cha", "huawei-asean-academy-thailand", max_hops=4)
    assert path is not None and 1 <= len(path) <= 4
    nodes = {path[0].subject.value, path[0].object.value}
    assert BASE + "id/prayut-chan-o-cha" in nodes
    assert kg.path("prayut-chan-o-cha", "huawei-asean-academy-thailand", max_hops=1) is None


def test_evidence_of_an_entity_points_into_the_article(kg, built_kg):
    text = (built_kg / "seeds" / "000_62ce04f1d7ffd07b" / "article.txt").read_text()
    evidence = kg.node("thai-universities").evidence()
    assert evidence
    for ev in evidence:
        assert text[ev.start : ev.end] == ev.exact
        assert ev.sentence is not None and ev.exact in ev.sentence


def test_bound_iri_parameter(kg):
    rows = kg.select(
        "SELECT ?who ?q WHERE { ?q nkg:speaker ?who }", who=Iri(BASE + "id/ren-zhengfei")
    )
    assert len(rows) >= 2
    assert set(rows.column("who")) == {BASE + "id/ren-zhengfei"}


@pytest.mark.parametrize(
    "call",
    [
        lambda kg: newskg.Iri("http://a b"),
        lambda kg: kg.select("SELECT ?x WHERE {}", **{"a b": "x"}),  # not a variable name
        lambda kg: kg.select("SELECT ?x WHERE {}", x="\udcff"),  # a lone surrogate
        lambda kg: kg.select("SELECT ?x WHERE {}", x=10**5000),  # more digits than str() makes
        lambda kg: kg.select("SELECT ?x WHERE {}", x=Decimal("1e999999999")),
        lambda kg: kg.node("nkg:Meeting> } DROP"),
        lambda kg: kg.node("nkg:a b"),
        lambda kg: kg.path("huawei", "<http://a b>"),
    ],
    ids=[
        "Iri",
        "variable",
        "surrogate",
        "huge int",
        "huge decimal",
        "node >",
        "node space",
        "path",
    ],
)
def test_bad_arguments_are_newskg_errors(kg, call):
    """They raised ValueError or RuntimeError, which docs/api.md does not promise."""
    with pytest.raises(newskg.NewskgError):
        call(kg)
