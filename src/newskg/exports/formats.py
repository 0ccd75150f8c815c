"""``newskg export``: the built graph in a linked-data format, deterministically, streamed.

Nothing holds the whole graph: TriG and JSON-LD are written one named graph at a time (a
graph's triples sorted in memory), Turtle, N-Triples and N-Quads through an external sort
(:mod:`newskg.exports.union`). The output is byte for byte what the writers of
:mod:`newskg.exports.rdf_text` and :mod:`newskg.exports.jsonld` write for the same quads.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from newskg.errors import InputError
from newskg.exports import union
from newskg.exports.jsonld import context_for, write_jsonld_graphs
from newskg.exports.rdf_text import (
    sort_key,
    sorted_unique_triples,
    statements,
    trig_graph_block,
)
from newskg.files import written_aside
from newskg.rdf import RDF_TYPE, RDFS_RANGE
from newskg.store import open_store

FORMATS = ("ttl", "trig", "nt", "nq", "jsonld", "site")
# A folder of pages and per-node RDF for a static host, written by newskg.pages.site.
SITE = "site"
# Formats without named graphs: a triple stated in two graphs is written once.
TRIPLE_FORMATS = ("ttl", "nt")

Triples = list[tuple[str, str, str]]


def graphs(store: ox.Store) -> Iterator[tuple[str, Triples]]:
    """Each graph of ``store`` with its triples sorted and unique, one graph at a time: the
    default graph first (as ''), then the named graphs in ``sort_key`` order."""
    names = sorted((str(g) for g in store.named_graphs()), key=sort_key)
    for name in ["", *names]:
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
        if not name:
            graph = ox.DefaultGraph()
        elif name.startswith("_:"):
            graph = ox.BlankNode(name[2:])
        else:
            graph = ox.NamedNode(name[1:-1])
        triples = sorted_unique_triples(
            (str(q.subject), str(q.predicate), str(q.object))
            for q in store.quads_for_pattern(None, None, None, graph)
        )
        if triples:
            yield name, triples


def write_store(store: ox.Store, fmt: str, out: TextIO) -> int:
    """Write ``store`` in ``fmt``; returns the statements written (triples for the formats
    without graphs, quads for the others)."""
    if fmt == "ttl":
        return union.write_turtle(store, out)
    if fmt == "nt":
        return union.write_ntriples(store, out)
    if fmt == "nq":
        return union.write_nquads(store, out)
    if fmt == "trig":
        return _write_trig(store, out)
    if fmt == "jsonld":
        return write_jsonld_graphs(graphs(store), out, context_for(_context_triples(store)))
    raise InputError(f"unknown export format '{fmt}'", hint="use one of " + ", ".join(FORMATS))


def export(
    kg: Path | str = "kg", *, format: str = "ttl", output: Path | str | TextIO | None = None
) -> int:
    """Write the built graph under ``kg`` in ``format`` (one of :data:`FORMATS`) to
    ``output``: a file, written aside and renamed so that it is never half-written, an open
    text stream, or standard output. Returns the number of statements written: triples for
    the formats without graphs (:data:`TRIPLE_FORMATS`), quads for the others. ``site``
    writes the folder ``output`` and returns the number of files in it."""
    if format not in FORMATS:
        raise InputError(
            f"unknown export format '{format}'", hint="use one of " + ", ".join(FORMATS)
        )
    if format == SITE:
        # The one import up the pipeline: the site is the pages, rendered from the graph.
        from newskg.pages.site import write_site

        return write_site(kg, output)
    store = open_store(Path(kg))
    if output is None or not isinstance(output, Path | str):
        return write_store(store, format, output or sys.stdout)
    with written_aside(Path(output)) as handle:
        return write_store(store, format, handle)


def _write_trig(store: ox.Store, out: TextIO) -> int:
    """TriG, one block per graph (what ``rdf_text.write_trig`` writes); the body goes to a
    temporary file first, as the header lists only the prefixes it uses."""
    used: set[str] = set()
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as body:
        for name, triples in graphs(store):
            if name:
                block = trig_graph_block(name, triples, used)
            else:
                block = "\n\n".join(statements(triples, used, ""))
            body.write(f"\n\n{block}" if count else block)
            count += len(triples)
        union.write_after_header(out, used, body)
    return count


def _context_triples(store: ox.Store) -> Iterator[tuple[str, str, str]]:
    """The statements the JSON-LD context is made from (types and ranges), streamed."""
    for predicate in (RDF_TYPE, RDFS_RANGE):
        for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None):
            yield str(q.subject), str(q.predicate), str(q.object)
