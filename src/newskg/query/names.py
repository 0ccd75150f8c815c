"""Nodes named as people name them: an id, a fact's id, a label, a prefixed name or an IRI.

A name that fits several nodes (a label two entities share, a fact id several articles use)
is an error listing them, never a guess.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from newskg.errors import NotFoundError, did_you_mean
from newskg.model.iris import KEY, SLUG
from newskg.rdf import (
    PROV,
    RDF_TYPE,
    RDFS_LABEL,
    SCHEMA_NAME,
    SKOS_ALT_LABEL,
    SKOS_PREF_LABEL,
    expand,
)

TYPE = ox.NamedNode(RDF_TYPE)
LABELS = [ox.NamedNode(RDFS_LABEL), ox.NamedNode(SKOS_PREF_LABEL), ox.NamedNode(SCHEMA_NAME)]
ALT_LABEL = ox.NamedNode(SKOS_ALT_LABEL)
DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")


class NamedGraph(Protocol):
    """What naming needs of a graph (a KnowledgeGraph)."""

    store: ox.Store
    base: str

    def _exists(self, term: ox.NamedNode) -> bool: ...


def resolve(kg: NamedGraph, id_or_iri: str) -> ox.NamedNode:
    """An entity id (``huawei``), prefixed name (``nkg:Meeting``) or IRI -> the IRI."""
    text = id_or_iri.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not text:
        raise NotFoundError(
            "an empty name names no entity",
            hint="give an id from seeds/entities.yaml (huawei), a label, "
            "a prefixed name (nkg:Meeting) or a full IRI",
        )
    if "://" in text:
        return _named_node(text, text)
    expanded = expand(text)
    if expanded is not None:
        return _named_node(expanded, text)
    if KEY.match(text):  # an entity, shared fact or article id, or <article>.<fact id>
        candidate = ox.NamedNode(f"{kg.base}id/{text}")
        if kg._exists(candidate):
            return candidate
        if SLUG.match(text):  # the id of a fact, in whichever article has it
            found = _one(kg, text, _facts_with_id(kg, text), "a fact id in")
            if found is not None:
                return found
    found = _one(kg, text, _by_label(kg, text), "the label of")
    if found is not None:
        return found
    raise NotFoundError(
        f"no entity '{id_or_iri}' in the graph",
        hint=did_you_mean(text, _entity_ids(kg))
        or "use an id from seeds/entities.yaml, "
        "a label, a prefixed name (nkg:Meeting) or a full IRI",
    )


def _named_node(iri: str, written: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise NotFoundError(
            f"'{written}' is not a valid IRI ({exc})",
            hint="a name is an id (huawei), a label, a prefixed name (nkg:Meeting) or an IRI "
            "without spaces, quotes or angle brackets",
        ) from None


def _one(kg: NamedGraph, text: str, found: list[ox.NamedNode], how: str) -> ox.NamedNode | None:
    """The single node of ``found``; several are an error that lists them, since
    picking one would answer about a node the user may not have meant."""
    if len(found) <= 1:
        return found[0] if found else None
    keys = [n.value.removeprefix(f"{kg.base}id/") for n in found]
    raise NotFoundError(
        f"'{text}' is {how} {len(found)} nodes: {', '.join(keys[:10])}"
        + (", …" if len(keys) > 10 else ""),
        hint="name one of them by its id (article.fact for a fact) or its IRI",
    )


def _by_label(kg: NamedGraph, text: str) -> list[ox.NamedNode]:
    """The nodes labelled ``text`` (any case): by their main labels, or else by an alias."""
    wanted = text.casefold()
    for predicates in (LABELS, [ALT_LABEL]):
        found = {
            quad.subject
            for predicate in predicates
            for quad in kg.store.quads_for_pattern(None, predicate, None, None)
            if isinstance(quad.object, ox.Literal)
            and quad.object.value.casefold() == wanted
            and isinstance(quad.subject, ox.NamedNode)
        }
        if found:
            return sorted(found, key=lambda n: n.value)
    return []


def _facts_with_id(kg: NamedGraph, fact_id: str) -> list[ox.NamedNode]:
    """The facts of every article whose id (the part after <article>.) is ``fact_id``."""
    prefix, suffix = f"{kg.base}id/", f".{fact_id}"
    found = {
        quad.subject
        for quad in kg.store.quads_for_pattern(None, DERIVED_FROM, None, None)
        if isinstance(quad.subject, ox.NamedNode)
        and quad.subject.value.startswith(prefix)
        and quad.subject.value.endswith(suffix)
        and "/" not in quad.subject.value[len(prefix) :]
    }
    return sorted(found, key=lambda n: n.value)


def _entity_ids(kg: NamedGraph) -> list[str]:
    """The ids of the registry's nodes (entities, shared facts): the ones a user names."""
    prefix = f"{kg.base}id/"
    ids: set[str] = set()
    for quad in kg.store.quads_for_pattern(None, TYPE, None, None):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix):
            rest = subject.value[len(prefix) :]
            if SLUG.match(rest):
                ids.add(rest)
    return sorted(ids)
