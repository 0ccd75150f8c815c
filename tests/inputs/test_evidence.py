import pytest

from newskg.inputs.evidence import find_quote, sentences_overlapping, split_sentences

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
