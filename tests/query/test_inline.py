"""`newskg.query.inline`: bindings written as a VALUES block opening the WHERE group, found
past comments, strings and IRIs; the answers are those of SEP-0007 substitutions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from newskg.query.inline import evaluate, inline_values

E = ox.Variable("e")
BINDING = {E: ox.NamedNode("http://example.com/a")}
VALUES = "VALUES (?e) { (<http://example.com/a>) }"


@pytest.mark.parametrize(
    ("query", "before"),
    [
        ("SELECT ?s WHERE { ?s ?p ?e }", "SELECT ?s WHERE {"),
        ("SELECT * { ?s ?p ?e }", "SELECT * {"),
        ("ASK { ?s ?p ?e }", "ASK {"),
        (
            '# a WHERE { in a comment\nPREFIX w: <http://x/where>\nSELECT ?e (EXISTS { ?e ?p "{" }'
            " AS ?x) ?where\nWHERE { ?where ?p ?e }",
            "WHERE {",
        ),
        ("select ?e where { ?e ?p ?o } order by ?e", "where {"),
    ],
)
def test_the_values_block_opens_the_where_group(query, before):
    inlined = inline_values(query, BINDING)
    assert inlined is not None
    head, _, rest = inlined.partition(VALUES)
    assert head.rstrip().endswith(before)
    assert " ".join((head + rest).split()) == " ".join(query.split())


@pytest.mark.parametrize(
    "query",
    [
        "# ask\nCONSTRUCT { ?s ?p ?e } WHERE { ?s ?p ?e }",  # the first group is the template
        "DESCRIBE ?e",
        "SELECT ?e ('never closed AS ?x) WHERE { ?e ?p ?o }",
    ],
)
def test_a_group_it_cannot_be_sure_of_keeps_the_substitutions(query):
    assert inline_values(query, BINDING) is None


def test_literals_are_written_escaped():
    nasty = ox.Literal('a"} } DROP ALL { \n')
    inlined = inline_values("SELECT ?e WHERE { ?s ?p ?e }", {E: nasty})
    assert inlined is not None and str(nasty) in inlined
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), nasty))
    rows = list(store.query(inlined, use_default_graph_as_union=True))
    assert [row["e"] for row in rows] == [nasty]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s ?e WHERE { ?s ?p ?e }",
        "SELECT ?s ?e WHERE { GRAPH ?g { ?s ?p ?e } OPTIONAL { ?e ?q ?o } }",
        "SELECT ?s ?e WHERE { ?s ?p ?o FILTER NOT EXISTS { ?o ?q ?e } }",
        "SELECT (COUNT(*) AS ?n) ?e WHERE { ?s ?p ?e } GROUP BY ?e",
        "SELECT ?s ?e WHERE { ?s ?p ?o FILTER(?o = ?e) }",
    ],
)
def test_answers_are_those_of_substitutions(query):
    store = ox.Store()
    a, b = ox.NamedNode("http://example.com/a"), ox.NamedNode("http://example.com/b")
    p = ox.NamedNode("http://example.com/p")
    g = ox.NamedNode("http://example.com/g")
    for s, o in ((a, b), (b, a), (b, b)):
        store.add(ox.Quad(s, p, o, g))
    for term in (a, b):
        expected = store.query(query, use_default_graph_as_union=True, substitutions={E: term})
        got = evaluate(store, query, {E: term}, {})
        assert sorted(map(str, got)) == sorted(map(str, expected))


def test_a_binding_of_a_variable_not_selected_is_refused_as_before():
    with pytest.raises(RuntimeError, match="projection"):
        evaluate(ox.Store(), "SELECT ?s WHERE { ?s ?p ?e }", BINDING, {})
