"""newskg: news articles and curated, evidence-anchored facts -> an RDF knowledge graph.

The public API; everything else is internal and may change. Names are imported on first use
so that ``newskg --help`` or a query does not pay for loading pyshacl and rdflib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newskg.build import BuildReport, Project, build
    from newskg.errors import NewskgError
    from newskg.graph import Edge, Evidence, Iri, KnowledgeGraph, Node, Solutions
    from newskg.server import PushReport, Server, push
    from newskg.views import Agreement, Figure, Meeting, Participant, Programme, Quote, Ref

_WHERE = {
    "BuildReport": "newskg.build",
    "Project": "newskg.build",
    "build": "newskg.build",
    "NewskgError": "newskg.errors",
    "Edge": "newskg.graph",
    "Evidence": "newskg.graph",
    "Iri": "newskg.graph",
    "KnowledgeGraph": "newskg.graph",
    "Node": "newskg.graph",
    "Solutions": "newskg.graph",
    "PushReport": "newskg.server",
    "Server": "newskg.server",
    "push": "newskg.server",
    "Agreement": "newskg.views",
    "Figure": "newskg.views",
    "Meeting": "newskg.views",
    "Participant": "newskg.views",
    "Programme": "newskg.views",
    "Quote": "newskg.views",
    "Ref": "newskg.views",
}

__all__ = [
    "Agreement",
    "BuildReport",
    "Edge",
    "Evidence",
    "Figure",
    "Iri",
    "KnowledgeGraph",
    "Meeting",
    "NewskgError",
    "Node",
    "Participant",
    "Programme",
    "Project",
    "PushReport",
    "Quote",
    "Ref",
    "Server",
    "Solutions",
    "build",
    "push",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'newskg' has no attribute {name!r}")
