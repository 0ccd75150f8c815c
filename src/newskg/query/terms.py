"""The values the query API hands out and takes: bindings, solutions, edges, evidence.

Plain data with no reference to a graph, so that every module of the query side can use them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from newskg.errors import QueryError
from newskg.rdf import XSD, XSD_BOOLEAN, XSD_DATE, XSD_DECIMAL, XSD_DOUBLE, XSD_INTEGER, XSD_STRING

Term = ox.NamedNode | ox.BlankNode | ox.Literal
# An xsd:decimal is written out digit by digit: a larger exponent would take that many bytes.
MAX_DECIMAL_EXPONENT = 4300
_INTEGER_TYPES = frozenset(
    XSD + name for name in ("integer", "nonNegativeInteger", "positiveInteger", "int")
)


@dataclass(frozen=True, slots=True)
class Iri:
    """Marks a binding value as an IRI (a plain ``str`` binds as a string literal).
    ``Iri("http://a b")`` raises :class:`~newskg.errors.QueryError`: it is not an IRI."""

    value: str

    def __post_init__(self) -> None:
        try:
            ox.NamedNode(self.value)
        except (ValueError, TypeError) as exc:
            raise QueryError(
                f"{self.value!r} is not a valid IRI ({exc})",
                hint="an IRI has a scheme (https://...) and no spaces, quotes or angle brackets",
            ) from None


def to_term(value: Any, name: str = "value") -> Term:
    """Python value -> RDF term for a query binding (of ``?name``, which errors name)."""
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
        return value
    if isinstance(value, Iri):
        return ox.NamedNode(value.value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD_BOOLEAN))
    if isinstance(value, int):
        try:
            return ox.Literal(str(value), datatype=ox.NamedNode(XSD_INTEGER))
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise QueryError(
                f"the integer bound to ?{name} is too large", hint="bind it as a Decimal or str"
            ) from None
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise QueryError(
                f"the Decimal bound to ?{name} ({value:.3e}) cannot be an xsd:decimal",
                hint="bind a finite number of reasonable size",
            )
        return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD_DECIMAL))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD_DOUBLE))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD_DATE))
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise QueryError(
                f"the text bound to ?{name} is not valid Unicode (a lone surrogate "
                f"U+{ord(value[exc.start]):04X} at character {exc.start})",
                hint="on the command line, pass UTF-8 text; in Python, a str of characters",
            ) from None
        return ox.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__} in a query")


def to_variable(name: object) -> ox.Variable:
    """A binding's name -> the SPARQL variable it fills."""
    try:
        return ox.Variable(str(name))
    except ValueError:
        raise QueryError(
            f"'{name}' is not a SPARQL variable name",
            hint="bind variables by their names in the query, without '?': letters, digits and '_'",
        ) from None


def to_python(term: Term | None) -> Any:
    """RDF term -> plain Python: IRIs as str, typed literals as int/Decimal/bool/str."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value if term.datatype else XSD_STRING
    if datatype in _INTEGER_TYPES:
        return int(term.value)
    if datatype == XSD_DECIMAL:
        return Decimal(term.value)
    if datatype == XSD_BOOLEAN:
        return term.value == "true"
    return term.value


@dataclass(frozen=True)
class Solutions:
    """A SELECT result: variable names and rows of terms (None where unbound)."""

    variables: list[str]
    rows: list[dict[str, Term | None]]

    def values(self) -> list[dict[str, Any]]:
        return [{k: to_python(v) for k, v in row.items()} for row in self.rows]

    def column(self, name: str) -> list[Any]:
        return [to_python(row.get(name)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)


# One statement ``subject predicate object`` of the union of all graphs (which graph holds it
# is not kept). pyoxigraph's own Triple rather than a class of ours: traversal makes millions
# of edges, and ``quad.triple`` builds one in a single native call, several times cheaper
# than any Python dataclass or named tuple. It has .subject/.predicate/.object, unpacks as
# ``s, p, o = edge``, compares and hashes by value, and prints as N-Triples.
Edge = ox.Triple


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quote anchoring a statement in an article, with code-point offsets."""

    iri: str
    exact: str
    start: int
    end: int
    article: str
    sentence: str | None


def evidence_from_row(row: Mapping[str, Any]) -> Evidence:
    """An :class:`Evidence` from a row (as plain Python) that selects ``?ev ?exact ?start
    ?end ?article ?sentence``, as the evidence queries here and in newskg.query.views do."""
    return Evidence(
        iri=str(row["ev"]),
        exact=str(row["exact"]),
        start=int(row["start"]),
        end=int(row["end"]),
        article=str(row["article"]),
        sentence=row["sentence"],
    )
