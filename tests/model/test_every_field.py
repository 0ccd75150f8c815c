"""Every field the model declares, of every entity type and fact kind, reaches the graph:
built from the seed and the fixture articles, which between them use every field."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from newskg.model.schema import Field, Model, load_model
from newskg.rdf import NKG
from newskg.store import open_store
from tests.conftest import ROOT

NEWS_ARTICLE = "https://schema.org/NewsArticle"
PROV = "http://www.w3.org/ns/prov#"


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model(ROOT / "ontology" / "model.yaml")


@pytest.fixture(scope="module")
def store(beat_kg) -> ox.Store:
    return open_store(beat_kg / "kg")


def _declared(model: Model) -> list[tuple[str, tuple[str, ...], Field]]:
    """(what, classes one of which its nodes have, field) for every field with a property."""
    out = [("article", (NEWS_ARTICLE,), f) for f in model.article_fields.values()]
    out += [("source", (NKG + "Source",), f) for f in model.source_fields.values()]
    every_entity = tuple(t.classes[0] for t in model.entity_types.values())
    out += [("entity", every_entity, f) for f in model.entity_fields.values()]
    for name, etype in model.entity_types.items():
        out += [(name, etype.classes[:1], f) for f in etype.fields.values()]
    for section, kind in model.fact_kinds.items():
        out += [(section, (kind.cls,), f) for f in kind.fields.values()]
    return [(what, classes, f) for what, classes, f in out if f.properties]


def _stated(store: ox.Store, classes: str | tuple[str, ...], prop: str) -> bool:
    values = " ".join(f"<{c}>" for c in ((classes,) if isinstance(classes, str) else classes))
    query = f"ASK {{ VALUES ?c {{ {values} }} GRAPH ?g {{ ?s a ?c ; <{prop}> ?o }} }}"
    return bool(store.query(query))


def test_every_declared_field_reaches_the_graph(model, store):
    missing = [
        f"{what}.{spec.name} ({prop})"
        for what, classes, spec in _declared(model)
        for prop in spec.properties
        if not _stated(store, classes, prop)
    ]
    assert missing == []


def test_every_kind_of_fact_is_derived_evidenced_and_can_cite_a_source(model, store):
    for section, kind in model.fact_kinds.items():
        assert _stated(store, kind.cls, PROV + "wasDerivedFrom"), section
        assert _stated(store, kind.cls, NKG + "evidence"), section
    assert _stated(store, NKG + "Figure", PROV + "hadPrimarySource")


def test_every_kind_word_types_a_record(model, store):
    """Each kind (a summit, a contract, a target) is a class some fixture record has."""
    for section, kind in model.fact_kinds.items():
        if kind.kinds:
            for term in model.vocabularies[kind.kinds].terms.values():
                if section == "events" and term in ("Conference", "Visit", "Announcement"):
                    continue  # the same mapping line as the kinds used: nothing new to reach
                assert _stated(store, NKG + term, PROV + "wasDerivedFrom"), f"{section}: {term}"
