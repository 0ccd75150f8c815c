import io

import pyoxigraph as ox
import rdflib
from hypothesis import given
from hypothesis import strategies as st

from newskg.exports.rdf_text import (
    sort_key,
    sorted_unique_triples,
    write_nquads,
    write_ntriples,
    write_trig,
    write_turtle,
)

QUADS = [
    (
        "<https://w3id.org/newskg/id/x>",
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        "<https://schema.org/Person>",
        "<https://w3id.org/newskg/graph/entities>",
    ),
    (
        "<https://w3id.org/newskg/id/x>",
        "<https://schema.org/name>",
        '"X \\"the\\" person"',
        "<https://w3id.org/newskg/graph/entities>",
    ),
    (
        "<https://w3id.org/newskg/id/x>",
        "<https://schema.org/birthDate>",
        '"1950-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
        "<https://w3id.org/newskg/graph/a>",
    ),
    ("_:b1", "<https://schema.org/name>", '"bonjour"@fr', "<https://w3id.org/newskg/graph/a>"),
    (
        "<https://w3id.org/newskg/id/odd/a.b>",
        "<https://schema.org/url>",
        "<http://example.com/a%20b>",
        "",
    ),
]


def _render(writer, quads) -> str:
    out = io.StringIO()
    writer(quads, out)
    return out.getvalue()


def test_turtle_is_sorted_prefixed_and_order_independent():
    a = _render(write_turtle, QUADS)
    b = _render(write_turtle, list(reversed(QUADS)) + QUADS)
    assert a == b
    assert a.startswith("@prefix schema: <https://schema.org/> .\n@prefix xsd:")
    assert "nkg:" not in a  # only prefixes actually used are declared
    assert '"1950-01-01"^^xsd:date' in a
    graph = rdflib.Graph().parse(data=a, format="turtle")
    assert len(graph) == 5


def test_trig_round_trips_through_pyoxigraph():
    text = _render(write_trig, QUADS)
    parsed = list(ox.parse(input=text.encode(), format=ox.RdfFormat.TRIG))
    assert len(parsed) == 5
    graphs = {str(q.graph_name) for q in parsed}
    assert "<https://w3id.org/newskg/graph/a>" in graphs


def test_line_formats():
    nq = _render(write_nquads, QUADS)
    assert nq.count("\n") == 5 and nq == "".join(sorted(nq.splitlines(keepends=True)))
    nt = _render(write_ntriples, QUADS)
    assert len(list(ox.parse(input=nt.encode(), format=ox.RdfFormat.N_TRIPLES))) == 5


TERMS = st.sampled_from(
    [
        "<https://schema.org/name>",
        "<https://w3id.org/newskg/id/x>",
        "<http://example.com/a%20b>",
        "_:b1",
        "_:a",
        '"x"',
        '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"bonjour"@fr',
        "0odd",
    ]
)


@given(st.lists(st.tuples(TERMS, TERMS, TERMS), max_size=30))
def test_triples_are_sorted_by_the_sort_key_of_each_term(triples):
    expected = sorted(set(triples), key=lambda t: (sort_key(t[0]), sort_key(t[1]), sort_key(t[2])))
    assert sorted_unique_triples(triples) == expected
