"""The pages behind ``newskg serve``: the requests that are the site's (a node IRI's path
under the base, the index, search, saved queries), answered in-process from the build being
served, and framed by h11 like every answer of the proxy.

The SPARQL server keeps its own paths (:data:`OXIGRAPH_PATHS`); a request reaches a page
only after the proxy's checks (limits, Host, Origin). After a rebuild the server reopens
the graph (:meth:`Site.reopen`), so pages and SPARQL answer from the same build.
"""

from __future__ import annotations

import socket
import sys
import threading
from http import HTTPStatus
from pathlib import Path

import h11

from newskg.pages.layout import INDEX, Layout
from newskg.pages.render import Pages
from newskg.pages.routes import Answer, answer, is_site_path, split_target
from newskg.query.graph import KnowledgeGraph
from newskg.rdf import DEFAULT_BASE
from newskg.serve.request import send
from newskg.store import read_manifest

# What Oxigraph serves itself: the query page, its script and styles, and the endpoints.
OXIGRAPH_PATHS = frozenset(
    {"/", "/query", "/update", "/store", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg"}
)


class Site:
    """The pages of the build under ``kg``, reopened on :meth:`reopen`."""

    def __init__(self, kg: Path) -> None:
        self.kg = kg
        self._lock = threading.Lock()
        self._pages: Pages | None = None
        self._site_base: str | None = None  # the base IRI's path, read once per build

    @property
    def pages(self) -> Pages:
        with self._lock:
            if self._pages is None:
                self._pages = Pages.of(KnowledgeGraph.open(self.kg), self.kg.parent / "queries")
            return self._pages

    @property
    def base_path(self) -> str:
        """Where the pages are served: the path of the build's base IRI."""
        path = self._layout_base()
        return path + INDEX if path == "/" else path

    def _layout_base(self) -> str:
        with self._lock:
            if self._site_base is None:
                base = read_manifest(self.kg).get("base", DEFAULT_BASE)
                self._site_base = Layout(base).base_path
            return self._site_base

    def reopen(self) -> None:
        """Read the build ``kg/store`` points to now, from the next request on."""
        with self._lock:
            self._pages = None
            self._site_base = None

    def respond(self, sock: socket.socket, http: h11.Connection, event: h11.Request) -> bool:
        """Answer ``event`` if it is the site's (True), else leave it to Oxigraph (False)."""
        target = event.target.decode("latin-1")
        # A SPARQL request must not wait for the pages to be opened: their path says it first.
        if not is_site_path(self._layout_base(), split_target(target)[0], OXIGRAPH_PATHS):
            return False
        method = event.method.decode("ascii", "replace").upper()
        accept = ", ".join(v.decode("latin-1") for k, v in event.headers if k.lower() == b"accept")
        try:
            reply = answer(self.pages, method, target, accept or None, OXIGRAPH_PATHS)
        except Exception as exc:  # a page that cannot be rendered must not end the connection
            print(f"newskg serve: page {target[:200]!r} failed: {exc!r}", file=sys.stderr)
            reply = Answer(
                500,
                (("Content-Type", "text/plain; charset=utf-8"),),
                b"this page could not be rendered; the SPARQL endpoint still answers\n",
            )
        if reply is None:
            return False
        headers = [(k.encode(), v.encode("latin-1", "replace")) for k, v in reply.headers]
        headers.append((b"content-length", b"%d" % len(reply.body)))
        reason = HTTPStatus(reply.status).phrase.encode()
        out = http.send(h11.Response(status_code=reply.status, headers=headers, reason=reason))
        if method != "HEAD" and reply.body:
            out += http.send(h11.Data(data=reply.body))
        send(sock, out + http.send(h11.EndOfMessage()))
        return True
