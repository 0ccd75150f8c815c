"""Pages rendered from Jinja2 templates (autoescaped: a label holding HTML is shown as text),
for one graph: a node's page of whichever kind, an entity's timeline, the index, search, a
saved query's form and results, and the page for a missing node."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pyoxigraph as ox

from newskg.errors import InputError, NotFoundError
from newskg.pages import content
from newskg.pages.catalogue import Catalogue, words
from newskg.pages.content import Link, Linker
from newskg.pages.describe import description, serialize
from newskg.pages.layout import HTML, INDEX, QUERIES, RDF_FORMATS, SEARCH, STYLE, TIMELINES
from newskg.query.graph import KnowledgeGraph, NodeName
from newskg.query.saved import SavedQuery, list_queries
from newskg.query.terms import Solutions

TEMPLATES = Path(__file__).with_name("templates")
MAX_ROWS = 500  # rows of a saved query's answer shown on its page
MAX_HITS = 100  # search results of each kind
# Entity groups on the index, by class, in this order; an entity goes under its first match.
ENTITY_GROUPS: list[tuple[str, str]] = [
    ("People", "https://schema.org/Person"),
    ("Government bodies", "https://w3id.org/newskg/ontology#GovernmentBody"),
    ("Organisations", "https://schema.org/Organization"),
    ("Groups", "https://w3id.org/newskg/ontology#Group"),
    ("Posts", "http://www.w3.org/ns/org#Post"),
    ("Places", "https://schema.org/Place"),
    ("Programmes", "https://w3id.org/newskg/ontology#TrainingProgramme"),
    ("Strategies", "https://w3id.org/newskg/ontology#Strategy"),
    ("Events and agreements several articles report", "https://w3id.org/newskg/ontology#Fact"),
    ("Concepts", "http://www.w3.org/2004/02/skos/core#Concept"),
    ("Concept schemes", "http://www.w3.org/2004/02/skos/core#ConceptScheme"),
]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@dataclass
class Pages:
    """Every page of one graph. ``queries`` is the folder of saved queries the index offers
    (None: none); ``live`` says whether forms can be sent (a server) or not (a static site)."""

    catalogue: Catalogue
    queries: Path | None = None
    live: bool = True

    @classmethod
    def of(cls, kg: KnowledgeGraph, queries: Path | None = None, *, live: bool = True) -> Pages:
        return cls(Catalogue(kg), queries, live)

    def __post_init__(self) -> None:
        self.env = environment()
        self.css = (TEMPLATES / STYLE).read_text(encoding="utf-8")

    # -- nodes --------------------------------------------------------------------------------

    def node(self, iri: str, *, here: str | None = None, standalone: bool = False) -> str:
        """The page of node ``iri`` (a hash document's page for a document IRI)."""
        cat = self.catalogue
        page = cat.layout.page(iri)
        link = Linker(cat, here or page or "", absolute=standalone)
        kind = content.page_kind(cat, iri)
        context: dict[str, Any] = {**content.header(link, iri), "page_kind": kind}
        context["groups"] = content.statements(link, iri)
        context["incoming"], context["incoming_total"] = content.incoming(link, iri)
        context["section"] = None
        if kind == "entity":
            context["section"] = content.entity(link, iri)
        elif kind == "fact":
            context["section"] = content.fact(link, iri)
        elif kind == "evidence":
            context["section"] = content.evidence(link, iri)
        elif kind == "article":
            context["section"] = content.article(link, iri)
        elif kind == "document":
            context["section"] = {"terms": content.document(link, iri)}
        return self._render("node.html", link, standalone, **context)

    def rdf(self, iri: str, ext: str) -> bytes:
        """The node's description in the format of ``ext`` (``ttl``, ``jsonld``, ``nt``,
        ``rdf``); a document's: the statements about each of its terms."""
        cat = self.catalogue
        if iri in cat.documents:
            terms = [ox.NamedNode(t) for t in cat.documents[iri]]
            own = ox.NamedNode(iri)
            triples = description(cat.store, [own, *terms], incoming=False)
        else:
            triples = description(cat.store, [ox.NamedNode(iri)])
        return serialize(triples, ext)

    def timeline(self, iri: str) -> str:
        cat = self.catalogue
        here = cat.layout.timeline(iri) or ""
        link = Linker(cat, here)
        entries = sorted(content.timeline(link, iri), key=lambda e: (e.date, e.kind, e.fact.text))
        return self._render(
            "timeline.html",
            link,
            False,
            title=f"Timeline: {cat.label(iri)}",
            entity=link.node(iri),
            entries=entries,
            words=words,
        )

    def missing(self, site_path: str, iri: str | None) -> str:
        link = Linker(self.catalogue, site_path)
        return self._render("missing.html", link, False, title="Not in the graph", iri=iri)

    # -- index, search, queries ------------------------------------------------------------------

    def index(self) -> str:
        cat = self.catalogue
        link = Linker(cat, INDEX)
        articles = [(date, link.node(a)) for a, date in cat.articles]
        return self._render(
            "index.html",
            link,
            False,
            title="newskg: " + cat.layout.base,
            articles=articles,
            entities=self._entities(link),
            queries=self._queries(link),
        )

    def _entities(self, link: Linker) -> list[tuple[str, list[Link]]]:
        cat = self.catalogue
        graph = ox.NamedNode(cat.layout.base + "graph/entities")
        placed: set[str] = set()
        groups: list[tuple[str, list[Link]]] = []
        members: dict[str, set[str]] = {}
        for q in cat.store.quads_for_pattern(None, ox.NamedNode(content.TYPE.value), None, graph):
            members.setdefault(q.object.value, set()).add(q.subject.value)
        for heading, cls in ENTITY_GROUPS:
            found = sorted(
                members.get(cls, set()) - placed, key=lambda i: (cat.label(i).casefold(), i)
            )
            placed.update(found)
            if found:
                groups.append((heading, [link.node(i) for i in found]))
        return groups

    def saved_queries(self) -> list[SavedQuery]:
        if self.queries is None or not self.queries.is_dir():
            return []
        return list_queries(self.queries)

    def _queries(self, link: Linker) -> list[dict[str, Any]]:
        return [
            {"query": q, "href": link.to(f"{QUERIES}{q.name}.{HTML}"), "parameters": parameters(q)}
            for q in self.saved_queries()
        ]

    def query(self, name: str, values: dict[str, str] | None = None) -> str | None:
        """A saved query's page: its form and, once its required parameters are given (or
        it needs none), its answer. None when there is no such query."""
        found = {q.name: q for q in self.saved_queries()}.get(name)
        if found is None:
            return None
        here = f"{QUERIES}{name}.{HTML}"
        link = Linker(self.catalogue, here)
        params = parameters(found)
        values = {k: v for k, v in (values or {}).items() if k in {p["name"] for p in params}}
        error = answer = None
        required = [p["name"] for p in params if p["required"]]
        if all(values.get(r) for r in required) and (self.live or not required):
            try:
                answer = self._answer(link, found, params, values)
            except (InputError, NotFoundError) as exc:
                error = str(exc)
        return self._render(
            "query.html",
            link,
            False,
            title=found.title,
            query=found,
            params=params,
            values=values,
            answer=answer,
            error=error,
        )

    def _answer(
        self, link: Linker, query: SavedQuery, params: list[dict[str, Any]], values: dict[str, str]
    ) -> dict[str, Any]:
        kg = self.catalogue.kg
        bindings: dict[str, Any] = {}
        for p in params:
            value = values.get(p["name"])
            if value:
                bindings[p["name"]] = kg.node(value) if p["iri"] else value
        result = query.run(kg, **bindings)
        if not isinstance(result, Solutions):
            return {
                "variables": ["answer"],
                "rows": [[content.Value(Link(str(result)))]],
                "more": 0,
            }
        rows = [
            [link.term(row[v]) if row[v] is not None else None for v in result.variables]
            for row in result.rows[:MAX_ROWS]
        ]
        return {"variables": result.variables, "rows": rows, "more": max(0, len(result) - MAX_ROWS)}

    def search(self, text: str | None) -> str:
        """Labels and sentences holding ``text`` (any case); on a static site, every name."""
        cat = self.catalogue
        link = Linker(cat, SEARCH)
        wanted = (text or "").strip().casefold()
        names: list[tuple[str, Link]] = []
        sentences: list[tuple[Link, str]] = []
        if wanted or not self.live:
            names = search_names(cat, link, wanted)
            sentences = search_sentences(cat, link, wanted) if wanted else []
        return self._render(
            "search.html",
            link,
            False,
            title="Search",
            text=text or "",
            names=names,
            sentences=sentences,
            limit=MAX_HITS,
        )

    # -- rendering ------------------------------------------------------------------------------

    def _render(self, template: str, link: Linker, standalone: bool, **context: Any) -> str:
        return self.env.get_template(template).render(
            **context,
            base=self.catalogue.layout.base,
            live=self.live,
            standalone=standalone,
            css=self.css if standalone else None,
            style=None if standalone else link.to(STYLE),
            home=link.to(INDEX),
            search_href=link.to(SEARCH),
            timelines=TIMELINES,
            formats=RDF_FORMATS,
        )


def parameters(query: SavedQuery) -> list[dict[str, Any]]:
    """The parameters a saved query's header names: ``?entity (IRI, required)``."""
    import re

    found = []
    for name, note in re.findall(r"\?(\w+)\s*\(([^)]*)\)", query.parameters):
        found.append(
            {"name": name, "iri": "IRI" in note, "required": "required" in note, "note": note}
        )
    return found


def search_names(cat: Catalogue, link: Linker, wanted: str) -> list[tuple[str, Link]]:
    from newskg.query.names import ALT_LABEL, LABELS

    hits: set[tuple[str, str]] = set()
    for predicate in [*LABELS, ALT_LABEL]:
        for q in cat.store.quads_for_pattern(None, predicate, None, None):
            named = isinstance(q.object, ox.Literal) and isinstance(q.subject, ox.NamedNode)
            if named and wanted in q.object.value.casefold() and cat.layout.local(q.subject.value):
                hits.add((q.object.value, q.subject.value))
    ordered = sorted(hits, key=lambda h: (h[0].casefold(), h[1]))
    limit = MAX_HITS if wanted else len(ordered)
    return [(name, link.node(iri)) for name, iri in ordered[:limit]]


def search_sentences(cat: Catalogue, link: Linker, wanted: str) -> list[tuple[Link, str]]:
    from newskg.rdf import NKG, SCHEMA

    sentence = ox.NamedNode(NKG + "Sentence")
    text = ox.NamedNode(SCHEMA + "text")
    index = cat.kg.text_index
    candidates = index.nodes_containing(wanted, any_case=True) if index is not None else None
    if candidates is None:  # no index, or it cannot narrow this search: every text is read
        quads = cat.store.quads_for_pattern(None, text, None, None)
    else:
        quads = itertools.chain.from_iterable(
            cat.store.quads_for_pattern(ox.NamedNode(node), text, None, None) for node in candidates
        )
    hits = []
    for q in quads:
        if wanted not in q.object.value.casefold() or "/sentence/" not in q.subject.value:
            continue
        if any(True for _ in cat.store.quads_for_pattern(q.subject, content.TYPE, sentence, None)):
            hits.append((q.subject.value, q.object.value))
    hits = sorted(set(hits), key=_reading_order)[:MAX_HITS]
    return [(link.node(iri, _article_of(cat, iri)), text) for iri, text in hits]


def _reading_order(hit: tuple[str, str]) -> tuple[str, int, str]:
    """Article by article, sentence 2 before sentence 10."""
    article, _, number = hit[0].rpartition("/sentence/")
    return (article, int(number) if number.isdigit() else 0, hit[0])


def _article_of(cat: Catalogue, sentence: str) -> str:
    article = sentence.rsplit("/sentence/", 1)[0]
    return cat.label(article)


def render_page(kg: KnowledgeGraph, node: NodeName, *, format: str = HTML) -> str:
    """The page of ``node`` (an id, label, prefixed name or IRI) as HTML that stands alone
    (its style inlined, its links to the nodes' IRIs), or its RDF description with
    ``format`` ``ttl``, ``jsonld``, ``nt`` or ``rdf``.

    >>> html = render_page(kg, "huawei")                     # doctest: +SKIP
    >>> IPython.display.HTML(html)                           # doctest: +SKIP
    """
    if format != HTML and format not in RDF_FORMATS:
        raise InputError(
            f"unknown page format '{format}'",
            hint="use one of " + ", ".join([HTML, *RDF_FORMATS]),
        )
    iri = kg.node(node).iri
    pages = Pages.of(kg, None, live=False)
    if not iri.startswith(kg.base) or not pages.catalogue.exists(iri):
        raise NotFoundError(
            f"<{iri}> has no page: it is "
            + ("not in the graph" if iri.startswith(kg.base) else f"outside the base {kg.base}"),
            hint="name a node of the graph: an id (huawei), a label or an IRI under the base",
        )
    if format == HTML:
        return pages.node(iri, standalone=True)
    return pages.rdf(iri, format).decode("utf-8")
