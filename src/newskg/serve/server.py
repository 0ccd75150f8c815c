"""``newskg serve``: the Oxigraph SPARQL server on a built store, behind newskg's proxy.

The server opens the store read-only, so it can run while ``newskg build`` writes the next
store aside, and follows rebuilds by starting a fresh Oxigraph on the new store. The process
itself is handled by :mod:`newskg.serve.oxigraph`, the HTTP side by :mod:`newskg.serve.proxy`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import functools
import math
import os
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

import pyoxigraph as ox

from newskg.errors import InputError, ServerError, location_of
from newskg.serve.http import BackendConnection
from newskg.serve.oxigraph import die_with_parent, end_process, find_oxigraph, free_port
from newskg.serve.proxy import BackendGone, ProxyServer
from newskg.store import open_store, store_path

READY_TIMEOUT_S = 30.0
DEFAULT_MAX_REQUEST_BYTES = 1 << 20  # 1 MiB: far above any hand-written query
POOL_SIZE = 32
# Client connections served at once (each holds a thread while it is open); more get 503.
DEFAULT_MAX_CONNECTIONS = 64
# How long an Oxigraph replaced after a rebuild keeps answering the requests it had, when no
# --timeout bounds them.
RETIRE_GRACE_S = 30.0


def resolve_store(kg: Path) -> Path:
    """``kg/`` or ``kg/store`` -> the real store directory behind the ``kg/store`` symlink.

    Resolved once, so that the server keeps reading one consistent build even if a new build
    is swapped in meanwhile (``newskg serve`` notices the swap and restarts)."""
    open_store(kg)  # the clear "run 'newskg build' first" error when there is no store
    return store_path(kg)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _check_arguments(
    port: int, timeout: float | None, max_request_bytes: int, max_connections: int
) -> None:
    """Refuse settings that would make a server that cannot work, with the CLI flag named."""
    if not 0 <= port <= 65535:
        raise InputError(
            f"--port {port} is not a TCP port",
            hint="use a port from 1 to 65535, or 0 for any free one",
        )
    if timeout is not None and (math.isnan(timeout) or timeout < 0):
        raise InputError(
            f"--timeout {timeout:g} is not a number of seconds",
            hint="use seconds, or 0 for no limit",
        )
    if max_request_bytes < 1024:
        raise InputError(
            f"--max-request-bytes {max_request_bytes} is too small to hold a query",
            hint="use at least 1024 (the default is 1048576, 1 MiB)",
        )
    if max_connections < 1:
        raise InputError(
            f"--max-connections {max_connections} would refuse every client",
            hint="use at least 1 (the default is 64)",
        )


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
        _check_arguments(port, timeout, max_request_bytes, max_connections)
        if location is not None and read_only:
            raise InputError(
                "--store is only for a read-write server",
                hint="add --read-write, or leave --store out (read-only serves the build itself)",
            )
        if timeout is not None and not 0 < timeout < math.inf:
            timeout = None  # 0 or infinite: no limit
        self.kg = Path(kg) if kg is not None else None
        self.host = host
        self.requested_port = port
        self.port = port
        self.timeout = timeout
        self.read_only = read_only
        self.location = Path(location) if location is not None else None
        self.max_request_bytes = max_request_bytes
        self.max_connections = max_connections
        self.refused_connections = 0  # connections turned away with 503 (over the cap)
        self.store_dir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.backend_port = 0
        self.restarts = 0  # Oxigraph restarts caused by timeouts
        self.log: Callable[[str], None] | None = None
        self._proxy: ProxyServer | None = None
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
            self._proxy = ProxyServer((self.host, self.requested_port), self)
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
            preexec_fn=functools.partial(die_with_parent, os.getpid()),
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
            end_process(process, kill=kill)
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
        end_process(process, kill=now)
        if stderr is not None:
            stderr.close()

    def timed_out(self, generation: int) -> None:
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

    def connection(self) -> tuple[int, BackendConnection, bool]:
        """(generation, connection, reused): a pooled keep-alive connection when one is idle."""
        with self._lock:  # waits while Oxigraph restarts
            generation, port = self._generation, self.backend_port
            if self.process is None:
                raise BackendGone
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

    def is_current(self, generation: int) -> bool:
        """Whether connections of ``generation`` still reach the running Oxigraph."""
        with self._lock:
            return generation == self._generation

    def release(self, generation: int, conn: BackendConnection) -> None:
        with self._pool_lock:
            if generation == self._generation and len(self._pool) < POOL_SIZE:
                self._pool.append((generation, conn))
                return
        conn.close()
