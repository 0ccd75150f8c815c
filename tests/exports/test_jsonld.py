"""JSON-LD export compacted with kg/context.jsonld, and the context itself."""

from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib

from newskg.exports.jsonld import context_from_ontology, dump_context
from tests.conftest import ROOT, run_cli


def test_committed_context_matches_the_ontology():
    committed = (ROOT / "kg" / "context.jsonld").read_text(encoding="utf-8")
    assert committed == dump_context(context_from_ontology(ROOT / "ontology")), (
        "regenerate: python -m newskg.tools.generate"
    )
    ctx = json.loads(committed)["@context"]
    assert ctx["nkg"] == "https://w3id.org/newskg/ontology#"
    assert ctx["Meeting"] == "nkg:Meeting"
    assert ctx["participation"] == {"@id": "nkg:participation", "@type": "@id"}
    assert ctx["asOf"] == {"@id": "nkg:asOf", "@type": "xsd:date"}


def test_export_is_compact_and_reparses_to_the_same_dataset(built_kg, tmp_path):
    out = tmp_path / "kg.jsonld"
    assert run_cli("export", "--format", "jsonld", "-o", out, "--kg", built_kg / "kg").code == 0
    document = json.loads(out.read_text())
    assert (
        document["@context"] == json.loads((ROOT / "kg" / "context.jsonld").read_text())["@context"]
    )
    meeting = [
        node
        for graph in document["@graph"]
        for node in graph.get("@graph", [])
        if "Meeting" in node.get("@type", [])
    ]
    # A shared meeting: named in the entities graph, described in its article's graph.
    assert any(node.get("label", "").startswith("Virtual executive meeting") for node in meeting)
    assert any(node.get("attendanceMode") == "nkg:Virtual" for node in meeting)

    store = ox.Store.read_only(str((built_kg / "kg" / "store").resolve()))
    expected = set(store.quads_for_pattern(None, None, None, None))
    assert set(ox.parse(path=str(out), format=ox.RdfFormat.JSON_LD)) == expected
    dataset = rdflib.Dataset()
    dataset.parse(out, format="json-ld")
    assert len(list(dataset.quads())) == len(expected)


def test_export_is_reproducible(built_kg, tmp_path):
    a, b = tmp_path / "a.jsonld", tmp_path / "b.jsonld"
    for path in (a, b):
        assert (
            run_cli("export", "--format", "jsonld", "-o", path, "--kg", built_kg / "kg").code == 0
        )
    assert a.read_bytes() == b.read_bytes()
