"""`newskg push`: SPARQL 1.1 Graph Store Protocol into a real `oxigraph serve` on loopback."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from newskg.errors import ServerError
from newskg.serve.oxigraph import free_port
from newskg.serve.push import _request_for, push
from newskg.serve.server import Server
from tests.conftest import run_cli

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
ARTICLE_GRAPH = "https://w3id.org/newskg/graph/article/000_62ce04f1d7ffd07b"


def counts(server: Server) -> dict[str, int]:
    url = server.query_url + "?" + urllib.parse.urlencode({"query": COUNT})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def local_counts(built_kg) -> dict[str, int]:
    store = ox.Store.read_only(str((built_kg / "kg" / "store").resolve()))
    out: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        out[quad.graph_name.value] = out.get(quad.graph_name.value, 0) + 1
    return out


@pytest.fixture
def remote(tmp_path):
    with Server(None, read_only=False, location=tmp_path / "remote") as server:
        yield server


def test_push_twice_replaces_rather_than_duplicates(built_kg, remote):
    expected = local_counts(built_kg)
    assert len(expected) >= 3  # article, entities, ontology

    result = run_cli("push", remote.store_url, "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    assert f"in {len(expected)} graph(s)" in result.out
    assert counts(remote) == expected

    report = push(built_kg / "kg", remote.store_url)
    assert report.graphs == len(expected) and report.triples == sum(expected.values())
    assert counts(remote) == expected


def test_push_replaces_a_graph_that_changed_remotely(built_kg, remote):
    push(built_kg / "kg", remote.store_url)
    update = urllib.request.Request(
        remote.update_url,
        data=f"INSERT DATA {{ GRAPH <{ARTICLE_GRAPH}> {{ <urn:x:stale> <urn:x:p> 1 }} }}".encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(update, timeout=30).read()
    assert counts(remote)[ARTICLE_GRAPH] == local_counts(built_kg)[ARTICLE_GRAPH] + 1
    push(built_kg / "kg", remote.store_url)
    assert counts(remote) == local_counts(built_kg)


def test_connection_refused_is_a_clear_error(built_kg):
    url = f"http://127.0.0.1:{free_port()}/store"
    result = run_cli("push", url, "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code
    assert f"error: cannot reach {url}" in result.err
    assert "hint: check that the triple store is running" in result.err
    assert "Traceback" not in result.err


def test_read_only_endpoint_refusal_is_a_clear_error(built_kg):
    with Server(built_kg / "kg") as read_only:
        result = run_cli("push", read_only.store_url, "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "HTTP 403" in result.err and "read-only" in result.err
        # A URL that is not a Graph Store endpoint: the hint says which one to use.
        result = run_cli("push", read_only.url + "nothing-here", "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "HTTP 404" in result.err and "Graph Store Protocol endpoint" in result.err


def test_not_an_http_url(built_kg):
    result = run_cli("push", "ftp://example.org/store", "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code and "not an http(s) URL" in result.err


def test_credentials_in_the_url_become_basic_auth():
    request = _request_for(
        "https://ann:s%40cret@triples.example/ds/data?x=1",
        ox.NamedNode("https://w3id.org/newskg/graph/entities"),
        b"",
    )
    assert request.full_url == (
        "https://triples.example/ds/data?x=1&graph=https%3A%2F%2Fw3id.org%2Fnewskg%2Fgraph%2Fentities"
    )
    assert request.get_method() == "PUT"
    assert request.get_header("Authorization") == "Basic YW5uOnNAY3JldA=="
    assert request.get_header("Content-type") == "application/n-triples"
