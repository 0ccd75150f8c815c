from pathlib import Path

import pytest

from newskg.inputs.evidence import (
    closest_passage,
    find_quote,
    quote_hint,
    sentences_overlapping,
    split_sentences,
)

TEXT = 'First sentence here. "A quoted one." He said. Second para.\n\nNew paragraph without end'


def test_sentences_have_exact_offsets():
    sentences = split_sentences(TEXT)
    assert [s.text for s in sentences] == [
        "First sentence here.",
        '"A quoted one."',
        "He said.",
        "Second para.",
        "New paragraph without end",
    ]
    for s in sentences:
        assert TEXT[s.start : s.end] == s.text


def test_quote_offsets_are_code_points():
    text = "Thaïland — 5G rollout 🚀 succeeded"
    span = find_quote(text, "5G rollout 🚀", None)
    assert text[span.start : span.end] == "5G rollout 🚀"
    assert (span.start, span.end) == (11, 23)  # the emoji is one code point, not two
    assert span.suffix == " succeeded"


def test_missing_quote_says_where_it_diverges():
    with pytest.raises(ValueError, match="quote not found") as info:
        find_quote(TEXT, "First sentence there.", None)
    assert "matches up to character 15" in str(info.value)


def test_ambiguous_quote_needs_an_occurrence():
    text = "one two one two"
    with pytest.raises(ValueError, match="occurs 2 times"):
        find_quote(text, "one", None)
    assert find_quote(text, "one", 2).start == 8
    with pytest.raises(ValueError, match="occurs 2 time"):
        find_quote(text, "one", 3)


def test_overlapping_sentences():
    sentences = split_sentences(TEXT)
    start = TEXT.index("here.")
    end = TEXT.index("quoted") + 3
    assert [s.number for s in sentences_overlapping(sentences, start, end)] == [1, 2]


def test_the_closest_passage_to_a_changed_quote_is_found_with_its_line_and_column():
    text = "A headline\n\nHuawei CEO expressed his gratitude for the trust. Then more."
    passage = closest_passage(text, "Huawei CEO expressed his deep gratitude for the trust.")
    assert passage is not None
    assert passage.text == "Huawei CEO expressed his gratitude for the trust."
    assert (passage.line, passage.column) == (3, 1)
    assert str(passage).startswith("3:1: 'Huawei CEO expressed")


def test_no_passage_is_offered_for_a_quote_unlike_anything_in_the_text():
    assert closest_passage("Huawei and Thailand cooperate.", "zebras quietly graze") is None
    assert closest_passage("", "anything") is None


def test_the_hint_names_the_article_file_only_for_a_quote_not_in_it():
    text = "Huawei and Thailand cooperate closely."
    hint = quote_hint(text, "Huawei and Thailand cooperates closely.", Path("seeds/a/article.txt"))
    assert hint.startswith("closest passage: seeds/a/article.txt:1:1: 'Huawei and Thailand")
    assert quote_hint(text, "Huawei", Path("x")).startswith("copy the quote exactly")


def test_sentences_keep_a_quotation_with_full_stops_in_it_together():
    text = 'He said: "We met. We agreed." Then he left. Mr. Lee stayed.'
    assert [s.text for s in split_sentences(text)] == [
        'He said: "We met. We agreed."',
        "Then he left.",
        "Mr. Lee stayed.",
    ]


def test_sentences_are_trimmed_of_white_space_and_a_byte_order_mark():
    (first, second) = split_sentences("\ufeff  One.\r\n\r\nTwo.  ")
    assert (first.text, first.start, second.text, second.number) == ("One.", 3, "Two.", 2)
