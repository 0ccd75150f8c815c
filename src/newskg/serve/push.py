"""``newskg push``: the built graph to any triple store, over the SPARQL 1.1 Graph Store
Protocol.

One ``PUT ?graph=<iri>`` per named graph, which replaces that graph on the remote side, so
pushing twice never duplicates statements.
"""

from __future__ import annotations

import base64
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from newskg.errors import InputError, ServerError, location_of
from newskg.store import open_store


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
    # The socket layer refuses these with a traceback, and 0 would make every connect fail.
    if not 0 < timeout < math.inf:
        raise InputError(
            f"--timeout {timeout:g} is not a time to wait",
            hint="give the seconds to wait for each request, e.g. --timeout 120",
        )
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
