import pytest

from newskg.mapping import jsonpath
from newskg.mapping.jsonpath import MISSING, JsonPathError


@pytest.mark.parametrize(
    ("path", "steps"),
    [
        ("$", ()),
        ("$.a.b", (("key", "a"), ("key", "b"))),
        ("$.meetings[*]", (("key", "meetings"), ("wild", None))),
        ("$['Country Code']", (("key", "Country Code"),)),
        ("$['\\{Name\\}']", (("key", "{Name}"),)),
        ("$.a[0].b", (("key", "a"), ("index", 0), ("key", "b"))),
        ("$.a.*", (("key", "a"), ("wild", None))),
        ("$.[*]", (("wild", None),)),  # Jayway's reading, common in YARRRML
        ("$.features.[*].p", (("key", "features"), ("wild", None), ("key", "p"))),
    ],
)
def test_parse(path, steps):
    assert jsonpath.parse(path).steps == steps


@pytest.mark.parametrize(
    "path", ["students", "$.students[*]]", "$..a", "$.a[?(@.b)]", "$.a[1:2]", "$.", "$['a"]
)
def test_parse_rejects_outside_subset(path):
    with pytest.raises(JsonPathError):
        jsonpath.parse(path)


def test_single_accessor():
    doc = {"a": {"b": [10, 20]}, "c": None}
    assert jsonpath.single_accessor(jsonpath.parse("$.a.b"))(doc) == [10, 20]
    assert jsonpath.single_accessor(jsonpath.parse("$.a.b[1]"))(doc) == 20
    assert jsonpath.single_accessor(jsonpath.parse("$.a.b[-1]"))(doc) == 20
    assert jsonpath.single_accessor(jsonpath.parse("$.x.y"))(doc) is MISSING
    assert jsonpath.single_accessor(jsonpath.parse("$.a.b.c"))(doc) is MISSING
    assert jsonpath.single_accessor(jsonpath.parse("$.a"))("not a dict") is MISSING


def test_multi_accessor():
    doc = {"m": [{"x": 1}, {"x": 2}, {"y": 3}]}
    assert jsonpath.multi_accessor(jsonpath.parse("$.m[*].x"))(doc) == [1, 2]
    assert jsonpath.multi_accessor(jsonpath.parse("$.nothing[*]"))(doc) == []
    assert jsonpath.multi_accessor(jsonpath.parse("$.m[*]"))(doc) == doc["m"]
