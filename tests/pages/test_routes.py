"""Which answer each request for a page gets: content negotiation on a node's IRI, the files
beside it, and a sound answer to every bad path (never a traceback, never a guess)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

import newskg
from newskg.pages.render import Pages
from newskg.pages.routes import answer

RESERVED = frozenset({"/", "/query", "/store", "/update"})
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def pages(built_kg: Path) -> Pages:
    return Pages.of(newskg.KnowledgeGraph.open(built_kg / "kg"), built_kg / "queries")


def ask(pages, target, accept=None, method="GET"):
    return answer(pages, method, target, accept, RESERVED)


def headers(reply) -> dict[str, str]:
    return dict(reply.headers)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (BROWSER, "text/html; charset=utf-8"),
        (None, "text/html; charset=utf-8"),
        ("*/*", "text/html; charset=utf-8"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
        ("text/html;q=0.1, text/turtle", "text/turtle; charset=utf-8"),
        ("not a media type", "text/html; charset=utf-8"),  # disregarded (RFC 9110 12.5.1)
    ],
)
def test_a_node_iri_answers_by_content_negotiation(pages, accept, media):
    reply = ask(pages, "/newskg/id/huawei", accept)
    assert reply.status == 200
    assert headers(reply)["Content-Type"] == media
    assert headers(reply)["Vary"] == "Accept"
    ext = {
        "text/html": "html",
        "text/turtle": "ttl",
        "application/ld+json": "jsonld",
        "application/n-triples": "nt",
        "application/rdf+xml": "rdf",
    }[media.split(";")[0]]
    assert headers(reply)["Content-Location"] == f"huawei.{ext}"


def test_the_files_beside_a_node_answer_with_one_format(pages):
    turtle = ask(pages, "/newskg/id/huawei.ttl", "text/html")
    assert headers(turtle)["Content-Type"].startswith("text/turtle") and "Vary" not in headers(
        turtle
    )
    page = ask(pages, "/newskg/id/huawei.html", "text/turtle")
    assert b"Huawei Technologies" in page.body and page.status == 200


def test_a_media_type_the_node_is_not_in_gets_406(pages):
    reply = ask(pages, "/newskg/id/huawei", "image/png")
    assert reply.status == 406 and b"text/turtle" in reply.body


def test_an_unknown_node_gets_404_with_a_search_link(pages):
    reply = ask(pages, "/newskg/id/no-such-entity")
    assert reply.status == 404
    assert b"https://w3id.org/newskg/id/no-such-entity" in reply.body
    assert b'href="../search.html"' in reply.body


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/newskg/id/../../etc/passwd", 400),
        ("/newskg/id/%2e%2e/query", 400),
        ("/newskg/id//huawei", 400),
        ("/newskg/id/huawei%00", 400),
        ("/newskg/id/hua%ffwei", 400),
        ("/newskg/id/" + "x" * 5000, 414),
        ("/newskg/id/" + "%78" * 2000, 414),
    ],
)
def test_a_path_that_could_name_something_else_is_refused(pages, target, status):
    reply = ask(pages, target)
    assert reply.status == status
    assert reply.body.decode().endswith("\n") and "Traceback" not in reply.body.decode()


def test_a_query_string_on_a_page_redirects_to_the_page(pages):
    reply = ask(pages, "/newskg/id/huawei?utm_source=x")
    assert reply.status == 301 and headers(reply)["Location"] == "/newskg/id/huawei"
    assert ask(pages, "/newskg").status == 301  # the base's path, without its slash


def test_only_reads_reach_a_page(pages):
    reply = ask(pages, "/newskg/id/huawei", method="POST")
    assert reply.status == 405 and headers(reply)["Allow"] == "GET, HEAD"


def test_paths_outside_the_base_are_the_sparql_servers(pages):
    assert ask(pages, "/query?query=ASK%7B%7D") is None
    assert ask(pages, "/") is None
    assert ask(pages, "/other/id/huawei") is None
    assert ask(pages, "/newskgx/id/huawei") is None


def test_the_index_search_timeline_and_saved_queries(pages):
    index = ask(pages, "/newskg/")
    assert index.status == 200 and b"id/huawei.html" in index.body
    hits = ask(pages, "/newskg/search.html?q=41%2C000")
    assert hits.status == 200 and b"over 41,000 ICT professionals" in hits.body
    short = ask(pages, "/newskg/search.html?q=5g")  # too short for the text index: a scan
    assert short.status == 200 and b"achievements in 5G rollout" in short.body
    timeline = ask(pages, "/newskg/timeline/huawei.html")
    assert timeline.status == 200 and b"2019" in timeline.body
    assert ask(pages, "/newskg/timeline/no-such.html").status == 404
    run = ask(pages, "/newskg/queries/timeline.html?entity=huawei&run=1")
    assert run.status == 200 and b"Establishment" in run.body
    missing = ask(pages, "/newskg/queries/timeline.html?entity=nobody-at-all")
    assert missing.status == 200 and b"no entity" in missing.body
    assert ask(pages, "/newskg/queries/nothing.html").status == 404


def test_sentences_found_are_listed_in_reading_order(pages):
    body = ask(pages, "/newskg/search.html?q=huawei").body.decode()
    found = [int(n) for n in re.findall(r'href="id/[^"/]+/sentence/(\d+)\.html"', body)]
    assert len(found) > 2 and found == sorted(found)


def test_the_ontology_is_one_document_of_its_hash_terms(pages):
    reply = ask(pages, "/newskg/ontology", "text/turtle")
    store = ox.Store()
    store.load(reply.body, format=ox.RdfFormat.TURTLE)
    meeting = ox.NamedNode("https://w3id.org/newskg/ontology#Meeting")
    assert any(q.subject == meeting for q in store)
    page = ask(pages, "/newskg/ontology")
    assert b'id="Meeting"' in page.body
