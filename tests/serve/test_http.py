"""`newskg.serve.http`: the proxy's header reader and its connection to Oxigraph, against
a scripted server on loopback (Oxigraph itself is exercised in test_server.py)."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from newskg.serve.http import (
    MAX_HEADERS,
    MAX_LINE,
    BackendConnection,
    BadResponse,
    HeaderError,
    Headers,
    read_headers,
)

# -- read_headers / Headers -----------------------------------------------------------------


def test_headers_keep_order_and_are_looked_up_without_case():
    fields = read_headers(io.BytesIO(b"Host: a\r\nAccept:  text/csv \r\naccept: x\r\n\r\nBODY"))
    assert fields == [("Host", "a"), ("Accept", "text/csv"), ("accept", "x")]
    headers = Headers(fields)
    assert headers.get("ACCEPT") == "text/csv"  # the first of repeated fields
    assert headers.get("missing") is None and headers.get("missing", "d") == "d"
    assert headers.items() == fields


def test_a_folded_line_is_joined_to_the_field_before_it():
    fields = read_headers(io.BytesIO(b"X-Long: one\r\n  two\r\n\tthree\r\nY: z\n\n"))
    assert fields == [("X-Long", "one two three"), ("Y", "z")]


@pytest.mark.parametrize(
    "raw",
    [
        b"no colon here\r\n\r\n",
        b": no name\r\n\r\n",
        b"Space : before colon\r\n\r\n",
        b"Host: a\r\n\r\r\n",  # empty once its line break is gone: was an IndexError
    ],
)
def test_malformed_header_lines_are_refused(raw):
    with pytest.raises(HeaderError, match="malformed header line") as caught:
        read_headers(io.BytesIO(raw))
    assert not caught.value.too_large


def test_header_limits_and_a_cut_off_header_section():
    with pytest.raises(HeaderError, match="longer than") as caught:
        read_headers(io.BytesIO(b"X: " + b"a" * MAX_LINE + b"\r\n\r\n"))
    assert caught.value.too_large
    many = b"".join(b"X-%d: v\r\n" % i for i in range(MAX_HEADERS + 1)) + b"\r\n"
    with pytest.raises(HeaderError, match="more than") as caught:
        read_headers(io.BytesIO(many))
    assert caught.value.too_large
    with pytest.raises(HeaderError, match="closed in the middle"):
        read_headers(io.BytesIO(b"Host: a\r\n"))


# -- BackendConnection against a scripted server ---------------------------------------------

Script = Callable[[socket.socket, bytes], None]


@pytest.fixture
def scripted() -> Iterator[Callable[[list[Script]], int]]:
    """A one-connection server on loopback: for each request it receives, the next script
    writes the answer (and may close). Returns the port."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(scripts: list[Script]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def run() -> None:
            conn, _ = listener.accept()
            with conn:
                rfile = conn.makefile("rb")
                for script in scripts:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = rfile.readline()
                        if not line:
                            return
                        head += line
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    script(conn, head + rfile.read(length))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return listener.getsockname()[1]

    yield start
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(timeout=5)


def answer(*pieces: bytes, close: bool = False, pause: float = 0.0) -> Script:
    def script(conn: socket.socket, request: bytes) -> None:
        for piece in pieces:
            conn.sendall(piece)
            if pause:
                time.sleep(pause)
        if close:
            conn.shutdown(socket.SHUT_RDWR)

    return script


def test_one_write_per_request_with_our_framing(scripted):
    seen: list[bytes] = []

    def record(conn: socket.socket, request: bytes) -> None:
        seen.append(request)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    conn = BackendConnection(scripted([record]))
    response = conn.request("POST", "/query", [("Content-Length", "5")], b"q=ASK", 5)
    assert (response.status, response.reason, response.read()) == (200, "OK", b"ok")
    assert seen == [b"POST /query HTTP/1.1\r\nContent-Length: 5\r\n\r\nq=ASK"]
    conn.close()


def test_content_length_and_keep_alive(scripted):
    port = scripted(
        [
            answer(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: 5\r\n\r\nhello"),
            answer(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
        ]
    )
    conn = BackendConnection(port)
    first = conn.request("GET", "/a", [], b"", 5)
    assert first.headers.get("content-type") == "text/csv" and not first.will_close
    assert first.read1(3) == b"hel" and not first.done
    assert first.read1(100) == b"lo" and first.done
    assert first.read1(100) == b""
    assert conn.still_open()
    second = conn.request("GET", "/b", [], b"", 5)  # the same connection again
    assert second.status == 404 and second.done and second.read() == b""
    conn.close()
    assert not conn.still_open()


def test_chunked_body_streams_and_the_buffered_end_is_taken_at_once(scripted):
    port = scripted(
        [
            # the last chunk arrives with the data: done as soon as the data is read
            answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
            # pieces arrive apart: each is handed on as it comes, then the end is read
            answer(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"4;ext=1\r\nwxyz\r\n",
                b"2\r\n12\r\n",
                b"0\r\nTrailer: dropped\r\n\r\n",
                pause=0.05,
            ),
        ]
    )
    conn = BackendConnection(port)
    quick = conn.request("GET", "/", [], b"", 5)
    assert quick.read1(1 << 16) == b"abc" and quick.done
    slow = conn.request("GET", "/", [], b"", 5)
    pieces = []
    while piece := slow.read1(1 << 16):
        pieces.append(piece)
    assert b"".join(pieces) == b"wxyz12" and len(pieces) >= 2 and slow.done
    assert conn.still_open()  # the connection can carry the next request
    conn.close()


def test_chunks_that_have_arrived_are_handed_on_together(scripted):
    chunks = b"".join(b"3\r\n%03d\r\n" % i for i in range(50))
    port = scripted(
        [
            answer(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                chunks,
                b"0\r\n\r\n",
                pause=0.1,
            )
        ]
    )
    conn = BackendConnection(port)
    response = conn.request("GET", "/", [], b"", 5)
    # the 50 chunks in one piece, without waiting for the last chunk, then the end
    assert response.read1(1 << 16) == b"".join(b"%03d" % i for i in range(50))
    assert not response.done
    assert response.read1(1 << 16) == b"" and response.done
    # and never more than asked for
    port = scripted([answer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)])
    conn2 = BackendConnection(port)
    assert conn2.request("GET", "/", [], b"", 5).read1(10) == b"0000010020"
    conn.close()
    conn2.close()


def test_interim_answers_are_skipped_and_bodiless_answers_have_no_body(scripted):
    port = scripted(
        [
            answer(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            answer(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"),  # to a HEAD
            answer(b"HTTP/1.1 204 No Content\r\n\r\n"),
        ]
    )
    conn = BackendConnection(port)
    assert conn.request("POST", "/", [], b"", 5).read() == b"x"
    head = conn.request("HEAD", "/", [], b"", 5)
    assert head.done and head.headers.get("Content-Length") == "1234"
    assert conn.request("DELETE", "/", [], b"", 5).done
    conn.close()


def test_a_body_to_the_end_of_the_connection(scripted):
    port = scripted([answer(b"HTTP/1.0 200 OK\r\n\r\nall of it", close=True)])
    conn = BackendConnection(port)
    response = conn.request("GET", "/", [], b"", 5)
    assert response.will_close
    assert response.read() == b"all of it" and response.done
    conn.close()


@pytest.mark.parametrize(
    ("raw", "message", "in_body"),
    [
        (b"", "without answering", False),
        (b"SPDY/3 200 OK\r\n\r\n", "bad status line", False),
        (b"HTTP/1.1 2000 OK\r\n\r\n", "bad status line", False),
        (b"HTTP/1.1 200 OK\r\nbroken\r\n\r\n", "malformed header line", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "in the middle", True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size", True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX", "did not end", True),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", "the middle", True),
    ],
)
def test_broken_or_cut_short_answers_are_bad_responses(scripted, raw, message, in_body):
    """Broken in the status line or headers: request() raises; in the body: reading does."""
    conn = BackendConnection(scripted([answer(raw, close=True)]))
    with pytest.raises(BadResponse, match=message):
        response = conn.request("GET", "/", [], b"", 5)
        assert in_body, "the request should have failed"
        response.read()
    conn.close()


def test_a_silent_backend_times_out(scripted):
    port = scripted([answer(b"", pause=2)])
    conn = BackendConnection(port)
    with pytest.raises(TimeoutError):
        conn.request("GET", "/", [], b"", 0.2)
    conn.close()


def test_an_idle_connection_closed_by_the_backend_is_seen_as_closed(scripted):
    port = scripted([answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", close=True)])
    conn = BackendConnection(port)
    assert conn.request("GET", "/", [], b"", 5).done
    deadline = time.monotonic() + 5
    while conn.still_open() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not conn.still_open()
    conn.close()
