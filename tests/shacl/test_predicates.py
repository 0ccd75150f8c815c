"""Which statements a SPARQL constraint can see, and that loading only those changes no
result of the compiled validator."""

from __future__ import annotations

import pytest
import rdflib

from newskg.shacl.compiled import CompiledShapes
from newskg.shacl.predicates import sparql_predicates

EX = "http://example.org/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def test_the_predicates_of_patterns_paths_and_exists_filters():
    query = f"""SELECT $this WHERE {{
        $this <{EX}p> ?x ; a ?t ; (<{EX}q>/^<{EX}r>)|<{EX}s>+ ?y .
        FILTER NOT EXISTS {{ ?x <{EX}u> ?z }}
        BIND (EXISTS {{ ?y <{EX}v> ?w }} AS ?b)
    }}"""
    assert sparql_predicates(query) == {
        f"<{EX}{name}>" for name in ("p", "q", "r", "s", "u", "v")
    } | {RDF_TYPE}


def test_a_query_without_patterns_sees_no_statement():
    assert sparql_predicates("SELECT $this WHERE { FILTER (isIRI($this)) }") == frozenset()


@pytest.mark.parametrize(
    "pattern",
    [
        "$this ?p ?x",  # any predicate
        f"$this <{EX}p>* ?x",  # zero steps: every node of the graph
        f"$this <{EX}p>? ?x",
        f"$this !<{EX}p> ?x",  # every other predicate
        f"$this <{EX}p> ?x . FILTER NOT EXISTS {{ ?x ?q ?y }}",
    ],
)
def test_a_query_that_may_see_any_statement_gets_the_whole_graph(pattern):
    assert sparql_predicates(f"SELECT $this WHERE {{ {pattern} }}") is None


def test_a_query_rdflib_cannot_parse_gets_the_whole_graph():
    assert sparql_predicates("SELECT $this WHERE { $this <broken") is None


def _shapes(select: str) -> CompiledShapes:
    shapes = f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <{EX}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:sparql [ sh:message "bad {{?value}}" ; sh:select \"\"\"{select}\"\"\" ] .
    """
    return CompiledShapes(rdflib.Graph().parse(data=shapes, format="turtle"))


DATA = [
    (f"<{EX}n>", RDF_TYPE, f"<{EX}C>"),
    (f"<{EX}n>", f"<{EX}p>", f"<{EX}m>"),
    (f"<{EX}m>", f"<{EX}q>", '"hidden"'),
]


def test_the_validator_loads_only_the_predicates_its_constraints_name():
    shapes = _shapes(f"SELECT $this ?value WHERE {{ $this <{EX}p> ?value . }}")
    assert shapes.sparql_predicates == {f"<{EX}p>"}
    assert [r.value for r in shapes.validate(DATA, None)] == [f"<{EX}m>"]


def test_a_variable_predicate_still_sees_every_statement():
    shapes = _shapes(f"SELECT $this ?value WHERE {{ $this <{EX}p> ?m . ?m ?any ?value . }}")
    assert shapes.sparql_predicates is None
    assert [r.value for r in shapes.validate(DATA, None)] == ['"hidden"']
