"""``newskg serve``: the Oxigraph SPARQL server on a built store, behind newskg's proxy.

The server opens the store read-only, so it can run while ``newskg build`` writes the next
store aside, and follows rebuilds by starting a fresh Oxigraph on the new store. Oxigraph's
life (restarts, memory cap, timeouts) is :mod:`newskg.serve.supervisor`'s; the HTTP side,
its limits and checks are :mod:`newskg.serve.proxy` and :mod:`newskg.serve.policy`'s.
"""

from __future__ import annotations

import contextlib
import errno
import math
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

import pyoxigraph as ox

from newskg.errors import InputError, ServerError, location_of
from newskg.query.outbound import allowed_services
from newskg.serve.oxigraph import default_max_memory, find_oxigraph, parse_memory
from newskg.serve.policy import Limits, allowed_hosts
from newskg.serve.proxy import Proxy
from newskg.serve.site import Site
from newskg.serve.supervisor import DIED, MEMORY, TIMEOUT, Supervisor
from newskg.store import open_store, store_path

DEFAULT_MAX_REQUEST_BYTES = 1 << 20  # 1 MiB: far above any hand-written query
# Client connections served at once (each holds a thread while it is open); more get 503.
DEFAULT_MAX_CONNECTIONS = 64
MIN_TOKEN_CHARS = 16
TOKEN_VARIABLE = "NEWSKG_AUTH_TOKEN"  # where `newskg serve` finds the token without --auth-token


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


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ``::1``)."""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


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


def _check_token(token: str | None, host: str, read_only: bool) -> str | None:
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise InputError(
            f"the token (--auth-token or {TOKEN_VARIABLE}) has {len(token)} characters; "
            f"a token must have at least {MIN_TOKEN_CHARS}",
            hint="make one with: python3 -c 'import secrets; print(secrets.token_urlsafe())'",
        )
    if token is None and not read_only and not is_loopback(host):
        raise InputError(
            f"a read-write server on {host} needs a token: anyone who can reach the address "
            "could otherwise change or delete the served store",
            hint=f"pass --auth-token TOKEN or set {TOKEN_VARIABLE}; writes must then send "
            "'Authorization: Bearer TOKEN'",
        )
    return token


class Server:
    """The Oxigraph SPARQL server on a built store, behind newskg's proxy, as a context
    manager.

    >>> with Server("kg") as server:                      # doctest: +SKIP
    ...     urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D")

    ``port=0`` picks a free port. ``timeout`` (seconds) stops any request that runs longer,
    by restarting Oxigraph if need be; ``max_request_bytes`` caps request bodies and targets;
    ``max_connections`` caps the client connections served at once; ``max_memory`` (bytes,
    or ``"4G"``; default a quarter of this machine's memory, 0 for none) caps Oxigraph's
    memory, a query that needs more ends with 503. ``allow_service`` lists the URL prefixes
    that a ``SERVICE`` clause may reach (none by default).

    ``read_only=False`` starts a writable server. It never writes to the build: with ``kg``
    alone it serves a copy of the built store in a temporary folder, removed by ``stop()``;
    with ``location`` it serves that folder, made as a copy of the build when it does not
    exist (or an empty store when ``kg`` is None). ``location`` may not be inside ``kg``.
    ``auth_token`` is then required of writes, and a read-write server beyond loopback
    refuses to start without one.
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
        max_memory: int | str | None = None,
        allow_service: Iterable[str] = (),
        auth_token: str | None = None,
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
        self.max_memory = default_max_memory() if max_memory is None else parse_memory(max_memory)
        self.allow_service = allowed_services(allow_service)
        self.auth_token = _check_token(auth_token, host, read_only)
        self.store_dir: Path | None = None
        self.log: Callable[[str], None] | None = None
        self._supervisor: Supervisor | None = None
        self._proxy: Proxy | None = None
        self._copy: tempfile.TemporaryDirectory[str] | None = None
        # The pages of the node IRIs: from the build, so only on a read-only server (a
        # read-write one answers from a copy that its updates change).
        self.site = Site(self.kg) if read_only and self.kg is not None else None

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
    def pages_url(self) -> str | None:
        """The index of the pages, at the base's path (``/newskg/``; ``/newskg/id/huawei`` is
        Huawei's IRI); None on a read-write server, which serves no pages."""
        if self.site is None:
            return None
        return self.url.rstrip("/") + self.site.base_path

    @property
    def backend_url(self) -> str:
        """Oxigraph itself, on its internal loopback port (no timeout, no limits, no checks)."""
        return f"http://127.0.0.1:{self.backend_port}/"

    @property
    def backend_port(self) -> int:
        """Oxigraph's own port, on loopback (no timeout, no limits, no checks)."""
        return self._supervisor.port if self._supervisor is not None else 0

    # -- what the supervisor and proxy know -------------------------------------------------

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The Oxigraph process answering now."""
        return self._supervisor.process if self._supervisor is not None else None

    @property
    def restarts(self) -> dict[str, int]:
        """Oxigraph restarts so far, by cause: timeout, memory, died."""
        if self._supervisor is None:
            return {TIMEOUT: 0, MEMORY: 0, DIED: 0}
        return dict(self._supervisor.restarts)

    @property
    def refused_connections(self) -> int:
        """Connections turned away with 503 because every one was busy."""
        return self._proxy.refused_connections if self._proxy is not None else 0

    @property
    def evicted_connections(self) -> int:
        """Connections closed while they waited for a request, to make room for new ones."""
        return self._proxy.evicted_connections if self._proxy is not None else 0

    @property
    def active_connections(self) -> int:
        return self._proxy.active if self._proxy is not None else 0

    # -- life cycle -----------------------------------------------------------------------

    def command(self, port: int = 0) -> list[str]:
        """The Oxigraph command line for a backend on ``port``."""
        if self.read_only:
            if self.kg is None:
                raise ServerError("a read-only server needs a built graph folder (kg)")
            if self.store_dir is None:
                self.store_dir = resolve_store(self.kg)
            args = [find_oxigraph(), "serve-read-only", "--location", str(self.store_dir)]
        else:
            args = [find_oxigraph(), "serve"]
            if self.store_dir is not None:
                args += ["--location", str(self.store_dir)]
        args += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
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
            proxy = Proxy(
                (self.host, self.requested_port),
                self._supervisor_or_new(),
                self._limits(),
                self.site,
            )
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
        self._proxy = proxy
        self.port = proxy.port
        proxy.limits = self._limits()  # now that the port is known, for the Host check
        try:
            if not self.read_only:
                self.store_dir = self._writable_store()
            elif self.kg is not None:
                self.store_dir = resolve_store(self.kg)
            assert self._supervisor is not None
            self._supervisor.start()
        except BaseException:
            self.stop()
            raise
        proxy.start()
        return self

    def _supervisor_or_new(self) -> Supervisor:
        self._supervisor = Supervisor(
            self.command, max_memory=self.max_memory, timeout=self.timeout, log=self._log
        )
        return self._supervisor

    def _log(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def _limits(self) -> Limits:
        hosts, any_ip = allowed_hosts(self.host, self.port)
        return Limits(
            max_request_bytes=self.max_request_bytes,
            max_connections=self.max_connections,
            hosts=hosts,
            any_ip_host=any_ip,
            port=self.port,
            auth_token=self.auth_token,
            allow_service=self.allow_service,
        )

    def stop(self) -> None:
        proxy, self._proxy = self._proxy, None
        if proxy is not None:
            proxy.close()
        supervisor = self._supervisor
        if supervisor is not None:
            supervisor.stop()
        if self._copy is not None:
            self._copy.cleanup()
            self._copy = None

    def restart(self) -> None:
        """Switch to a fresh Oxigraph on the store ``kg/store`` points to now (``newskg
        serve`` does this after a rebuild) without failing a request."""
        assert self._supervisor is not None, "start the server first"
        previous = self.store_dir
        if self.read_only and self.kg is not None:
            self.store_dir = resolve_store(self.kg)
        try:
            self._supervisor.restart()
        except BaseException:
            self.store_dir = previous
            raise
        if self.site is not None:
            self.site.reopen()

    @property
    def running(self) -> bool:
        supervisor = self._supervisor
        return (
            self._proxy is not None
            and supervisor is not None
            and supervisor.failure is None
            and supervisor.running
        )

    @property
    def failure(self) -> ServerError | None:
        """Why Oxigraph could not be started again, if it could not."""
        return self._supervisor.failure if self._supervisor is not None else None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
