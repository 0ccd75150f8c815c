"""``newskg export``: the built graph in a linked-data format, deterministically."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from newskg.errors import InputError
from newskg.exports.jsonld import context_for, write_jsonld
from newskg.exports.rdf_text import Quad, write_nquads, write_ntriples, write_trig, write_turtle
from newskg.files import written_aside
from newskg.store import open_store

FORMATS = ("ttl", "trig", "nt", "nq", "jsonld", "site")
# A folder of pages and per-node RDF for a static host, written by newskg.pages.site.
SITE = "site"
# Formats without named graphs: a triple stated in two graphs is written once.
TRIPLE_FORMATS = ("ttl", "nt")


def store_quads(store: ox.Store) -> list[Quad]:
    """Every quad of ``store`` as N-Triples term strings ('' for the default graph)."""
    return [
        (
            str(q.subject),
            str(q.predicate),
            str(q.object),
            "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name),
        )
        for q in store.quads_for_pattern(None, None, None, None)
    ]


def write_export(quads: list[Quad], fmt: str, out: TextIO) -> None:
    if fmt == "ttl":
        write_turtle(quads, out)
    elif fmt == "trig":
        write_trig(quads, out)
    elif fmt == "nt":
        write_ntriples(quads, out)
    elif fmt == "nq":
        write_nquads(quads, out)
    elif fmt == "jsonld":
        write_jsonld(quads, out, context_for(quads))
    else:
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
    quads = store_quads(open_store(Path(kg)))
    if output is None or not isinstance(output, Path | str):
        write_export(quads, format, output or sys.stdout)
    else:
        with written_aside(Path(output)) as handle:
            write_export(quads, format, handle)
    return len({q[:3] for q in quads}) if format in TRIPLE_FORMATS else len(quads)
