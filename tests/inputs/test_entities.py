"""The registry: entities (places among them) and the shared facts beside them."""

from __future__ import annotations

import pytest

from newskg.errors import FactError
from newskg.inputs import load_registry
from newskg.model.schema import load_model
from tests.conftest import ROOT

MODEL = load_model(ROOT / "ontology" / "model.yaml")

ENTITIES = """\
schemes:
  topics: {label: Topics}
entities:
  - {id: thailand, type: Country, label: Thailand}
  - {id: bangkok, type: City, label: Bangkok, part_of: thailand}
  - {id: qsncc, type: Venue, label: QSNCC, part_of: bangkok}
  - {id: depa, type: GovernmentBody, label: depa, location: bangkok}
  - {id: trade, type: Concept, label: Trade, scheme: topics}
"""

SHARED = """\
events:
  - {id: summit-2022, kind: summit, label: The 2022 summit}
agreements:
  - {id: mou-2022, kind: memorandum-of-understanding, label: The 2022 MOU}
"""


def _registry(tmp_path, entities: str = ENTITIES, shared: str | None = SHARED):
    (tmp_path / "entities.yaml").write_text(entities, encoding="utf-8")
    if shared is not None:
        (tmp_path / "shared-facts.yaml").write_text(shared, encoding="utf-8")
    return load_registry(tmp_path / "entities.yaml", MODEL)


def _problems(tmp_path, **kwargs) -> list[tuple[str, str | None, int, int]]:
    with pytest.raises(FactError) as caught:
        _registry(tmp_path, **kwargs)
    return [
        (d.message, d.hint, d.location.line, d.location.column) for d in caught.value.diagnostics
    ]


def test_places_nest_and_organisations_have_a_location(tmp_path):
    document = _registry(tmp_path).document
    assert any(e["id"] == "bangkok" and e["part_of"] == "thailand" for e in document["City"])
    assert any(e["id"] == "qsncc" and e["part_of"] == "bangkok" for e in document["Venue"])
    assert any(e["id"] == "depa" and e["location"] == "bangkok" for e in document["GovernmentBody"])


def test_shared_facts_are_registered_with_their_kind_as_a_class(tmp_path):
    registry = _registry(tmp_path)
    assert registry.names.shared == {
        "summit-2022": ("events", "Summit"),
        "mou-2022": ("agreements", "MemorandumOfUnderstanding"),
    }
    assert registry.document["shared"]["events"] == [
        {"id": "summit-2022", "kind": "Summit", "label": "The 2022 summit"}
    ]


def test_the_shared_facts_file_is_optional(tmp_path):
    assert _registry(tmp_path, shared=None).names.shared == {}


def test_a_place_inside_an_organisation_is_refused_without_a_guess(tmp_path):
    entities = ENTITIES.replace("part_of: bangkok}", "part_of: depa}")
    ((message, hint, line, column),) = _problems(tmp_path, entities=entities)
    assert "'part_of' of entity 'qsncc'" in message and "but 'depa' is a GovernmentBody" in message
    assert hint is None and (line, column) == (6, 53)


def test_a_key_of_the_earlier_model_is_answered_with_its_new_name(tmp_path):
    entities = ENTITIES.replace("location: bangkok}", "country: thailand}")
    ((message, hint, line, _),) = _problems(tmp_path, entities=entities)
    assert message == "unknown key 'country' in entity 'depa' (GovernmentBody)"
    assert hint == "'country' is now called 'location'; rename the key" and line == 7


@pytest.mark.parametrize(
    ("shared", "message", "hint"),
    [
        ("meetings:\n  - {id: m, kind: meeting, label: M}\n",
         "unknown key 'meetings' in the shared facts file", None),
        ("events:\n  - {id: thailand, kind: summit, label: T}\n",
         "'thailand' is already declared", "entity and shared fact ids share one namespace"),
        ("events:\n  - {id: s, kind: sumit, label: S}\n",
         "'kind' of shared event 's' cannot be 'sumit'", "did you mean 'summit'?"),
        ("events:\n  - {id: s, label: S}\n", "shared event 's' needs a 'kind'", "kinds: meeting"),
        ("events:\n  - {id: s, kind: summit}\n", "shared event 's' needs a 'label'", None),
        ("events:\n  - {id: S 1, kind: summit, label: S}\n",
         "id 'S 1' of a shared event is not a slug", "use lowercase"),
        ("events:\n  - {id: s, kind: summit, label: S, date: 2022-01-01}\n",
         "unknown key 'date' in a shared event", None),
    ],
)  # fmt: skip
def test_a_bad_shared_fact_is_located(tmp_path, shared, message, hint):
    problems = _problems(tmp_path, shared=shared)
    found = [p for p in problems if message in p[0]]
    assert found, problems
    _, got_hint, line, column = found[0]
    assert line >= 1 and column >= 1
    if hint:
        assert got_hint is not None and hint in got_hint
