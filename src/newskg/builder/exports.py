"""The TriG files of a build, one per named graph, in ``kg/graphs/``.

Each article's file is written by the process that built it (:mod:`newskg.builder.pool`);
this module writes the entities and ontology graphs' files and finds the files of graphs
that a build no longer has. An incremental build writes only the changed articles' files:
the rest of ``kg/graphs/`` is left as it is.
"""

from __future__ import annotations

import os

from newskg.builder.commit import StagedBuild
from newskg.builder.plan import FIXED_EXPORTS
from newskg.builder.stamps import Stamp, export_stamp
from newskg.exports.rdf_text import trig_document
from newskg.store import KgLayout

# Export file name -> (graph IRI, its triples sorted): the entities and ontology graphs.
FixedGraphs = dict[str, tuple[str, list[tuple[str, str, str]]]]


def write_fixed(staged: StagedBuild, graphs: FixedGraphs) -> dict[str, Stamp | None]:
    """The entities and ontology graphs' files, by file name (``graphs`` maps each of
    :data:`FIXED_EXPORTS` to its graph IRI and triples); returns their stamps."""
    stamps: dict[str, Stamp | None] = {}
    for name in FIXED_EXPORTS:
        path = staged.graphs_dir / name
        graph, triples = graphs[name]
        path.write_bytes(trig_document(graph, triples).encode("utf-8"))
        stamps[name] = export_stamp(path)
    return stamps


def stale_exports(layout: KgLayout, article_ids: set[str]) -> list[str]:
    """Files in ``kg/graphs/`` that are no graph of a build of ``article_ids``."""
    try:
        entries = list(os.scandir(layout.graphs))
    except FileNotFoundError:
        return []
    keep = {f"{i}.trig" for i in article_ids} | set(FIXED_EXPORTS)
    return sorted(e.name for e in entries if e.name not in keep and e.name.endswith(".trig"))
