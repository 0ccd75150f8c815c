"""What every page of one graph needs to know, read once when the graph is opened: labels,
the most specific kind of each node, evidence spans by fact and article, the typed views,
and the documents of hash IRIs (``ontology#Meeting``).

Pages are rendered by the thousand for a static site, so whatever a page would otherwise
ask the store again and again is asked here once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from newskg.pages.layout import Layout
from newskg.query.graph import KnowledgeGraph
from newskg.query.names import LABELS, TYPE
from newskg.query.views import Event, PostHolding
from newskg.rdf import NKG, PROV, RDFS_SUB_CLASS_OF, SCHEMA, compact_iri

SUB_CLASS_OF = ox.NamedNode(RDFS_SUB_CLASS_OF)
DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
ARTICLE_CLASS = SCHEMA + "NewsArticle"
FACT = NKG + "Fact"
EVIDENCE = NKG + "Evidence"
# What a fact is called when it has no label: its content, words, measure or purpose.
_DESCRIPTIVE = [
    ox.NamedNode(NKG + "content"),
    ox.NamedNode(SCHEMA + "text"),
    ox.NamedNode(NKG + "measure"),
    ox.NamedNode(NKG + "purpose"),
]
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

_SPANS = """
SELECT DISTINCT ?fact ?ev ?article ?start ?end WHERE {
  ?fact nkg:evidence ?ev .
  ?ev oa:hasSource ?article ; oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end .
}
"""
_ARTICLES = """
SELECT ?a ?date WHERE { ?a a schema:NewsArticle . OPTIONAL { ?a schema:datePublished ?date } }
"""


@dataclass(frozen=True, slots=True)
class EvidenceSpan:
    iri: str
    article: str
    start: int
    end: int

    @property
    def anchor(self) -> str:
        """The id of the span's marker on its article's page."""
        return f"ev-{self.start}-{self.end}"


def words(name: str) -> str:
    """A class or property's local name as words: ``MemorandumOfUnderstanding`` ->
    ``Memorandum of understanding``."""
    spaced = _CAMEL.sub(" ", name)
    return spaced[:1].upper() + spaced[1:].lower()


class Catalogue:
    """The graph-wide facts that pages of ``kg`` look up."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.store = kg.store
        self.layout = Layout(kg.base)
        self._labels: dict[str, str] = {}

    # -- names ------------------------------------------------------------------------------

    def label(self, iri: str) -> str:
        """A node's label: rdfs:label (or prefLabel, name), a fact's content or words, a
        prefixed name for a vocabulary term, else the last segment of its IRI."""
        known = self._labels.get(iri)
        if known is not None:
            return known
        node = ox.NamedNode(iri)
        found = None
        for predicates in (LABELS, _DESCRIPTIVE):
            values = sorted(
                q.object.value
                for p in predicates
                for q in self.store.quads_for_pattern(node, p, None, None)
                if isinstance(q.object, ox.Literal)
            )
            if values:
                found = values[0]
                break
        if found is None:
            local = self.layout.local(iri)
            if local and local.startswith("id/"):
                found = local.rsplit("/", 1)[-1].rsplit(".", 1)[-1]  # a fact's own id
            else:
                found = compact_iri(iri)
        self._labels[iri] = found
        return found

    def types(self, iri: str) -> list[str]:
        return sorted(
            {
                q.object.value
                for q in self.store.quads_for_pattern(ox.NamedNode(iri), TYPE, None, None)
                if isinstance(q.object, ox.NamedNode)
            }
        )

    def kind(self, iri: str) -> str | None:
        """The node's most specific newskg (or else schema.org) class, or None."""
        types = set(self.types(iri))
        for namespace in (NKG, SCHEMA):
            own = {t for t in types if t.startswith(namespace) and t != FACT}
            specific = [t for t in own if not any(t in self.superclasses.get(o, ()) for o in own)]
            if specific:
                return min(specific)
        return None

    @cached_property
    def superclasses(self) -> dict[str, set[str]]:
        """Every class's superclasses (the build materialises the closure)."""
        found: dict[str, set[str]] = defaultdict(set)
        for q in self.store.quads_for_pattern(None, SUB_CLASS_OF, None, None):
            if q.subject != q.object:
                found[q.subject.value].add(q.object.value)
        return found

    # -- articles and evidence --------------------------------------------------------------

    @cached_property
    def articles(self) -> list[tuple[str, str]]:
        """(article IRI, date as stated), newest first, then by IRI."""
        rows = self.kg.select(_ARTICLES).values()
        found = {(str(r["a"]), str(r["date"] or "")) for r in rows}
        return sorted(found, key=lambda a: (_descending(a[1]), a[0]))

    @cached_property
    def spans(self) -> dict[str, dict[str, list[EvidenceSpan]]]:
        """fact -> article -> the fact's evidence spans in that article, by offset."""
        found: dict[str, dict[str, set[EvidenceSpan]]] = defaultdict(lambda: defaultdict(set))
        for r in self.kg.select(_SPANS).values():
            span = EvidenceSpan(str(r["ev"]), str(r["article"]), int(r["start"]), int(r["end"]))
            found[str(r["fact"])][span.article].add(span)
        return {
            fact: {a: sorted(s, key=lambda x: (x.start, x.end)) for a, s in by_article.items()}
            for fact, by_article in found.items()
        }

    def facts_of_span(self, article: str) -> dict[EvidenceSpan, list[str]]:
        """Every evidence span of ``article`` with the facts resting on it."""
        out: dict[EvidenceSpan, list[str]] = defaultdict(list)
        for fact, by_article in self.spans.items():
            for span in by_article.get(article, ()):
                out[span].append(fact)
        return {span: sorted(facts) for span, facts in out.items()}

    def reported_by(self, iri: str) -> list[str]:
        """The articles a fact comes from (a shared fact: every article reporting it)."""
        node = ox.NamedNode(iri)
        return sorted(
            {
                q.object.value
                for q in self.store.quads_for_pattern(node, DERIVED_FROM, None, None)
                if isinstance(q.object, ox.NamedNode)
            }
        )

    def facts_of_article(self, article: str) -> list[str]:
        node = ox.NamedNode(article)
        return sorted(
            {
                q.subject.value
                for q in self.store.quads_for_pattern(None, DERIVED_FROM, node, None)
                if isinstance(q.subject, ox.NamedNode) and FACT in self.types(q.subject.value)
            }
        )

    # -- typed views, once ------------------------------------------------------------------

    @cached_property
    def events(self) -> list[Event]:
        return self.kg.events()

    @cached_property
    def post_holders(self) -> list[PostHolding]:
        return self.kg.post_holders()

    @cached_property
    def posts_in(self) -> dict[str, set[str]]:
        """organisation -> its posts (org:postIn)."""
        found: dict[str, set[str]] = defaultdict(set)
        post_in = ox.NamedNode("http://www.w3.org/ns/org#postIn")
        for q in self.store.quads_for_pattern(None, post_in, None, None):
            found[q.object.value].add(q.subject.value)
        return found

    # -- hash documents ----------------------------------------------------------------------

    @cached_property
    def documents(self) -> dict[str, list[str]]:
        """document IRI -> the hash IRIs under it that are subjects (``ontology`` ->
        ``ontology#Meeting``…). Only the ontology's graph mints hash IRIs."""
        found: dict[str, set[str]] = defaultdict(set)
        graph = ox.NamedNode(self.kg.base + "graph/ontology")
        for q in self.store.quads_for_pattern(None, None, None, graph):
            iri = q.subject.value
            if isinstance(q.subject, ox.NamedNode) and "#" in iri and iri.startswith(self.kg.base):
                found[iri.partition("#")[0]].add(iri)
        return {doc: sorted(terms) for doc, terms in found.items()}

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` is a node of the graph (subject or object) or a hash document."""
        if iri in self.documents:
            return True
        node = ox.NamedNode(iri)
        for _ in self.store.quads_for_pattern(node, None, None, None):
            return True
        for _ in self.store.quads_for_pattern(None, None, node, None):
            return True
        return False

    @cached_property
    def nodes(self) -> list[str]:
        """Every IRI under the base that a page describes: subjects and objects, and the
        hash documents (not the hash IRIs themselves, which their document's page holds)."""
        base = self.kg.base
        found: set[str] = set(self.documents)
        for q in self.store.quads_for_pattern(None, None, None, None):
            for term in (q.subject, q.object):
                iri = term.value
                if isinstance(term, ox.NamedNode) and iri.startswith(base) and "#" not in iri:
                    found.add(iri)
        return sorted(found)


def _descending(date: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in date)
