"""`newskg serve`: the real Oxigraph server on the built store, spoken to over HTTP."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.errors import NotFoundError, ServerError
from newskg.serve.run import serve_forever
from newskg.serve.server import Server
from tests.conftest import serve_subprocess

MEETING = "https://w3id.org/newskg/id/prayut-ren-meeting-2021"
# DISTINCT: the union default graph holds a shared meeting's type once per graph stating it.
SELECT = (
    "PREFIX nkg: <https://w3id.org/newskg/ontology#> SELECT DISTINCT ?m WHERE { ?m a nkg:Meeting }"
)
CONSTRUCT = (
    "PREFIX nkg: <https://w3id.org/newskg/ontology#> "
    "CONSTRUCT { ?m ?p ?o } WHERE { ?m a nkg:Meeting ; ?p ?o }"
)


@pytest.fixture(scope="module")
def server(built_kg):
    with Server(built_kg / "kg") as running:
        yield running


def http(
    url: str, *, accept: str = "*/*", data: bytes | None = None, method: str = "GET", **headers
):
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Accept": accept, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def get_query(server: Server, query: str, accept: str):
    return http(server.query_url + "?" + urllib.parse.urlencode({"query": query}), accept=accept)


def test_serves_on_loopback_with_the_union_default_graph(server):
    assert server.host == "127.0.0.1" and server.url.startswith("http://127.0.0.1:")
    # The meeting lives in an article's named graph; no GRAPH clause is needed to find it.
    status, ctype, body = get_query(server, SELECT, "application/sparql-results+json")
    assert status == 200 and ctype.startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert [r["m"]["value"] for r in rows] == [MEETING]


def test_select_as_xml_csv_and_tsv(server):
    status, ctype, body = get_query(server, SELECT, "application/sparql-results+xml")
    assert status == 200 and "sparql-results+xml" in ctype
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [u.text for u in ET.fromstring(body).findall(".//r:uri", ns)] == [MEETING]

    status, ctype, body = get_query(server, SELECT, "text/csv")
    assert status == 200 and ctype.startswith("text/csv")
    assert list(csv.reader(io.StringIO(body.decode()))) == [["m"], [MEETING]]

    status, ctype, body = get_query(server, SELECT, "text/tab-separated-values")
    assert status == 200 and ctype.startswith("text/tab-separated-values")
    assert body.decode().splitlines() == ["?m", f"<{MEETING}>"]


def test_query_by_post_as_the_protocol_allows(server):
    status, _, body = http(
        server.query_url,
        accept="application/sparql-results+json",
        data=SELECT.encode(),
        method="POST",
        **{"Content-Type": "application/sparql-query"},
    )
    assert status == 200 and MEETING in body.decode()


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)],
)
def test_construct_as_turtle_and_json_ld(server, built_kg, accept, fmt):
    status, ctype, body = get_query(server, CONSTRUCT, accept)
    assert status == 200 and ctype.startswith(accept)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)}
    store = ox.Store.read_only(str((built_kg / "kg" / "store").resolve()))
    expected = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(ox.NamedNode(MEETING), None, None, None)
    }
    assert triples == expected and len(triples) > 10


def test_updates_and_graph_store_writes_are_refused(server):
    before = json.loads(
        get_query(server, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", "application/json")[
            2
        ]
    )
    status, _, body = http(
        server.update_url,
        data=b"INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
        method="POST",
        **{"Content-Type": "application/sparql-update"},
    )
    assert status == 403 and b"read-only" in body
    status, _, _ = http(
        server.store_url + "?graph=urn:x:g",
        data=b"<urn:x:s> <urn:x:p> <urn:x:o> .\n",
        method="PUT",
        **{"Content-Type": "application/n-triples"},
    )
    assert status == 403
    status, _, _ = http(server.store_url + "?default", method="DELETE")
    assert status == 403
    after = json.loads(
        get_query(server, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", "application/json")[
            2
        ]
    )
    assert after == before


def test_query_page_and_its_assets_are_served_locally(server):
    """The UI is offline-capable: YASGUI's script and styles come from the server itself."""
    status, ctype, page = http(server.url)
    assert status == 200 and ctype.startswith("text/html")
    html = page.decode()
    assert 'src="./yasgui.min.js"' in html and 'href="./yasgui.min.css"' in html
    assert '<script src="http' not in html and 'href="http' not in html
    for asset in ("yasgui.min.js", "yasgui.min.css"):
        status, _, body = http(server.url + asset)
        assert status == 200 and len(body) > 10_000


def test_oxigraph_listens_on_an_internal_loopback_port_behind_the_proxy(server, built_kg):
    """The public port is newskg's proxy; Oxigraph has its own port, on loopback only. Its
    cooperative --timeout-s is a backstop, a second after the proxy's own deadline."""
    assert server.backend_port not in (0, server.port)
    command = Server(built_kg / "kg", timeout=7).command()
    assert command[command.index("--timeout-s") + 1] == "8"
    assert command[command.index("--bind") + 1].startswith("127.0.0.1:")
    assert "serve-read-only" in command and "--union-default-graph" in command


def test_proxy_keeps_headers_and_streams_large_results(server):
    """Accept and Content-Type reach Oxigraph; a large result streams through whole; HEAD and
    OPTIONS are forwarded; keep-alive connections are reused."""
    import http.client

    big = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        lengths = []
        for _ in range(2):  # the same client connection twice (keep-alive)
            conn.request(
                "POST",
                "/query",
                body=big.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
            )
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200
            assert response.getheader("Content-Type", "").startswith("text/csv")
            lengths.append(len(body.splitlines()))
        assert lengths[0] == lengths[1] > 1000
        conn.request("HEAD", "/")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b""
        conn.request("OPTIONS", "/query")
        response = conn.getresponse()
        response.read()
        assert response.status < 500
    finally:
        conn.close()


def raw_exchange(server: Server, request: bytes) -> bytes:
    """Send bytes as they are and read until the proxy closes the connection."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


ASK = "/query?query=" + urllib.parse.quote("ASK { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (f"GET {ASK} HTTP/2.0\r\n\r\n".encode(), b"505"),
        (f"GET {ASK} HTTP/one\r\n\r\n".encode(), b"400"),
        (f"GET {ASK} extra HTTP/1.1\r\n\r\n".encode(), b"400"),
        (f"POST {ASK}\r\n\r\n".encode(), b"400"),  # HTTP/0.9 knew only GET
        (f"GET {ASK} HTTP/1.1\r\nno colon\r\n\r\n".encode(), b"400"),
        (f"GET {ASK} HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n".encode(), b"400"),
        (f"GET {ASK} HTTP/1.1\r\n\r\n".encode(), b"400"),  # HTTP/1.1 without Host
        (
            f"GET {ASK} HTTP/1.1\r\nHost: a\r\n".encode()
            + b"".join(b"X-%d: v\r\n" % i for i in range(101))
            + b"\r\n",
            b"431",
        ),
        (f"GET {ASK} HTTP/1.1\r\nHost: a\r\nX: ".encode() + b"a" * 70000 + b"\r\n\r\n", b"431"),
    ],
)
def test_malformed_requests_get_the_standard_answers(server, request_bytes, status):
    answer = raw_exchange(server, request_bytes)
    if answer.startswith(b"HTTP/"):
        assert answer.split(b" ")[1] == status, answer[:200]
    else:  # no usable version: answered as HTTP/0.9, a body alone, as http.server does
        assert b"Error code: " + status in answer, answer[:400]


def test_http_1_0_and_connection_close_end_the_connection_after_the_answer(server):
    """Both requests are answered in full and the proxy then closes (raw_exchange would hang
    on a kept-alive connection); a folded header line still reaches Oxigraph as one field."""
    accept = "Accept: application/sparql-results+json,\r\n text/csv;q=0.1\r\n"
    for request in (
        f"GET {ASK} HTTP/1.0\r\n{accept}\r\n",
        f"GET {ASK} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\nConnection: close\r\n"
        f"{accept}\r\n",
    ):
        answer = raw_exchange(server, request.encode())
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")), head
        if b"transfer-encoding: chunked" in head.lower():
            body = body.split(b"\r\n", 1)[1].rsplit(b"\r\n0\r\n", 1)[0]
        assert json.loads(body)["boolean"] is True


def test_missing_store_is_a_clear_error(tmp_path):
    with pytest.raises(NotFoundError, match="no store here"):
        Server(tmp_path / "kg").start()


def test_port_in_use_is_a_newskg_error(server, built_kg):
    with pytest.raises(ServerError, match="already in use"):
        Server(built_kg / "kg", port=server.port).start()


def test_cli_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(built_kg):
    with serve_subprocess("--kg", built_kg / "kg") as (process, line):
        assert "SPARQL endpoint http://127.0.0.1:" in line, process.stderr.read()
        endpoint = line.split()[2]
        query = endpoint + "?" + urllib.parse.urlencode({"query": SELECT})
        assert MEETING in http(query, accept="text/csv")[2].decode()
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
            pytest.fail("serve did not stop on Ctrl-C:\n" + process.communicate(timeout=30)[1])
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
    with pytest.raises(OSError):
        urllib.request.urlopen(query, timeout=2)


def test_serve_follows_a_new_build(built_kg, tmp_path):
    """A rebuild swaps kg/store to a new directory; the server restarts onto it."""
    kg = tmp_path / "kg"
    first = (built_kg / "kg" / "store").resolve()
    second = tmp_path / "stores" / "next" / "store"
    second.parent.mkdir(parents=True)
    store = ox.Store(str(second))
    store.add(ox.Quad(ox.NamedNode("urn:x:new"), ox.NamedNode("urn:x:p"), ox.Literal("v")))
    store.flush()
    del store
    kg.mkdir()
    os.symlink(first, kg / "store")
    server = Server(kg)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=serve_forever, args=(server, lambda _: ready.set(), 0.1, stop.is_set), daemon=True
    )
    thread.start()
    ask = "ASK { <urn:x:new> ?p ?o }"
    try:
        deadline = time.monotonic() + 30
        assert ready.wait(30)
        assert json.loads(get_query(server, ask, "application/json")[2])["boolean"] is False
        link = kg / "store.new"
        os.symlink(second, link)
        os.replace(link, kg / "store")  # what a build's commit does
        seen = False
        while not seen and time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):  # refused while restarting
                seen = json.loads(get_query(server, ask, "application/json")[2])["boolean"]
            time.sleep(0.1)
        assert seen
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not server.running


def test_binary_is_found_beside_the_interpreter():
    from newskg.serve.oxigraph import find_oxigraph

    found = Path(find_oxigraph())
    assert found.name == "oxigraph" and os.access(found, os.X_OK)
