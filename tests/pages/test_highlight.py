"""An article's text cut at its evidence spans: nested and overlapping spans stay readable."""

from __future__ import annotations

from newskg.pages.text import Span, numbered, pieces


def test_spans_are_numbered_in_reading_order_outer_first():
    assert numbered([(5, 9), (0, 20), (5, 9), (0, 4)]) == [
        Span(0, 20, 1),
        Span(0, 4, 2),
        Span(5, 9, 3),
    ]


def test_nested_and_overlapping_spans_cut_the_text_at_every_edge():
    text = "abcdefghij"
    spans = [Span(0, 6, 1), Span(2, 4, 2), Span(4, 8, 3)]
    cut = pieces(text, spans)
    assert "".join(p.text for p in cut) == text
    assert [(p.text, [s.number for s in p.covered_by]) for p in cut] == [
        ("ab", [1]),
        ("cd", [1, 2]),
        ("ef", [1, 3]),
        ("gh", [3]),
        ("ij", []),
    ]
    assert [[s.number for s in p.begins] for p in cut] == [[1], [2], [3], [], []]
    assert [p.depth for p in cut] == [1, 2, 2, 1, 0]
    assert cut[1].innermost == Span(2, 4, 2)


def test_spans_past_the_text_are_clipped_and_empty_ones_dropped():
    cut = pieces("abc", [Span(1, 99, 1), Span(2, 2, 2), Span(-5, 1, 3)])
    assert [(p.text, [s.number for s in p.covered_by]) for p in cut] == [("a", [3]), ("bc", [1])]
    assert pieces("", []) == []
