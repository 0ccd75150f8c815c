"""``newskg export``: the built graph in a linked-data format, deterministically."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from newskg.errors import InputError
from newskg.prefixes import PREFIXES
from newskg.serialize import Quad, write_nquads, write_ntriples, write_trig, write_turtle
from newskg.store import open_store

FORMATS = ("ttl", "trig", "nt", "nq", "jsonld")


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
        # JSON-LD from sorted N-Quads, so that the output is as reproducible as the others.
        buffer = io.StringIO()
        write_nquads(quads, buffer)
        parsed = ox.parse(input=buffer.getvalue().encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        data = ox.serialize(parsed, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES)
        assert data is not None
        out.write(data.decode("utf-8"))
        out.write("\n")
    else:
        raise InputError(f"unknown export format '{fmt}'", hint="use one of " + ", ".join(FORMATS))


def export(kg: Path, fmt: str, out: TextIO) -> int:
    """Write the store under ``kg`` to ``out``; returns the number of quads."""
    quads = store_quads(open_store(kg))
    write_export(quads, fmt, out)
    return len(quads)
