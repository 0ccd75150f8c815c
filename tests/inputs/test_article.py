"""The fact loader: normalised documents, and one clear located error per bad input."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from newskg.errors import FactError, InputError
from newskg.inputs import article_entries, article_folders, load_article, load_registry
from newskg.model.schema import load_model
from tests.conftest import ROOT

MODEL = load_model(ROOT / "ontology" / "model.yaml")

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
    "Alice, Acme's CEO, met officials on 3 June. "
    '"Trade is good," she said. Acme trained over 500 people.'
)

FACTS = """\
article:
  title: Alice meets officials
  date: 2024-05-03
  language: en
sources:
  - {id: pr, label: a press release, kind: PressRelease, issuer: acme}
events:
  - id: m1
    kind: meeting
    label: Alice meets officials
    date: 2024-05-03
    mode: in-person
    participants:
      - {person: alice, capacity: ceo-of-acme}
    topics: [trade]
    evidence: ["Alice, Acme's CEO, met officials on 3 June."]
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


def make_seeds(
    root: Path, facts: str = FACTS, text: str = TEXT, entities: str = ENTITIES, shared: str = ""
) -> Path:
    seeds = root / "seeds"
    (seeds / "a1").mkdir(parents=True)
    (seeds / "entities.yaml").write_text(entities, encoding="utf-8")
    if shared:
        (seeds / "shared-facts.yaml").write_text(shared, encoding="utf-8")
    (seeds / "a1" / "article.txt").write_text(text, encoding="utf-8")
    (seeds / "a1" / "facts.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    return seeds


def load(root: Path, **kwargs: str):
    seeds = make_seeds(root, **kwargs)
    registry = load_registry(seeds / "entities.yaml", MODEL)
    return load_article(seeds / "a1", registry, MODEL)


def test_normalised_document_holds_keys_and_terms_never_iris(tmp_path):
    doc = load(tmp_path).document
    event = doc["events"][0]
    assert (event["key"], event["article"], event["kind"]) == ("a1.m1", "a1", "Meeting")
    assert event["participants"] == ["alice"]
    assert event["mode"] == "InPerson"  # the ontology term the mapping names: nkg:InPerson
    (role,) = doc["roles"]
    assert (role["target"], role["agent"], role["capacity"], role["role"]) == (
        "a1.m1",
        "alice",
        "ceo-of-acme",
        "Participant",
    )
    assert role["evidence"] == event["evidence"]
    figure = doc["figures"][0]
    assert figure["value_integer"] == "500"  # one key per datatype: see TYPED_DATATYPES
    assert figure["kind"] == "Figure"  # achieved, the default kind
    assert figure["as_of"] == "2024-05-03"  # defaults to the article date
    assert figure["according_to"] == "a1.pr"
    assert doc["sources"][0]["issuer"] == "acme"
    quote = doc["quotes"][0]
    assert quote["during"] == "a1.m1"
    (evidence,) = [e for e in doc["evidence"] if e["span"] in quote["evidence"]]
    assert TEXT[evidence["start"] : evidence["end"]] == "Trade is good,"
    assert evidence["sentences"] == [2]
    assert "by" not in figure  # absent, never null
    assert "http" not in repr({k: v for k, v in doc.items() if k != "article"})


def test_synonyms_of_vocabulary_words_are_accepted(tmp_path):
    facts = FACTS.replace("comparator: greater-than", "comparator: more-than")
    facts = facts.replace("mode: in-person", "mode: online")
    doc = load(tmp_path, facts=facts).document
    assert doc["figures"][0]["comparator"] == "GreaterThan"
    assert doc["events"][0]["mode"] == "Virtual"


def test_a_target_may_have_a_year_or_a_month_by_which_to_be_met(tmp_path):
    target = "    unit: person\n    kind: target\n    by: 2025-06\n"
    facts = FACTS.replace("    unit: person\n", target)
    figure = load(tmp_path, facts=facts).document["figures"][0]
    assert (figure["kind"], figure["by_gYearMonth"]) == ("Target", "2025-06")
    assert "by_gYear" not in figure and "by_date" not in figure


def test_a_target_date_is_refused_on_an_achieved_figure_and_a_year_where_a_date_is_needed(
    tmp_path,
):
    wrong = "    unit: person\n    by: 2025\n    as_of: 2025\n"
    facts = FACTS.replace("    unit: person\n", wrong)
    messages = [d.message for d in _error(tmp_path, facts=facts).diagnostics]
    assert any("'by' is for a target figure, and figure 'f1' is achieved" in m for m in messages)
    assert any(
        "'2025' is only a year or a month, and 'as_of' needs a full date" in m for m in messages
    )


def test_a_shared_fact_is_one_node_named_by_its_registry_id(tmp_path):
    shared = "events:\n  - {id: summit-2024, kind: summit, label: The 2024 summit}\n"
    named = "  - id: m1\n    shared: summit-2024\n"
    facts = FACTS.replace("  - id: m1\n    kind: meeting\n", named)
    facts = facts.replace("    label: Alice meets officials\n    date", "    date")
    doc = load(tmp_path, facts=facts, shared=shared).document
    event = doc["events"][0]
    assert (event["key"], event["kind"]) == ("summit-2024", "Summit")
    assert doc["quotes"][0]["during"] == "summit-2024"  # the local id names the shared node


def test_an_entity_field_naming_a_fact_says_so_without_suggesting_it_back(tmp_path):
    facts = FACTS.replace("    subject: acme", "    subject: acme\n    speaker: q1")
    (diag,) = _error(tmp_path, facts=facts).diagnostics
    assert "'speaker' of figure 'f1' must name" in diag.message
    assert "but 'q1' is a quote here" in diag.message
    assert diag.hint is None


def test_article_folders_are_sorted_and_complete(tmp_path):
    seeds = make_seeds(tmp_path)
    (seeds / "0-first").mkdir()
    (seeds / "0-first" / "article.txt").write_text("x")
    with pytest.raises(InputError, match=r"has article\.txt but no facts\.yaml"):
        article_folders(seeds)


def test_article_entries_name_the_folders_with_their_facts_stat(tmp_path):
    seeds = make_seeds(tmp_path)
    (seeds / "b-second").mkdir()
    (seeds / "b-second" / "facts.yaml").write_text("{}")
    (seeds / "a-not-an-article").mkdir()  # no facts.yaml, no article.txt: not an article
    entries = article_entries(seeds)
    assert [seeds / name for name, _ in entries] == article_folders(seeds)
    assert "b-second" in dict(entries) and "a-not-an-article" not in dict(entries)
    for name, info in entries:
        assert info == os.stat(seeds / name / "facts.yaml")


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
            30,
            16,
        ),
        (
            "speaker: alice",
            "speaker: alicia",
            "'speaker' of quote 'q1' names unknown entity 'alicia'",
            19,
            14,
        ),
        (
            "    date: 2024-05-03",
            "    date: 2024-05-32",
            "bad 'date' in event 'm1': '2024-05-32' is not a real calendar date",
            11,
            11,
        ),
        ("  - id: q1", "  - id: m1", "duplicate fact id 'm1' (first defined at line 8)", 18, 9),
        ("mode: in-person", "mode: sideways", "'mode' of event 'm1' cannot be 'sideways'", 12, 11),
        # a list where one word is expected: reported, not a TypeError (unhashable)
        ("mode: in-person", "mode: [in-person]", "event 'm1' cannot be ['in-person']", 12, 11),
        ("    unit: person", "    units: person", "unknown key 'units' in a figure", 28, 5),
        (
            "    unit: person",
            '    unit: person\n    note: ""',
            "bad 'note' in figure 'f1': expected non-empty text",
            29,
            11,
        ),
        (
            "    topics: [trade]",
            "    topics: [praise]",
            "concept 'praise' is in scheme 'statement-kinds', expected 'topics'",
            15,
            14,
        ),
        (
            "    according_to: pr",
            "    according_to: memo",
            "figure 'f1' cites unknown source 'memo'",
            29,
            19,
        ),
        (
            "    according_to: pr",
            "    according_to: {id: pr}",
            "figure 'f1' cites unknown source '{'id': 'pr'}'",
            29,
            19,
        ),
        (
            "    speaker: alice",
            "    speaker: trade",
            "must name a Country or a GovernmentBody or a Group or an Organization or a Person, "
            "but 'trade' is a Concept",
            19,
            14,
        ),
        ("    kind: meeting", "    kind: party", "'kind' of event 'm1' cannot be 'party'", 9, 11),
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
    registry = load_registry(seeds / "entities.yaml", MODEL)
    with pytest.raises(InputError, match="cannot read the article text: Is a directory"):
        load_article(seeds / "a1", registry, MODEL)


def test_an_article_id_that_is_also_a_registry_id_is_refused(tmp_path):
    seeds = make_seeds(tmp_path)
    (seeds / "a1").rename(seeds / "alice")
    registry = load_registry(seeds / "entities.yaml", MODEL)
    with pytest.raises(InputError, match="article id 'alice' is also an id in the registry"):
        load_article(seeds / "alice", registry, MODEL)


def test_yaml_syntax_error_is_located(tmp_path):
    with pytest.raises(InputError) as info:
        load(tmp_path, facts=FACTS.replace("label: Alice meets officials", "label: [unclosed", 1))
    assert info.value.location is not None
    assert info.value.location.line == 11  # where the parser notices the unclosed list


def test_an_article_id_that_reads_as_a_fact_key_is_refused(tmp_path):
    seeds = make_seeds(tmp_path)
    twin = seeds / "a1.m1"
    twin.mkdir()
    (twin / "facts.yaml").write_text("article: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'a1\.m1' reads as a fact of article 'a1'") as caught:
        article_folders(seeds)
    assert caught.value.diagnostics[0].location.file.endswith("a1.m1")


def test_a_section_or_field_of_the_earlier_model_is_answered_with_its_new_name(tmp_path):
    facts = FACTS.replace("events:\n", "meetings:\n")
    (diag,) = [d for d in _error(tmp_path, facts=facts).diagnostics if "meetings" in d.message]
    assert diag.message == "unknown key 'meetings' in the facts file"
    assert diag.hint == "'meetings' is now called 'events'; rename the key"
