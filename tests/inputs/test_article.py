"""The fact loader: normalised documents, and one clear located error per bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from newskg.errors import FactError, InputError
from newskg.inputs import article_folders, load_article, load_registry
from newskg.model.iris import IriPolicy

IRIS = IriPolicy()
BASE = "https://w3id.org/newskg/"

ENTITIES = """\
schemes:
  topics: {label: Topics}
  statement-kinds: {label: Statement kinds}
entities:
  - {id: alice, type: Person, label: Alice Example, aliases: [Alise]}
  - {id: acme, type: Organization, label: Acme Corp, wikidata: Q42}
  - {id: ruritania, type: Country, label: Ruritania}
  - {id: ceo-of-acme, type: Post, label: CEO of Acme, post_in: acme}
  - {id: trade, type: Concept, label: trade, scheme: topics}
  - {id: praise, type: Concept, label: praise, scheme: statement-kinds}
"""

TEXT = (
    "Alice, Acme's CEO, met officials on 3 May. "
    '"Trade is good," she said. Acme trained over 500 people.'
)

FACTS = """\
article:
  title: Alice meets officials
  date: 2024-05-03
  language: en
sources:
  - {id: pr, label: a press release, kind: PressRelease}
meetings:
  - id: m1
    label: Alice meets officials
    date: 2024-05-03
    mode: in-person
    participants:
      - {person: alice, capacity: ceo-of-acme}
    topics: [trade]
    evidence: ["Alice, Acme's CEO, met officials on 3 May."]
quotes:
  - id: q1
    speaker: alice
    text: "Trade is good,"
    during: m1
figures:
  - id: f1
    subject: acme
    measure: people trained
    value: 500
    comparator: greater-than
    unit: person
    according_to: pr
    evidence: [trained over 500 people]
"""


def make_seeds(root: Path, facts: str = FACTS, text: str = TEXT, entities: str = ENTITIES) -> Path:
    seeds = root / "seeds"
    (seeds / "a1").mkdir(parents=True)
    (seeds / "entities.yaml").write_text(entities, encoding="utf-8")
    (seeds / "a1" / "article.txt").write_text(text, encoding="utf-8")
    (seeds / "a1" / "facts.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return seeds


def load(root: Path, **kwargs: str):
    seeds = make_seeds(root, **kwargs)
    registry = load_registry(seeds / "entities.yaml", IRIS)
    return load_article(seeds / "a1", registry, IRIS)


def test_normalised_document(tmp_path):
    doc = load(tmp_path).document
    meeting = doc["meetings"][0]
    assert meeting["iri"] == BASE + "id/meeting/a1/m1"
    assert meeting["attendees"] == [BASE + "id/person/alice"]
    assert meeting["mode"] == "https://w3id.org/newskg/ontology#InPerson"
    assert doc["participations"][0]["post"] == BASE + "id/post/ceo-of-acme"
    figure = doc["figures"][0]
    assert figure["value_integer"] == "500"
    assert figure["as_of"] == "2024-05-03"  # defaults to the article date
    assert figure["according_to"] == BASE + "id/source/a1/pr"
    quote = doc["quotes"][0]
    (evidence,) = [e for e in doc["evidence"] if e["iri"] in quote["evidence"]]
    assert TEXT[evidence["start"] : evidence["end"]] == "Trade is good,"
    assert evidence["sentences"] == [BASE + "id/sentence/a1/2"]
    assert "value_decimal" not in figure  # absent, never null


def test_empty_optional_text_is_absent_not_the_text_none(tmp_path):
    """'note:' or 'description:' with nothing after it is YAML null: the field is absent,
    as any optional field left empty, rather than the literal "None" in the graph."""
    facts = FACTS.replace("    unit: person\n", "    unit: person\n    note:\n", 1)
    entities = ENTITIES.replace("label: Ruritania}", "label: Ruritania, description: }", 1)
    entities = entities.replace("{label: Topics}", "{label: Topics, definition: }", 1)
    seeds = make_seeds(tmp_path, facts=facts, entities=entities)
    registry = load_registry(seeds / "entities.yaml", IRIS)
    figure = load_article(seeds / "a1", registry, IRIS).document["figures"][0]
    assert "note" not in figure
    (country,) = [e for e in registry.document["entities"] if e["id"] == "ruritania"]
    assert "description" not in country
    (topics,) = [s for s in registry.document["schemes"] if s["id"] == "topics"]
    assert "definition" not in topics and topics["label"] == "Topics"


def test_article_folders_are_sorted_and_complete(tmp_path):
    seeds = make_seeds(tmp_path)
    (seeds / "0-first").mkdir()
    (seeds / "0-first" / "article.txt").write_text("x")
    with pytest.raises(InputError, match=r"has article\.txt but no facts\.yaml"):
        article_folders(seeds)


def _error(tmp_path: Path, **kwargs: str) -> FactError:
    with pytest.raises(FactError) as info:
        load(tmp_path, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("old", "new", "message", "line", "column"),
    [
        (
            "[trained over 500 people]",
            "[trained over 600 people]",
            "evidence of figure 'f1': quote not found in the article text; it matches up to "
            "character 13",
            29,
            16,
        ),
        (
            "speaker: alice",
            "speaker: alicia",
            "'speaker' of quote 'q1' names unknown entity 'alicia'",
            18,
            14,
        ),
        (
            "    date: 2024-05-03",
            "    date: 2024-05-32",
            "bad 'date' in meeting 'm1': '2024-05-32' is not a real calendar date",
            10,
            11,
        ),
        ("  - id: q1", "  - id: m1", "duplicate fact id 'm1' (first defined at line 8)", 17, 9),
        ("mode: in-person", "mode: online", "'mode' of meeting 'm1' cannot be 'online'", 11, 11),
        # a list where one word is expected: reported, not a TypeError (unhashable)
        ("mode: in-person", "mode: [in-person]", "meeting 'm1' cannot be ['in-person']", 11, 11),
        ("    unit: person", "    units: person", "unknown key 'units' in a figure", 27, 5),
        (
            "    unit: person",
            '    unit: person\n    note: ""',
            "bad 'note' in figure 'f1': expected non-empty text",
            28,
            11,
        ),
        (
            "    topics: [trade]",
            "    topics: [praise]",
            "concept 'praise' is in scheme 'statement-kinds', expected 'topics'",
            14,
            14,
        ),
        (
            "    according_to: pr",
            "    according_to: memo",
            "figure 'f1' cites unknown source 'memo'",
            28,
            19,
        ),
        (
            "    according_to: pr",
            "    according_to: {id: pr}",
            "figure 'f1' cites unknown source '{'id': 'pr'}'",
            28,
            19,
        ),
        (
            "    speaker: alice",
            "    speaker: trade",
            "must be Country or GovernmentBody or Group or Organization or Person, "
            "but 'trade' is a Concept",
            18,
            14,
        ),
    ],
)
def test_bad_facts_are_located(tmp_path, old, new, message, line, column):
    assert old in FACTS
    error = _error(tmp_path, facts=FACTS.replace(old, new, 1))
    diag = error.diagnostics[0]
    assert message in diag.message
    assert diag.location is not None
    assert (diag.location.line, diag.location.column) == (line, column)
    assert diag.location.file.endswith("facts.yaml")


def test_every_problem_is_reported_in_one_run(tmp_path):
    facts = FACTS.replace("speaker: alice", "speaker: bob").replace("value: 500", "value: '5OO'")
    error = _error(tmp_path, facts=facts)
    messages = [d.message for d in error.diagnostics]
    assert len(messages) == 2, messages


def test_unreadable_article_text_is_an_input_error(tmp_path):
    seeds = make_seeds(tmp_path)
    (seeds / "a1" / "article.txt").unlink()
    (seeds / "a1" / "article.txt").mkdir()
    registry = load_registry(seeds / "entities.yaml", IRIS)
    with pytest.raises(InputError, match="cannot read the article text: Is a directory"):
        load_article(seeds / "a1", registry, IRIS)


def test_yaml_syntax_error_is_located(tmp_path):
    with pytest.raises(InputError) as info:
        load(tmp_path, facts=FACTS.replace("label: Alice meets officials", "label: [unclosed", 1))
    assert info.value.location is not None
    assert info.value.location.line == 10  # where the parser notices the unclosed list


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{id: alice, type: Person", "{id: alice, type: Persn", "unknown type 'Persn'"),
        ("wikidata: Q42", "wikidata: 42", "'42' is not a Wikidata item id"),
        (
            "post_in: acme",
            "post_in: nowhere",
            "'post_in' of 'ceo-of-acme' names unknown entity 'nowhere'",
        ),
        ("{id: ruritania", "{id: acme", "duplicate entity id 'acme' (first defined at line 6)"),
        ("scheme: topics}", "scheme: topic}", "unknown scheme 'topic'"),
        (
            "wikidata: Q42}",
            "wikidata: Q42, description: [a, list]}",
            "bad 'description' of entity 'acme': expected non-empty text",
        ),
        ("topics: {label: Topics}", "topics: {label: ''}", "bad 'label' of scheme 'topics'"),
        ("topics: {label: Topics}", "topics: {label: }", "scheme 'topics' has no label"),
        (
            "schemes:\n  topics: {label: Topics}\n  statement-kinds: {label: Statement kinds}\n",
            "schemes: []\n",
            "'schemes' must be a mapping",
        ),
    ],
)
def test_bad_entities_are_located(tmp_path, old, new, message):
    seeds = make_seeds(tmp_path, entities=ENTITIES.replace(old, new, 1))
    with pytest.raises(FactError) as info:
        load_registry(seeds / "entities.yaml", IRIS)
    assert message in info.value.diagnostics[0].message
    assert info.value.diagnostics[0].location.line > 0
