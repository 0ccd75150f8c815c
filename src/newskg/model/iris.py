"""The one place where newskg mints IRIs (see docs/data-model.md, "Namespaces").

Ids are curated slugs, so IRIs are stable across builds and machines; nothing here is random
and nothing becomes a blank node.
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

# Entity type -> path segment. Kept small and readable: the type is part of the IRI so that an
# IRI alone tells a person what it names.
ENTITY_SEGMENTS: dict[str, str] = {
    "Person": "person",
    "Organization": "organization",
    "GovernmentBody": "organization",
    "Country": "country",
    "Group": "group",
    "Post": "post",
    "Programme": "programme",
    "Strategy": "strategy",
    "Concept": "concept",
}


@dataclass(frozen=True, slots=True)
class IriPolicy:
    """Mints every instance IRI under one configurable base."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        if not re.match(r"https?://[^\s<>\"{}|\\^`]+/\Z", self.base):
            raise InputError(
                f"base IRI must be an http(s) IRI ending in '/': {self.base!r}",
                hint="e.g. --base https://example.org/news/",
            )

    def entity(self, entity_type: str, entity_id: str) -> str:
        return f"{self.base}id/{ENTITY_SEGMENTS[entity_type]}/{entity_id}"

    def scheme(self, scheme_id: str) -> str:
        return f"{self.base}id/scheme/{scheme_id}"

    def article(self, article_id: str) -> str:
        return f"{self.base}id/article/{article_id}"

    def fact(self, segment: str, article_id: str, fact_id: str) -> str:
        return f"{self.base}id/{segment}/{article_id}/{fact_id}"

    def evidence(self, article_id: str, start: int, end: int) -> str:
        return f"{self.base}id/evidence/{article_id}/{start}-{end}"

    def sentence(self, article_id: str, number: int) -> str:
        return f"{self.base}id/sentence/{article_id}/{number}"

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
