"""Server and API safety: read-only by default, loopback by default, timeouts, request limits,
and no SPARQL injection through the API's bindings."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from newskg.cli import make_parser
from newskg.errors import QueryError
from newskg.graph import KnowledgeGraph

HOSTILE = [
    '"',
    "'",
    '" } ; DROP ALL ; SELECT * WHERE { "',
    "} ; DROP ALL",
    "}}}}",
    "{ ?s ?p ?o }",
    "line\nbreak\r\n",
    "<http://example.org/x>",
    "?s",
    "# comment",
    "\\u0022 escaped quote",
    "\u202e\u0000\u0007 control",
    "日本語 🚀 ünïcödé",
    "x" * 10_000,
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _serve_args() -> set[str]:
    parser = make_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    serve = sub.choices.get("serve")  # type: ignore[union-attr]
    return {o for a in serve._actions for o in a.option_strings} if serve else set()


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_bindings_cannot_change_the_query(built_kg, value):
    kg = KnowledgeGraph.open(built_kg / "kg")
    total = kg.select(COUNT).column("n")[0]
    # bound as a projected variable: it comes back as the same literal, and the rest of the
    # query (the count) is unchanged
    rows = kg.select(
        "SELECT ?x ?n WHERE { { SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } } }",
        x=value,
    )
    assert rows.column("x") == [value]
    assert rows.column("n") == [total]
    # used as a pattern value it matches nothing, and changes nothing
    assert len(kg.select("SELECT ?s ?label WHERE { ?s rdfs:label ?label }", label=value)) == 0
    assert kg.select(COUNT).column("n") == [total]


def test_api_refuses_updates(built_kg):
    kg = KnowledgeGraph.open(built_kg / "kg")
    total = kg.select(COUNT).column("n")[0]
    with pytest.raises(QueryError, match=r"not allowed"):
        kg.query("DELETE WHERE { ?s ?p ?o }")
    assert kg.select(COUNT).column("n") == [total]


def _server():
    from newskg.server import Server

    return Server


def _status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_server_is_read_only_by_default(built_kg):
    with _server()(built_kg / "kg") as server:
        update = urllib.request.Request(
            server.update_url,
            data=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        assert _status(update) == 403
        put = urllib.request.Request(
            server.store_url + "?default",
            data=b"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n",
            headers={"Content-Type": "application/n-triples"},
            method="PUT",
        )
        assert _status(put) == 403
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        ask = urllib.request.Request(
            f"{server.query_url}?{query}",
            headers={"Accept": "application/sparql-results+json"},
        )
        assert _status(ask) == 200
    kg = KnowledgeGraph.open(built_kg / "kg")
    assert kg.select(COUNT).column("n")[0] > 1000


def test_server_binds_loopback_unless_host_is_given():
    assert make_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert _server()().host == "127.0.0.1"
    assert make_parser().parse_args(["serve", "--host", "0.0.0.0"]).host == "0.0.0.0"


@pytest.mark.skipif(
    "--read-write" not in _serve_args(),
    reason="'newskg serve --read-write' does not exist yet (newskg.server.Server has "
    "read_only=False, but the CLI has no flag for it)",
)
def test_read_write_server_stays_on_loopback():
    args = make_parser().parse_args(["serve", "--read-write"])
    assert args.host == "127.0.0.1"


@pytest.mark.xfail(
    run=False,
    reason="oxigraph serve-read-only --timeout-s does not interrupt an aggregate over a cross "
    "product (measured: still running after 30 s with --timeout-s 1); needs a watchdog",
)
def test_server_query_timeout(built_kg):
    with _server()(built_kg / "kg", timeout=1) as server:
        heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        request = urllib.request.Request(
            f"{server.query_url}?{urllib.parse.urlencode({'query': heavy})}"
        )
        assert _status(request) >= 400


@pytest.mark.skip(
    reason="no request size limit: the Oxigraph server has no option for one, and newskg "
    "serve has no proxy in front of it yet"
)
def test_server_request_size_limit(built_kg):
    with _server()(built_kg / "kg") as server:
        body = b"query=" + b"x" * (64 * 1024 * 1024)
        request = urllib.request.Request(
            server.query_url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert _status(request) == 413
