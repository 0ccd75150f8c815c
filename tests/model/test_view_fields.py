"""The typed views against the model: each field of a kind is a field of its view (under the
same name, or a name listed here) or is listed as left out, with the reason; and every view
field is a model field or something the view derives."""

from __future__ import annotations

import dataclasses

import pytest

from newskg.model.schema import load_model
from newskg.query import views
from tests.conftest import ROOT


@dataclasses.dataclass(frozen=True)
class ViewOf:
    view: type
    fields: str  # "events", or "entity Programme"
    renamed: dict[str, str]  # model field -> view field
    left_out: dict[str, str]  # model field -> why the view does not carry it
    derived: frozenset[str]  # view fields that are not model fields


COMMON = frozenset({"iri", "evidence"})
VIEWS = [
    ViewOf(views.Event, "events", {}, {}, COMMON | {"kind"}),
    ViewOf(views.Agreement, "agreements", {}, {}, COMMON | {"kind", "figures"}),
    ViewOf(
        views.Figure,
        "figures",
        {},
        {"subject": "figures are reached from their subject (Agreement.figures, …)"},
        frozenset({"iri", "kind"}),
    ),
    ViewOf(
        views.Quote,
        "quotes",
        {"during": "meeting"},
        {"occurrence": "where in the text: the evidence's offsets say it"},
        COMMON,
    ),
    ViewOf(
        views.PostHolding,
        "post_holdings",
        {"from": "start", "until": "end"},
        {},
        frozenset({"article", "stated"}),
    ),
    ViewOf(
        views.Programme,
        "entity Programme",
        {},
        {},
        frozenset({"iri", "label", "founded", "founded_in", "figures"}),
    ),
]


@pytest.fixture(scope="module")
def model():
    return load_model(ROOT / "ontology" / "model.yaml")


def _model_fields(model, name: str) -> set[str]:
    if name.startswith("entity "):
        return set(model.entity_types[name.split(" ", 1)[1]].fields)
    return set(model.fact_kinds[name].fields)


@pytest.mark.parametrize("spec", VIEWS, ids=lambda v: v.view.__name__)
def test_every_field_of_the_kind_is_in_its_view_or_left_out_for_a_reason(model, spec):
    names = {f.name for f in dataclasses.fields(spec.view)}
    fields = _model_fields(model, spec.fields)
    missing = sorted(
        f for f in fields if spec.renamed.get(f, f) not in names and f not in spec.left_out
    )
    assert missing == [], f"add to {spec.view.__name__} (or list as left out, with why)"
    assert set(spec.left_out) <= fields and set(spec.renamed) <= fields  # no stale entries


@pytest.mark.parametrize("spec", VIEWS, ids=lambda v: v.view.__name__)
def test_every_view_field_is_a_model_field_or_derived(model, spec):
    names = {f.name for f in dataclasses.fields(spec.view)}
    carried = {spec.renamed.get(f, f) for f in _model_fields(model, spec.fields)}
    assert sorted(names - carried - spec.derived) == []
