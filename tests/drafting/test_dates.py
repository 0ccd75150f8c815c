"""Date phrases, each a real calendar date, resolved against the article's date."""

import datetime as dt

import pytest

from newskg.drafting.dates import date_phrases, stated_date

ARTICLE = dt.date(2022, 9, 8)  # a Thursday


def _dates(text: str, article=ARTICLE) -> list[tuple[str, str, str | None]]:
    return [(text[p.start : p.end], p.value, p.end_value) for p in date_phrases(text, article)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 25 November 2021.", ("25 November 2021", "2021-11-25", None)),
        ("on November 25, 2021 it", ("November 25, 2021", "2021-11-25", None)),
        ("date 2021-11-25 here", ("2021-11-25", "2021-11-25", None)),
        ("held on 6 and 7 September at", ("6 and 7 September", "2022-09-06", "2022-09-07")),
        ("from April 2022 on", ("April 2022", "2022-04", None)),
        ("founded in 2019.", ("in 2019", "2019", None)),
        ("In June, it opened", ("In June", "2022-06", None)),
        ("on Thursday (8 September) they", ("Thursday (8 September)", "2022-09-08", None)),
        ("on Tuesday they", ("Tuesday", "2022-09-06", None)),
        ("by Sept. 30 it", ("Sept. 30", "2022-09-30", None)),
    ],
)
def test_date_phrases_of_news(text, expected):
    assert _dates(text) == [expected]


def test_a_date_without_a_year_takes_the_year_nearest_the_article():
    assert _dates("on 28 December", dt.date(2023, 1, 3)) == [("28 December", "2022-12-28", None)]


def test_what_is_not_a_date_is_left_out():
    assert _dates("We may go. On 31 February. Thailand 4.0 has 2025 targets. In 1800.") == []


def test_without_the_article_date_a_phrase_without_a_year_is_left_out():
    assert _dates("on 25 November and in 2019", None) == [("in 2019", "2019", None)]


def test_the_date_an_article_states_for_itself():
    assert stated_date("A headline\n\nBANGKOK, 15 March 2022 - The agency signed.") == "2022-03-15"
    assert stated_date(" date 2021-11-25 Thai Prime Minister met him.") == "2021-11-25"
    assert stated_date("Nothing dated here.") is None
