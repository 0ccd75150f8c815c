"""Reading one field: vocabulary words and their hints, renamed keys."""

from __future__ import annotations

import pytest

from newskg import located_yaml
from newskg.errors import Location
from newskg.inputs.checks import Problems, check_keys
from newskg.inputs.fields import FieldReader, Names
from newskg.model.schema import Field, load_model
from tests.conftest import ROOT

MODEL = load_model(ROOT / "ontology" / "model.yaml")
COMPARATOR = MODEL.vocabularies["comparator"]


def _word(value: str) -> tuple[str | None, str | None]:
    """The term ``value`` names as a comparator, and the hint given when it names none."""
    problems = Problems("facts.yaml")
    reader = FieldReader(MODEL, Names(entities={}), problems)
    spec = Field("comparator", "word", Location("facts.yaml"), vocabulary="comparator")
    record = located_yaml.loads(f"comparator: {value}\n", "facts.yaml")
    term = reader.word(record, "comparator", value, spec, "figure 'f'")
    return term, (problems.items[0].hint if problems.items else None)


def _typos(word: str) -> set[str]:
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    drops = {word[:i] + word[i + 1 :] for i in range(len(word))}
    doubles = {word[:i] + word[i] + word[i:] for i in range(len(word))}
    return (swaps | drops | doubles) - {word}


@pytest.mark.parametrize(
    ("written", "term"),
    [("more-than", "GreaterThan"), ("over", "GreaterThan"), ("fewer-than", "LessThan"),
     ("up-to", "AtMost"), ("some", "Approximately"), ("exactly", "Exactly")],
)  # fmt: skip
def test_natural_synonyms_of_comparators_are_accepted(written, term):
    assert _word(written) == (term, None)


def test_a_hint_never_names_a_word_of_another_meaning():
    """Every one-letter typo of every accepted word: a hint, if any, means the same."""
    accepted = {**{w: w for w in COMPARATOR.terms}, **COMPARATOR.synonyms}
    wrong = []
    for word, meaning in accepted.items():
        for typo in _typos(word):
            if COMPARATOR.term(typo) is not None:
                continue  # the typo is itself a word
            _, hint = _word(typo)
            if hint and hint.startswith("did you mean"):
                suggested = hint.split("'")[1]
                if COMPARATOR.term(suggested) != COMPARATOR.term(meaning):
                    wrong.append(f"{typo} -> {suggested}")
    assert wrong == []


def test_a_word_with_no_close_match_lists_the_words_and_their_synonyms():
    term, hint = _word("bigger")
    assert term is None and hint is not None
    assert hint.startswith("allowed: exactly, greater-than") and "more-than" in hint


def test_a_renamed_key_is_answered_with_its_new_name():
    problems = Problems("entities.yaml")
    record = located_yaml.loads("id: x\ncountry: thailand\n", "entities.yaml")
    check_keys(problems, record, {"id", "location"}, "an entity", {"country": "location"})
    (item,) = problems.items
    assert item.message == "unknown key 'country' in an entity"
    assert (item.location.line, item.location.column) == (2, 1)
    assert item.hint == "'country' is now called 'location'; rename the key"
