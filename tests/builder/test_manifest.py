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
