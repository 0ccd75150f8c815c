"""The manifest written as a build goes: entries streamed, header last, one JSON object."""

from __future__ import annotations

import json

import pytest

from newskg.builder.manifest import ManifestEntries


def test_entries_and_header_make_one_json_object(tmp_path):
    path = tmp_path / "manifest.json"
    with ManifestEntries(path) as entries:
        entries.add("a-1", {"quads": 3, "sha256": "x", "stamp": None, "export": [1, 2]})
        entries.add("ü-2", {"quads": 0, "sha256": "y", "stamp": [1] * 6, "export": None})
        entries.finish({"format": 5, "quads": 3})
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assert manifest["format"] == 5 and manifest["quads"] == 3
    assert list(manifest["inputs"]) == ["a-1", "ü-2"]  # in the order they came
    assert manifest["inputs"]["ü-2"]["stamp"] == [1] * 6
    assert (entries.quads, entries.graphs) == (3, 1)  # an empty article is no graph


def test_no_entries_is_an_empty_inputs_object(tmp_path):
    path = tmp_path / "manifest.json"
    with ManifestEntries(path) as entries:
        entries.finish({"format": 5})
    assert json.loads(path.read_text(encoding="utf-8")) == {"format": 5, "inputs": {}}


def test_the_header_cannot_hold_the_entries(tmp_path):
    with ManifestEntries(tmp_path / "manifest.json") as entries, pytest.raises(AssertionError):
        entries.finish({"inputs": {}})


def test_many_entries_at_once_read_as_one_by_one(tmp_path):
    kept = {f"a-{i}": {"quads": i, "sha256": "x", "stamp": None, "export": None} for i in range(3)}
    with (
        ManifestEntries(tmp_path / "one.json") as one,
        ManifestEntries(tmp_path / "all.json") as all_,
    ):
        for name, entry in kept.items():
            one.add(name, entry)
        one.add("b", {"quads": 1})
        all_.add_all({})
        all_.add_all(kept)
        all_.add("b", {"quads": 1})
        for entries in (one, all_):
            entries.finish({"format": 5})
    assert (one.quads, one.graphs) == (all_.quads, all_.graphs) == (4, 3)
    read = [
        json.loads((tmp_path / name).read_text(encoding="utf-8"))
        for name in ("one.json", "all.json")
    ]
    assert read[0] == read[1] and list(read[1]["inputs"]) == ["a-0", "a-1", "a-2", "b"]
