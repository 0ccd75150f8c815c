"""``newskg serve`` and ``newskg push``: the graph over HTTP.

``serve`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package
``oxigraph``) as a subprocess rather than a server of our own, so that users get a complete
SPARQL 1.1 Protocol implementation (content negotiation, GET/POST, timeouts) and the YASGUI
query page, maintained upstream. It opens the store read-only, so it can run while
``newskg build`` writes the next store aside.

``push`` speaks the SPARQL 1.1 Graph Store Protocol: one ``PUT ?graph=<iri>`` per named graph,
which replaces that graph on the remote side, so pushing twice never duplicates statements.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import pyoxigraph as ox

from newskg.errors import NewskgError, StoreError, location_of
from newskg.store import open_store

BINARY = "oxigraph"
READY_TIMEOUT_S = 30.0


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


def resolve_store(kg: Path) -> Path:
    """``kg/`` or ``kg/store`` -> the real store directory behind the ``kg/store`` symlink.

    Resolved once, so that the server keeps reading one consistent build even if a new build
    is swapped in meanwhile (``newskg serve`` notices the swap and restarts)."""
    path = kg / "store" if (kg / "store").exists() and not (kg / "CURRENT").exists() else kg
    open_store(kg)  # the clear "run 'newskg build' first" error when there is no store
    return path.resolve()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now (the OS picks it); the caller binds it soon after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        # SO_REUSEADDR as the server itself uses: only a live listener makes the port busy,
        # not connections of a server we just stopped lingering in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class Server:
    """The Oxigraph SPARQL server on a built store, as a context manager.

    >>> with Server("kg") as server:                      # doctest: +SKIP
    ...     urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D")

    ``port=0`` picks a free port. ``read_only=False`` with ``location`` starts a writable
    server (an empty store when ``location`` is new); tests push into one.
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
    ) -> None:
        self.kg = Path(kg) if kg is not None else None
        self.host = host
        self.requested_port = port
        self.port = port
        self.timeout = timeout
        self.read_only = read_only
        self.location = Path(location) if location is not None else None
        self.store_dir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

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

    # -- life cycle -----------------------------------------------------------------------

    def command(self) -> list[str]:
        if self.read_only:
            if self.kg is None:
                raise ServerError("a read-only server needs a built graph folder (kg)")
            self.store_dir = resolve_store(self.kg)
            args = [find_oxigraph(), "serve-read-only", "--location", str(self.store_dir)]
        else:
            args = [find_oxigraph(), "serve"]
            if self.location is not None:
                args += ["--location", str(self.location)]
        args += ["--bind", f"{_url_host(self.host)}:{self.port}", "--union-default-graph"]
        if self.timeout is not None:
            args += ["--timeout-s", str(max(1, round(self.timeout)))]
        return args

    def start(self) -> Self:
        """Start the server and return once it answers queries."""
        last_error = ""
        # A port picked by free_port() can be taken by someone else before oxigraph binds it;
        # retrying with a new port makes that race harmless.
        if self.requested_port and not _port_free(self.host, self.requested_port):
            # Checked first: the readiness probe would otherwise be answered by whatever
            # already listens there, and we would report success for a server that exited.
            raise ServerError(
                f"port {self.requested_port} on {self.host} is already in use",
                hint="stop the other server, or pick another --port (0 picks a free one)",
            )
        for _ in range(3 if self.requested_port == 0 else 1):
            self.port = self.requested_port or free_port(self.host)
            command = self.command()
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            error = self._wait_ready()
            if error is None:
                return self
            last_error = error
            self.stop()
        raise ServerError(
            f"the SPARQL server did not start: {last_error}",
            hint="pick another --port, or check that no other process holds the store",
        )

    def _wait_ready(self) -> str | None:
        """None once the server answers; the server's own message if it exits."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                return err.decode("utf-8", "replace").strip() or f"exit {self.process.returncode}"
            try:
                request = urllib.request.Request(
                    probe, headers={"Accept": "application/sparql-results+json"}
                )
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200 and self.process.poll() is None:
                        return None
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        return f"no answer on {self.url} after {READY_TIMEOUT_S:.0f}s"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def restart(self) -> None:
        """Stop and start again on the same port (``newskg serve`` does this after a rebuild)."""
        self.stop()
        self.requested_port = self.port
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(
    server: Server,
    announce: Callable[[str], None],
    poll_s: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run ``server`` until Ctrl-C (or ``stop()``), restarting it when a new build is swapped
    in under ``kg/store``: the read-only server holds the build it opened, and the build after
    next deletes that directory, so following the symlink keeps answers current."""
    server.start()
    announce(f"SPARQL endpoint {server.query_url}  (query page {server.url}; Ctrl-C stops)")
    try:
        while not stop():
            time.sleep(poll_s)
            if not server.running:
                raise ServerError("the SPARQL server stopped unexpectedly")
            if server.kg is not None and server.read_only:
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
    parts = urllib.parse.urlsplit(endpoint)
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
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise ServerError(
            f"'{endpoint}' is not an http(s) URL",
            hint="pass the Graph Store Protocol endpoint, e.g. http://localhost:7878/store",
        )
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
