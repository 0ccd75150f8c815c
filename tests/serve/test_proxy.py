"""`newskg.serve.proxy` and `.request`: what no client can do to `newskg serve`, each finding
of the attack on the hand-written proxy replayed over a socket: SSRF through SERVICE, a chunk
size of -1, slow and silent connections, cross-origin writes and DNS rebinding, malformed
framing."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from newskg.errors import InputError
from newskg.serve import request as request_module
from newskg.serve.server import Server
from tests.conftest import run_cli

ASK = "ASK { ?s ?p ?o }"
TOKEN = "a-token-of-sixteen-chars"
INSERT = b"INSERT DATA { <urn:x:s> <urn:x:p> 'written' }"


@pytest.fixture(scope="module")
def server(built_kg):
    with Server(built_kg / "kg", timeout=10) as running:
        yield running


def host(server: Server) -> str:
    return f"{server.host}:{server.port}"


def exchange(server: Server, data: bytes, *, wait: float = 10, close: bool = False) -> bytes:
    """Send raw bytes, keep the connection open (unless ``close``), and read the answer
    until the proxy closes or ``wait`` seconds pass."""
    with socket.create_connection((server.host, server.port), timeout=wait) as sock:
        try:
            sock.sendall(data)
            if close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:  # refused before it had all: the answer is waiting
            pass
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            received += b"<no more within the wait>"
        except ConnectionResetError:
            received += b"<reset>"
        return received


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def get(server: Server, query: str, **headers: str) -> tuple[int, bytes]:
    url = server.query_url + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post(server: Server, path: str, body: bytes, content_type: str, **headers: str):
    request = urllib.request.Request(
        server.url + path, data=body, headers={"Content-Type": content_type, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- 1. SSRF through SERVICE ----------------------------------------------------------------


def test_service_is_refused_by_every_route_and_nothing_leaves(server, listener):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    answers = [
        get(server, query),
        post(server, "query", query.encode(), "application/sparql-query"),
        post(server, "query", urllib.parse.urlencode({"query": query}).encode(),
             "application/x-www-form-urlencoded"),
    ]  # fmt: skip
    for status, body in answers:
        assert status == 400 and b"no outbound requests" in body, body
        assert b"--allow-service" in body
    time.sleep(0.5)  # a request that had left would have arrived by now
    assert listener.contacts == []
    assert get(server, "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1")[0] == 200


def test_allowed_service_reaches_the_listener(built_kg, listener):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    with Server(built_kg / "kg", timeout=10, allow_service=[listener.url]) as allowed:
        status, _ = get(allowed, query)
    assert status != 400 and listener.contacts


def test_load_is_refused_on_a_read_write_server(built_kg, listener):
    with Server(built_kg / "kg", read_only=False) as writable:
        status, body = post(
            writable, "update", f"LOAD <{listener.url}>".encode(), "application/sparql-update"
        )
    assert status == 400 and b"LOAD" in body
    time.sleep(0.5)
    assert listener.contacts == []


# -- 2. and 6. framing: chunk sizes, Content-Length, trailers, headers -----------------------


def chunked_head(server: Server) -> bytes:
    return (
        f"POST /query HTTP/1.1\r\nHost: {host(server)}\r\n"
        "Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()


def test_a_chunk_size_of_minus_one_is_refused_at_once(server):
    """The old proxy read such a body to the end of the stream; the answer must come while
    the client still holds the connection open."""
    answer = exchange(server, chunked_head(server) + b"-1\r\n" + b"x" * 1000, wait=5)
    assert status_of(answer) == 400 and b"chunk" in answer


def test_a_huge_chunk_is_counted_as_it_arrives(server):
    answer = exchange(server, chunked_head(server) + b"FFFFFFFF\r\n" + b"x" * (2 << 20))
    assert status_of(answer) == 413


def test_a_chunk_not_ending_in_crlf_is_refused(server):
    """h11 before 0.16 took any two bytes for the CRLF after a chunk (request smuggling): the
    query would have run."""
    answer = exchange(server, chunked_head(server) + b"6\r\nASK {}xx0\r\n\r\n")
    assert status_of(answer) == 400 and b"malformed request" in answer


@pytest.mark.parametrize(
    "length",
    [
        "\N{SUPERSCRIPT TWO}".encode("latin-1"),  # isdigit() but not int(): once no answer
        "\N{SUPERSCRIPT TWO}".encode(),
        b"-1",
        b"1e3",
        b"0x10",
        b"5, 6",
    ],
)
def test_a_bad_content_length_is_400(server, length):
    head = f"POST /query HTTP/1.1\r\nHost: {host(server)}\r\nContent-Length: ".encode()
    answer = exchange(server, head + length + b"\r\n\r\n" + b"ASK {}")
    assert status_of(answer) == 400


def test_two_content_length_fields_are_400_even_when_equal(server):
    head = f"POST /query HTTP/1.1\r\nHost: {host(server)}\r\n".encode()
    answer = exchange(server, head + b"Content-Length: 6\r\nContent-Length: 6\r\n\r\nASK {}")
    assert status_of(answer) == 400 and b"Content-Length" in answer


def test_trailers_and_headers_are_bounded(server):
    trailers = b"".join(b"X-%d: %s\r\n" % (i, b"t" * 60000) for i in range(100))
    answer = exchange(server, chunked_head(server) + b"3\r\nASK\r\n0\r\n" + trailers + b"\r\n")
    assert status_of(answer) in (413, 431)
    headers = b"".join(b"X-%d: %s\r\n" % (i, b"h" * 60000) for i in range(100))
    head = f"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: {host(server)}\r\n".encode()
    assert status_of(exchange(server, head + headers + b"\r\n")) == 431


def test_a_chunked_query_with_trailers_is_answered(server):
    body = b"6\r\nASK {}\r\n0\r\nX-Trailer: dropped\r\n\r\n"
    answer = exchange(
        server, chunked_head(server).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n") + body
    )
    assert status_of(answer) == 200


# -- 4. slow and silent connections ------------------------------------------------------------


def test_silent_and_trickling_connections_do_not_lock_clients_out(built_kg):
    """Every connection the cap allows is held by a client that sends nothing, or one byte
    at a time; a real client is still answered, because a connection waiting for its
    request is closed to make room."""
    with Server(built_kg / "kg", max_connections=8) as small:
        stop = threading.Event()
        holders = [socket.create_connection((small.host, small.port)) for _ in range(8)]

        def trickle(sock: socket.socket) -> None:
            for byte in b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n":
                if stop.wait(0.3):
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return

        threads = [threading.Thread(target=trickle, args=(s,)) for s in holders[:4]]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 10
            while small.active_connections < 8:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            for _ in range(3):
                assert get(small, ASK)[0] == 200
            assert small.evicted_connections >= 1 and small.refused_connections == 0
        finally:
            stop.set()
            for thread in threads:
                thread.join()
            for sock in holders:
                sock.close()


def test_a_request_must_arrive_whole_in_time(built_kg, monkeypatch):
    """The limit is on the whole request, not on each read: a byte every 0.2 s does not
    keep the connection."""
    monkeypatch.setattr(request_module, "REQUEST_TIMEOUT_S", 1.0)
    with (
        Server(built_kg / "kg") as quick,
        socket.create_connection((quick.host, quick.port), timeout=10) as sock,
    ):
        answer = b""
        for byte in b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n":
            try:
                sock.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.2)
            sock.setblocking(False)
            try:
                answer += sock.recv(4096)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
            if answer:
                break
        assert answer.startswith(b"HTTP/1.1 408"), answer


# -- 5. DNS rebinding and cross-site request forgery -------------------------------------------


def test_a_host_that_is_not_the_served_address_is_refused(server):
    request = "GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: rebound.evil.example:{}\r\n\r\n"
    answer = exchange(server, request.format(server.port).encode())
    assert status_of(answer) == 403 and b"DNS rebinding" in answer
    assert get(server, ASK, Host=f"localhost:{server.port}")[0] == 200


def test_a_cross_origin_form_cannot_empty_a_read_write_server(built_kg):
    form = b"update=DROP+ALL"
    with Server(built_kg / "kg", read_only=False) as writable:
        status, body = post(
            writable, "update", form, "application/x-www-form-urlencoded",
            Origin="https://evil.example",
        )  # fmt: skip
        assert status == 403 and b"cross-origin" in body
        assert json.loads(get(writable, ASK)[1])["boolean"] is True
        same = f"http://{host(writable)}"
        assert post(writable, "update", INSERT, "application/sparql-update", Origin=same)[0] == 204


def test_writes_need_the_token(built_kg):
    with Server(built_kg / "kg", read_only=False, auth_token=TOKEN) as guarded:
        assert post(guarded, "update", INSERT, "application/sparql-update")[0] == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert post(guarded, "update", INSERT, "application/sparql-update", **bearer)[0] == 204
        assert get(guarded, ASK)[0] == 200  # reads need no token


def test_read_write_beyond_loopback_needs_a_token(built_kg, monkeypatch):
    with pytest.raises(InputError, match="needs a token"):
        Server(built_kg / "kg", host="0.0.0.0", read_only=False)
    with pytest.raises(InputError, match="at least 16"):
        Server(built_kg / "kg", read_only=False, auth_token="short")
    result = run_cli("serve", "--read-write", "--host", "0.0.0.0", "--kg", built_kg / "kg")
    assert result.code == 2 and "needs a token" in result.err and "NEWSKG_AUTH_TOKEN" in result.err
    # the token from the environment is taken (the server then fails on the taken port)
    monkeypatch.setenv("NEWSKG_AUTH_TOKEN", TOKEN)
    with Server(built_kg / "kg") as taken:
        result = run_cli(
            "serve", "--read-write", "--host", "0.0.0.0", "--port", taken.port,
            "--kg", built_kg / "kg",
        )  # fmt: skip
    assert result.code == 5 and "already in use" in result.err


def test_push_reaches_a_guarded_server_with_the_token_as_password(built_kg, tmp_path):
    from newskg.errors import ServerError
    from newskg.serve.push import push

    with Server(None, read_only=False, auth_token=TOKEN) as empty:
        url = f"http://{host(empty)}/store"
        with pytest.raises(ServerError, match="401"):
            push(built_kg / "kg", url)
        report = push(built_kg / "kg", url.replace("http://", f"http://newskg:{TOKEN}@"))
        assert report.graphs >= 3
        assert json.loads(get(empty, ASK)[1])["boolean"] is True
