"""YARRRML document keys beside the mappings: authors, external references, and the singular
spellings of keys that the reference processor reads as the plural ones."""

from __future__ import annotations

import pytest

from newskg.errors import MappingError

EX = "http://example.com/"
PEOPLE = {"p.csv": "id,name,_name\n1,Ann,Annie\n"}


def _doc(top: str, po: str = "[ex:name, $(name)]", mapping: str = "") -> str:
    return (
        "prefixes: {ex: http://example.com/}\n"
        + top
        + "mappings:\n  person:\n"
        + (mapping or "    sources: [p.csv~csv]\n")
        + "    s: ex:p/$(id)\n    po:\n"
        + "".join(f"      - {line}\n" for line in po.splitlines())
    )


def _error(compile_yaml, text: str) -> MappingError:
    with pytest.raises(MappingError) as info:
        compile_yaml(text)
    return info.value


@pytest.mark.parametrize(
    "authors",
    [
        "authors: John Doe <john@doe.com>\n",
        "authors: [John Doe <john@doe.com>, http://janedoe.com/#me]\n",
        "authors:\n  - {name: John Doe, email: john@doe.com}\n  - {website: https://j.com}\n",
    ],
)
def test_authors_describe_the_mapping_and_change_nothing(run_yaml, authors):
    assert run_yaml(_doc(authors), PEOPLE) == run_yaml(_doc(""), PEOPLE)


def test_an_author_of_unknown_shape_or_key_is_an_error(compile_yaml):
    err = _error(compile_yaml, _doc("authors:\n  - {name: Ann, phone: 123}\n  - [a, b]\n"))
    messages = [d.message for d in err.diagnostics]
    assert messages[0] == "unknown key 'phone' in an author"
    assert messages[1].startswith("an author is a text")
    assert [d.location.line for d in err.diagnostics] == [3, 4]


def test_an_external_reference_is_its_value_and_an_escaped_one_a_reference(run_yaml):
    """`$(_name)` is the value given under `external`; `$(\\_name)` reads the column `_name`;
    `$(_city)`, with no value given, reads the column `_city` (YARRRML, section 12)."""
    po = "[ex:a, $(_name)]\n[ex:b, $(\\_name)]\n[ex:c, x-$(_name)-$(name)]\n[ex:d, $(_city)]"
    quads = run_yaml(
        _doc("external: {name: John, n: 7}\n", po),
        {"p.csv": "id,name,_name,_city\n1,Ann,Annie,Gent\n"},
    )
    s = f"<{EX}p/1>"
    assert quads == {
        (s, f"<{EX}a>", '"John"', ""),
        (s, f"<{EX}b>", '"Annie"', ""),
        (s, f"<{EX}c>", '"x-John-Ann"', ""),
        (s, f"<{EX}d>", '"Gent"', ""),
    }


def test_an_external_value_is_text_in_an_iri_template(run_yaml):
    quads = run_yaml(_doc("external: {id: 42}\n", "[ex:a, ex:q/$(_id)~iri]"), PEOPLE)
    assert quads == {(f"<{EX}p/1>", f"<{EX}a>", f"<{EX}q/42>", "")}


def test_an_external_value_that_is_not_text_is_an_error(compile_yaml):
    err = _error(compile_yaml, _doc("external: {name: [a, b]}\n"))
    assert err.message == "external reference 'name' must be a text value, not ['a', 'b']"
    assert err.location.line == 2


def test_singular_keys_are_the_plural_ones(run_yaml):
    single = _doc("", "{predicate: ex:name, object: $(name)}", "    source: [p.csv~csv]\n")
    assert run_yaml(single, PEOPLE) == run_yaml(_doc(""), PEOPLE)


def test_a_singular_key_beside_its_plural_is_an_error(compile_yaml):
    err = _error(
        compile_yaml, _doc("", mapping="    sources: [p.csv~csv]\n    source: [q.csv~csv]\n")
    )
    assert (
        err.message == "'sources' and 'source' are the same key in mapping 'person'; give only one"
    )
    assert err.location.line == 5  # the line of the singular key


def test_a_join_on_a_function_is_refused_as_a_function_only(compile_yaml):
    text = (
        "prefixes: {ex: http://example.com/}\nmappings:\n"
        "  a:\n    sources: [p.csv~csv]\n    s: ex:a/$(id)\n"
        "  b:\n    sources: [q.csv~csv]\n    s: ex:b/$(id)\n    po:\n"
        "      - p: ex:of\n        o:\n          mapping: a\n          condition:\n"
        "            function: equal\n            parameters:\n"
        "              - [str1, $(id)]\n"
        "              - parameter: str2\n"
        "                value: {function: ex:lower, parameters: [[ex:in, $(id)]]}\n"
    )
    err = _error(compile_yaml, text)
    assert [d.message for d in err.diagnostics] == [
        "functions (FnO) are not supported; compute values in the fact loader"
    ]
