"""The model file: what it declares, and a located error for each way it can be wrong."""

from __future__ import annotations

import shutil

import pytest

from newskg.errors import InputError
from newskg.model.schema import TYPED_DATATYPES, load_model, typed_key
from newskg.rdf import NKG, XSD
from tests.conftest import ROOT

MODEL_FILE = ROOT / "ontology" / "model.yaml"


def test_the_project_model_declares_the_news_it_covers():
    model = load_model(MODEL_FILE)
    assert {"events", "agreements", "figures", "goals", "post_holdings"} <= set(model.fact_kinds)
    assert {"Country", "Region", "City", "Venue"} == set(model.families["place"])
    events = model.fact_kinds["events"]
    assert events.shared and events.kinds == "event-kind"
    assert model.vocabularies["event-kind"].term("ceremony") == "SigningCeremony"
    agreements = model.fact_kinds["agreements"].fields
    assert {"signed", "place", "signatories", "witnesses", "term", "event"} <= set(agreements)
    assert agreements["signatories"].role == "signatory"
    figures = model.fact_kinds["figures"].fields
    assert figures["by"].only_kinds == ("target",) and figures["by"].type == "partial-date"
    assert model.fact_kinds["goals"].fields["holders"].many
    assert model.fact_kinds["goals"].renamed == {"holder": "holders"}
    assert NKG + "underAgreement" in model.definitions


def test_a_value_of_several_datatypes_has_one_key_per_datatype():
    assert typed_key("by", XSD + "gYearMonth") == "by_gYearMonth"
    assert typed_key("value", "integer") == "value_integer"
    assert TYPED_DATATYPES["partial-date"] == ("gYear", "gYearMonth", "date")


BAD_MODELS = [
    ("      label: {type: text, required: true, property: [rdfs:label, schema:name]}",
     "      label: {type: txt, required: true, property: [rdfs:label, schema:name]}",
     "has unknown type 'txt'", "did you mean 'text'?"),
    ("      speaker: {type: ref, required: true, to: [agent], property: nkg:speaker}",
     "      speaker: {type: ref, required: true, to: [agnet], property: nkg:speaker}",
     "field 'speaker' refers to unknown 'agnet'", "did you mean 'agent'?"),
    ("      purpose: {type: text, property: nkg:purpose}",
     "      purpose: {type: text}",
     "has no 'property'", "name the RDF property it becomes"),
    ("      purpose: {type: text, property: nkg:purpose}",
     "      purpose: {type: text, property: nkg:aim}",
     "property nkg:aim of field 'purpose' has no definition", "define it under 'properties'"),
    ("      purpose: {type: text, property: nkg:purpose}",
     "      purpose: {type: text, requried: true, property: nkg:purpose}",
     "unknown key 'requried'", "did you mean 'required'?"),
    ("      equal-to: exactly", "      equal-to: exact",
     "synonym 'equal-to' of vocabulary 'comparator' names no word of it: 'exact'", None),
    ("  place: [Country, Region, City, Venue]", "  place: [Country, Region, Town, Venue]",
     "family 'place' names unknown entity type 'Town'", None),
    ("    classes: [schema:Person]", "    classes: [foaf:Person]",
     "'foaf:Person' is not a prefixed name of the project's prefixes", None),
    ("    kinds: event-kind", "    kinds: event-kinds",
     "fact kind 'events' uses unknown kinds 'event-kinds'", "did you mean 'event-kind'?"),
    ("families:", "families: [", "YAML syntax error", None),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message", "hint"), BAD_MODELS)
def test_a_bad_model_is_refused_with_a_located_error(tmp_path, old, new, message, hint):
    path = tmp_path / "model.yaml"
    shutil.copy(MODEL_FILE, path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_model(path)
    (diag,) = [d for d in caught.value.diagnostics if message in d.message]
    assert diag.location is not None and diag.location.line > 0 and diag.location.column > 0
    assert diag.location.file.endswith("model.yaml")
    if hint:
        assert diag.hint is not None and hint in diag.hint


def test_a_model_that_is_not_a_mapping_is_refused(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a mapping"):
        load_model(path)
