"""The reverse proxy in front of Oxigraph: what Oxigraph lacks, added on the way through.

Oxigraph listens on an internal loopback port only. The public port belongs to this small
threaded proxy, which adds

* a **query timeout that really stops a query**: Oxigraph's own ``--timeout-s`` is
  cooperative and does not interrupt, for example, an aggregate over a cross product. When a
  request outlives the timeout the proxy answers ``503`` and has the server kill and restart
  Oxigraph, the only way to stop that evaluation (other requests in flight then get ``503``);
* a **request size limit**: bodies over ``max_request_bytes`` get ``413`` and longer request
  targets (GET query strings) ``414``, before anything reaches Oxigraph;
* a **connection cap**: over ``max_connections`` a client gets ``503`` at once.

The proxy streams bodies through, keeps every end-to-end header, and holds a pool of
keep-alive connections to Oxigraph.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from newskg.serve.http import BackendConnection, BackendResponse, HeaderError, Headers, read_headers

IDLE_TIMEOUT_S = 60.0  # a client connection that sends nothing for this long is closed
DRAIN_LIMIT = 8 << 20  # how much of a refused body we read, so that the client sees the 413
# Hop-by-hop headers (RFC 9110 7.6.1) are about one connection and never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

# Request headers the proxy does not pass on: Content-Length is set again for the body it
# sends, and the proxy has already answered any Expect: 100-continue and sends the body at once.
_NOT_FORWARDED = HOP_BY_HOP | {"content-length", "expect"}


class QueryTimeout(Exception):
    """The request outlived the server's query timeout."""


class BackendGone(Exception):
    """Oxigraph closed the connection or is not running."""


class Backend(Protocol):
    """What the proxy needs of the server it fronts (a :class:`newskg.serve.server.Server`):
    its limits, and pooled connections to the Oxigraph behind it."""

    timeout: float | None
    backend_port: int
    max_request_bytes: int
    max_target_bytes: int
    max_connections: int
    refused_connections: int

    def connection(self) -> tuple[int, BackendConnection, bool]: ...

    def release(self, generation: int, conn: BackendConnection) -> None: ...

    def is_current(self, generation: int) -> bool: ...

    def timed_out(self, generation: int) -> None: ...


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], owner: Backend) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.active = 0  # connections with a thread (see process_request)
        super().__init__((address[0].strip("[]"), address[1]), _ProxyHandler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        """A thread per connection, up to the cap: a flood of idle connections must not grow
        threads without bound. Over the cap, a short 503 and the connection is closed."""
        with self.connections_lock:
            full = self.active >= self.owner.max_connections
            if not full:
                self.active += 1
        if full:
            self.owner.refused_connections += 1
            _refuse_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            with self.connections_lock:
                self.active -= 1
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            with self.connections_lock:
                self.active -= 1

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS (getfqdn); we need no name.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def close_connections(self) -> None:
        """End the clients' keep-alive connections (their threads then finish)."""
        with self.connections_lock:
            sockets = list(self.connections)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _refuse_busy(sock: socket.socket) -> None:
    """Answer a connection over the cap without reading its request (that would need a
    thread): 503 with Retry-After, then close. Sent at once, it usually reaches the client
    before any request it sends, so the client reads the 503 rather than a reset."""
    body = b"too many connections to this server at once; retry in a moment\n"
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.settimeout(1)
        sock.sendall(head.encode("ascii") + body)
        sock.shutdown(socket.SHUT_WR)


class _ProxyHandler(BaseHTTPRequestHandler):
    """Forwards one client connection's requests to Oxigraph, enforcing limits and timeout."""

    protocol_version = "HTTP/1.1"
    server_version = "newskg"
    timeout = IDLE_TIMEOUT_S
    server: ProxyServer

    answered = False

    def setup(self) -> None:
        super().setup()
        # Small answers go out in one write; without Nagle, a streamed one is not held back
        # waiting for the client's delayed ACK.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet, like Oxigraph itself

    def handle_one_request(self) -> None:
        """BaseHTTPRequestHandler's, with our own limit on the request line (414)."""
        owner = self.server.owner
        limit = owner.max_target_bytes + 64  # the method and "HTTP/1.1" around the target
        try:
            self.raw_requestline = self.rfile.readline(limit + 1)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > limit:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", "GET"
                self._drain_line()
                self._refuse(414, self._too_long())
                return
            if not self.parse_request():
                return
            handler = getattr(self, "do_" + self.command, None)
            if handler is None:
                self.send_error(501, f"unsupported method {self.command!r}")
                return
            handler()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    def parse_request(self) -> bool:
        """``BaseHTTPRequestHandler.parse_request`` with the same checks and answers, but the
        headers read by ``backend_http.read_headers`` rather than the ``email`` package, which
        cost more than everything else the proxy does for a small query."""
        self.command = None  # type: ignore[assignment]  # as the base class: none until parsed
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if not words:
            return False
        if len(words) >= 3:
            version = words[-1]
            number = version[5:].split(".") if version.startswith("HTTP/") else []
            if len(number) != 2 or not all(n.isdigit() and len(n) <= 10 for n in number):
                self.send_error(400, f"Bad request version ({version!r})")
                return False
            major, minor = int(number[0]), int(number[1])
            if major >= 2:
                self.send_error(505, f"Invalid HTTP version ({version[5:]})")
                return False
            self.close_connection = (major, minor) < (1, 1)
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(400, f"Bad request syntax ({self.requestline!r})")
            return False
        self.command, self.path = words[0], words[1]
        if len(words) == 2 and self.command != "GET":
            self.send_error(400, f"Bad HTTP/0.9 request type ({self.command!r})")
            return False
        if self.path.startswith("//"):  # gh-87389, as the base class: not an absolute URI
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = Headers(read_headers(self.rfile))  # type: ignore[assignment]
        except HeaderError as exc:
            self.close_connection = True
            self.send_error(431 if exc.too_large else 400, str(exc))
            return False
        connection = (self.headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" and len(words) == 3:
            self.close_connection = False
        expect = (self.headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version >= "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def handle_expect_100(self) -> bool:
        """``Expect: 100-continue`` (curl sends it with large bodies): refuse before the body."""
        length = self.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.server.owner.max_request_bytes:
            self._refuse(413, self._too_large())
            return False
        return super().handle_expect_100()

    def do_GET(self) -> None:
        self._forward()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    # -- helpers ----------------------------------------------------------------------------

    def _too_long(self) -> str:
        return (
            f"request target longer than {self.server.owner.max_target_bytes} bytes; send long "
            "queries by POST (the limit is newskg serve --max-request-bytes)"
        )

    def _too_large(self) -> str:
        limit = self.server.owner.max_request_bytes
        return (
            f"request body larger than {limit} bytes (newskg serve --max-request-bytes); "
            "load large data with 'newskg build', or 'newskg push' to another store"
        )

    def _refuse(self, status: int, message: str, *, close: bool = True) -> None:
        body = (message + "\n").encode()
        if close:
            self.close_connection = True
        try:
            self.send_response_only(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _drain(self, size: int) -> None:
        """Read and drop up to ``size`` bytes of a refused request, so that closing the
        connection does not reset it before the client has read our answer."""
        self.connection.settimeout(2)
        with contextlib.suppress(OSError):
            while size > 0:
                chunk = self.rfile.read1(min(size, 1 << 16))  # type: ignore[attr-defined]
                if not chunk:
                    break
                size -= len(chunk)

    def _drain_line(self) -> None:
        self.connection.settimeout(2)
        with contextlib.suppress(OSError):
            left = DRAIN_LIMIT
            while left > 0:
                line = self.rfile.readline(1 << 16)
                if not line or line.endswith(b"\n"):
                    break
                left -= len(line)

    def _repeatable(self) -> bool:
        """Safe to send twice: anything but an update or a Graph Store POST."""
        path = urllib.parse.urlsplit(self.path).path
        return self.command in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE") or path.endswith(
            "/query"
        )

    def _read_body(self) -> bytes | None:
        """The request body, within the size limit; None when the request was refused."""
        limit = self.server.owner.max_request_bytes
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            self._refuse(400, f"bad Content-Length {length!r}")
            return None
        size = int(length)
        if size > limit:
            self._refuse(413, self._too_large())
            self._drain(min(size, DRAIN_LIMIT))
            return None
        body = self.rfile.read(size)
        if len(body) != size:
            self.close_connection = True
            return None
        return body

    def _read_chunked(self, limit: int) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self._refuse(400, "malformed chunked request body")
                return None
            if size == 0:
                while self.rfile.readline(1 << 16).strip():  # trailers
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                self._refuse(413, self._too_large())
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after the chunk

    def _forward(self) -> None:
        owner = self.server.owner
        if len(self.path) > owner.max_target_bytes:
            self._refuse(414, self._too_long())
            return
        body = self._read_body()
        if body is None:
            return
        deadline = time.monotonic() + owner.timeout if owner.timeout is not None else None
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _NOT_FORWARDED]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.append(("Host", f"127.0.0.1:{owner.backend_port}"))
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body))))
        generation = -1
        self.answered = False  # True once the first byte of the answer has gone out
        try:
            for attempt in range(2):
                generation, conn, reused = owner.connection()
                try:
                    response = conn.request(
                        self.command, self.path, headers, body, _remaining(deadline)
                    )
                    break
                except OSError as exc:
                    conn.close()
                    if isinstance(exc, TimeoutError):
                        raise QueryTimeout from None
                    if not owner.is_current(generation):
                        raise BackendGone from None
                    if not reused or attempt or not self._repeatable():
                        self._refuse(502, f"the SPARQL server (Oxigraph) did not answer: {exc}")
                        return
                    # a pooled connection that Oxigraph had closed: a query (never an
                    # update) is sent once more, on a fresh connection
            self._relay(response, deadline)
            if response.will_close:
                conn.close()
            else:
                owner.release(generation, conn)
        except QueryTimeout:
            conn.close()
            if self.answered:  # too late for a 503: cut the response short
                self.close_connection = True
            else:
                self._refuse(
                    503,
                    f"query timed out: it ran longer than this server's limit of "
                    f"{owner.timeout:g} s (newskg serve --timeout) and was stopped",
                    close=False,
                )
            owner.timed_out(generation)
        except BackendGone:
            if self.answered:  # too late for a 503: cut the response short
                conn.close()
                self.close_connection = True
            else:
                self._refuse(
                    503,
                    "the SPARQL server was restarted while it ran this request, because another "
                    "query exceeded the time limit; send the request again",
                    close=False,
                )
        except OSError:  # the client went away mid-response: drop the upstream connection
            conn.close()
            self.close_connection = True

    def _relay(self, response: BackendResponse, deadline: float | None) -> None:
        """Stream Oxigraph's response to the client. The status line and headers go out with
        the first piece of the body, in one write: nothing is sent before there is something
        to send, so a query that times out before its first result still gets a clean 503."""
        length = response.headers.get("Content-Length")
        no_body = self.command == "HEAD" or response.status in (204, 304) or response.status < 200
        chunked = not no_body and length is None and self.request_version == "HTTP/1.1"
        head = [f"{self.protocol_version} {response.status} {response.reason}\r\n"]
        head += [
            f"{name}: {value}\r\n"
            for name, value in response.headers.items()
            if name.lower() not in HOP_BY_HOP
        ]
        if chunked:
            head.append("Transfer-Encoding: chunked\r\n")
        elif not no_body and length is None:
            self.close_connection = True  # an HTTP/1.0 client: the end of the body is EOF
        if self.close_connection:
            head.append("Connection: close\r\n")
        pending = ("".join(head) + "\r\n").encode("latin-1")  # as backend_http decoded it
        if no_body:
            response.read()
            self._write(pending)
            return
        while True:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout
                response.conn.settimeout(left)
            try:
                chunk = response.read1(1 << 16)
            except TimeoutError:
                raise QueryTimeout from None
            except OSError:
                raise BackendGone from None
            if not chunk:
                break
            pending += b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk
            if response.done:
                break  # the whole body: answer now, without one more read
            self._write(pending)
            pending = b""
        self._write(pending + (b"0\r\n\r\n" if chunked else b""))

    def _write(self, data: bytes) -> None:
        if data:
            self.answered = True
            self.wfile.write(data)


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise QueryTimeout
    return left
