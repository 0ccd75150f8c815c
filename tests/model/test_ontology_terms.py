"""The ontology declares, exactly once, every class, property and vocabulary term the model
names; and every nkg: term it declares is one the model or the mappings use."""

from __future__ import annotations

from collections import Counter

import pytest

from newskg.model.ontology import ontology_files, parse_rdf_file
from newskg.model.schema import all_fields, load_model
from newskg.rdf import NKG, RDF_TYPE
from tests.conftest import ROOT

OWL = "http://www.w3.org/2002/07/owl#"
DECLARATIONS = {
    f"<{OWL}Class>",
    f"<{OWL}ObjectProperty>",
    f"<{OWL}DatatypeProperty>",
    f"<{OWL}NamedIndividual>",
}


@pytest.fixture(scope="module")
def model():
    return load_model(ROOT / "ontology" / "model.yaml")


@pytest.fixture(scope="module")
def triples() -> list[tuple[str, str, str, str]]:
    return [q for path in ontology_files(ROOT / "ontology") for q in parse_rdf_file(path)]


def _declared(triples, kinds: set[str]) -> Counter[str]:
    """How often each IRI is declared as one of ``kinds``, over every ontology file."""
    return Counter(s[1:-1] for s, p, o, _ in triples if p == f"<{RDF_TYPE}>" and o in kinds)


def test_every_class_the_model_names_is_declared(model, triples):
    classes = _declared(triples, {f"<{OWL}Class>"})
    named = {c for t in model.entity_types.values() for c in t.classes}
    named |= {k.cls for k in model.fact_kinds.values() if k.cls}
    # Kinds: each word of these vocabularies names a class the record is typed with.
    kinds = {k.kinds for k in model.fact_kinds.values() if k.kinds}
    kinds |= {spec.vocabulary for _, spec in all_fields(model) if spec.is_class}
    for name in kinds:
        named |= {NKG + term for term in model.vocabularies[name].terms.values()}
    named |= {v.cls for v in model.vocabularies.values() if v.cls}
    missing = sorted(c for c in named if c not in classes and c.startswith(NKG))
    assert missing == []


def test_every_vocabulary_word_is_an_individual_of_its_class(model, triples):
    typed = {(s[1:-1], o[1:-1]) for s, p, o, _ in triples if p == f"<{RDF_TYPE}>"}
    for vocabulary in model.vocabularies.values():
        if vocabulary.cls is None:
            continue
        for term in vocabulary.terms.values():
            assert (NKG + term, vocabulary.cls) in typed, f"nkg:{term} a {vocabulary.cls}"


def test_every_nkg_field_property_is_declared_exactly_once(model, triples):
    declared = _declared(triples, DECLARATIONS)
    properties = {p for _, spec in all_fields(model) for p in spec.properties if NKG in p}
    assert sorted(p for p in properties if declared[p] != 1) == []
    twice = sorted(iri for iri, n in declared.items() if n > 1)
    assert twice == [], "declared in newskg.ttl and generated: keep one"


def test_every_declared_nkg_term_is_used(model, triples):
    """A term nothing emits is dead weight in a published ontology."""
    declared = {iri for iri in _declared(triples, DECLARATIONS) if iri.startswith(NKG)}
    mappings = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "mappings").glob("*.yaml"))
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    used_in_model = {p for _, spec in all_fields(model) for p in spec.properties}
    used_in_model |= {k.cls for k in model.fact_kinds.values()}
    used_in_model |= {c for t in model.entity_types.values() for c in t.classes}
    used_in_model |= {NKG + t for v in model.vocabularies.values() for t in v.terms.values()}
    used_in_model |= {v.cls for v in model.vocabularies.values() if v.cls}
    unused = [
        iri
        for iri in sorted(declared)
        if iri not in used_in_model
        and f"nkg:{iri[len(NKG) :]}" not in mappings
        and f"nkg:{iri[len(NKG) :]}" not in shapes
    ]
    # Super-classes of emitted classes are used through the materialised closure.
    supers = {o[1:-1] for s, p, o, _ in triples if p.endswith("#subClassOf>")}
    assert [iri for iri in unused if iri not in supers] == []
