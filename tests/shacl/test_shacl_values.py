"""Value comparisons of the compiled validator give pyshacl's verdicts, value by value."""

from __future__ import annotations

import pytest
import rdflib
from pyshacl import validate as pyshacl_validate

from newskg.shacl.terms import rdflib_term
from newskg.shacl.values import min_inclusive_ok

XSD = "http://www.w3.org/2001/XMLSchema#"

# Values of every kind a graph may hold: numbers of several types, ill-typed and special
# ones, dates and times with and without a time zone, strings, an IRI and a blank node.
VALUES = [
    f'"5"^^<{XSD}integer>',
    f'"-1"^^<{XSD}integer>',
    f'"0"^^<{XSD}integer>',
    f'"0"^^<{XSD}nonNegativeInteger>',
    f'"2.5"^^<{XSD}decimal>',
    f'"2.4999"^^<{XSD}decimal>',
    f'"1e3"^^<{XSD}double>',
    f'"NaN"^^<{XSD}double>',
    f'"abc"^^<{XSD}integer>',
    f'"true"^^<{XSD}boolean>',
    f'"false"^^<{XSD}boolean>',
    f'"2024-03-01"^^<{XSD}date>',
    f'"2024-02-29"^^<{XSD}date>',
    f'"2024-03-01T10:00:00"^^<{XSD}dateTime>',
    f'"2024-03-01T08:00:00"^^<{XSD}dateTime>',
    f'"2024-03-01T10:00:00Z"^^<{XSD}dateTime>',
    f'"2024-03-01T10:00:00+02:00"^^<{XSD}dateTime>',
    f'"10:00:00"^^<{XSD}time>',
    f'"09:59:59"^^<{XSD}time>',
    f'"10:00:00Z"^^<{XSD}time>',
    f'"2024"^^<{XSD}gYear>',
    f'"P1D"^^<{XSD}duration>',
    '"x"^^<http://example.org/unknown>',
    '"abc"',
    '"abb"',
    '"5"',
    '"abc"@en',
    "<http://example.org/iri>",
    "_:b0",
]
MINIMUMS = [
    f'"0"^^<{XSD}integer>',
    f'"2.5"^^<{XSD}decimal>',
    f'"1e2"^^<{XSD}double>',
    f'"true"^^<{XSD}boolean>',
    f'"2024-03-01"^^<{XSD}date>',
    f'"2024-03-01T10:00:00"^^<{XSD}dateTime>',
    f'"2024-03-01T09:00:00Z"^^<{XSD}dateTime>',
    f'"10:00:00"^^<{XSD}time>',
    f'"2024"^^<{XSD}gYear>',
    '"abb"',
]


def _pyshacl_failures(minimum: str, values: list[str]) -> set[int]:
    """The positions in ``values`` that pyshacl's sh:minInclusive ``minimum`` rejects."""
    shapes = rdflib.Graph().parse(
        data="@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetSubjectsOf <http://example.org/v> ;"
        f" sh:property [ sh:path <http://example.org/v> ; sh:minInclusive {minimum} ] .",
        format="turtle",
    )
    data = rdflib.Graph().parse(
        data="".join(
            f"<http://example.org/n{i}> <http://example.org/v> {value} .\n"
            for i, value in enumerate(values)
        ),
        format="nt",
    )
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    focus = {str(report.value(r, sh.focusNode)) for r in report.subjects(sh.focusNode, None)}
    return {i for i in range(len(values)) if f"http://example.org/n{i}" in focus}


@pytest.mark.parametrize("minimum", MINIMUMS)
def test_min_inclusive_gives_pyshacls_verdict_on_every_kind_of_value(minimum: str):
    bound = rdflib_term(minimum)
    assert isinstance(bound, rdflib.Literal)
    values = VALUES
    if bound.datatype == rdflib.XSD.decimal:  # pyshacl stops there: see the test below
        values = [v for v in VALUES if not v.startswith('"NaN"')]
    ours = {i for i, value in enumerate(values) if not min_inclusive_ok(value, bound)}
    assert ours == _pyshacl_failures(minimum, values)


def test_a_nan_against_a_decimal_minimum_fails_the_constraint():
    """Where pyshacl stops with decimal's InvalidOperation, the value is refused instead."""
    for nan in (f'"NaN"^^<{XSD}double>', f'"NaN"^^<{XSD}float>'):
        assert not min_inclusive_ok(nan, rdflib_term(f'"2.5"^^<{XSD}decimal>'))
    assert min_inclusive_ok(f'"2.6"^^<{XSD}double>', rdflib_term(f'"2.5"^^<{XSD}decimal>'))
