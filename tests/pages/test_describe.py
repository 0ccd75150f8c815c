"""A node's description is what the store says about it, in every format, and a client's
Accept header picks the format."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import newskg
from newskg.pages.describe import description, negotiate, serialize

# The description, computed independently of newskg.pages: what the node says, what points
# at it, and the labels of the nodes on either side.
DESCRIBE = """
CONSTRUCT { ?node ?p ?o . ?s ?q ?node . ?x rdfs:label ?l . }
WHERE {
  { ?node ?p ?o } UNION { ?s ?q ?node }
  UNION { ?node ?p2 ?x . ?x rdfs:label ?l } UNION { ?x ?q2 ?node . ?x rdfs:label ?l }
}
"""


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt", "rdf"])
@pytest.mark.parametrize("key", ["huawei", "prayut-ren-meeting-2021", "000_62ce04f1d7ffd07b"])
def test_every_format_parses_to_the_description_in_the_store(built_kg, ext, key):
    kg = newskg.KnowledgeGraph.open(built_kg / "kg")
    node = ox.NamedNode(f"https://w3id.org/newskg/id/{key}")
    expected = set(kg.query(DESCRIBE.replace("?node", str(node))))
    fmt = {
        "ttl": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
        "nt": ox.RdfFormat.N_TRIPLES,
        "rdf": ox.RdfFormat.RDF_XML,
    }[ext]
    parsed = {q.triple for q in ox.parse(serialize(description(kg.store, [node]), ext), format=fmt)}
    assert parsed == expected
    assert len(expected) > 10


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        (None, "html"),
        ("", "html"),
        ("*/*", "html"),
        ("text/*", "html"),
        ("application/*", "jsonld"),
        ("application/json", "jsonld"),
        ("text/turtle, */*;q=0.1", "ttl"),
        ("application/n-triples;q=0.9, application/rdf+xml;q=0.8", "nt"),
        ("image/png", None),
        ("text/turtle;q=0", None),
        (",,,", "html"),
        ("text/turtle;q=abc", "ttl"),
    ],
)
def test_negotiation_follows_the_accept_header(accept, ext):
    assert negotiate(accept) == ext
