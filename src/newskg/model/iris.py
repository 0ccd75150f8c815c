"""How newskg names things: ids and keys, and the IRIs the mappings make of them.

Every node has a key, unique in the project: an entity's or a shared fact's registry id
(``huawei``), an article's id (its folder name), or ``<article>.<fact id>`` for a fact of one
article. Its IRI is ``<base>id/<key>``, formed by the mappings (``s: id/$(key)``), so that a
reference to any node is one template whatever the node is. Evidence and sentences live
under their article: ``<base>id/<article>/evidence/<start>-<end>``,
``<base>id/<article>/sentence/<n>``. Named graphs are ``<base>graph/article/<article>``,
``<base>graph/entities`` and ``<base>graph/ontology``.

Why the type is not part of an IRI: a reference names its target by id alone, and what the
target is (a person or an organisation, an entity or a fact) is known to the registry, not to
a template; the type is in the data, as ``rdf:type``. See docs/data-model.md, "Namespaces".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newskg.errors import InputError
from newskg.rdf import DEFAULT_BASE, PREFIXES

ONTOLOGY = PREFIXES["nkg"]
WIKIDATA_ENTITY = PREFIXES["wd"]

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
# Any node key: a registry or article id, or <article>.<fact id>.
KEY = ARTICLE_ID
# Longest article folder name: an IRI and a file name are made of it.
ARTICLE_ID_MAX = 120


def fact_key(article_id: str, fact_id: str) -> str:
    """The key of a fact of one article (a fact id has no '.', so the key splits back)."""
    return f"{article_id}.{fact_id}"


@dataclass(frozen=True, slots=True)
class IriPolicy:
    """The IRIs the mappings make, for the code that must name them too (graph names when a
    build checks where quads went, an entity when a reader looks one up by id)."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not re.match(r"https?://[^\s<>\"{}|\\^`]+/\Z", self.base):
            raise InputError(
                f"base IRI must be an http(s) IRI ending in '/': {self.base!r}",
                hint="e.g. --base https://example.org/news/",
            )

    def node(self, key: str) -> str:
        return f"{self.base}id/{key}"

    def article(self, article_id: str) -> str:
        return self.node(article_id)

    def article_graph(self, article_id: str) -> str:
        return f"{self.base}graph/article/{article_id}"

    @property
    def entities_graph(self) -> str:
        return f"{self.base}graph/entities"

    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"

    def article_id_of_graph(self, graph_iri: str) -> str | None:
        prefix = f"{self.base}graph/article/"
        return graph_iri[len(prefix) :] if graph_iri.startswith(prefix) else None
