"""RML-Core Turtle front end: compiles to the same model, errors carry file:line:column."""

from pathlib import Path

import pytest

from newskg.errors import MappingError
from newskg.mapping import load_mappings

HEAD = """\
@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.com/> .

ex:TM a rml:TriplesMap ;
  rml:logicalSource [ rml:source "data.json" ; rml:referenceFormulation rml:JSONPath ;
                      rml:iterator "$.people[*]" ] ;
"""


def load(tmp_path: Path, body: str):
    path = tmp_path / "m.ttl"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_mappings([path], base="http://base.example/")


def test_template_subject_reference_object(tmp_path):
    ms = load(
        tmp_path,
        '  rml:subjectMap [ rml:template "person/{$.name}" ; rml:class ex:Person ] ;\n'
        "  rml:predicateObjectMap [ rml:predicate ex:age ;"
        ' rml:objectMap [ rml:reference "$.age" ] ] .\n',
    )
    quads = set(ms.materialise({"data.json": {"people": [{"name": "A B", "age": 3}]}}))
    assert quads == {
        (
            "<http://base.example/person/A%20B>",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
            "<http://example.com/Person>",
            "",
        ),
        (
            "<http://base.example/person/A%20B>",
            "<http://example.com/age>",
            '"3"^^<http://www.w3.org/2001/XMLSchema#integer>',
            "",
        ),
    }


def test_yaml_and_turtle_compile_to_the_same_quads(tmp_path):
    ttl = load(
        tmp_path,
        '  rml:subjectMap [ rml:template "http://example.com/{$.id}" ; rml:graph ex:g ] ;\n'
        "  rml:predicateObjectMap [ rml:predicate ex:n ;"
        ' rml:objectMap [ rml:reference "$.n" ; rml:language "en" ] ] .\n',
    )
    yaml_path = tmp_path / "m.yaml"
    yaml_path.write_text(
        "prefixes: {ex: http://example.com/}\nmappings:\n  tm:\n"
        '    sources: [data.json~jsonpath, "$.people[*]"]\n'
        "    s: ex:$(id)\n    graphs: ex:g\n    po: [[ex:n, $(n), en~lang]]\n",
        encoding="utf-8",
    )
    yml = load_mappings([yaml_path])
    doc = {"data.json": {"people": [{"id": 1, "n": "x"}, {"id": 2, "n": "y"}]}}
    assert list(ttl.materialise(doc)) == list(yml.materialise(doc))


def test_error_location_points_at_the_term(tmp_path):
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            '  rml:subjectMap [ rml:template "http://ex.com/{$.id}" ] ;\n'
            "  rml:predicateObjectMap [ rml:predicate ex:n ;\n"
            '      rml:objectMap [ rml:reference "$.n" ; rml:language "not a tag" ] ] .\n',
        )
    d = info.value.diagnostics[0]
    assert d.message == "'not a tag' is not a valid BCP 47 language tag"
    assert (d.location.line, d.location.column) == (9, 58)


def test_unsupported_rml_feature_is_refused(tmp_path):
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            '  rml:subjectMap [ rml:template "http://ex.com/{$.id}" ; rml:logicalTarget ex:t ] .\n',
        )
    assert info.value.message == "rml:logicalTarget is not supported"
    assert info.value.location.line == 7


def test_syntax_error_has_location(tmp_path):
    with pytest.raises(MappingError) as info:
        load(tmp_path, '  rml:subjectMap [ rml:template "x\\q" ] .\n')
    assert info.value.message.startswith("Turtle syntax error")
    assert info.value.location.line == 7


def test_all_turtle_errors_in_one_raise(tmp_path):
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            '  rml:subjectMap [ rml:template "http://ex.com/{{$.id}" ] ;\n'
            "  rml:predicateObjectMap [ rml:predicate ex:n ;"
            ' rml:objectMap [ rml:reference "name[" ] ] .\n',
        )
    assert [d.message for d in info.value.diagnostics] == [
        "invalid template: unescaped '{' inside a reference in template 'http://ex.com/{{$.id}'",
        "invalid JSONPath reference 'name[': only [*], ['name'] and [index] selectors are "
        "supported (no filters, slices or unions)",
    ]


def test_blank_node_cycle_does_not_recurse_forever(tmp_path):
    """Locating a blank node walks its blank-node values; a cycle must end the walk."""
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            "  rml:subjectMap _:s ;\n"
            "  rml:predicateObjectMap [ rml:predicate ex:n ;\n"
            '    rml:objectMap [ rml:reference "$.n" ] ] .\n'
            "_:s ex:next _:t .\n_:t ex:next _:s .\n",
        )
    assert str(info.value.location).endswith("m.ttl:4:1")  # the triples map: _:s has no text
    assert "a subject map needs rml:constant" in info.value.message
