"""JSON values as RDF lexical forms and literals, with errors located in the mapping."""

from __future__ import annotations

from typing import Any

from newskg.errors import Location, MappingError
from newskg.mapping import terms
from newskg.mapping.model import TermMap
from newskg.rdf import XSD, XSD_DOUBLE


def fail(message: str, location: Location, hint: str | None = None) -> MappingError:
    return MappingError(message, location=location, hint=hint)


def short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def keep_as_is(value: str) -> str:
    return value


def lexical_form(value: Any, location: Location) -> str:
    if type(value) is str:
        return value
    text = terms.lexical(value)
    if text is None:
        raise fail(f"{short_repr(value)} is not a value that can be written in RDF", location)
    return text


def lexical_form_for(value: Any, datatype: str, location: Location) -> str:
    """Lexical form of ``value`` for an explicit datatype: a JSON float written as a decimal
    keeps its shortest decimal spelling rather than the canonical double form."""
    if type(value) is float and datatype not in (XSD_DOUBLE, XSD + "float"):
        return repr(value)
    return lexical_form(value, location)


def bad_lexical(value: Any, lex: str, datatype: str, tm: TermMap) -> MappingError:
    short = datatype[len(XSD) :] if datatype.startswith(XSD) else datatype
    prefix = "xsd:" if datatype.startswith(XSD) else ""
    shown = short_repr(value) if not isinstance(value, str) else repr(lex)
    return fail(
        f"value {shown} is not a valid {prefix}{short}",
        tm.location,
        "fix the data or change the datatype",
    )


def constant_literal(lex: str, dt: str | None, lang: str | None, shown: str, loc: Location) -> str:
    if lang is not None:
        return terms.quote_literal(lex) + "@" + lang
    if dt is None:
        return terms.quote_literal(lex)
    if not terms.lexical_ok(lex, dt):
        raise fail(f"constant {shown!r} is not a valid {dt}", loc)
    return terms.typed_literal(lex, dt)
