"""Figures: the comparator worded before a number (the model's words), the unit phrase after."""

import pytest

from newskg.drafting.numbers import FigureReader


@pytest.fixture(scope="module")
def reader(model):
    return FigureReader(model.vocabularies["comparator"])


def _figures(reader, text, excluded=(), names=()):
    return [(f.value, f.comparator, f.unit) for f in reader.figures(text, excluded, names)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "trained over 41,000 ICT professionals and",
            ("41000", "greater-than", "ICT professionals"),
        ),
        ("with more than 20 Thai universities.", ("20", "greater-than", "Thai universities")),
        ("Some 200 guests attended the ceremony", ("200", "approximately", "guests")),
        ("nearly 1.5 million users joined", ("1500000", "approximately", "users")),
        ("up to 3,000 engineers by 2025", ("3000", "at-most", "engineers")),
        ("Twenty-one thousand people came", ("21000", "exactly", "people came")),
        (
            "a further 10,000 certified cloud professionals",
            ("10000", "exactly", "certified cloud professionals"),
        ),
        ("grew 12% in a year", ("12", "exactly", None)),
    ],
)
def test_figures_with_comparator_and_unit(reader, text, expected):
    assert _figures(reader, text) == [expected]


def test_a_registry_name_is_taken_whole_as_the_unit(reader):
    text = "trained 1,300 small and medium-sized enterprises, said"
    start = text.index("small")
    name = (start, start + len("small and medium-sized enterprises"))
    assert _figures(reader, text, names=[name]) == [
        ("1300", "exactly", "small and medium-sized enterprises")
    ]


def test_years_durations_ordinals_and_excluded_spans_are_no_figures(reader):
    text = "The Summit 2022 ran for three years; first, the Thailand 4.0 plan and 5G."
    start = text.index("Thailand 4.0")
    assert _figures(reader, text, excluded=[(start, start + 12)]) == []
