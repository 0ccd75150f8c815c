"""Which statements a SPARQL constraint can see: the predicates its patterns name.

The compiled validator loads each data graph into pyoxigraph for the ``sh:sparql``
constraints (:mod:`newskg.shacl.compiled`), and loading costs per statement. A query whose
every triple pattern and property path names its predicates (no variable predicate, no
negated property set, no ``*`` or ``?`` path, which also match zero steps anywhere in the
graph) can match no statement of any other predicate: the store needs only those, and the
answers are the same. Any query this cannot tell for (or that rdflib cannot parse) gets the
whole data graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, OneOrMore, SequencePath


def sparql_predicates(query: str) -> frozenset[str] | None:
    """The predicates (N-Triples IRIs) the patterns of the SELECT ``query`` can match, or
    None when it may match statements of any predicate."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(query).algebra
    except Exception:  # rdflib's parser raises several kinds: no subset, then
        return None
    found: set[str] = set()
    return frozenset(found) if _walk(algebra, found) else None


def _walk(node: Any, found: set[str]) -> bool:
    """Add the predicates of every triple pattern under ``node`` (the algebra's mappings and
    lists, EXISTS patterns in filters included); False if one is not a known predicate."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "triples":
                if not all(_path(triple[1], found) for triple in value):
                    return False
            elif not _walk(value, found):
                return False
    elif isinstance(node, list | tuple):
        return all(_walk(item, found) for item in node)
    return True


def _path(predicate: Any, found: set[str]) -> bool:
    if isinstance(predicate, URIRef):
        found.add(f"<{predicate}>")
        return True
    if isinstance(predicate, SequencePath | AlternativePath):
        return all(_path(step, found) for step in predicate.args)
    if isinstance(predicate, InvPath):
        return _path(predicate.arg, found)
    if isinstance(predicate, MulPath) and predicate.mod == OneOrMore:
        return _path(predicate.path, found)
    return False  # a variable, a negated set, or a path that may take zero steps


__all__ = ["sparql_predicates"]
