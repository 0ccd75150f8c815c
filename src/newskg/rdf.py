"""The RDF vocabulary every stage shares: the prefix table, the IRIs newskg names in code,
prefixed names both ways, N-Triples string unescaping, and the closure of sub-class and
sub-property statements.

Plain strings only (no rdflib, no pyoxigraph), so that any module can import it for free and
build the term objects it needs from these IRIs.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from functools import lru_cache
from typing import TypeVar

# Where instance IRIs are minted unless a project says otherwise (``--base``).
DEFAULT_BASE = "https://w3id.org/newskg/"

# The project's fixed prefix table, in the order exports and queries declare them.
PREFIXES: dict[str, str] = {
    "nkg": "https://w3id.org/newskg/ontology#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "vann": "http://purl.org/vocab/vann/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
}

NKG = PREFIXES["nkg"]
SCHEMA = PREFIXES["schema"]
ORG = PREFIXES["org"]
PROV = PREFIXES["prov"]
OA = PREFIXES["oa"]
SKOS = PREFIXES["skos"]
OWL = PREFIXES["owl"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
SH = PREFIXES["sh"]
WD = PREFIXES["wd"]

RDF_TYPE = RDF + "type"
RDF_LANG_STRING = RDF + "langString"
RDFS_LABEL = RDFS + "label"
RDFS_RANGE = RDFS + "range"
RDFS_SUB_CLASS_OF = RDFS + "subClassOf"
RDFS_SUB_PROPERTY_OF = RDFS + "subPropertyOf"
SKOS_PREF_LABEL = SKOS + "prefLabel"
SKOS_ALT_LABEL = SKOS + "altLabel"
SCHEMA_NAME = SCHEMA + "name"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DOUBLE = XSD + "double"
XSD_BOOLEAN = XSD + "boolean"
XSD_DATE = XSD + "date"

T = TypeVar("T", bound=Hashable)

# What a prefixed name's local part may be here: a subset of Turtle's PN_LOCAL that needs no
# escaping and that JSON-LD and SPARQL read the same way.
LOCAL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
# Longest namespace first, so that a sub-namespace wins over its parent.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


@lru_cache(maxsize=65536)
def prefixed(iri: str) -> tuple[str, str] | None:
    """``(prefix, local)`` naming ``iri`` under the prefix table, or None when none does.

    >>> prefixed("https://schema.org/Person")
    ('schema', 'Person')
    >>> prefixed("https://example.org/x") is None
    True
    """
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if LOCAL_NAME.match(local):
                return prefix, local
    return None


def compact_iri(iri: str) -> str:
    """``iri`` as a prefixed name where the table allows, else the IRI itself."""
    pair = prefixed(iri)
    return f"{pair[0]}:{pair[1]}" if pair else iri


def expand(name: str) -> str | None:
    """The IRI of a prefixed name of the table (``nkg:Meeting``), or None when it is not one.

    >>> expand("rdfs:label")
    'http://www.w3.org/2000/01/rdf-schema#label'
    """
    prefix, sep, local = name.partition(":")
    namespace = PREFIXES.get(prefix) if sep else None
    return None if namespace is None else namespace + local


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE_ESCAPES = {
    "t": "\t",
    "b": "\b",
    "n": "\n",
    "r": "\r",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}


def unescape(text: str) -> str:
    """The characters an N-Triples string or IRI escapes stand for (``\\n``, ``\\u00e9``…);
    an escape N-Triples does not define is kept as written.

    >>> unescape(r"caf\\u00e9\\n")
    'café\\n'
    """
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        if code:
            return chr(int(code, 16))
        return _SIMPLE_ESCAPES.get(match.group(3), match.group(0))

    return _ESCAPE.sub(one, text)


def transitive_closure(pairs: Iterable[tuple[T, T]]) -> dict[T, set[T]]:
    """Each node's strict ancestors along ``(node, parent)`` pairs, such as the
    ``rdfs:subClassOf`` statements of an ontology (a node is never its own, even on a cycle).

    >>> transitive_closure([("a", "b"), ("b", "c")]) == {"a": {"b", "c"}, "b": {"c"}}
    True
    """
    direct: dict[T, set[T]] = {}
    for node, parent in pairs:
        if node != parent:
            direct.setdefault(node, set()).add(parent)
    closure: dict[T, set[T]] = {}
    for start, parents in direct.items():
        seen: set[T] = set()
        stack = list(parents)
        while stack:
            node = stack.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            stack.extend(direct.get(node, ()))
        closure[start] = seen
    return closure
