"""Compile and runtime errors: file:line:column, exact wording, all errors in one raise."""

import textwrap
from pathlib import Path

import pytest

from newskg.errors import MappingError
from newskg.mapping import load_mappings


def compile_error(tmp_path: Path, text: str) -> MappingError:
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mappings([path])
    return info.value


def messages(err: MappingError, tmp_path: Path) -> list[str]:
    """Each diagnostic as 'line:col: message', the file checked separately."""
    out = []
    for d in err.diagnostics:
        assert d.location is not None
        assert Path(d.location.file).name == "bad.yaml"
        out.append(f"{d.location.line}:{d.location.column}: {d.message}")
    return out


HEAD = """\
prefixes:
  ex: http://example.com/
mappings:
  person:
    sources: [data.json~jsonpath, "$.people[*]"]
"""


def test_unknown_prefix(tmp_path):
    err = compile_error(tmp_path, HEAD + "    s: exx:person/$(id)\n")
    assert messages(err, tmp_path) == ["6:8: unknown prefix 'exx' in 'exx:person/$(id)'"]
    assert err.hint == "did you mean 'ex'? declare it under 'prefixes:' (exx: https://...)"


def test_unknown_key(tmp_path):
    err = compile_error(tmp_path, HEAD + "    s: ex:$(id)\n    predicateobject: []\n")
    assert messages(err, tmp_path) == ["7:5: unknown key 'predicateobject' in mapping 'person'"]
    assert err.hint is not None and err.hint.startswith("did you mean 'predicateobjects'?")


def test_bad_template(tmp_path):
    err = compile_error(tmp_path, HEAD + "    s: ex:$(id)\n    po:\n      - [ex:n, $(name]\n")
    assert messages(err, tmp_path) == [
        "8:16: malformed template: '$(' at position 1 is not closed by ')' in '$(name'"
    ]


def test_unknown_mapping_reference(tmp_path):
    err = compile_error(
        tmp_path,
        HEAD + "    s: ex:$(id)\n    po:\n      - p: ex:knows\n        o: {mapping: persn}\n",
    )
    assert messages(err, tmp_path) == ["9:22: unknown mapping 'persn'"]
    assert err.hint == "did you mean 'person'?"


def test_unsupported_function(tmp_path):
    text = HEAD + (
        "    s: ex:$(id)\n    po:\n      - p: ex:knows\n        o:\n          mapping: person\n"
        "          condition:\n            function: grel:string_trim\n"
        "            parameters: [[str1, $(a)], [str2, $(b)]]\n"
    )
    err = compile_error(tmp_path, text)
    assert messages(err, tmp_path) == [
        "12:23: function 'grel:string_trim' is not supported in a join condition; only 'equal'"
    ]


def test_unsupported_reference_formulation_and_features(tmp_path):
    err = compile_error(
        tmp_path,
        "mappings:\n  m:\n    sources: [data.xml~xpath]\n"
        "    s: http://ex.com/$(id)\n    targets: t\n",
    )
    assert messages(err, tmp_path) == [
        "3:15: reference formulation 'xpath' is not supported; only jsonpath and csv",
        "5:5: targets (output destinations) are not supported; newskg writes the store",
    ]


def test_all_errors_of_a_file_in_one_raise(tmp_path):
    text = """\
        prefixes:
          ex: http://example.com/
        unknown_top: 1
        mappings:
          a:
            sources: [data.json~jsonpath, "$.x[*]]"]
            s: nope:$(id)
            po:
              - [ex:d, "2021-13-01", xsd:date]
              - [ex:l, $(x), "a-english~lang"]
              - [ex:t, $(x), xsd:integr]
              - {p: ex:k, o: {mapping: b}}
        """
    err = compile_error(tmp_path, text)
    assert messages(err, tmp_path) == [
        "3:1: unknown key 'unknown_top' at the top level",
        "6:35: invalid iterator '$.x[*]]': unexpected ']'",
        "7:8: unknown prefix 'nope' in 'nope:$(id)'",
        "9:16: constant '2021-13-01' is not a valid xsd:date",
        "10:22: 'a-english' is not a valid BCP 47 language tag",
        "11:22: xsd:integr is not an XSD datatype",
        "12:32: unknown mapping 'b'",
    ]


def test_errors_from_several_files_in_one_raise(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("mappings:\n  m:\n    s: x\n", encoding="utf-8")
    b.write_text("oops: 1\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_mappings([a, b])
    files = [Path(d.location.file).name for d in info.value.diagnostics if d.location]
    assert files[0] == "a.yaml" and "b.yaml" in files


def test_yaml_syntax_error_is_a_mapping_error(tmp_path):
    err = compile_error(tmp_path, "mappings: [unclosed\n")
    assert err.location is not None and err.location.line >= 1
    assert err.message.startswith("YAML syntax error")


def _runtime(tmp_path: Path, po: str, doc: object) -> MappingError:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "    s: $(iri)~iri\n    po:\n      - " + po + "\n", encoding="utf-8")
    ms = load_mappings([path])
    with pytest.raises(MappingError) as info:
        list(ms.materialise({"data.json": doc}))
    return info.value


def test_missing_source_names_the_mapping(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "    s: ex:$(id)\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        list(load_mappings([path]).materialise({"other.json": {}}))
    assert info.value.message == "source 'data.json' was not given"
    assert info.value.location is not None and info.value.location.line == 5


def test_invalid_datatype_value_names_value_and_location(tmp_path):
    doc = {"people": [{"iri": "http://example.com/p", "d": "25/11/2021"}]}
    err = _runtime(tmp_path, "[ex:d, $(d), xsd:date]", doc)
    assert err.message == "value '25/11/2021' is not a valid xsd:date"
    assert (err.location.line, err.location.column) == (8, 16)


def test_reference_iri_must_be_valid(tmp_path):
    err = _runtime(tmp_path, "[ex:n, $(name)]", {"people": [{"iri": "not an iri", "name": "x"}]})
    assert "does not give a valid IRI" in err.message
    assert err.location.line == 6


def test_invalid_language_from_data(tmp_path):
    doc = {"people": [{"iri": "http://example.com/p", "n": "x", "l": "english language"}]}
    err = _runtime(tmp_path, "[ex:n, $(n), $(l)~lang]", doc)
    assert err.message == "'english language' is not a valid BCP 47 language tag"


def test_object_where_value_required(tmp_path):
    doc = {"people": [{"iri": "http://example.com/p", "n": {"nested": 1}}]}
    err = _runtime(tmp_path, "[ex:n, $(n)]", doc)
    assert err.message == "reference '$.n' selects an object ({'nested': 1}), not a value"


def test_iterator_selecting_array_is_explained(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        HEAD.replace('"$.people[*]"', '"$.people"') + "    s: ex:$(id)\n", encoding="utf-8"
    )
    with pytest.raises(MappingError) as info:
        list(load_mappings([path]).materialise({"data.json": {"people": [{"id": 1}]}}))
    assert info.value.message == "iterator '$.people' selects an array, not records"
    assert info.value.hint == "write '$.people[*]' to iterate over its items"


def test_merge_reports_a_name_defined_in_two_files(tmp_path):
    from newskg.mapping import merge_mappings

    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (a, b):
        path.write_text(textwrap.dedent(HEAD) + "    s: ex:$(id)\n", encoding="utf-8")
    sets = [load_mappings([a]), load_mappings([b])]
    with pytest.raises(MappingError) as info:
        merge_mappings(sets)
    (diag,) = info.value.diagnostics
    assert (
        diag.message
        == f"mapping 'person' is defined twice (first at {sets[0].triples_maps[0].location})"
    )
    assert diag.location is not None and Path(diag.location.file).name == "b.yaml"
