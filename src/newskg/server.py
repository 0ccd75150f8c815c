"""``newskg serve`` and ``newskg push``: the graph over HTTP.

``serve`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package
``oxigraph``) as a subprocess rather than a SPARQL server of our own, so that users get a
complete SPARQL 1.1 Protocol implementation (content negotiation, GET/POST, Graph Store
Protocol) and the YASGUI query page, maintained upstream. It opens the store read-only, so it
can run while ``newskg build`` writes the next store aside.

Oxigraph listens on an internal loopback port only. The public port belongs to a small
threaded reverse proxy in this module, which adds what Oxigraph lacks:

* a **query timeout that really stops a query**: Oxigraph's own ``--timeout-s`` is
  cooperative and does not interrupt, for example, an aggregate over a cross product. When a
  request outlives the timeout the proxy answers ``503`` and kills and restarts Oxigraph,
  the only way to stop that evaluation (other requests in flight then get ``503`` too);
* a **request size limit**: bodies over ``max_request_bytes`` get ``413`` and longer request
  targets (GET query strings) ``414``, before anything reaches Oxigraph.

The proxy streams bodies through, keeps every end-to-end header, and holds a pool of
keep-alive connections to Oxigraph, so it adds well under a millisecond per request.

``push`` speaks the SPARQL 1.1 Graph Store Protocol: one ``PUT ?graph=<iri>`` per named graph,
which replaces that graph on the remote side, so pushing twice never duplicates statements.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import ctypes
import errno
import functools
import ipaddress
import math
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import pyoxigraph as ox

from newskg.backend_http import (
    BackendConnection,
    BackendResponse,
    HeaderError,
    Headers,
    read_headers,
)
from newskg.errors import NewskgError, StoreError, location_of
from newskg.store import open_store

BINARY = "oxigraph"
READY_TIMEOUT_S = 30.0
DEFAULT_MAX_REQUEST_BYTES = 1 << 20  # 1 MiB: far above any hand-written query
IDLE_TIMEOUT_S = 60.0  # a client connection that sends nothing for this long is closed
DRAIN_LIMIT = 8 << 20  # how much of a refused body we read, so that the client sees the 413
POOL_SIZE = 32
# Client connections served at once (each holds a thread while it is open); more get 503.
DEFAULT_MAX_CONNECTIONS = 64
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

# How long an Oxigraph replaced after a rebuild keeps answering the requests it had, when no
# --timeout bounds them.
RETIRE_GRACE_S = 30.0


class ServerError(StoreError):
    """The SPARQL server cannot be started, or a remote store refused what we sent."""


def find_oxigraph() -> str:
    """The ``oxigraph`` executable: next to this Python first (the venv that has newskg also
    has the ``oxigraph`` dependency, even when the venv is not activated), then on PATH."""
    beside = Path(sys.executable).parent / BINARY
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(BINARY)
    if found:
        return found
    raise ServerError(
        "the 'oxigraph' server program is not installed",
        hint="install it into this environment: pip install oxigraph",
    )


def _store_path(kg: Path) -> Path:
    """Where ``kg/`` or ``kg/store`` points now, without opening the store (cheap to poll)."""
    path = kg / "store" if (kg / "store").exists() and not (kg / "CURRENT").exists() else kg
    return path.resolve()


def resolve_store(kg: Path) -> Path:
    """``kg/`` or ``kg/store`` -> the real store directory behind the ``kg/store`` symlink.

    Resolved once, so that the server keeps reading one consistent build even if a new build
    is swapped in meanwhile (``newskg serve`` notices the swap and restarts)."""
    open_store(kg)  # the clear "run 'newskg build' first" error when there is no store
    return _store_path(kg)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now (the OS picks it); the caller binds it soon after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def exposure_warning(host: str, read_write: bool) -> str | None:
    """What ``newskg serve`` prints when it listens beyond this machine (None on loopback)."""
    if is_loopback(host):
        return None
    if read_write:
        return (
            f"warning: serving READ-WRITE on {host}: anyone who can reach this address can "
            "change or delete the served store; there is no authentication"
        )
    return (
        f"warning: serving on {host}: anyone who can reach this address can query the graph; "
        "there is no authentication"
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class _Timeout(Exception):
    """The request outlived the server's query timeout."""


class _BackendGone(Exception):
    """Oxigraph closed the connection or is not running."""


class Server:
    """The Oxigraph SPARQL server on a built store, behind newskg's proxy, as a context
    manager.

    >>> with Server("kg") as server:                      # doctest: +SKIP
    ...     urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D")

    ``port=0`` picks a free port. ``timeout`` (seconds) stops any request that runs longer,
    by restarting Oxigraph if need be; ``max_request_bytes`` caps request bodies and targets;
    ``max_connections`` caps the client connections served at once (the next ones get 503).

    ``read_only=False`` starts a writable server. It never writes to the build: with ``kg``
    alone it serves a copy of the built store in a temporary folder, removed by ``stop()``;
    with ``location`` it serves that folder, made as a copy of the build when it does not
    exist (or an empty store when ``kg`` is None). ``location`` may not be inside ``kg``.
    """

    def __init__(
        self,
        kg: Path | str | None = "kg",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout: float | None = None,
        read_only: bool = True,
        location: Path | str | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if timeout is not None and not 0 < timeout < math.inf:
            timeout = None  # 0, negative or infinite: no limit
        self.kg = Path(kg) if kg is not None else None
        self.host = host
        self.requested_port = port
        self.port = port
        self.timeout = timeout
        self.read_only = read_only
        self.location = Path(location) if location is not None else None
        self.max_request_bytes = max_request_bytes
        self.max_connections = max(1, max_connections)
        self.refused_connections = 0  # connections turned away with 503 (over the cap)
        self.store_dir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.backend_port = 0
        self.restarts = 0  # Oxigraph restarts caused by timeouts
        self.log: Callable[[str], None] | None = None
        self._proxy: _ProxyServer | None = None
        self._proxy_thread: threading.Thread | None = None
        self._lock = threading.RLock()  # held while Oxigraph (re)starts
        self._generation = 0  # bumped at every (re)start: pooled connections of older ones die
        self._pool: list[tuple[int, BackendConnection]] = []
        self._pool_lock = threading.Lock()
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        # Oxigraphs replaced by restart(), still finishing the requests they had
        self._retiring: list[tuple[threading.Timer, subprocess.Popen[bytes], IO[bytes] | None]] = []
        self._stderr: IO[bytes] | None = None
        self._spawner: concurrent.futures.ThreadPoolExecutor | None = None  # see _spawn

    # -- URLs -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The query page (YASGUI)."""
        return f"http://{_url_host(self.host)}:{self.port}/"

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 Protocol query endpoint."""
        return self.url + "query"

    @property
    def update_url(self) -> str:
        return self.url + "update"

    @property
    def store_url(self) -> str:
        """SPARQL 1.1 Graph Store Protocol endpoint."""
        return self.url + "store"

    @property
    def backend_url(self) -> str:
        """Oxigraph itself, on its internal loopback port (no timeout, no limits)."""
        return f"http://127.0.0.1:{self.backend_port}/"

    @property
    def max_target_bytes(self) -> int:
        """Longest request target (path and query string) the proxy accepts."""
        return self.max_request_bytes

    # -- life cycle -----------------------------------------------------------------------

    def command(self) -> list[str]:
        if self.read_only:
            if self.kg is None:
                raise ServerError("a read-only server needs a built graph folder (kg)")
            self.store_dir = resolve_store(self.kg)
            args = [find_oxigraph(), "serve-read-only", "--location", str(self.store_dir)]
        else:
            args = [find_oxigraph(), "serve"]
            if self.store_dir is not None:
                args += ["--location", str(self.store_dir)]
        args += ["--bind", f"127.0.0.1:{self.backend_port}", "--union-default-graph"]
        if self.timeout is not None:
            # Oxigraph's own, cooperative timeout, a second later than the proxy's: a backstop
            # for clients of the internal port; the proxy's deadline fires first.
            args += ["--timeout-s", str(int(self.timeout) + 1)]
        return args

    def _writable_store(self) -> Path | None:
        """The folder a read-write server writes to, prepared; never the build's own."""
        build = resolve_store(self.kg) if self.kg is not None else None
        if self.location is None:
            if build is None:
                return None  # an empty in-memory store
            self._copy = tempfile.TemporaryDirectory(prefix="newskg-serve-")
            target = Path(self._copy.name) / "store"
        else:
            target = self.location.resolve()
            if build is not None and self.kg is not None:
                kg_dir = self.kg.resolve()
                if _inside(target, build) or _inside(build, target) or _inside(target, kg_dir):
                    raise ServerError(
                        f"refusing to serve {self.location} read-write: it is part of the "
                        "built graph, and writing to it would change the graph behind its "
                        "exports",
                        location=location_of(self.location),
                        hint="pass --store a folder outside kg/, or leave --store out to "
                        "serve a temporary copy",
                    )
            if target.exists() and any(target.iterdir()):
                return target  # a writable store made earlier: keep what was written to it
            with contextlib.suppress(OSError):
                target.rmdir()
            if build is None:
                target.mkdir(parents=True)
                return target
            target.parent.mkdir(parents=True, exist_ok=True)
        # A RocksDB checkpoint: hard links where it can, so even a large store copies fast.
        ox.Store.read_only(str(build)).backup(str(target))
        return target

    def start(self) -> Self:
        """Start Oxigraph and the proxy, and return once queries are answered."""
        try:
            self._proxy = _ProxyServer((self.host, self.requested_port), self)
        except OSError as exc:
            raise ServerError(
                f"cannot listen on {self.host} port {self.requested_port}: "
                + (
                    "it is already in use"
                    if exc.errno == errno.EADDRINUSE
                    else str(exc.strerror or exc)
                ),
                hint="stop the other server, or pick another --port (0 picks a free one)",
            ) from None
        self.port = int(self._proxy.server_address[1])
        try:
            if not self.read_only:
                self.store_dir = self._writable_store()
            with self._lock:
                self._start_backend()
        except BaseException:
            self.stop()
            raise
        self._proxy_thread = threading.Thread(
            target=self._proxy.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        self._proxy_thread.start()
        return self

    def _start_backend(self) -> None:
        last_error = ""
        # A port picked by free_port() can be taken by someone else before oxigraph binds it;
        # retrying with a new port makes that race harmless.
        for _ in range(3):
            self.backend_port = free_port("127.0.0.1")
            command = self.command()
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _stop_backend)
            self.process = self._spawn(command, self._stderr)
            error = self._wait_ready()
            if error is None:
                self._generation += 1
                return
            last_error = error
            self._stop_backend()
        raise ServerError(
            f"the SPARQL server did not start: {last_error}",
            hint="check that no other process holds the store",
        )

    def _spawn(self, command: list[str], stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        """Start Oxigraph so that it dies with us, even when we are SIGKILLed (no handler
        runs then). Linux delivers the parent-death signal when the *thread* that forked
        the child ends, and restarts happen on short-lived request threads, so every
        Oxigraph is forked by one thread that lives as long as the server."""
        if self._spawner is None:
            self._spawner = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="newskg-oxigraph"
            )
        return self._spawner.submit(
            subprocess.Popen,
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=functools.partial(_die_with_parent, os.getpid()),
        ).result()

    def _wait_ready(self) -> str | None:
        """None once Oxigraph answers; its own message if it exits."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        probe = self.backend_url + "query?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                assert self._stderr is not None
                self._stderr.seek(0)
                err = self._stderr.read().decode("utf-8", "replace").strip()
                return err or f"exit {self.process.returncode}"
            try:
                request = urllib.request.Request(
                    probe, headers={"Accept": "application/sparql-results+json"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200 and self.process.poll() is None:
                        return None
            except (OSError, urllib.error.URLError):
                time.sleep(0.02)
        return f"no answer on {self.backend_url} after {READY_TIMEOUT_S:.0f}s"

    def _stop_backend(self, *, kill: bool = False) -> None:
        process, self.process = self.process, None
        self._generation += 1
        self._close_pool()
        if process is not None:
            _end_process(process, kill=kill)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def stop(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            if self._proxy_thread is not None:
                proxy.shutdown()
                self._proxy_thread.join(timeout=10)
                self._proxy_thread = None
            proxy.server_close()
            proxy.close_connections()
        with self._lock:
            self._stop_backend()
            retiring, self._retiring = self._retiring, []
        for timer, process, stderr in retiring:
            timer.cancel()
            self._retire(process, stderr, now=True)
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None
        spawner, self._spawner = self._spawner, None
        if spawner is not None:
            spawner.shutdown(wait=True)

    def restart(self) -> None:
        """Switch to a fresh Oxigraph (``newskg serve`` does this after a rebuild) without
        failing a request: the new one starts first, new requests go to it, and the old one
        is stopped once the requests it is answering have had time to finish."""
        with self._lock:
            old = (self.process, self._stderr)
            self.process, self._stderr = None, None  # a failed start must not stop the old one
            try:
                self._start_backend()
            except BaseException:
                self.process, self._stderr = old
                raise
        self._close_pool()
        if old[0] is not None:
            grace = (self.timeout or RETIRE_GRACE_S) + 1
            timer = threading.Timer(grace, self._retire, args=old)
            timer.daemon = True
            with self._lock:
                self._retiring.append((timer, old[0], old[1]))
            timer.start()

    def _retire(
        self, process: subprocess.Popen[bytes], stderr: IO[bytes] | None, *, now: bool = False
    ) -> None:
        """Stop an Oxigraph that a restart replaced (after its grace period, or ``now``)."""
        with self._lock:
            self._retiring = [r for r in self._retiring if r[1] is not process]
        _end_process(process, kill=now)
        if stderr is not None:
            stderr.close()

    def _timed_out(self, generation: int) -> None:
        """Kill the Oxigraph that runs an over-long query, and start a fresh one."""
        with self._lock:
            if generation != self._generation or self._proxy is None:
                return  # another request restarted it already, or we are stopping
            self._stop_backend(kill=True)
            self._start_backend()
            self.restarts += 1
        if self.log is not None:
            self.log(f"a request ran longer than {self.timeout:g}s; Oxigraph was restarted")

    @property
    def running(self) -> bool:
        with self._lock:
            return (
                self._proxy is not None and self.process is not None and self.process.poll() is None
            )

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- connections to Oxigraph ----------------------------------------------------------

    def _connection(self) -> tuple[int, BackendConnection, bool]:
        """(generation, connection, reused): a pooled keep-alive connection when one is idle."""
        with self._lock:  # waits while Oxigraph restarts
            generation, port = self._generation, self.backend_port
            if self.process is None:
                raise _BackendGone
        with self._pool_lock:
            while self._pool:
                gen, conn = self._pool.pop()
                if gen == generation and conn.still_open():
                    return generation, conn, True
                conn.close()
        return generation, BackendConnection(port), False

    def _close_pool(self) -> None:
        """Close the idle connections to Oxigraph (they belong to one that is going away)."""
        with self._pool_lock:
            pool, self._pool = self._pool, []
        for _, conn in pool:
            conn.close()

    def _release(self, generation: int, conn: BackendConnection) -> None:
        with self._pool_lock:
            if generation == self._generation and len(self._pool) < POOL_SIZE:
                self._pool.append((generation, conn))
                return
        conn.close()


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], owner: Server) -> None:
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
    server: _ProxyServer

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
                generation, conn, reused = owner._connection()
                try:
                    response = conn.request(
                        self.command, self.path, headers, body, _remaining(deadline)
                    )
                    break
                except OSError as exc:
                    conn.close()
                    if isinstance(exc, TimeoutError):
                        raise _Timeout from None
                    with owner._lock:
                        restarted = generation != owner._generation
                    if restarted:
                        raise _BackendGone from None
                    if not reused or attempt or not self._repeatable():
                        self._refuse(502, f"the SPARQL server (Oxigraph) did not answer: {exc}")
                        return
                    # a pooled connection that Oxigraph had closed: a query (never an
                    # update) is sent once more, on a fresh connection
            self._relay(response, deadline)
            if response.will_close:
                conn.close()
            else:
                owner._release(generation, conn)
        except _Timeout:
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
            owner._timed_out(generation)
        except _BackendGone:
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
                    raise _Timeout
                response.conn.settimeout(left)
            try:
                chunk = response.read1(1 << 16)
            except TimeoutError:
                raise _Timeout from None
            except OSError:
                raise _BackendGone from None
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


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # looked up before any fork: the child only calls it
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """In the forked child, before exec: SIGKILL when the forking thread (see
    Server._spawn) or the whole newskg process goes away. Elsewhere than Linux a killed
    ``newskg serve`` can still leave Oxigraph running; SIGTERM and Ctrl-C stop it anyway."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)


def _end_process(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    """Stop ``process`` if it still runs: SIGTERM (or SIGKILL), then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Timeout
    return left


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (``kill``, service managers) stops ``newskg serve`` as Ctrl-C does, so that
    Oxigraph and a read-write copy are cleaned up rather than left behind. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_forever(
    server: Server,
    announce: Callable[[str], None],
    poll_s: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run ``server`` until Ctrl-C (or ``stop()``), restarting Oxigraph when a new build is
    swapped in under ``kg/store``: the read-only server holds the build it opened, and the
    build after next deletes that directory, so following the symlink keeps answers current.
    A read-write server serves its own copy and does not follow rebuilds."""
    if server.log is None:
        server.log = announce
    try:
        server.start()
        mode = "read-only" if server.read_only else f"READ-WRITE on {server.store_dir or 'memory'}"
        announce(
            f"SPARQL endpoint {server.query_url}  ({mode}; query page {server.url}; Ctrl-C stops)"
        )
        while not stop():
            time.sleep(poll_s)
            if not server.running:
                raise ServerError("the SPARQL server stopped unexpectedly")
            # Opening the store is what checks it, and costs far more than following the
            # symlink: only a changed target is worth it.
            if (
                server.kg is not None
                and server.read_only
                and _store_path(server.kg) != server.store_dir
            ):
                try:
                    current = resolve_store(server.kg)
                except NewskgError:
                    continue  # mid-swap or removed: keep serving what we have
                if current != server.store_dir:
                    server.restart()
                    announce(f"new build detected; now serving {current}")
    finally:
        server.stop()


# -- push -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PushReport:
    graphs: int
    triples: int


def _graphs(store: ox.Store) -> dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]]:
    graphs: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.BlankNode):  # not addressable over GSP; newskg never makes one
            continue
        graphs.setdefault(graph, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return graphs


def _request_for(
    endpoint: str, graph: ox.NamedNode | ox.DefaultGraph, body: bytes
) -> urllib.request.Request:
    parts = urllib.parse.urlsplit(endpoint)
    headers = {"Content-Type": "application/n-triples"}
    netloc = parts.netloc
    if parts.username is not None:
        # http://user:password@host/... -> Basic auth, and the credentials leave the URL.
        secret = (
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        )
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
        netloc = netloc.rsplit("@", 1)[1]
    target = (
        "default"
        if isinstance(graph, ox.DefaultGraph)
        else f"graph={urllib.parse.quote(graph.value, safe='')}"
    )
    query = f"{parts.query}&{target}" if parts.query else target
    url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    return urllib.request.Request(url, data=body, method="PUT", headers=headers)


def _shown(endpoint: str) -> str:
    """The endpoint as errors show it: never with the credentials it may carry."""
    if "@" in endpoint and not endpoint.startswith(("http://", "https://")):
        return re.sub(r"^([^/]*//)?[^/@]*@", r"\1…@", endpoint)  # unparsable: redact by hand
    try:
        parts = urllib.parse.urlsplit(endpoint)
    except ValueError:
        return re.sub(r"^([^/]*//)?[^/@]*@", r"\1…@", endpoint)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def push(
    kg: Path | str,
    endpoint: str,
    *,
    timeout: float = 120.0,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """PUT every named graph of the built store to a Graph Store Protocol ``endpoint``
    (``http://host:7878/store`` for Oxigraph, ``http://host:3030/DATASET/data`` for Fuseki).

    Each PUT replaces that graph, so a second push leaves the remote store as the first did.
    """
    hint = "pass the Graph Store Protocol endpoint, e.g. http://localhost:7878/store"
    try:
        scheme = urllib.parse.urlsplit(endpoint).scheme
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: http://[::1
        raise ServerError(f"'{_shown(endpoint)}' is not a valid URL ({exc})", hint=hint) from None
    if scheme not in ("http", "https"):
        raise ServerError(f"'{_shown(endpoint)}' is not an http(s) URL", hint=hint)
    kg = Path(kg)
    graphs = _graphs(open_store(kg))
    if not graphs:
        raise ServerError("the graph is empty; nothing to push", location=location_of(kg))
    triples = 0
    for graph in sorted(graphs, key=lambda g: "" if isinstance(g, ox.DefaultGraph) else g.value):
        body = ox.serialize(graphs[graph], format=ox.RdfFormat.N_TRIPLES)
        assert body is not None
        name = "the default graph" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"
        _put(_request_for(endpoint, graph, body), endpoint, name, timeout)
        triples += len(graphs[graph])
        if progress is not None:
            progress(f"  PUT {name}: {len(graphs[graph])} triples")
    return PushReport(len(graphs), triples)


def _put(request: urllib.request.Request, endpoint: str, name: str, timeout: float) -> None:
    shown = _shown(endpoint)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace").strip()
        hints = {
            401: "the endpoint wants credentials: put them in the URL (http://user:pass@host/...)",
            403: "the endpoint refuses writes: is it read-only (e.g. 'oxigraph serve-read-only')?",
            404: "check the URL: it must be the Graph Store Protocol endpoint "
            "(Oxigraph: /store, Fuseki: /DATASET/data), not the query endpoint",
            405: "this URL does not accept PUT: use the Graph Store Protocol endpoint "
            "(Oxigraph: /store, Fuseki: /DATASET/data)",
            413: "the endpoint refuses a graph this large: raise its request size limit "
            "(for newskg serve: --max-request-bytes)",
        }
        raise ServerError(
            f"{shown} refused {name}: HTTP {exc.code} {exc.reason}"
            + (f": {detail}" if detail else ""),
            hint=hints.get(exc.code, "check the endpoint's log; graphs before this one were sent"),
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServerError(
            f"cannot reach {shown}: {reason}",
            hint="check that the triple store is running and the host and port are right",
        ) from None
