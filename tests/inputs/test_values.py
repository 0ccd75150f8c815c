from decimal import Decimal

import pytest

from newskg.inputs.values import parse_date, parse_language, parse_number, parse_partial_date

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_dates_must_exist():
    assert parse_date("2021-11-25") == "2021-11-25"
    with pytest.raises(ValueError, match="not a real calendar date"):
        parse_date("2021-02-30")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("25 November 2021")


def test_a_partial_date_is_a_year_a_month_or_a_date():
    assert parse_partial_date(2019) == ("2019", XSD + "gYear")
    assert parse_partial_date("2025-06") == ("2025-06", XSD + "gYearMonth")
    assert parse_partial_date("2019-03-01") == ("2019-03-01", XSD + "date")
    with pytest.raises(ValueError, match="no month 13"):
        parse_partial_date("2025-13")
    with pytest.raises(ValueError, match="not a year"):
        parse_partial_date("19")
    with pytest.raises(ValueError, match="not a year"):
        parse_partial_date(True)


def test_numbers_keep_their_precision():
    assert parse_number(41000) == ("41000", XSD + "integer")
    assert parse_number(Decimal("1.10")) == ("1.10", XSD + "decimal")
    with pytest.raises(ValueError, match="digits only"):
        parse_number("41,000")
    with pytest.raises(ValueError, match="not a number"):
        parse_number(True)


def test_language_tags():
    assert parse_language("th-TH") == "th-TH"
    with pytest.raises(ValueError, match="BCP 47"):
        parse_language("english")
