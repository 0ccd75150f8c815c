"""`newskg serve` answers the graph's node IRIs: Turtle for curl that equals the node's
description in the store, pages for a browser, behind the same checks as SPARQL."""

from __future__ import annotations

import http.client
import shutil
import subprocess

import pyoxigraph as ox
import pytest

import newskg
from newskg.serve.server import Server
from tests.pages.crawl import crawl

HUAWEI = "https://w3id.org/newskg/id/huawei"
DESCRIBE = """
CONSTRUCT { ?n ?p ?o . ?s ?q ?n . ?x rdfs:label ?l . }
WHERE {
  VALUES ?n { <https://w3id.org/newskg/id/huawei> }
  { ?n ?p ?o } UNION { ?s ?q ?n }
  UNION { ?n ?p2 ?x . ?x rdfs:label ?l } UNION { ?x ?q2 ?n . ?x rdfs:label ?l }
}
"""


@pytest.fixture(scope="module")
def server(built_kg):
    with Server(built_kg / "kg") as running:
        yield running


def _request(server, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_asking_for_turtle_gets_the_nodes_description(server, built_kg):
    url = server.pages_url + "id/huawei"
    done = subprocess.run(
        ["curl", "-sS", "-D", "-", "-H", "Accept: text/turtle", url],
        capture_output=True,
        check=True,
        timeout=60,
    )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    assert b"HTTP/1.1 200" in head and b"vary: accept" in head.lower()
    served = {q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)}
    expected = set(newskg.KnowledgeGraph.open(built_kg / "kg").query(DESCRIBE))
    assert served == expected and len(served) > 20


def test_a_browser_gets_the_page_and_the_query_page_stays(server):
    response, body = _request(server, "GET", "/newskg/id/huawei", {"Accept": "text/html"})
    assert response.status == 200 and b"<h1>Huawei Technologies</h1>" in body
    assert response.reason == "OK" and response.getheader("Vary") == "Accept"
    response, body = _request(server, "GET", "/")
    assert response.status == 200 and b"yasgui" in body.lower()
    response, body = _request(
        server, "GET", "/query?query=ASK%7B%7D", {"Accept": "application/sparql-results+json"}
    )
    assert response.status == 200 and b"true" in body


def test_head_answers_without_a_body(server):
    response, body = _request(server, "HEAD", "/newskg/id/huawei.ttl")
    assert response.status == 200 and body == b""
    assert int(response.getheader("Content-Length")) > 100


def test_pages_keep_the_servers_checks(server):
    # DNS rebinding: another Host gets 403 before any page is rendered
    response, _ = _request(server, "GET", "/newskg/id/huawei", {"Host": "evil.example:80"})
    assert response.status == 403
    response, _ = _request(server, "GET", "/newskg/id/%2e%2e/%2e%2e/query")
    assert response.status == 400
    response, _ = _request(server, "GET", "/newskg/id/" + "x" * 3000)
    assert response.status == 414
    response, _ = _request(server, "DELETE", "/newskg/id/huawei")
    assert response.status in (403, 405)


def test_a_crawl_of_the_served_site_finds_no_broken_link(server):
    root = f"http://127.0.0.1:{server.port}"
    found = crawl(server.pages_url, root + "/newskg/")
    assert not found.broken, found.broken[:10]
    assert len(found.pages) > 300
