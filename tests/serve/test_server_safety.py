"""Server and API safety: read-only by default, loopback by default, timeouts, request limits,
and no SPARQL injection through the API's bindings."""

from __future__ import annotations

import hashlib
import http.client
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from newskg.cli import make_parser
from newskg.errors import QueryError, ServerError
from newskg.query.graph import KnowledgeGraph
from newskg.serve.run import exposure_warning
from newskg.serve.server import Server
from tests.conftest import run_cli, serve_subprocess

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


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
INSERT = b"INSERT DATA { GRAPH <urn:x:g> { <urn:x:s> <urn:x:p> 'written' } }"
ASK_WRITTEN = "ASK { <urn:x:s> <urn:x:p> 'written' }"


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


def _status(request: urllib.request.Request, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _answer(request: urllib.request.Request, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


def _query(server: Server, query: str) -> urllib.request.Request:
    return urllib.request.Request(
        f"{server.query_url}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )


def _update(server: Server, update: bytes) -> urllib.request.Request:
    return urllib.request.Request(
        server.update_url,
        data=update,
        headers={"Content-Type": "application/sparql-update"},
        method="POST",
    )


def _ask(server: Server, query: str) -> bool:
    status, body = _answer(_query(server, query))
    assert status == 200, body
    return bool(json.loads(body)["boolean"])


def _fingerprint(kg: Path) -> dict[str, str]:
    """Every file of the build (exports and the store behind kg/store), by content hash."""
    store = (kg / "store").resolve()
    files = [*kg.glob("*.t*"), *store.rglob("*")]
    return {
        str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(files) if f.is_file()
    }


# -- read-only unless --read-write --------------------------------------------------------


def test_server_is_read_only_by_default(built_kg):
    with Server(built_kg / "kg") as server:
        assert _status(_update(server, b"DROP ALL")) == 403
        put = urllib.request.Request(
            server.store_url + "?default",
            data=b"<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n",
            headers={"Content-Type": "application/n-triples"},
            method="PUT",
        )
        assert _status(put) == 403
        assert _status(_query(server, "ASK { ?s ?p ?o }")) == 200
    assert make_parser().parse_args(["serve"]).read_write is False
    kg = KnowledgeGraph.open(built_kg / "kg")
    assert kg.select(COUNT).column("n")[0] > 1000


def test_read_write_serves_a_copy_and_never_touches_the_build(built_kg):
    kg = built_kg / "kg"
    before = _fingerprint(kg)
    with Server(kg, read_only=False) as server:
        copy = server.store_dir
        assert copy is not None and copy.is_dir()
        assert not copy.is_relative_to(kg.resolve())
        assert copy.resolve() != (kg / "store").resolve()
        assert _ask(server, "ASK { ?s a <https://w3id.org/newskg/ontology#Meeting> }")
        assert _status(_update(server, INSERT)) == 204
        assert _ask(server, ASK_WRITTEN)
        assert _status(_update(server, b"DROP GRAPH <urn:x:g>")) == 204
        assert _status(_update(server, INSERT)) == 204
    assert not copy.exists()  # the temporary copy is gone with the server
    assert _fingerprint(kg) == before  # the build and its exports are byte-identical
    assert KnowledgeGraph.open(kg).select(ASK_WRITTEN.replace("ASK", "SELECT * WHERE")).rows == []


def test_read_write_store_persists_outside_kg_and_never_inside(built_kg, tmp_path):
    kg = built_kg / "kg"
    with Server(kg, read_only=False, location=tmp_path / "rw") as server:
        assert _status(_update(server, INSERT)) == 204
    with Server(kg, read_only=False, location=tmp_path / "rw") as server:
        assert _ask(server, ASK_WRITTEN)  # kept: the folder is reused, not copied again
    for inside in (kg / "store", (kg / "store").resolve(), kg / "mine", kg):
        with pytest.raises(ServerError, match="refusing to serve"):
            Server(kg, read_only=False, location=inside).start()
    result = run_cli("serve", "--read-write", "--store", kg / "store", "--port", "0", "--kg", kg)
    assert result.code == 5 and "refusing to serve" in result.err
    result = run_cli("serve", "--store", tmp_path / "x", "--kg", kg)
    assert result.code == 2 and "--store is only for a read-write server" in result.err


def test_cli_read_write_says_so_and_accepts_updates(built_kg):
    kg = built_kg / "kg"
    before = _fingerprint(kg)
    with serve_subprocess("--read-write", "--kg", kg) as (process, line):
        assert "READ-WRITE" in line and "http://127.0.0.1:" in line, line
        endpoint = line.split()[2]
        update = urllib.request.Request(
            endpoint.replace("/query", "/update"),
            data=INSERT,
            headers={"Content-Type": "application/sparql-update"},
            method="POST",
        )
        assert _status(update) == 204
        copy = Path(line.split("READ-WRITE on ")[1].split(";")[0])
        assert copy.is_dir()
        process.terminate()  # SIGTERM stops it as Ctrl-C does: cleanly, copy removed
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "stopped" in out, err
    assert not copy.exists()
    assert _fingerprint(kg) == before


# -- loopback unless --host -----------------------------------------------------------------


def test_server_binds_loopback_unless_host_is_given():
    assert make_parser().parse_args(["serve"]).host == "127.0.0.1"
    assert Server().host == "127.0.0.1"
    assert make_parser().parse_args(["serve", "--host", "0.0.0.0"]).host == "0.0.0.0"


def test_read_write_server_stays_on_loopback():
    args = make_parser().parse_args(["serve", "--read-write"])
    assert args.host == "127.0.0.1" and args.read_write
    assert Server(read_only=False).host == "127.0.0.1"
    for loopback in ("127.0.0.1", "127.0.0.2", "::1", "localhost"):
        assert exposure_warning(loopback, read_write=True) is None
    for outside in ("0.0.0.0", "::", "192.168.1.10", "example.org"):
        warning = exposure_warning(outside, read_write=True)
        assert warning and "READ-WRITE" in warning and "token" in warning
        assert "no authentication" in (exposure_warning(outside, read_write=False) or "")


def test_cli_warns_before_serving_read_write_beyond_loopback(built_kg, capsys):
    """The warning is printed first, even when the server then cannot start (here: the port
    is taken, so that the test never listens on a public address)."""
    with Server(built_kg / "kg") as taken:
        result = run_cli(
            "serve", "--read-write", "--host", "0.0.0.0", "--port", taken.port,
            "--auth-token", "a-token-of-sixteen-chars", "--kg", built_kg / "kg",
        )  # fmt: skip
    assert result.code == 5 and "already in use" in result.err
    assert "warning: serving READ-WRITE on 0.0.0.0" in capsys.readouterr().err


# -- query timeout ----------------------------------------------------------------------------


def test_server_query_timeout(built_kg):
    """Oxigraph's own timeout does not stop an aggregate over a cross product; the proxy
    answers 503 and restarts Oxigraph, and requests in flight meanwhile get 503 too."""
    with Server(built_kg / "kg", timeout=1) as server:
        first_pid = server.process.pid if server.process else None
        results: dict[str, tuple[int, bytes, float]] = {}

        def run(name: str) -> None:
            started = time.monotonic()
            status, body = _answer(_query(server, HEAVY), timeout=30)
            results[name] = (status, body, time.monotonic() - started)

        threads = [threading.Thread(target=run, args=(n,)) for n in ("first", "second")]
        threads[0].start()
        time.sleep(0.3)
        threads[1].start()
        for thread in threads:
            thread.join(30)
        for status, _body, elapsed in results.values():
            assert status == 503 and elapsed < 10
        assert b"timed out" in results["first"][1]
        assert server.restarts["timeout"] >= 1
        assert server.process is not None and server.process.pid != first_pid
        # the runaway evaluation is gone: the old Oxigraph process no longer exists (it is
        # killed once the other requests it had are done)
        deadline = time.monotonic() + 10
        while _alive(first_pid or 0):
            assert time.monotonic() < deadline, "the timed-out Oxigraph is still running"
            time.sleep(0.05)
        # and the server answers again
        assert _ask(server, "ASK { ?s a <https://w3id.org/newskg/ontology#Meeting> }")
        assert make_parser().parse_args(["serve"]).timeout == 60


def test_cli_timeout_zero_means_no_limit(built_kg):
    assert make_parser().parse_args(["serve", "--timeout", "0"]).timeout == 0
    assert Server(built_kg / "kg", timeout=0).timeout is None


# -- request size limit -----------------------------------------------------------------------


def test_server_request_size_limit(built_kg):
    with Server(built_kg / "kg") as server:  # the default limit, 1 MiB
        assert server.max_request_bytes == 1 << 20
        # 64 MiB announced: refused on the headers alone, before any body is read or forwarded
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        try:
            conn.putrequest("POST", "/query")
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(64 * 1024 * 1024))
            conn.endheaders(b"query=")
            response = conn.getresponse()
            assert response.status == 413 and b"larger than 1048576 bytes" in response.read()
        finally:
            conn.close()
        # a client that sends its whole (2 MiB) body still reads the 413
        body = b"query=" + b"x" * (2 * 1024 * 1024)
        request = urllib.request.Request(
            server.query_url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert _status(request) == 413
        # curl's Expect: 100-continue is refused before the body is sent
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        try:
            conn.putrequest("POST", "/query")
            conn.putheader("Content-Length", str(2 * 1024 * 1024))
            conn.putheader("Expect", "100-continue")
            conn.endheaders()
            assert conn.getresponse().status == 413
        finally:
            conn.close()
        assert _status(_query(server, "ASK { ?s ?p ?o }")) == 200


def test_small_request_limit_413_for_bodies_and_414_for_query_strings(built_kg):
    padding = "#" + "x" * 6000 + "\n"  # a SPARQL comment: the query itself stays valid
    query = padding + "ASK { ?s ?p ?o }"
    with Server(built_kg / "kg", max_request_bytes=4096) as server:
        assert _status(_query(server, query)) == 414
        post = urllib.request.Request(
            server.query_url,
            data=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert _status(post) == 413
        chunked = http.client.HTTPConnection(server.host, server.port, timeout=10)
        try:  # a chunked body is counted as it arrives
            chunked.request(
                "POST",
                "/query",
                body=iter([query.encode()]),
                headers={"Content-Type": "application/sparql-query"},
                encode_chunked=True,
            )
            assert chunked.getresponse().status == 413
        finally:
            chunked.close()
        # within the limit, both ways work
        short = "#" + "x" * 1000 + "\nASK { ?s ?p ?o }"
        assert _status(_query(server, short)) == 200
        post = urllib.request.Request(
            server.query_url,
            data=short.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
        assert _status(post) == 200


def test_connections_over_the_cap_get_503_only_when_every_one_is_busy(built_kg):
    """Past --max-connections, a connection that waits for a request (idle or trickling)
    is closed to make room; only when every connection is being answered does the next
    one get 503 at once, and the server is served again once they finish."""
    import socket

    heavy = _query_request_bytes(HEAVY)
    with Server(built_kg / "kg", max_connections=2, timeout=3) as server:
        busy = [socket.create_connection((server.host, server.port), timeout=30) for _ in range(2)]
        try:
            for sock in busy:  # two queries that run until the timeout
                sock.sendall(
                    heavy.replace(b"Host: x", f"Host: {server.host}:{server.port}".encode())
                )
            deadline = time.monotonic() + 10
            while server.active_connections < 2:
                assert time.monotonic() < deadline, "the connections were not accepted"
                time.sleep(0.01)
            time.sleep(0.2)  # both requests have reached Oxigraph
            status, body = _answer(_query(server, "ASK { ?s ?p ?o }"))
            assert status == 503 and b"too many connections" in body
            assert server.refused_connections >= 1
            for sock in busy:
                assert b" 503 " in sock.recv(4096).split(b"\r\n", 1)[0] + b" "
        finally:
            for sock in busy:
                sock.close()
        deadline = time.monotonic() + 20
        while _status(_query(server, "ASK { ?s ?p ?o }")) != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.05)


def _query_request_bytes(query: str) -> bytes:
    target = "/query?" + urllib.parse.urlencode({"query": query})
    return (
        f"GET {target} HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"
    ).encode()


def test_cli_refuses_a_connection_cap_below_one(built_kg):
    result = run_cli("serve", "--kg", built_kg / "kg", "--max-connections", "0")
    assert result.code == 2 and "--max-connections 0" in result.err


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only nobody has reaped it yet


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")
def test_oxigraph_dies_with_a_sigkilled_serve(built_kg):
    """No handler runs on SIGKILL; Oxigraph must not outlive newskg serve holding the port."""
    import signal

    with serve_subprocess("--kg", built_kg / "kg") as (process, line):
        assert "SPARQL endpoint" in line, process.stderr.read() if process.stderr else line
        oxigraphs = _children(process.pid)
        assert oxigraphs, "no Oxigraph child found"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in oxigraphs):
            assert time.monotonic() < deadline, "Oxigraph outlived the killed newskg serve"
            time.sleep(0.05)
