"""A node's description, the RDF its IRI answers with: its outgoing and incoming statements
and the labels of the nodes they link, in Turtle, JSON-LD, N-Triples or RDF/XML; and which
of those (or the page) a client's ``Accept`` header asks for.

A hash IRI (``ontology#Meeting``) is described by its document (``ontology``): the
statements about every term of the document, as linked-data publishing does for vocabularies.
"""

from __future__ import annotations

from collections.abc import Iterable

import mimeparse
import pyoxigraph as ox

from newskg.pages.layout import HTML, MEDIA_TYPES
from newskg.rdf import PREFIXES, RDFS_LABEL

_LABEL = ox.NamedNode(RDFS_LABEL)
_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}
# What a client may ask for, least wanted first (mimeparse breaks ties by this order): a
# client that takes anything (curl's */*) gets the page.
_OFFERED = [
    ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"),
    ("application/json", "jsonld"),
    ("application/ld+json", "jsonld"),
    ("text/turtle", "ttl"),
    ("text/html", HTML),
]


def negotiate(accept: str | None) -> str | None:
    """The extension of the representation ``accept`` asks for (``html``, ``ttl``…), or None
    when it accepts none of them (406). A missing or malformed header gets the page, as RFC
    9110 (12.5.1) allows: the header is then disregarded."""
    if not accept or not accept.replace(",", "").strip():
        return HTML
    try:
        best = mimeparse.best_match([media for media, _ in _OFFERED], accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        return HTML
    return dict(_OFFERED).get(best) if best else None


def offered() -> str:
    """The media types a node is available in, for a 406's message."""
    return ", ".join(sorted(set(MEDIA_TYPES.values())))


def description(
    store: ox.Store, subjects: Iterable[ox.NamedNode], *, incoming: bool = True
) -> list[ox.Triple]:
    """The statements about ``subjects`` (and, with ``incoming``, those pointing at them),
    with the ``rdfs:label`` of every node they link, each triple once, sorted."""
    found: set[ox.Triple] = set()
    for node in subjects:
        found.update(q.triple for q in store.quads_for_pattern(node, None, None, None))
        if incoming:
            found.update(q.triple for q in store.quads_for_pattern(None, None, node, None))
    linked = {t.object for t in found if isinstance(t.object, ox.NamedNode)}
    linked |= {t.subject for t in found if isinstance(t.subject, ox.NamedNode)}
    for node in linked:
        found.update(q.triple for q in store.quads_for_pattern(node, _LABEL, None, None))
    return sorted(found, key=str)


def serialize(triples: list[ox.Triple], ext: str) -> bytes:
    """``triples`` in the format of extension ``ext`` (``ttl``, ``jsonld``, ``nt``, ``rdf``),
    with the project's prefixes where the format has them."""
    fmt = _FORMATS[ext]
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        used = _used_prefixes(triples)
        return ox.serialize(triples, format=fmt, prefixes=used) or b""
    return ox.serialize(triples, format=fmt) or b""


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    iris = {
        term.value
        for t in triples
        for term in (t.subject, t.predicate, t.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {
        prefix: namespace
        for prefix, namespace in PREFIXES.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
