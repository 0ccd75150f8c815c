"""What a page shows, as plain values with their links already made: a node's statements
grouped by the graph (article) that states them, what points at it, and the sections of an
entity, a fact, an article or an evidence passage. The templates only lay these out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from newskg.pages.catalogue import ARTICLE_CLASS, EVIDENCE, FACT, Catalogue, EvidenceSpan, words
from newskg.pages.layout import INDEX, RDF_FORMATS, Layout
from newskg.pages.text import Piece, numbered, pieces
from newskg.query.names import TYPE
from newskg.rdf import RDF_LANG_STRING, SCHEMA, SKOS_ALT_LABEL, WD, XSD_STRING, compact_iri

MAX_VALUES = 50  # values of one property shown on a page; the rest are counted
MAX_LITERAL = 400  # characters of a literal shown in a table (an article's text is longer)
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
# The headings facts are grouped under on an entity's page, by class, in this order.
FACT_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (
        "Events",
        ("Event", "Meeting", "SigningCeremony", "Summit", "Conference", "Visit", "Announcement"),
    ),
    ("Agreements", ("Agreement", "MemorandumOfUnderstanding", "Contract")),
    ("Posts held", ("PostHolding",)),
    ("Figures", ("Figure", "Target")),
    ("Quotes", ("Quote",)),
    ("Statements", ("Statement",)),
]
_GROUP_OF = {kind: heading for heading, kinds in FACT_GROUPS for kind in kinds}


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None = None
    external: bool = False
    title: str | None = None


@dataclass(frozen=True)
class Value:
    link: Link
    note: str | None = None  # a literal's datatype or language


@dataclass(frozen=True)
class Row:
    predicate: Link
    values: list[Value]
    more: int = 0


@dataclass(frozen=True)
class Group:
    title: str
    source: Link | None
    rows: list[Row]


@dataclass(frozen=True)
class Entry:
    """One fact on an entity's page or timeline."""

    date: str
    fact: Link
    kind: str
    role: str
    article: Link | None
    evidence: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Passage:
    article: Link
    before: str
    exact: str
    after: str
    anchor: Link


@dataclass(frozen=True)
class Note:
    number: int
    anchor: str
    exact: str
    facts: list[Link]


@dataclass
class Linker:
    """Links from the page at site path ``here``: relative, or absolute (IRIs under the
    base) for a page shown on its own, as in a notebook."""

    catalogue: Catalogue
    here: str
    absolute: bool = False

    @property
    def layout(self) -> Layout:
        return self.catalogue.layout

    def to(self, site_path: str) -> str:
        from newskg.pages.layout import href

        if self.absolute:
            return self.layout.base + site_path
        return href(self.here, site_path)

    def node(self, iri: str, text: str | None = None) -> Link:
        label = self.catalogue.label(iri) if text is None else text
        page = self.layout.page(iri)
        if page is not None and self.catalogue.exists(iri.partition("#")[0]):
            return Link(label, self.to(page), title=iri)
        if iri.startswith(WD):
            return Link(
                label if text else compact_iri(iri), WIKIDATA_PAGE + iri[len(WD) :], True, iri
            )
        if iri.startswith(("http://", "https://")):
            return Link(label if text else compact_iri(iri), iri, True, iri)
        return Link(label)

    def term(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Value:
        if isinstance(term, ox.Literal):
            text = term.value
            if len(text) > MAX_LITERAL:
                text = text[:MAX_LITERAL] + "…"
            note = term.language or None
            if note is None and term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
                note = compact_iri(term.datatype.value)
            return Value(Link(text), note)
        if isinstance(term, ox.BlankNode):
            return Value(Link(f"_:{term.value}"))
        return Value(self.node(term.value))

    def article(self, iri: str) -> Link:
        return self.node(iri)

    def span(self, span: EvidenceSpan, text: str | None = None) -> Link:
        page = self.layout.page(span.article)
        href = self.to(f"{page}#{span.anchor}") if page else None
        return Link(text or f"{span.start}-{span.end}", href, title=span.iri)


# -- every node: its statements and what points at it ------------------------------------------


def header(link: Linker, iri: str) -> dict[str, object]:
    cat = link.catalogue
    here = link.layout.local(iri) or ""
    alternates = [
        (name, link.to(f"{here}.{ext}"), media)
        for ext, (media, name) in RDF_FORMATS.items()
        if "#" not in here
    ]
    return {
        "iri": iri,
        "title": cat.label(iri),
        "types": [link.node(t) for t in cat.types(iri)],
        "kind": words(k.rsplit("#", 1)[-1].rsplit("/", 1)[-1]) if (k := cat.kind(iri)) else None,
        "alternates": alternates,
        "index": link.to(INDEX),
    }


def statements(link: Linker, iri: str) -> list[Group]:
    """The node's statements, grouped by the graph that holds them: the registry, the
    ontology, and each article's account (a shared fact's dates may differ between them)."""
    cat = link.catalogue
    by_graph: dict[str, dict[str, set[ox.Term]]] = defaultdict(lambda: defaultdict(set))
    for q in cat.store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
        if q.predicate != TYPE:
            by_graph[str(q.graph_name.value) if hasattr(q.graph_name, "value") else ""][
                q.predicate.value
            ].add(q.object)
    groups = []
    for graph in sorted(by_graph, key=lambda g: _graph_order(cat, g)):
        title, source = _graph_title(link, graph)
        rows = [
            _row(link, predicate, values)
            for predicate, values in sorted(
                by_graph[graph].items(), key=lambda pv: compact_iri(pv[0])
            )
        ]
        groups.append(Group(title, source, rows))
    return groups


def incoming(link: Linker, iri: str) -> tuple[list[Row], int]:
    """What points at the node, by property (each capped), and how many statements that is."""
    by_predicate: dict[str, set[ox.Term]] = defaultdict(set)
    for q in link.catalogue.store.quads_for_pattern(None, None, ox.NamedNode(iri), None):
        by_predicate[q.predicate.value].add(q.subject)
    rows = [
        _row(link, p, subjects)
        for p, subjects in sorted(by_predicate.items(), key=lambda pv: compact_iri(pv[0]))
    ]
    return rows, sum(len(s) for s in by_predicate.values())


def _row(link: Linker, predicate: str, values: set[ox.Term]) -> Row:
    ordered = sorted(
        values,
        key=lambda t: (
            link.catalogue.label(t.value) if isinstance(t, ox.NamedNode) else t.value,
            str(t),
        ),
    )
    shown = [link.term(v) for v in ordered[:MAX_VALUES]]
    return Row(
        link.node(predicate, compact_iri(predicate)), shown, max(0, len(ordered) - MAX_VALUES)
    )


def _graph_title(link: Linker, graph: str) -> tuple[str, Link | None]:
    base = link.layout.base
    if graph.startswith(base + "graph/article/"):
        article = base + "id/" + graph[len(base + "graph/article/") :]
        return "As reported by", link.node(article)
    if graph == base + "graph/entities":
        return "Registry (entities and shared facts)", None
    if graph == base + "graph/ontology":
        return "Ontology", None
    return "Graph " + (graph or "(default)"), None


def _graph_order(cat: Catalogue, graph: str) -> tuple[int, str]:
    base = cat.layout.base
    order = {base + "graph/entities": 0, base + "graph/ontology": 1}
    return order.get(graph, 2), graph


# -- what kind of page -------------------------------------------------------------------------


def page_kind(cat: Catalogue, iri: str) -> str:
    """'document', 'article', 'evidence', 'fact', 'entity' or 'node'."""
    if iri in cat.documents:
        return "document"
    types = set(cat.types(iri))
    if ARTICLE_CLASS in types:
        return "article"
    if EVIDENCE in types:
        return "evidence"
    if FACT in types:
        return "fact"
    graph = ox.NamedNode(cat.layout.base + "graph/entities")
    for _ in cat.store.quads_for_pattern(ox.NamedNode(iri), None, None, graph):
        return "entity"
    return "node"


# -- an entity ---------------------------------------------------------------------------------


def entity(link: Linker, iri: str) -> dict[str, object]:
    cat = link.catalogue
    node = ox.NamedNode(iri)
    aliases = sorted(
        {
            q.object.value
            for q in cat.store.quads_for_pattern(node, ox.NamedNode(SKOS_ALT_LABEL), None, None)
        }
        - {cat.label(iri)}
    )
    same_as = [
        q.object.value
        for q in cat.store.quads_for_pattern(node, ox.NamedNode(SCHEMA + "sameAs"), None, None)
        if isinstance(q.object, ox.NamedNode)
    ]
    descriptions = [
        q.object.value
        for q in cat.store.quads_for_pattern(node, ox.NamedNode(SCHEMA + "description"), None, None)
    ]
    entries = timeline(link, iri)
    grouped: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        grouped[_GROUP_OF.get(entry.kind, "Other facts")].append(entry)
    order = [h for h, _ in FACT_GROUPS] + ["Other facts"]
    posts = [
        {
            "post": link.node(h.post.iri, h.post.label),
            "as_of": h.as_of.isoformat() if h.as_of else "",
            "article": link.node(h.article),
            "stated": h.stated,
        }
        for h in cat.post_holders
        if h.person.iri == iri
    ]
    own_posts = cat.posts_in.get(iri, set())
    acted = [
        {
            "date": e.date.isoformat() if e.date else "",
            "event": link.node(e.iri, e.label),
            "people": [
                (link.node(p.person.iri, p.person.label), p.post.label if p.post else "")
                for p in e.participants
                if p.post is not None and p.post.iri in own_posts
            ],
        }
        for e in cat.events
        if any(p.post is not None and p.post.iri in own_posts for p in e.participants)
    ]
    return {
        "aliases": aliases,
        "descriptions": sorted(set(descriptions)),
        "same_as": [link.node(s) for s in sorted(same_as)],
        "facts": [(h, sorted(grouped[h], key=_entry_order)) for h in order if grouped.get(h)],
        "posts": posts,
        "acted": acted,
        "timeline": link.to(t) if (t := link.layout.timeline(iri)) else None,
    }


def timeline(link: Linker, iri: str) -> list[Entry]:
    """Every fact involving the entity, across articles, by date, with its evidence there."""
    cat = link.catalogue
    roles: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for e in cat.kg.timeline(ox.NamedNode(iri)):
        roles[(e.date, e.fact, e.kind, e.article)].add(words(e.role).lower())
    out = []
    for (date, fact_, kind, article_), how in sorted(roles.items()):
        spans = cat.spans.get(fact_, {}).get(article_, [])
        out.append(
            Entry(
                date=date,
                fact=link.node(fact_),
                kind=kind,
                role=", ".join(sorted(how)),
                article=link.node(article_),
                evidence=[link.span(s, f"“{_short(_exact(cat, s))}”") for s in spans],
            )
        )
    return out


def _entry_order(e: Entry) -> tuple[str, str, str]:
    return (e.date, e.fact.text, e.role)


# -- a fact and an evidence passage ------------------------------------------------------------


def fact(link: Linker, iri: str) -> dict[str, object]:
    cat = link.catalogue
    passages = []
    for article, spans in sorted(cat.spans.get(iri, {}).items()):
        text = _article_text(cat, article)
        passages += [_passage(link, text, s) for s in spans]
    return {"passages": passages, "reported_by": [link.node(a) for a in cat.reported_by(iri)]}


def evidence(link: Linker, iri: str) -> dict[str, object]:
    cat = link.catalogue
    for by_article in cat.spans.values():
        for article, spans in by_article.items():
            for span in spans:
                if span.iri == iri:
                    passage = _passage(link, _article_text(cat, article), span)
                    return {"passages": [passage], "reported_by": []}
    return {"passages": [], "reported_by": []}


def _passage(link: Linker, text: str, span: EvidenceSpan) -> Passage:
    left = max(0, text.rfind("\n", 0, span.start) + 1, span.start - 200)
    right_end = text.find("\n", span.end)
    right = min(len(text) if right_end < 0 else right_end, span.end + 200)
    return Passage(
        link.node(span.article),
        text[left : span.start],
        text[span.start : span.end],
        text[span.end : right],
        link.span(span, "in the article"),
    )


def _article_text(cat: Catalogue, article: str) -> str:
    for q in cat.store.quads_for_pattern(
        ox.NamedNode(article), ox.NamedNode(SCHEMA + "articleBody"), None, None
    ):
        return q.object.value
    return ""


def _exact(cat: Catalogue, span: EvidenceSpan) -> str:
    return _article_text(cat, span.article)[span.start : span.end]


def _short(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


# -- an article ----------------------------------------------------------------------------------


def article(link: Linker, iri: str) -> dict[str, object]:
    """The article's text cut into pieces at its evidence spans, a numbered note per span
    with the facts resting on it, and the article's facts by kind with their span numbers."""
    cat = link.catalogue
    text = _article_text(cat, iri)
    by_span = cat.facts_of_span(iri)
    spans = numbered((s.start, s.end) for s in by_span)
    number = {(s.start, s.end): s.number for s in spans}
    notes = sorted(
        (
            Note(
                number[(s.start, s.end)],
                s.anchor,
                text[s.start : s.end],
                [link.node(f) for f in facts],
            )
            for s, facts in by_span.items()
        ),
        key=lambda n: n.number,
    )
    numbers_of: dict[str, set[int]] = defaultdict(set)
    for s, facts in by_span.items():
        for f in facts:
            numbers_of[f].add(number[(s.start, s.end)])
    grouped: dict[str, list[tuple[Link, list[int]]]] = defaultdict(list)
    for f in cat.facts_of_article(iri):
        kind = cat.kind(f)
        heading = words(kind.rsplit("#", 1)[-1]) if kind else "Fact"
        grouped[heading].append((link.node(f), sorted(numbers_of.get(f, ()))))
    pieces_: list[Piece] = pieces(text, spans)
    anchors = {s.number: f"ev-{s.start}-{s.end}" for s in spans}
    return {
        "pieces": pieces_,
        "anchors": anchors,
        "notes": notes,
        "facts": [
            (k, sorted(v, key=lambda lv: (lv[1] or [1 << 30], lv[0].text)))
            for k, v in sorted(grouped.items())
        ],
    }


# -- a hash document (the ontology) --------------------------------------------------------------


def document(link: Linker, iri: str) -> list[dict[str, object]]:
    """Each term of the document, with its anchor and its statements."""
    cat = link.catalogue
    return [
        {
            "anchor": term.partition("#")[2],
            "title": cat.label(term),
            "iri": term,
            "groups": statements(link, term),
            "types": [link.node(t) for t in cat.types(term)],
        }
        for term in cat.documents.get(iri, [])
    ]
