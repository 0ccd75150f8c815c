"""`newskg export` streams from the store and writes what the in-memory writers write."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from newskg.exports import formats, union
from newskg.exports.jsonld import context_for, write_jsonld
from newskg.exports.rdf_text import write_nquads, write_ntriples, write_trig, write_turtle

WRITERS = {
    "ttl": write_turtle,
    "trig": write_trig,
    "nt": write_ntriples,
    "nq": write_nquads,
}


def _quads(store: ox.Store) -> list[tuple[str, str, str, str]]:
    return [
        (
            str(q.subject),
            str(q.predicate),
            str(q.object),
            "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name),
        )
        for q in store
    ]


def _reference(quads, fmt: str) -> str:
    out = io.StringIO()
    if fmt == "jsonld":
        write_jsonld(quads, out, context_for(quads))
    else:
        WRITERS[fmt](quads, out)
    return out.getvalue()


def _streamed(store: ox.Store, fmt: str) -> str:
    out = io.StringIO()
    formats.write_store(store, fmt, out)
    return out.getvalue()


@pytest.fixture
def mixed_store(beat_kg) -> ox.Store:
    """The four fixture articles plus statements in the default graph and a triple stated
    in two graphs, in a store of its own."""
    store = ox.Store()
    source = ox.Store.read_only(str((beat_kg / "kg" / "store").resolve()))
    store.extend(source)
    extra = ox.NamedNode("https://example.org/extra")
    node, label = ox.NamedNode("https://example.org/n"), ox.Literal('ünï "q"\nline')
    store.add(ox.Quad(node, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), label))
    for graph in (extra, ox.NamedNode("https://example.org/extra2")):
        store.add(ox.Quad(node, ox.NamedNode("https://example.org/p"), ox.Literal("1"), graph))
    return store


@pytest.mark.parametrize("fmt", [f for f in formats.FORMATS if f != formats.SITE])
def test_streamed_export_equals_the_in_memory_writer(mixed_store, fmt, monkeypatch):
    expected = _reference(_quads(mixed_store), fmt)
    assert _streamed(mixed_store, fmt) == expected
    monkeypatch.setattr(union, "CHUNK", 97)  # many sorted runs, merged
    assert _streamed(mixed_store, fmt) == expected


def test_sorted_unique_merges_runs_and_drops_duplicates():
    lines = [f"{n % 37}\n" for n in range(1000)]
    assert list(union.sorted_unique(lines, chunk=10)) == sorted(set(lines))
    assert list(union.sorted_unique([], chunk=10)) == []
