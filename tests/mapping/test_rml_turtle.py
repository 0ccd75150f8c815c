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


# --------------------------------------------------------------------------- no silent output

RR = "@prefix rr: <http://www.w3.org/ns/r2rml#> .\n"
PEOPLE = {"data.json": {"people": [{"id": 1, "name": "Ann"}]}}


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "m.ttl"
    path.write_text(text, encoding="utf-8")
    return load_mappings([path], base="http://base.example/")


def errors_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(MappingError) as info:
        load_text(tmp_path, text)
    return [f"{d.location.line}:{d.location.column}: {d.message}" for d in info.value.diagnostics]


def test_r2rml_class_and_language_are_read_as_their_rml_twins(tmp_path):
    ms = load_text(
        tmp_path,
        RR
        + HEAD
        + '  rml:subjectMap [ rml:template "p/{$.id}" ; rr:class ex:Person ] ;\n'
        + "  rml:predicateObjectMap [ rr:predicate ex:name ;"
        + ' rr:objectMap [ rr:column "name" ; rr:language "en" ] ] .\n',
    )
    assert set(ms.materialise(PEOPLE)) == {
        ("<http://base.example/p/1>", RDF_TYPE, "<http://example.com/Person>", ""),
        ("<http://base.example/p/1>", "<http://example.com/name>", '"Ann"@en', ""),
    }


def test_r2rml_parent_triples_map_joins_like_rml(tmp_path):
    ms = load_text(
        tmp_path,
        RR
        + HEAD
        + '  rml:subjectMap [ rml:template "p/{$.id}" ] ;\n'
        + "  rml:predicateObjectMap [ rml:predicate ex:self ;"
        + " rml:objectMap [ rr:parentTriplesMap ex:TM ] ] .\n",
    )
    assert set(ms.materialise(PEOPLE)) == {
        ("<http://base.example/p/1>", "<http://example.com/self>", "<http://base.example/p/1>", "")
    }


def test_r2rml_terms_without_an_rml_core_twin_are_refused_by_name(tmp_path):
    assert errors_of(
        tmp_path,
        RR
        + HEAD
        + '  rr:logicalTable [ rr:tableName "T" ] ;\n  rml:subjectMap [ rml:reference "$.id" ] .\n',
    ) == [
        "8:3: rr:logicalTable is not supported: R2RML's database table; newskg reads files: "
        "use rml:logicalSource",
        "8:21: rr:tableName is not supported: R2RML's database table; newskg reads files: "
        "use rml:logicalSource",
    ]


def test_a_misspelt_namespace_is_an_error_with_the_rml_term_as_hint(tmp_path):
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            '  rml:subjectMap [ rml:template "p/{$.id}" ] ;\n'
            "  rml:predicateObjectMap [ rml:predicate ex:name ;\n"
            '    rml:objectMap [ rml:reference "$.name" ;'
            ' <http://w3id.org/rml#language> "en" ] ] .\n',
        )
    (diag,) = info.value.diagnostics
    assert (diag.location.line, diag.location.column) == (9, 46)
    assert diag.message == (
        "<http://w3id.org/rml#language> is not an RML-Core property; newskg does not know "
        "what it means on a mapping"
    )
    assert diag.hint == "did you mean 'rml:language'?"


def test_foreign_properties_on_a_mapping_are_refused_and_annotations_allowed(tmp_path):
    body = '  rdfs:label "people" ;\n  rml:subjectMap [ rml:template "p/{$.id}" ; ex:weight 3 ] .\n'
    text = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + HEAD + body
    assert errors_of(tmp_path, text) == [
        "9:46: <http://example.com/weight> is not an RML-Core property; newskg does not know "
        "what it means on a mapping"
    ]


@pytest.mark.parametrize(
    ("object_map", "message"),
    [
        ("[ ]", "an object map needs rml:constant, rml:reference or rml:template"),
        (
            '[ rml:joinCondition [ rml:child "$.id" ; rml:parent "$.id" ] ]',
            "a join condition without rml:parentTriplesMap",
        ),
    ],
)
def test_an_empty_object_map_or_a_join_without_parent_is_an_error(tmp_path, object_map, message):
    with pytest.raises(MappingError) as info:
        load(
            tmp_path,
            '  rml:subjectMap [ rml:template "p/{$.id}" ] ;\n'
            f"  rml:predicateObjectMap [ rml:predicate ex:n ; rml:objectMap {object_map} ] .\n",
        )
    assert info.value.message == message
    assert info.value.location.line == 8


def test_a_subject_map_with_only_a_class_is_an_error_not_a_blank_node(tmp_path):
    with pytest.raises(MappingError) as info:
        load(tmp_path, "  rml:subjectMap [ rml:class ex:Person ] .\n")
    assert info.value.message == "a subject map needs rml:constant, rml:reference or rml:template"
    assert "rml:termType rml:BlankNode" in (info.value.hint or "")
    # Asked for, a fresh blank node is fine.
    ms = load(tmp_path, "  rml:subjectMap [ rml:termType rml:BlankNode ; rml:class ex:Person ] .\n")
    ((s, _, o, _),) = ms.materialise(PEOPLE)
    assert s.startswith("_:") and o == "<http://example.com/Person>"


LEGACY = """\
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.com/> .

<#TM> a rr:TriplesMap ;
  rml:logicalSource [ rml:source "data.json" ; rml:referenceFormulation ql:JSONPath ;
                      rml:iterator "$.people[*]" ] ;
  rr:subjectMap [ rr:template "http://ex.com/{id}" ; rr:class ex:Person ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ] ] .
"""


def test_the_legacy_vocabulary_is_named_with_the_way_to_convert_it(tmp_path):
    with pytest.raises(MappingError) as info:
        load_text(tmp_path, LEGACY)
    (diag,) = info.value.diagnostics
    assert (diag.location.line, diag.location.column) == (2, 14)
    assert diag.message == (
        "this mapping uses the legacy RML vocabulary <http://semweb.mmlab.be/ns/rml#>; newskg "
        "reads RML-Core <http://w3id.org/rml/>"
    )
    assert diag.hint is not None and diag.hint.startswith("convert it to RML-Core with: sed")
    # The conversion the hint gives works.
    converted = LEGACY
    for old in ("http://semweb.mmlab.be/ns/rml#", "http://semweb.mmlab.be/ns/ql#", RR_NS):
        converted = converted.replace(old, "http://w3id.org/rml/")
    ms = load_text(tmp_path, converted)
    assert len(set(ms.materialise(PEOPLE))) == 2


RR_NS = "http://www.w3.org/ns/r2rml#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def test_csv_source_reads_columns(tmp_path):
    (tmp_path / "people.csv").write_text("id,full name\n1,Ann\n2,\n", encoding="utf-8")
    ms = load_text(
        tmp_path,
        "@prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <http://example.com/> .\n"
        '<#m> rml:logicalSource [ rml:source "people.csv" ;\n'
        "  rml:referenceFormulation rml:CSV ] ;\n"
        '  rml:subjectMap [ rml:template "p/{id}" ] ;\n'
        "  rml:predicateObjectMap [ rml:predicate ex:name ;\n"
        '    rml:objectMap [ rml:reference "full name" ] ] .\n',
    )
    from newskg.mapping.sources import FileSources

    assert set(ms.materialise(FileSources())) == {
        ("<http://base.example/p/1>", "<http://example.com/name>", '"Ann"', ""),
        ("<http://base.example/p/2>", "<http://example.com/name>", '""', ""),  # empty: a value
    }
