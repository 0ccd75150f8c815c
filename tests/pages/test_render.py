"""What the pages show: an entity's facts by kind, a fact's evidence, an article's text with
every span highlighted and linked; labels holding HTML escaped everywhere; a node with
thousands of statements capped with a count."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import newskg
from newskg.errors import InputError, NotFoundError
from newskg.pages.content import MAX_VALUES
from newskg.pages.render import Pages
from newskg.query.graph import KnowledgeGraph
from newskg.rdf import NKG, OA, PROV, RDF_TYPE, RDFS_LABEL, SCHEMA

BASE = "https://w3id.org/newskg/"
ARTICLE = BASE + "id/000_62ce04f1d7ffd07b"
MEETING = BASE + "id/prayut-ren-meeting-2021"
EVIL = '<script>alert("x")</script> & <b>bold</b>'


@pytest.fixture(scope="module")
def pages(built_kg: Path) -> Pages:
    return Pages.of(newskg.KnowledgeGraph.open(built_kg / "kg"), built_kg / "queries")


def test_an_entity_page_groups_its_facts_with_date_article_and_evidence(pages):
    page = pages.node(BASE + "id/huawei")
    assert "<h1>Huawei Technologies</h1>" in page
    assert "Also called: Huawei, Huawei Technologies Co., Ltd." in page
    assert 'href="https://www.wikidata.org/wiki/Q160120"' in page
    for heading in ("Events its people attended", "Agreements", "Statements"):
        assert f"<h2>{heading}</h2>" in page
    # the meeting Huawei's CEO attended, one click away
    assert 'href="prayut-ren-meeting-2021.html"' in page
    # each fact with its date, its article and a link to its evidence in that article
    assert re.search(
        r'2021-11-25</span> <a href="000_62ce04f1d7ffd07b\.huawei-thai-universities-mous\.html"',
        page,
    )
    assert 'href="000_62ce04f1d7ffd07b.html#ev-' in page
    assert 'href="../timeline/huawei.html"' in page


def test_a_fact_page_shows_its_evidence_passages(pages):
    page = pages.node(MEETING)
    assert page.count('<blockquote class="passage">') == 2
    assert (
        "<mark>Thai Prime Minister Prayut Chan-o-ch, attended a virtual executive meeting" in page
    )
    assert 'href="000_62ce04f1d7ffd07b.html#ev-17-164"' in page
    assert "As reported by" in page  # its statements, by the article that states them


def test_an_article_page_highlights_every_span_and_lists_its_facts(pages):
    page = pages.node(ARTICLE)
    kg = pages.catalogue.kg
    spans = kg.select(
        "SELECT DISTINCT ?s ?e WHERE { ?f nkg:evidence ?ev . ?ev oa:hasSource <" + ARTICLE + "> ; "
        "oa:hasSelector ?p . ?p oa:start ?s ; oa:end ?e }"
    )
    anchors = set(re.findall(r'<sup class="marker" id="(ev-\d+-\d+)">', page))
    assert anchors == {f"ev-{r['s']}-{r['e']}" for r in spans.values()}
    # a nested span (a statement inside the meeting's sentence) is shaded deeper
    assert 'class="ev d2"' in page
    # the facts beside the text, each with the numbers of its spans
    assert '<aside class="facts-beside">' in page and "<h3>Meeting</h3>" in page
    # the text is the article's, character for character, once the markup is removed
    text = kg.node(ARTICLE).value("schema:articleBody")
    body = page.split('<div class="article-text">', 1)[1].split("</div>", 1)[0]
    shown = re.sub(r"<sup[^>]*>.*?</sup>|<[^>]+>", "", body)
    assert html.unescape(shown) == text


def test_render_page_stands_alone_for_a_notebook(built_kg):
    kg = newskg.KnowledgeGraph.open(built_kg / "kg")
    page = newskg.render_page(kg, "huawei")
    assert "<style>" in page and 'rel="stylesheet"' not in page
    assert f'href="{BASE}id/prayut-ren-meeting-2021.html"' in page
    turtle = newskg.render_page(kg, "huawei", format="ttl")
    assert any(
        q.subject == ox.NamedNode(BASE + "id/huawei")
        for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    )
    with pytest.raises(InputError, match="unknown page format 'pdf'"):
        newskg.render_page(kg, "huawei", format="pdf")
    with pytest.raises(NotFoundError, match="outside the base"):
        newskg.render_page(kg, "https://schema.org/Person")
    with pytest.raises(NotFoundError):
        newskg.render_page(kg, "no-such-entity")


# -- hostile graphs, made in memory -------------------------------------------------------------


def _graph(quads: list[tuple[str, str, ox.NamedNode | ox.Literal]]) -> KnowledgeGraph:
    store = ox.Store()
    graph = ox.NamedNode(BASE + "graph/entities")
    for s, p, o in quads:
        store.add(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, graph))
    return KnowledgeGraph(store, BASE)


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def test_labels_and_text_holding_html_are_escaped_on_every_page():
    evil, article, fact, ev, pos = (
        BASE + "id/evil",
        BASE + "id/a1",
        BASE + "id/a1.f",
        BASE + "id/a1/evidence/0-11",
        BASE + "id/a1/evidence/0-11/position",
    )
    kg = _graph(
        [
            (evil, RDF_TYPE, _iri(SCHEMA + "Person")),
            (evil, RDFS_LABEL, ox.Literal(EVIL)),
            (article, RDF_TYPE, _iri(SCHEMA + "NewsArticle")),
            (article, RDFS_LABEL, ox.Literal(EVIL)),
            (article, SCHEMA + "articleBody", ox.Literal("<b>bold</b> & <i>more</i>")),
            (fact, RDF_TYPE, _iri(NKG + "Fact")),
            (fact, RDF_TYPE, _iri(NKG + "Statement")),
            (fact, NKG + "content", ox.Literal(EVIL)),
            (fact, NKG + "speaker", _iri(evil)),
            (fact, PROV + "wasDerivedFrom", _iri(article)),
            (fact, NKG + "evidence", _iri(ev)),
            (ev, RDF_TYPE, _iri(NKG + "Evidence")),
            (ev, OA + "hasSource", _iri(article)),
            (ev, OA + "hasSelector", _iri(pos)),
            (
                pos,
                OA + "start",
                ox.Literal("0", datatype=_iri("http://www.w3.org/2001/XMLSchema#integer")),
            ),
            (
                pos,
                OA + "end",
                ox.Literal("11", datatype=_iri("http://www.w3.org/2001/XMLSchema#integer")),
            ),
        ]
    )
    pages = Pages.of(kg, None, live=True)
    shown = [pages.node(i) for i in (evil, article, fact, ev)]
    shown += [pages.index(), pages.search("script"), pages.timeline(evil), pages.missing("x", EVIL)]
    shown.append(newskg.render_page(kg, evil))
    for page in shown:
        assert "<script>" not in page and "<b>bold</b>" not in page and "<i>" not in page
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in shown[0]
    )
    assert '<a class="ev d1" href="#note-1">&lt;b&gt;bold&lt;/b&gt;</a>' in shown[1]


def test_a_node_with_thousands_of_statements_is_capped_with_a_count():
    hub = BASE + "id/hub"
    quads = [(hub, RDF_TYPE, _iri(SCHEMA + "Place")), (hub, RDFS_LABEL, ox.Literal("Hub"))]
    for i in range(3000):
        quads.append((BASE + f"id/n{i}", SCHEMA + "location", _iri(hub)))
        quads.append((hub, SCHEMA + "member", _iri(BASE + f"id/n{i}")))
    pages = Pages.of(_graph(quads), None)
    page = pages.node(hub)
    assert page.count(f"and {3000 - MAX_VALUES} more") == 2
    assert "Referred to by (3000 statements)" in page
    assert len(page) < 100_000
    # machines get everything
    triples = list(ox.parse(pages.rdf(hub, "nt"), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 6002
