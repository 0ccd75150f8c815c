"""Parsing of typed scalar values in seeds, with messages a curator can act on.

Each parser returns the canonical lexical form used in the graph, or raises ``ValueError``
whose text is the user-facing explanation (the caller adds file:line:column).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from newskg.rdf import XSD

MAX_EXPONENT = 100  # |number| < 10**101 and >= 10**-100, unless 0

_YEAR = re.compile(r"[0-9]{4}\Z")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})\Z")
# BCP 47 shape (RFC 5646 "langtag" without the rarely used extension/private-use details).
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-[A-Za-z0-9]{5,8})*\Z")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")


def parse_date(value: Any) -> str:
    """An ISO 8601 calendar date, ``YYYY-MM-DD``, checked for existence (no 2021-02-30)."""
    text = str(value) if not isinstance(value, bool) else ""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise ValueError(f"'{value}' is not a date; write it as YYYY-MM-DD, e.g. 2021-11-25")
    try:
        dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a real calendar date ({exc})") from None
    return text


def parse_partial_date(value: Any) -> tuple[str, str]:
    """A year (``2025`` -> xsd:gYear), a month (``2025-06`` -> xsd:gYearMonth) or a date
    (-> xsd:date), as news states target and founding dates; returns (lexical, datatype)."""
    text = str(value) if not isinstance(value, bool) else ""
    if _YEAR.match(text):
        return text, XSD + "gYear"
    month = _YEAR_MONTH.match(text)
    if month:
        if not 1 <= int(month[2]) <= 12:
            raise ValueError(f"'{value}' has no month {month[2]}; months are 01 to 12")
        return text, XSD + "gYearMonth"
    try:
        return parse_date(value), XSD + "date"
    except ValueError:
        raise ValueError(
            f"'{value}' is not a year (YYYY), a month (YYYY-MM) or a date (YYYY-MM-DD)"
        ) from None


def parse_number(value: Any) -> tuple[str, str]:
    """An exact number; returns (lexical, datatype) with xsd:integer or xsd:decimal.

    Strings such as "41,000" or "over 41000" are refused: the wording belongs in
    ``comparator`` and ``unit``, the value must be a bare number.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"'{value}' is not a number")
    if isinstance(value, int):
        return str(value), XSD + "integer"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(
            f"'{value}' is not a number; write digits only (41000, not '41,000' or 'over 41000')"
        ) from None
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a finite number")
    if not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        # 1e999999999 would be written out digit by digit: a gigabyte in the exports
        raise ValueError(f"'{value}' is out of range (at most {MAX_EXPONENT} digits either side)")
    if (
        number == number.to_integral_value()
        and "." not in str(value)
        and "e" not in str(value).lower()
    ):
        return str(int(number)), XSD + "integer"
    return format(number, "f"), XSD + "decimal"


def parse_language(value: Any) -> str:
    text = str(value)
    if not _LANG.match(text):
        raise ValueError(f"'{value}' is not a BCP 47 language tag such as 'en' or 'th-TH'")
    return text


def parse_url(value: Any) -> str:
    text = str(value)
    if not _URL.match(text):
        raise ValueError(f"'{value}' is not an absolute http(s) URL without spaces")
    return text


def parse_text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected non-empty text")
    return value
