from decimal import Decimal

import pytest

from newskg.errors import InputError
from newskg.located_yaml import YDict, load, loads


def test_yaml_1_1_typing_does_not_change_values():
    data = loads("a: NO\nb: 1.10\nc: 2021-11-25\nd: 5\ne: yes\nf: true\ng: null\n", "f.yaml")
    assert data == {
        "a": "NO",
        "b": Decimal("1.10"),
        "c": "2021-11-25",
        "d": 5,
        "e": "yes",
        "f": True,
        "g": None,
    }
    assert str(data["b"]) == "1.10"


def test_quoted_scalars_stay_strings():
    assert loads('a: "5"\nb: "true"\n', "f.yaml") == {"a": "5", "b": "true"}


def test_locations_of_keys_values_and_items():
    data = loads("top:\n  key: value\n  list:\n    - one\n    - two\n", "f.yaml")
    assert isinstance(data, YDict)
    inner = data["top"]
    assert str(inner.key_at("key")) == "f.yaml:2:3"
    assert str(inner.value_at("key")) == "f.yaml:2:8"
    assert str(inner["list"].item_at(1)) == "f.yaml:5:7"


@pytest.mark.parametrize(
    ("text", "message", "where"),
    [
        ("a: 1\na: 2\n", "duplicate key 'a' (first defined at line 1)", "f.yaml:2:1"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases", "f.yaml:1:4"),
        ("a: [\n", "YAML syntax error", "f.yaml:2:1"),
        ("a: !!python/object:os.system x\n", "is not allowed", "f.yaml:1:4"),
        ("a: !custom x\n", "YAML tag '!custom' is not allowed", "f.yaml:1:4"),
        ("? [a]\n: 1\n", "a mapping key must be a plain string", "f.yaml:1:3"),
    ],
)
def test_bad_yaml_is_reported_with_its_location(text, message, where):
    with pytest.raises(InputError) as info:
        loads(text, "f.yaml")
    assert message in info.value.message
    assert str(info.value.location) == where


def test_alias_bomb_is_refused_without_expanding():
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c, *c]\n"
    with pytest.raises(InputError, match="anchors and aliases"):
        loads(bomb, "bomb.yaml")


def test_oversized_and_non_utf8_files(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 100 + "\n")
    with pytest.raises(InputError, match="over the 50-byte limit"):
        load(big, max_bytes=50)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        load(latin)
    with pytest.raises(InputError, match="file not found"):
        load(tmp_path / "missing.yaml")
