"""YARRRML subset: each key and shorthand, and what it materialises to."""

PREFIXES = """\
prefixes:
  ex: http://example.com/
  schema: https://schema.org/
"""

EX = "http://example.com/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DOC = {
    "people": [
        {
            "id": "p1",
            "iri": EX + "p1",
            "name": "Ann",
            "age": 41,
            "tags": ["a", "b"],
            "g": EX + "g1",
        },
        {"id": "p2", "iri": EX + "p2", "name": "Bo", "knows": EX + "p1"},
    ]
}


def mapping(po: str, subject: str = "$(iri)~iri", extra: str = "") -> str:
    return (
        PREFIXES
        + 'mappings:\n  person:\n    sources: [data.json~jsonpath, "$.people[*]"]\n'
        + f"    s: {subject}\n"
        + extra
        + "    po:\n"
        + _entries(po)
    )


def _entries(po: str) -> str:
    """Shorthand entries one per line; a long-form entry (not starting with '[') is one
    entry whose further lines are continuation lines."""
    if po.startswith("["):
        return "".join(f"      - {line}\n" for line in po.splitlines())
    first, *rest = po.splitlines()
    return f"      - {first}\n" + "".join(f"      {line}\n" for line in rest)


def test_shorthand_literal_reference(run_yaml):
    quads = run_yaml(mapping("[schema:name, $(name)]"), {"data.json": DOC})
    assert quads == {
        (f"<{EX}p1>", "<https://schema.org/name>", '"Ann"', ""),
        (f"<{EX}p2>", "<https://schema.org/name>", '"Bo"', ""),
    }


def test_natural_datatype_for_json_numbers(run_yaml):
    quads = run_yaml(mapping("[ex:age, $(age)]"), {"data.json": DOC})
    assert quads == {(f"<{EX}p1>", f"<{EX}age>", f'"41"^^<{XSD}integer>', "")}


def test_shorthand_datatype_and_language(run_yaml):
    quads = run_yaml(
        mapping("[ex:age, $(age), xsd:decimal]\n[ex:label, $(name), en~lang]"), {"data.json": DOC}
    )
    assert (f"<{EX}p1>", f"<{EX}age>", f'"41"^^<{XSD}decimal>', "") in quads
    assert (f"<{EX}p1>", f"<{EX}label>", '"Ann"@en', "") in quads


def test_iri_object_and_list_reference_gives_one_term_per_item(run_yaml):
    quads = run_yaml(mapping("[ex:tag, ex:tag/$(tags)~iri]"), {"data.json": DOC})
    assert quads == {
        (f"<{EX}p1>", f"<{EX}tag>", f"<{EX}tag/a>", ""),
        (f"<{EX}p1>", f"<{EX}tag>", f"<{EX}tag/b>", ""),
    }


def test_template_cross_product(run_yaml):
    doc = {"people": [{"a": ["x", "y"], "b": [1, 2]}]}
    quads = run_yaml(mapping("[ex:p, $(a)-$(b)]", subject="ex:s"), {"data.json": doc})
    assert {q[2] for q in quads} == {'"x-1"', '"x-2"', '"y-1"', '"y-2"'}


def test_a_shorthand_with_list_of_classes(run_yaml):
    quads = run_yaml(mapping("[a, [schema:Person, ex:Agent]]"), {"data.json": DOC})
    assert (f"<{EX}p1>", RDF_TYPE, "<https://schema.org/Person>", "") in quads
    assert (f"<{EX}p2>", RDF_TYPE, f"<{EX}Agent>", "") in quads
    assert len(quads) == 4


def test_long_form_predicates_objects(run_yaml):
    po = (
        "predicates: [ex:n1, ex:n2]\n"
        "  objects:\n"
        "    - {value: $(name), language: th}\n"
        "    - {value: $(id), type: iri}\n"
        "    - {value: '$(age)', datatype: xsd:string}\n"
    )
    quads = run_yaml(mapping(po), {"data.json": DOC})
    assert (f"<{EX}p1>", f"<{EX}n2>", '"Ann"@th', "") in quads
    assert (f"<{EX}p1>", f"<{EX}n1>", "<http://base.example/p1>", "") in quads
    assert (f"<{EX}p1>", f"<{EX}n1>", '"41"', "") in quads
    assert len(quads) == 2 * (3 + 2)


def test_constants_keep_yaml_types(run_yaml):
    quads = run_yaml(
        mapping("[ex:n, 3]\n[ex:b, true]\n[ex:s, 'three']", subject="ex:only"), {"data.json": DOC}
    )
    assert {q[2] for q in quads} == {f'"3"^^<{XSD}integer>', f'"true"^^<{XSD}boolean>', '"three"'}


def test_subject_template_is_iri_safe_encoded_and_base_applies(run_yaml):
    doc = {"people": [{"name": "Zoë K/ü"}]}
    quads = run_yaml(mapping("[ex:n, $(name)]", subject="person/$(name)"), {"data.json": doc})
    assert {q[0] for q in quads} == {"<http://base.example/person/Zoë%20K%2Fü>"}


def test_file_base_wins_over_argument(run_yaml):
    text = "base: https://file.example/\n" + mapping("[ex:n, $(name)]", subject="x/$(id)")
    quads = run_yaml(text, {"data.json": DOC})
    assert {q[0] for q in quads} == {"<https://file.example/x/p1>", "<https://file.example/x/p2>"}


def test_user_prefix_overrides_builtin(run_yaml):
    text = "prefixes:\n  rdfs: http://my.example/rdfs#\n" + mapping(
        "[rdfs:label, $(name)]"
    ).replace(PREFIXES, "  ex: http://example.com/\n  schema: https://schema.org/\n")
    quads = run_yaml(text, {"data.json": DOC})
    assert {q[1] for q in quads} == {"<http://my.example/rdfs#label>"}


def test_graphs_on_mapping_subject_and_po(run_yaml):
    extra = "    graphs: $(g)~iri\n"
    quads = run_yaml(mapping("[ex:n, $(name)]", extra=extra), {"data.json": DOC})
    # p2 has no graph value: its triple goes to the default graph
    assert quads == {
        (f"<{EX}p1>", f"<{EX}n>", '"Ann"', f"<{EX}g1>"),
        (f"<{EX}p2>", f"<{EX}n>", '"Bo"', ""),
    }
    po = "p: ex:n\n  o: $(name)\n  graphs: [ex:ga, ex:gb]"
    quads = run_yaml(mapping(po, subject="{value: $(iri), graphs: ex:gs}"), {"data.json": DOC})
    assert {q[3] for q in quads} == {f"<{EX}ga>", f"<{EX}gb>", f"<{EX}gs>"}
    assert len(quads) == 6


def test_blank_node_subject_from_template_is_shared_across_mappings(run_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  a:
    sources: [data.json~jsonpath, "$.people[*]"]
    s: {value: "$(id)-node", type: blank}
    po: [[ex:n, $(name)]]
  b:
    sources: [data.json~jsonpath, "$.people[*]"]
    s: {value: "$(id)-node", type: blank}
    po: [[ex:id, $(id)]]
"""
    )
    quads = run_yaml(text, {"data.json": DOC})
    subjects = {q[0] for q in quads}
    assert len(subjects) == 2 and all(s.startswith("_:") for s in subjects)


def test_fresh_blank_nodes_without_subject(run_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  a:
    sources: [data.json~jsonpath, "$.people[*]"]
    po: [[ex:n, $(name)]]
"""
    )
    quads = run_yaml(text, {"data.json": DOC})
    assert len({q[0] for q in quads}) == 2


def test_join_with_condition(run_yaml):
    text = (
        PREFIXES
        + """\
sources:
  people: [data.json~jsonpath, "$.people[*]"]
mappings:
  person:
    sources: people
    s: $(iri)
    po:
      - p: ex:knows
        o:
          mapping: person
          condition:
            function: equal
            parameters: [[str1, $(knows)], [str2, $(iri)]]
"""
    )
    quads = run_yaml(text, {"data.json": DOC})
    assert quads == {(f"<{EX}p2>", f"<{EX}knows>", f"<{EX}p1>", "")}


def test_join_parameters_with_explicit_sides(run_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  person:
    sources: [data.json~jsonpath, "$.people[*]"]
    s: $(iri)
    po:
      - p: ex:knows
        o:
          mapping: person
          condition:
            function: equal
            parameters: [[str1, $(iri), o], [str2, $(knows), s]]
"""
    )
    quads = run_yaml(text, {"data.json": DOC})
    assert quads == {(f"<{EX}p2>", f"<{EX}knows>", f"<{EX}p1>", "")}


def test_mapping_reference_without_condition_on_same_source(run_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  person:
    sources: [data.json~jsonpath, "$.people[*]"]
    s: $(iri)
    po:
      - p: ex:card
        o: {mapping: card}
  card:
    sources: [data.json~jsonpath, "$.people[*]"]
    s: ex:card/$(id)
"""
    )
    quads = run_yaml(text, {"data.json": DOC})
    assert (f"<{EX}p1>", f"<{EX}card>", f"<{EX}card/p1>", "") in quads
    assert len(quads) == 2


def test_long_form_source_and_nested_iterator(run_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  m:
    sources:
      access: data.json
      referenceFormulation: jsonpath
      iterator: $.a.b[*]
    s: ex:$(id)
    po: [[ex:v, $(v.w)]]
"""
    )
    doc = {"a": {"b": [{"id": 1, "v": {"w": "deep"}}]}}
    assert run_yaml(text, {"data.json": doc}) == {(f"<{EX}1>", f"<{EX}v>", '"deep"', "")}


def test_null_and_missing_give_no_triple(run_yaml):
    doc = {"people": [{"iri": EX + "p", "name": None}]}
    assert run_yaml(mapping("[ex:n, $(name)]\n[ex:m, $(missing)]"), {"data.json": doc}) == set()


def test_source_names(compile_yaml):
    ms = compile_yaml(mapping("[ex:n, $(name)]"))
    assert ms.source_names == frozenset({"data.json"})


def test_callable_resolver(compile_yaml):
    ms = compile_yaml(mapping("[ex:n, $(name)]"))
    assert len(set(ms.materialise(lambda name: DOC))) == 2


def test_duplicate_quads_are_removed(run_yaml):
    doc = {"people": [{"iri": EX + "p", "name": "A"}, {"iri": EX + "p", "name": "A"}]}
    quads = list(run_yaml(mapping("[ex:n, $(name)]"), {"data.json": doc}))
    assert len(quads) == 1


def test_subset_keeps_maps_of_given_sources(compile_yaml):
    text = (
        PREFIXES
        + """\
mappings:
  a:
    sources: [a.json~jsonpath, "$[*]"]
    s: ex:$(id)
    po: [[ex:n, $(n)]]
  b:
    sources: [b.json~jsonpath, "$[*]"]
    s: ex:$(id)
    po: [[ex:n, $(n)]]
"""
    )
    ms = compile_yaml(text)
    only_a = ms.subset({"a.json"})
    assert only_a.source_names == frozenset({"a.json"})
    assert set(only_a.materialise({"a.json": [{"id": 1, "n": "x"}]})) == {
        (f"<{EX}1>", f"<{EX}n>", '"x"', "")
    }


def test_merge_gives_what_loading_all_files_gives(compile_yaml):
    from newskg.mapping import merge_mappings

    a = compile_yaml(mapping("[ex:n, $(name)]"), name="a.yaml")
    b = compile_yaml(
        PREFIXES
        + 'mappings:\n  other:\n    sources: [b.json~jsonpath, "$[*]"]\n'
        + "    s: ex:$(id)\n    po: [[ex:n, $(n)]]\n",
        name="b.yaml",
    )
    merged = merge_mappings([a, b])
    assert [tm.name for tm in merged.triples_maps] == ["person", "other"]
    assert merged.source_names == frozenset({"data.json", "b.json"})
    sources = {"data.json": DOC, "b.json": [{"id": 1, "n": "x"}]}
    assert set(merged.materialise(sources)) == set(a.materialise(sources)) | set(
        b.materialise(sources)
    )


# --------------------------------------------------------------------------- no silent output


def _error(compile_yaml, text: str):
    import pytest

    from newskg.errors import MappingError

    with pytest.raises(MappingError) as info:
        compile_yaml(text)
    return info.value


def test_a_prefixed_name_as_literal_object_is_refused_with_both_ways_out(compile_yaml):
    err = _error(compile_yaml, mapping("[ex:p, ex:o]"))
    assert err.message == (
        "object 'ex:o' is written like a prefixed name, but an object is a literal unless "
        "it says otherwise"
    )
    assert err.hint == "write 'ex:o~iri' for the IRI, or 'ex\\:o' for the text 'ex:o'"


def test_an_escaped_colon_is_text_and_an_explicit_literal_is_kept(run_yaml):
    quads = run_yaml(
        mapping('[ex:p, "ex\\\\:o"]\n{p: ex:q, o: {value: "ex:o", type: literal}}'),
        {"data.json": DOC},
    )
    assert {(p, o) for _, p, o, _ in quads} == {
        (f"<{EX}p>", '"ex:o"'),
        (f"<{EX}q>", '"ex:o"'),
    }


def test_a_backslash_before_another_character_is_an_error(compile_yaml):
    err = _error(compile_yaml, mapping('[ex:p, "a\\\\qb"]'))
    assert err.message.startswith("malformed template: invalid escape in 'a\\\\qb'")


def test_inverse_predicates_get_no_hint_of_predicates(compile_yaml):
    err = _error(
        compile_yaml,
        PREFIXES
        + 'mappings:\n  person:\n    sources: [data.json~jsonpath, "$.people[*]"]\n'
        + "    s: $(iri)~iri\n    po:\n      - inversepredicates: ex:knows\n"
        + "        o: $(knows)~iri\n",
    )
    assert "predicates" not in (err.hint or "")
    assert err.message == (
        "inverse predicates are not supported; write the triples from the other mapping"
    )


def test_csv_source_with_nulls_and_delimiter(run_yaml):
    text = (
        PREFIXES
        + "mappings:\n  person:\n"
        + "    sources: {access: p.csv, referenceFormulation: csv, delimiter: ';', null: NA}\n"
        + "    s: ex:p/$(id)\n    po:\n      - [ex:name, $(full name)]\n"
    )
    quads = run_yaml(text, {"p.csv": "id;full name\n1;Ann\n2;NA\n3;\n"})
    assert {(s, o) for s, _, o, _ in quads} == {
        (f"<{EX}p/1>", '"Ann"'),
        (f"<{EX}p/3>", '""'),  # an empty cell is a value; only the null value gives nothing
    }


def test_csv_reference_to_a_missing_column_is_an_error(compile_yaml):
    import pytest

    from newskg.errors import MappingError

    ms = compile_yaml(
        PREFIXES + "mappings:\n  person:\n    sources: [p.csv~csv]\n"
        "    s: ex:p/$(id)\n    po:\n      - [ex:name, $(nmae)]\n"
    )
    with pytest.raises(MappingError) as info:
        list(ms.materialise({"p.csv": "id,name\n1,Ann\n"}))
    assert info.value.message == "column 'nmae' is not in the header of 'p.csv'"
    assert info.value.location.line == 9
    assert info.value.hint == "columns: 'id', 'name'"


def test_escapes_inside_a_reference(run_yaml):
    """`\\)` does not close a reference and names the character; `\\_` is an underscore."""
    text = (
        PREFIXES + "mappings:\n  person:\n    sources: [p.csv~csv]\n"
        "    s: ex:p/$((id\\))\n    po:\n      - [ex:name, $(\\_name)]\n"
    )
    quads = run_yaml(text, {"p.csv": "(id),_name\n1,Ann\n"})
    assert quads == {(f"<{EX}p/1>", f"<{EX}name>", '"Ann"', "")}


def test_a_fresh_blank_node_object(run_yaml):
    quads = run_yaml(mapping("{p: ex:node, o: {type: blank}}"), {"data.json": DOC})
    objects = {o for _, _, o, _ in quads}
    assert {s for s, _, _, _ in quads} == {f"<{EX}p1>", f"<{EX}p2>"}
    assert len(objects) == 2 and all(o.startswith("_:") for o in objects)


def test_a_function_is_refused_as_a_function(compile_yaml):
    """A term computed by a function is named as that, not as an unknown key."""
    for entry in (
        "{p: ex:p, o: {function: ex:lower, parameters: [[ex:in, $(name)]]}}",
        "{p: ex:p, o: {function: ex:lower(ex:in = $(name))}}",
    ):
        err = _error(compile_yaml, mapping(entry))
        assert err.message == "functions (FnO) are not supported; compute values in the fact loader"


def test_a_tab_delimiter_written_as_backslash_t_gets_a_hint(compile_yaml):
    err = _error(
        compile_yaml,
        PREFIXES + "mappings:\n  person:\n"
        "    sources: {access: p.tsv, referenceFormulation: csv, delimiter: '\\t'}\n"
        "    s: ex:p/$(id)\n",
    )
    assert (err.message, err.hint) == (
        "delimiter must be one character",
        'a tab is "\\t" in double quotes',
    )


def test_a_yarrrml_suffix_is_yarrrml(run_yaml):
    quads = run_yaml(mapping("[ex:name, $(name)]"), {"data.json": DOC}, name="m.yarrrml")
    assert (f"<{EX}p1>", f"<{EX}name>", '"Ann"', "") in quads


def test_an_undeclared_yarrrml_default_prefix_names_its_namespace(compile_yaml):
    err = _error(compile_yaml, mapping("[foaf:name, $(name)]"))
    assert err.message == "unknown prefix 'foaf' in 'foaf:name'"
    assert err.hint == (
        "declare it under 'prefixes:' (YARRRML's default is foaf: http://xmlns.com/foaf/0.1/; "
        "newskg assumes only rdf, rdfs, xsd, owl)"
    )
