"""Hints: a hint never proposes a word of different meaning."""

from newskg.errors import did_you_mean


def test_a_typo_gets_the_word_it_misspells():
    assert did_you_mean("predicats", ["predicates", "objects"]) == "did you mean 'predicates'?"


def test_a_word_made_of_a_choice_and_a_meaning_changing_affix_gets_no_hint():
    assert did_you_mean("inversepredicates", ["predicates", "objects"]) is None
    assert did_you_mean("unsafe_iri", ["iri", "literal"]) is None
    assert did_you_mean("non-empty", ["empty"]) is None


def test_words_the_caller_knows_to_mean_something_else_get_no_hint():
    assert did_you_mean("subjects", ["subject"], other_words=["subjects"]) is None
    assert did_you_mean("subjekt", ["subject"], other_words=["subjects"]) == (
        "did you mean 'subject'?"
    )
