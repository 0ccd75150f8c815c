"""The public side of ``newskg serve``: an HTTP/1.1 proxy in front of Oxigraph, framed by h11.

h11 (sans-I/O HTTP/1.1 from the httpx authors) parses and frames every message; this module
owns the sockets and so can bound what a client may cost:

* **time and size** (:mod:`newskg.serve.request`): a request must arrive whole within a
  deadline, not a byte now and then; a body over ``max_request_bytes`` gets 413, a longer
  request target 414, too large a header section 431, a malformed message (a bad
  ``Content-Length`` or chunk size, two ``Content-Length`` fields) 400, before anything
  reaches Oxigraph;
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
from typing import Protocol

import h11

from newskg.serve.backend import BackendConnection, BackendLost, QueryTimeout
from newskg.serve.policy import Limits
from newskg.serve.request import (
    ANSWERED,
    BUSY,
    IDLE,
    Client,
    Request,
    RequestReader,
    drain_refused,
    send,
    short_answer,
)
from newskg.serve.site import Site
from newskg.serve.supervisor import MEMORY, TIMEOUT, Stopped

POOL_SIZE = 32
# An answer is held back up to this size (per connection: at most max_connections times it).
RELAY_HOLD_BYTES = 1 << 20
# Hop-by-hop headers (RFC 9110 7.6.1) are about one connection and never forwarded; nor is
# what h11 frames anew (Content-Length) or what the proxy has answered itself (Expect).
HOP_BY_HOP = frozenset(
    b"connection keep-alive proxy-authenticate proxy-authorization proxy-connection te "
    b"trailer transfer-encoding upgrade content-length expect".split()
)

# Oxigraph's Content-Length is kept: h11 then frames the answer with it, not chunked.
_NOT_RELAYED = HOP_BY_HOP - {b"content-length"}


class Backend(Protocol):
    """What the proxy needs of the Oxigraph behind it (a :class:`Supervisor`)."""

    timeout: float | None

    def current(self) -> tuple[int, int]: ...

    def timed_out(self, generation: int, busy: Callable[[int], int] | None = None) -> None: ...

    def lost(self, generation: int) -> str | None: ...


class Proxy:
    """Listens on ``address`` and serves each connection on a thread of its own."""

    def __init__(
        self, address: tuple[str, int], backend: Backend, limits: Limits, site: Site | None = None
    ) -> None:
        self.backend = backend
        self.limits = limits
        self.site = site  # the pages of node IRIs, answered here rather than by Oxigraph
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
        self._clients: dict[int, Client] = {}
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
            client = Client(sock)
            if not self._admit(client):
                threading.Thread(target=_refuse_busy, args=(sock,), daemon=True).start()
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _admit(self, client: Client) -> bool:
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

    def set_state(self, client: Client, state: str) -> None:
        with self._lock:
            client.state, client.since = state, time.monotonic()

    # -- one connection -----------------------------------------------------------------------

    def _serve(self, client: Client) -> None:
        sock = client.sock
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            http = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head)
            first = True
            while not client.evicted and not self._closing.is_set():
                self.set_state(client, IDLE)
                request = RequestReader(self, client, http, first).read()
                if request is None:
                    break
                if request is not ANSWERED:  # refused, and the connection may go on
                    self.set_state(client, BUSY)
                    site = self.site
                    if site is None or not site.respond(sock, http, request.event):
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

    def _answer(self, sock: socket.socket, http: h11.Connection, request: Request) -> None:
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
            # Held back until the answer is whole or large: a query that times out before
            # then still gets a clean 503, and a small answer goes out in one write.
            held: list[bytes] = []
            size = 0
            for piece in conn.body(deadline):
                if answered:
                    send(sock, http.send(h11.Data(data=piece)))
                    continue
                held.append(piece)
                size += len(piece)
                if size >= RELAY_HOLD_BYTES:
                    send(sock, http.send(head) + http.send(h11.Data(data=b"".join(held))))
                    answered = True
            out = b"" if answered else http.send(head)
            if not answered and held:
                out += http.send(h11.Data(data=b"".join(held)))
            send(sock, out + http.send(h11.EndOfMessage()))
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
        send(sock, short_answer(http, status, message, close=close))

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
        drain_refused(sock, 1 << 16)
    with contextlib.suppress(OSError):
        sock.close()


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
