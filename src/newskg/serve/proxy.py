"""The public side of ``newskg serve``: an HTTP/1.1 proxy in front of Oxigraph, framed by h11.

h11 (sans-I/O HTTP/1.1 from the httpx authors) parses and frames every message; this module
owns the sockets and so can bound what a client may cost:

* **time**: a request, headers and body, must arrive whole within
  :data:`REQUEST_TIMEOUT_S` of its first byte (of the connection's opening, for the first),
  and an idle kept-alive connection is closed after :data:`IDLE_TIMEOUT_S`;
* **size**: a body over ``max_request_bytes`` gets 413, a longer request target 414, a
  header section over :data:`MAX_HEADER_BYTES` or :data:`MAX_HEADERS` fields 431; a
  malformed message (a bad ``Content-Length`` or chunk size, two ``Content-Length`` fields)
  gets 400, before anything reaches Oxigraph;
* **connections**: at most ``max_connections`` at once. When they are all taken, the
  connection that has waited longest for a request (idle, or still sending one) is closed to
  make room; only when every one is being answered does the newcomer get 503;
* **who may ask** (:mod:`newskg.serve.policy`): the ``Host`` must be the served address
  (DNS rebinding), a web page of another origin may only read (CSRF), writes need the token
  when one is set, and a query that would make Oxigraph fetch a URL (``SERVICE``) is refused;
* **a query timeout that really stops a query**: past the timeout the client gets 503 and the
  supervisor restarts Oxigraph (:mod:`newskg.serve.supervisor`).
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Protocol

import h11

from newskg.serve.backend import BackendConnection, BackendLost, QueryTimeout
from newskg.serve.policy import MAX_HEADER_BYTES, Limits, check_body, check_head
from newskg.serve.supervisor import MEMORY, TIMEOUT, Stopped

REQUEST_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 15.0
SEND_TIMEOUT_S = 30.0  # a client that reads nothing of its answer for this long is dropped
DRAIN_LIMIT = 8 << 20  # how much of a refused body we read, so that the client sees the 413
DRAIN_S = 2.0
READ_SIZE = 1 << 16
POOL_SIZE = 32
# Hop-by-hop headers (RFC 9110 7.6.1) are about one connection and never forwarded; nor is
# what h11 frames anew (Content-Length) or what the proxy has answered itself (Expect).
HOP_BY_HOP = frozenset(
    b"connection keep-alive proxy-authenticate proxy-authorization proxy-connection te "
    b"trailer transfer-encoding upgrade content-length expect".split()
)

# Oxigraph's Content-Length is kept: h11 then frames the answer with it, not chunked.
_NOT_RELAYED = HOP_BY_HOP - {b"content-length"}

IDLE, READING, BUSY = "idle", "reading", "busy"


class Backend(Protocol):
    """What the proxy needs of the Oxigraph behind it (a :class:`Supervisor`)."""

    timeout: float | None

    def current(self) -> tuple[int, int]: ...

    def timed_out(self, generation: int, busy: Callable[[int], int] | None = None) -> None: ...

    def lost(self, generation: int) -> str | None: ...


@dataclass
class _Client:
    sock: socket.socket
    state: str = IDLE
    since: float = field(default_factory=time.monotonic)
    evicted: bool = False


class Proxy:
    """Listens on ``address`` and serves each connection on a thread of its own."""

    def __init__(self, address: tuple[str, int], backend: Backend, limits: Limits) -> None:
        self.backend = backend
        self.limits = limits
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind((address[0].strip("[]"), address[1]))
            self.listener.listen(128)
        except OSError:
            self.listener.close()
            raise
        self.port = int(self.listener.getsockname()[1])
        self.refused_connections = 0  # turned away with 503: every connection was busy
        self.evicted_connections = 0  # closed to make room for a new one
        self._clients: dict[int, _Client] = {}
        self._lock = threading.Lock()
        self._busy: Counter[int] = Counter()  # requests in flight, by Oxigraph generation
        self._pool: list[BackendConnection] = []
        self._pool_lock = threading.Lock()
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, name="newskg-proxy", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.listener.close()
        with self._lock:
            clients = list(self._clients.values())
        for client in clients:
            with contextlib.suppress(OSError):
                client.sock.shutdown(socket.SHUT_RDWR)
        with self._pool_lock:
            pool, self._pool = self._pool, []
        for conn in pool:
            conn.close()

    @property
    def active(self) -> int:
        """Client connections served now."""
        with self._lock:
            return len(self._clients)

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE):  # out of files: let some close
                    time.sleep(0.1)
                    continue
                return  # the listener was closed
            client = _Client(sock)
            if not self._admit(client):
                threading.Thread(target=_refuse_busy, args=(sock,), daemon=True).start()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _admit(self, client: _Client) -> bool:
        """Make room for ``client`` within the connection cap, closing the connection that
        has waited longest for a request if need be; False when every one is busy."""
        with self._lock:
            if len(self._clients) >= self.limits.max_connections:
                waiting = [c for c in self._clients.values() if c.state != BUSY]
                if not waiting:
                    self.refused_connections += 1
                    return False
                victim = min(waiting, key=lambda c: c.since)
                victim.evicted = True
                del self._clients[id(victim)]
                self.evicted_connections += 1
                with contextlib.suppress(OSError):
                    victim.sock.shutdown(socket.SHUT_RDWR)  # its thread then ends
            self._clients[id(client)] = client
            return True

    def _set(self, client: _Client, state: str) -> None:
        with self._lock:
            client.state, client.since = state, time.monotonic()

    # -- one connection -----------------------------------------------------------------------

    def _serve(self, client: _Client) -> None:
        sock = client.sock
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            http = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head)
            first = True
            while not client.evicted and not self._closing.is_set():
                self._set(client, IDLE)
                request = _Reader(self, client, http, first).read()
                if request is None:
                    break
                if request is not _ANSWERED:  # refused, and the connection may go on
                    self._set(client, BUSY)
                    self._answer(sock, http, request)
                if http.our_state is not h11.DONE or http.their_state is not h11.DONE:
                    break
                http.start_next_cycle()
                first = False
        except (OSError, h11.ProtocolError):
            pass  # the client went away, or broke HTTP after its answer began
        finally:
            with self._lock:
                self._clients.pop(id(client), None)
            with contextlib.suppress(OSError):
                sock.close()

    def _answer(self, sock: socket.socket, http: h11.Connection, request: _Request) -> None:
        """Forward one request to Oxigraph and stream its answer back."""
        backend = self.backend
        deadline = time.monotonic() + backend.timeout if backend.timeout else None
        headers = [(k, v) for k, v in request.event.headers if k.lower() not in HOP_BY_HOP]
        if not any(k.lower() == b"host" for k, _ in headers):  # an HTTP/1.0 client's request
            headers.append((b"host", b"127.0.0.1"))
        if request.body or request.event.method in (b"POST", b"PUT", b"PATCH"):
            headers.append((b"content-length", str(len(request.body)).encode()))
        answered = False  # the first byte of the answer has gone out: too late for a 503
        generation = -1
        conn: BackendConnection | None = None  # counted in flight while it is set
        try:
            for attempt in range(2):
                conn = self._connection()
                generation = conn.generation
                try:
                    response = conn.request(
                        request.event.method, request.event.target, headers, request.body, deadline
                    )
                    break
                except BackendLost:
                    failed, conn = conn, None
                    failed.close()
                    self._done(failed)
                    # a pooled connection that Oxigraph had closed meanwhile: a request that
                    # is safe to repeat is sent once more, on a fresh connection
                    if attempt or not failed.reused or not request.repeatable:
                        raise
            assert conn is not None
            kept = [(k, v) for k, v in response.headers if k.lower() not in _NOT_RELAYED]
            head = h11.Response(
                status_code=response.status_code, headers=kept, reason=response.reason
            )
            pending = b""
            for piece in conn.body(deadline):
                if not answered:
                    pending = http.send(head)
                _send(sock, pending + http.send(h11.Data(data=piece)))
                answered, pending = True, b""
            if not answered:
                pending = http.send(head)
            _send(sock, pending + http.send(h11.EndOfMessage()))
            answered = True
            done, conn = conn, None
            self._done(done)
            if done.reusable():
                self._release(done)
            else:
                done.close()
        except QueryTimeout:
            if conn is not None:
                done, conn = conn, None
                done.close()
                self._done(done)
            if answered:
                backend.timed_out(generation, self._in_flight)
                raise OSError("answer cut short by the timeout") from None
            self._say(sock, http, 503, _TIMED_OUT.format(timeout=backend.timeout or 0))
            backend.timed_out(generation, self._in_flight)
        except BackendLost as exc:
            if conn is not None:
                done, conn = conn, None
                done.close()
                self._done(done)
            why = backend.lost(generation)
            if answered:
                raise OSError("answer cut short: Oxigraph went away") from None
            if why is None:
                self._say(sock, http, 502, f"the SPARQL server (Oxigraph) did not answer: {exc}")
            else:
                self._say(sock, http, 503, _LOST[why].format(timeout=backend.timeout or 0))
        except Stopped:
            self._say(sock, http, 503, "the SPARQL server is stopping", close=True)
        finally:
            if conn is not None:  # the client went away in the middle of the answer
                conn.close()
                self._done(conn)

    def _say(
        self,
        sock: socket.socket,
        http: h11.Connection,
        status: int,
        message: str,
        *,
        close: bool = False,
    ) -> None:
        _send(sock, _message(http, status, message, close=close))

    # -- connections to Oxigraph ------------------------------------------------------------

    def _connection(self) -> BackendConnection:
        """A connection to the running Oxigraph, counted in flight until :meth:`_done`."""
        generation, port = self.backend.current()  # waits while Oxigraph restarts
        with self._pool_lock:
            self._busy[generation] += 1
            while self._pool:
                conn = self._pool.pop()
                if conn.generation == generation and conn.still_open():
                    conn.reused = True
                    return conn
                conn.close()
        return BackendConnection(port, generation)

    def _done(self, conn: BackendConnection) -> None:
        with self._pool_lock:
            self._busy[conn.generation] -= 1
            if self._busy[conn.generation] <= 0:
                del self._busy[conn.generation]

    def _in_flight(self, generation: int) -> int:
        with self._pool_lock:
            return self._busy[generation]

    def _release(self, conn: BackendConnection) -> None:
        with self._pool_lock:
            if len(self._pool) < POOL_SIZE:
                self._pool.append(conn)
                return
        conn.close()


@dataclass(frozen=True)
class _Request:
    event: h11.Request
    body: bytes

    @property
    def repeatable(self) -> bool:
        """Safe to send twice: anything but an update or a Graph Store POST."""
        path = self.event.target.split(b"?", 1)[0]
        return self.event.method in (b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE") or (
            path.endswith(b"/query")
        )


_ANSWERED = _Request(h11.Request(method="GET", target="/", headers=[("Host", "x")]), b"")


class _Reader:
    """Reads one request from a client connection, within the proxy's limits, and answers
    the refusals itself."""

    def __init__(self, proxy: Proxy, client: _Client, http: h11.Connection, first: bool) -> None:
        self.proxy, self.client, self.http = proxy, client, http
        self.limits = proxy.limits
        now = time.monotonic()
        # the first request of a connection must come within the request time; later ones
        # may wait while the connection idles
        self.deadline = now + (REQUEST_TIMEOUT_S if first else IDLE_TIMEOUT_S)
        self.started = False  # a byte of this request has arrived
        self.head = bytearray()  # the raw header section, up to the limits
        self.head_done = False
        self.received = 0

    def read(self) -> _Request | None:
        """The next request; None when the connection is to be closed, or :data:`_ANSWERED`
        when the request was refused and the connection goes on."""
        http, limits = self.http, self.limits
        event_head: h11.Request | None = None
        body = bytearray()
        continued = False
        while True:
            try:
                event = http.next_event()
            except h11.RemoteProtocolError as exc:
                self._refuse(*self._protocol_error(exc))
                return None
            if event is h11.NEED_DATA:
                if (
                    event_head is not None
                    and http.client_is_waiting_for_100_continue
                    and not continued
                ):
                    _send(
                        self.client.sock,
                        http.send(h11.InformationalResponse(status_code=100, headers=[])),
                    )
                    continued = True
                data = self._receive()
                if data is None:
                    return None
                http.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                self.head_done = True
                refusal = check_head(event, bytes(self.head), limits)
                if refusal is not None:
                    self._refuse(
                        refusal.status, refusal.message, drain=refusal.drain, extra=refusal.headers
                    )
                    return None
                event_head = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > limits.max_request_bytes:
                    self._refuse(413, limits.too_large(), drain=DRAIN_LIMIT)
                    return None
            elif isinstance(event, h11.EndOfMessage):
                assert event_head is not None
                refusal = check_body(event_head, bytes(body), limits)
                if refusal is not None:
                    self._refuse(refusal.status, refusal.message, close=False)
                    return _ANSWERED
                return _Request(event_head, bytes(body))
            else:  # ConnectionClosed between requests
                return None

    def _receive(self) -> bytes | None:
        """The next bytes from the client, b"" at its end; None when time is up (answered
        408 if a request had begun) or the connection was closed to make room."""
        sock = self.client.sock
        left = self.deadline - time.monotonic()
        if left <= 0:
            if self.started:
                self._refuse(
                    408, f"the request did not arrive whole within {REQUEST_TIMEOUT_S:g} s"
                )
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(READ_SIZE)
        except TimeoutError:
            return self._receive()
        except OSError:
            return None
        if self.client.evicted:
            return None
        if data and not self.started:
            self.started = True
            self.deadline = time.monotonic() + REQUEST_TIMEOUT_S
            self.proxy._set(self.client, READING)
        self.received += len(data)
        if not self.head_done:
            self.head += data
            if self._head_too_large():
                return None
        elif self.received > self.limits.max_received:
            self._refuse(413, self.limits.too_large(), drain=DRAIN_LIMIT)
            return None
        return data

    def _head_too_large(self) -> bool:
        head = self.head
        line_end = head.find(b"\n")
        if line_end < 0:
            if len(head) > self.limits.max_target + 64:
                self._refuse(414, self.limits.too_long())
                return True
            return False
        ends = [
            i
            for i in (head.find(b"\n\r\n", line_end - 1), head.find(b"\n\n", line_end - 1))
            if i >= 0
        ]
        section = (min(ends) if ends else len(head)) - line_end
        if section > MAX_HEADER_BYTES:
            self._refuse(431, f"header section larger than {MAX_HEADER_BYTES} bytes")
            return True
        return False

    def _protocol_error(self, exc: h11.RemoteProtocolError) -> tuple[int, str]:
        line = bytes(self.head.split(b"\n", 1)[0])
        version = line.rsplit(b" ", 1)[-1].strip()
        if version.startswith(b"HTTP/") and version[5:6].isdigit() and version[5:6] >= b"2":
            return 505, f"HTTP version {version.decode('latin-1')} is not supported"
        if exc.error_status_hint == 431 and b"\n" not in self.head:
            return 414, self.limits.too_long()
        return exc.error_status_hint, f"malformed request: {exc}"

    def _refuse(
        self,
        status: int,
        message: str,
        *,
        close: bool = True,
        drain: int = 0,
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        sock = self.client.sock
        with contextlib.suppress(OSError):
            _send(sock, _message(self.http, status, message, close=close, extra=extra))
            if close:
                _drain(sock, drain)


def _message(
    http: h11.Connection,
    status: int,
    message: str,
    *,
    close: bool = False,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> bytes:
    """A short plain-text answer, framed by h11 (empty when an answer has already begun)."""
    if http.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
        return b""
    body = (message + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)),
    ]
    headers += list(extra)
    if status == 503:
        headers.append((b"retry-after", b"1"))
    if close or http.their_state is h11.ERROR:
        headers.append((b"connection", b"close"))
    reason = HTTPStatus(status).phrase.encode() if status in _STATUSES else b""
    out = http.send(h11.Response(status_code=status, headers=headers, reason=reason))
    out += http.send(h11.Data(data=body))
    return out + http.send(h11.EndOfMessage())


def _send(sock: socket.socket, data: bytes) -> None:
    if data:
        sock.settimeout(SEND_TIMEOUT_S)
        sock.sendall(data)


def _drain(sock: socket.socket, size: int) -> None:
    """Stop sending, then read and drop up to ``size`` bytes of a refused request, so that
    closing the connection does not reset it before the client has read our answer."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + DRAIN_S
        while size > 0 and (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            chunk = sock.recv(min(size, READ_SIZE))
            if not chunk:
                break
            size -= len(chunk)


def _refuse_busy(sock: socket.socket) -> None:
    """Answer a connection over the cap without reading its request: 503 with Retry-After,
    then close. Sent at once, it usually reaches the client before any request it sends."""
    body = b"too many connections to this server at once; retry in a moment\n"
    head = (
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.settimeout(1)
        sock.sendall(head.encode("ascii") + body)
        _drain(sock, 1 << 16)
    with contextlib.suppress(OSError):
        sock.close()


_STATUSES = {s.value for s in HTTPStatus}
_TIMED_OUT = (
    "query timed out: it ran longer than this server's limit of {timeout:g} s "
    "(newskg serve --timeout) and was stopped"
)
_LOST: dict[str, str] = {
    TIMEOUT: "the SPARQL server was restarted while it ran this request, because another query "
    "exceeded the time limit; send the request again",
    MEMORY: "the SPARQL server reached its memory cap (newskg serve --max-memory) while it ran "
    "this request, and was restarted; a query that needs more memory is refused this way",
    "died": "the SPARQL server (Oxigraph) stopped while it ran this request, and was "
    "restarted; send the request again",
}
