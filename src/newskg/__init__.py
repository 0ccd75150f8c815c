"""newskg: news articles and curated, evidence-anchored facts -> an RDF knowledge graph.

The public API; everything else is internal and may change. Each ``newskg`` command is one of
these calls plus the rendering of its result. Names are imported on first use so that
``newskg --help`` or a query does not pay for loading pyshacl and rdflib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newskg.builder import BuildReport, Project, ValidationReport, build, validate
    from newskg.drafting import AddReport, add
    from newskg.errors import NewskgError
    from newskg.exports import export
    from newskg.mapping.mapper import MapReport, map
    from newskg.pages import render_page
    from newskg.query.graph import KnowledgeGraph, Node
    from newskg.query.saved import SavedQuery, find_query, list_queries
    from newskg.query.terms import Edge, Evidence, Iri, Solutions
    from newskg.query.views import (
        Agreement,
        Event,
        Figure,
        Meeting,
        Participant,
        PostHolding,
        Programme,
        Quote,
        Ref,
        TimelineEntry,
    )
    from newskg.query.viz import Picture, viz
    from newskg.serve.push import PushReport, push
    from newskg.serve.run import serve_forever
    from newskg.serve.server import Server

# Where each public name lives. Modules, not attributes of this package, are imported lazily
# (a submodule of the same name as a function, ``newskg.builder``, must never shadow it).
_WHERE = {
    "BuildReport": "newskg.builder",
    "Project": "newskg.builder",
    "ValidationReport": "newskg.builder",
    "build": "newskg.builder",
    "validate": "newskg.builder",
    "AddReport": "newskg.drafting",
    "add": "newskg.drafting",
    "NewskgError": "newskg.errors",
    "export": "newskg.exports",
    "MapReport": "newskg.mapping.mapper",
    "map": "newskg.mapping.mapper",
    "render_page": "newskg.pages",
    "Edge": "newskg.query.terms",
    "Evidence": "newskg.query.terms",
    "Iri": "newskg.query.terms",
    "Solutions": "newskg.query.terms",
    "KnowledgeGraph": "newskg.query.graph",
    "Node": "newskg.query.graph",
    "SavedQuery": "newskg.query.saved",
    "find_query": "newskg.query.saved",
    "list_queries": "newskg.query.saved",
    "Agreement": "newskg.query.views",
    "Event": "newskg.query.views",
    "PostHolding": "newskg.query.views",
    "TimelineEntry": "newskg.query.views",
    "Figure": "newskg.query.views",
    "Meeting": "newskg.query.views",
    "Participant": "newskg.query.views",
    "Programme": "newskg.query.views",
    "Quote": "newskg.query.views",
    "Ref": "newskg.query.views",
    "Picture": "newskg.query.viz",
    "viz": "newskg.query.viz",
    "PushReport": "newskg.serve.push",
    "push": "newskg.serve.push",
    "serve_forever": "newskg.serve.run",
    "Server": "newskg.serve.server",
}

__all__ = [
    "AddReport",
    "Agreement",
    "BuildReport",
    "Edge",
    "Event",
    "Evidence",
    "Figure",
    "Iri",
    "KnowledgeGraph",
    "MapReport",
    "Meeting",
    "NewskgError",
    "Node",
    "Participant",
    "Picture",
    "PostHolding",
    "Programme",
    "Project",
    "PushReport",
    "Quote",
    "Ref",
    "SavedQuery",
    "Server",
    "Solutions",
    "TimelineEntry",
    "ValidationReport",
    "add",
    "build",
    "export",
    "find_query",
    "list_queries",
    "map",
    "push",
    "render_page",
    "serve_forever",
    "validate",
    "viz",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value  # later lookups find it here, not the submodule
        return value
    raise AttributeError(f"module 'newskg' has no attribute {name!r}")
