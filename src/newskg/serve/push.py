"""``newskg push``: the built graph to any triple store, over the SPARQL 1.1 Graph Store
Protocol.

One ``PUT ?graph=<iri>`` per named graph, which replaces that graph on the remote side, so
pushing twice never duplicates statements and a retried request is safe. Graphs go one at a
time: each is dumped by Oxigraph into a temporary file and streamed from there, over one
reused connection (:mod:`newskg.serve.remote`), so memory does not grow with the graph.
With ``prune``, graphs of this project's articles that the build no longer has are deleted
from the store; graphs are named under the project's base IRI, so other projects' graphs
(another base) are never touched.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import requests

from newskg.errors import InputError, ServerError, location_of
from newskg.serve import remote
from newskg.store import open_store, read_manifest

# Where a store's SPARQL query endpoint is, given its Graph Store endpoint (for --prune).
_QUERY_ENDPOINTS = (
    (re.compile(r"/store$"), "/query"),  # Oxigraph
    (re.compile(r"/sparql-graph-crud(-auth)?$"), "/sparql"),  # Virtuoso
    (re.compile(r"/data$"), "/sparql"),  # Fuseki: /DATASET/data -> /DATASET/sparql
)
_HINTS = {
    403: "the endpoint refuses writes: it may be read-only (Oxigraph: 'serve-read-only'; "
    "newskg serve without --read-write), or the user may lack the right (Virtuoso: "
    "GRANT SPARQL_UPDATE, or the /sparql-graph-crud-auth endpoint with --user)",
    404: "check the URL: it must be the Graph Store Protocol endpoint (Oxigraph: /store, "
    "Fuseki: /DATASET/data, Virtuoso: /sparql-graph-crud), not the query endpoint",
    405: "this URL does not accept PUT: use the Graph Store Protocol endpoint (Oxigraph: "
    "/store, Fuseki: /DATASET/data, Virtuoso: /sparql-graph-crud)",
    413: "the endpoint refuses a graph this large: raise its request size limit "
    "(for newskg serve: --max-request-bytes)",
}


@dataclass(frozen=True)
class PushReport:
    graphs: int
    triples: int
    endpoint: str  # as shown to the user: never with credentials
    pruned: int = 0


def push(
    kg: Path | str,
    endpoint: str,
    *,
    user: str | None = None,
    timeout: float = 120.0,
    retries: int = 3,
    prune: bool = False,
    sparql: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """PUT every named graph of the built store to a Graph Store Protocol ``endpoint``
    (``http://host:7878/store`` for Oxigraph, ``http://host:3030/DATASET/data`` for Fuseki,
    ``http://host:8890/sparql-graph-crud-auth`` for Virtuoso).

    Each PUT replaces that graph, so a second push leaves the remote store as the first did.
    Credentials (Basic or Digest, as the server asks) come from ``user`` (``NAME`` or
    ``NAME:PASSWORD``), the URL, ``$NEWSKG_PUSH_USER``/``$NEWSKG_PUSH_PASSWORD`` or the
    netrc file. A 503 or a dropped connection is retried ``retries`` times. ``prune``
    deletes the remote graphs of this project's articles that the build no longer has; it
    lists them through the store's SPARQL endpoint (``sparql``, guessed for Oxigraph,
    Virtuoso and Fuseki)."""
    # The socket layer refuses these with a traceback, and 0 would make every connect fail.
    if not 0 < timeout < math.inf:
        raise InputError(
            f"--timeout {timeout:g} is not a time to wait",
            hint="give the seconds to wait for each request, e.g. --timeout 120",
        )
    if retries < 0:
        raise InputError(f"--retries {retries} is negative", hint="pass 0 or more")
    url, in_url = _checked_url(endpoint, "Graph Store Protocol endpoint")
    shown = shown_url(endpoint)
    credentials = remote.find_credentials(url, user, in_url)
    kg = Path(kg)
    store = open_store(kg)
    graphs = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
        key=lambda g: g.value,
    )
    targets: list[ox.NamedNode | ox.DefaultGraph] = [*graphs]
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        targets.insert(0, ox.DefaultGraph())
    if not targets:
        raise ServerError("the graph is empty; nothing to push", location=location_of(kg))
    query_url = _query_url(url, sparql) if prune else None
    with remote.session(credentials, retries) as http:
        uploader = _Uploader(http, url, shown, credentials, timeout, len(targets))
        triples = 0
        for graph in targets:
            sent = uploader.put(store, graph)
            triples += sent
            if progress is not None:
                progress(f"  PUT {_name(graph)}: {sent} triples")
        pruned = 0
        if query_url is not None:
            pushed = {g.value for g in graphs}
            pruned = uploader.prune(query_url, _article_graphs(kg), pushed, progress)
    return PushReport(len(targets), triples, shown, pruned)


def shown_url(endpoint: str) -> str:
    """The endpoint as messages show it: never with the credentials it may carry."""
    try:
        return remote.split_credentials(endpoint)[0]
    except ValueError:
        return re.sub(r"^([^/]*//)?[^/@]*@", r"\1…@", endpoint)  # unparsable: redact by hand


class _Uploader:
    """The requests of one push, and what a failure must tell: which graph, how many sent."""

    def __init__(
        self,
        http: requests.Session,
        url: str,
        shown: str,
        credentials: remote.Credentials | None,
        timeout: float,
        total: int,
    ) -> None:
        self.http, self.url, self.shown = http, url, shown
        self.credentials, self.timeout, self.total = credentials, timeout, total
        self.sent = 0

    def put(self, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> int:
        """Replace ``graph`` on the remote side; returns its triple count."""
        with tempfile.TemporaryFile() as body:
            store.dump(body, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            triples = _lines(body)
            self._send("PUT", graph, body)
        self.sent += 1
        return triples

    def prune(
        self,
        query_url: str,
        prefix: str,
        pushed: set[str],
        progress: Callable[[str], None] | None,
    ) -> int:
        """Delete the remote graphs named under ``prefix`` (this project's article graphs)
        that were not pushed; returns how many."""
        query = (
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}"
        )
        response = self._request(
            "POST",
            query_url,
            "the list of remote graphs",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        try:
            rows = response.json()["results"]["bindings"]
            remote_graphs = {row["g"]["value"] for row in rows}
        except (ValueError, KeyError, TypeError):
            raise ServerError(
                f"{shown_url(query_url)} did not answer the list of graphs with SPARQL JSON "
                "results",
                hint="pass the store's SPARQL query endpoint with --sparql",
            ) from None
        stale = sorted(g for g in remote_graphs if g.startswith(prefix) and g not in pushed)
        for graph in stale:
            self._send("DELETE", ox.NamedNode(graph), None)
            if progress is not None:
                progress(f"  DELETE <{graph}>")
        return len(stale)

    def _send(
        self, method: str, graph: ox.NamedNode | ox.DefaultGraph, body: IO[bytes] | None
    ) -> None:
        params = {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}
        headers = {"Content-Type": "application/n-triples"} if body is not None else {}
        self._request(method, self.url, _name(graph), params=params, data=body, headers=headers)

    def _request(self, method: str, url: str, what: str, **kwargs: object) -> requests.Response:
        body = kwargs.get("data")
        while True:
            if hasattr(body, "seek"):
                body.seek(0)  # type: ignore[union-attr]
            try:
                response = self.http.request(method, url, timeout=self.timeout, **kwargs)  # type: ignore[arg-type]
            except requests.RequestException as exc:
                error = remote.transport_error(exc, self.shown, self.timeout)
                raise self._failed(error, what) from None
            if (
                response.status_code == 401
                and self.credentials is not None
                and remote.challenge(response) in ("basic", "bearer")
                and remote.switch_to_basic(self.http, self.credentials)
            ):
                # The server asked for Basic, or for a token, which newskg serve also takes
                # as the password of Basic: answer it, and send again.
                continue
            if response.status_code < 300:
                return response
            raise self._failed(self._refusal(response), what)

    def _refusal(self, response: requests.Response) -> ServerError:
        code, reason = response.status_code, response.reason
        text = remote.detail(response)
        message = f"{self.shown} refused it: HTTP {code} {reason}" + (f": {text}" if text else "")
        if code == 401 and self.credentials is None:
            hint = (
                "the endpoint wants credentials: pass --user NAME (the password from "
                f"${remote.PASSWORD_ENV}), set ${remote.USER_ENV} and ${remote.PASSWORD_ENV}, "
                "or add the host to ~/.netrc"
            )
        elif code == 401:
            hint = (
                f"the endpoint refused the credentials from {self.credentials.source} "  # type: ignore[union-attr]
                f"for user '{self.credentials.user}': check the user name and password"  # type: ignore[union-attr]
            )
        else:
            hint = _HINTS.get(code, "check the endpoint's log")
        return ServerError(message, hint=hint)

    def _failed(self, error: ServerError, what: str) -> ServerError:
        """``error`` with what failed and how far the push had got."""
        diagnostic = error.diagnostics[0]
        progress = (
            f" ({self.sent} of {self.total} graph(s) were sent before it; run the push again "
            "once the cause is fixed: each graph is replaced, never duplicated)"
        )
        return ServerError(
            f"{what}: {diagnostic.message}",
            hint=(diagnostic.hint or "check the endpoint") + progress,
        )


def _checked_url(endpoint: str, what: str) -> tuple[str, remote.Credentials | None]:
    hint = f"pass the {what}, e.g. http://localhost:7878/store"
    try:
        url, credentials = remote.split_credentials(endpoint)
        scheme = urllib.parse.urlsplit(url).scheme
        urllib.parse.urlsplit(url).port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: http://[::1
        raise ServerError(
            f"'{shown_url(endpoint)}' is not a valid URL ({exc})", hint=hint
        ) from None
    if scheme not in ("http", "https"):
        raise ServerError(f"'{shown_url(endpoint)}' is not an http(s) URL", hint=hint)
    return url, credentials


def _query_url(url: str, sparql: str | None) -> str:
    """The store's SPARQL query endpoint: ``sparql``, or guessed from the GSP endpoint."""
    if sparql is not None:
        return _checked_url(sparql, "SPARQL query endpoint")[0]
    parts = urllib.parse.urlsplit(url)
    for pattern, replacement in _QUERY_ENDPOINTS:
        if pattern.search(parts.path):
            path = pattern.sub(replacement, parts.path)
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    raise InputError(
        f"cannot tell the SPARQL query endpoint of {shown_url(url)}, which --prune needs",
        hint="pass it with --sparql URL (e.g. http://localhost:8890/sparql)",
    )


def _article_graphs(kg: Path) -> str:
    """What every article graph's IRI of this build starts with (under the project's base)."""
    prefix = read_manifest(kg).get("article_graphs")
    if not isinstance(prefix, str) or not prefix:
        raise InputError(
            "this build does not record its article graphs' names, which --prune needs",
            location=location_of(kg),
            hint="run 'newskg build' again, then push",
        )
    return prefix


def _name(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "the default graph" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"


def _lines(body: IO[bytes]) -> int:
    """Lines of an N-Triples file: its triples (terms never hold a raw line break)."""
    body.seek(0)
    count = 0
    while chunk := body.read(1 << 20):
        count += chunk.count(b"\n")
    return count
