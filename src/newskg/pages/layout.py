"""Where each page lives: the site's paths under the base IRI, the same in ``newskg serve``
and in a static site, and the links between them.

A node ``<base>id/huawei`` is served at the base's path (``/newskg/id/huawei``) and its
representations beside it (``huawei.html``, ``huawei.ttl``…). Every link between pages is
relative, so that a site works wherever it is put. Pure functions, no I/O.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from dataclasses import dataclass

# The representations of a node, by file extension: media type, and what a person calls it.
HTML = "html"
RDF_FORMATS: dict[str, tuple[str, str]] = {
    "ttl": ("text/turtle", "Turtle"),
    "jsonld": ("application/ld+json", "JSON-LD"),
    "nt": ("application/n-triples", "N-Triples"),
    "rdf": ("application/rdf+xml", "RDF/XML"),
}
MEDIA_TYPES = {HTML: "text/html", **{ext: media for ext, (media, _) in RDF_FORMATS.items()}}
# Pages that are not nodes, relative to the base's path.
INDEX = "index.html"
STYLE = "style.css"
SEARCH = "search.html"
QUERIES = "queries/"
TIMELINES = "timeline/"
# No node key is this long (an article id is at most 120 characters, a fact id a slug): a
# longer path names no node, and is refused before any lookup.
MAX_PATH = 1024


class PathRefused(ValueError):
    """A request path that names no page: '..', a control character, or too long."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Layout:
    """The site of a graph whose node IRIs start with ``base``."""

    base: str

    @property
    def base_path(self) -> str:
        """The base's path, where the site is served: ``/newskg/`` for the default base."""
        path = urllib.parse.urlsplit(self.base).path or "/"
        return path if path.endswith("/") else path + "/"

    def local(self, iri: str) -> str | None:
        """The path of ``iri`` relative to the base (``id/huawei``), or None outside it."""
        if not iri.startswith(self.base) or len(iri) == len(self.base):
            return None
        return iri[len(self.base) :]

    def page(self, iri: str) -> str | None:
        """The site path of the page of ``iri`` (``id/huawei.html``; a hash IRI's page is
        its document's, at the term's anchor), or None when it is outside the base."""
        rest = self.local(iri)
        if rest is None:
            return None
        document, hash_, fragment = rest.partition("#")
        if not document:
            return None
        return f"{document}.{HTML}" + (f"#{fragment}" if hash_ else "")

    def representation(self, iri: str, ext: str) -> str | None:
        rest = self.local(iri)
        return None if rest is None or "#" in rest else f"{rest}.{ext}"

    def timeline(self, iri: str) -> str | None:
        rest = self.local(iri)
        if rest is None or not rest.startswith("id/") or "/" in rest[3:]:
            return None
        return f"{TIMELINES}{rest[3:]}.{HTML}"

    def site_path(self, request_path: str) -> str | None:
        """A request's path relative to the base's path (``/newskg/id/huawei`` ->
        ``id/huawei``; the base's path itself -> ``""``), or None when it is outside."""
        base_path = self.base_path
        if request_path + "/" == base_path:
            return ""
        return request_path[len(base_path) :] if request_path.startswith(base_path) else None


def clean_path(raw: str) -> str:
    """The decoded path of a request target, refused when it could name something other than
    it says: a ``.`` or ``..`` segment, an empty segment, a backslash, a control character,
    or more than :data:`MAX_PATH` characters."""
    if len(raw) > MAX_PATH * 3:
        raise PathRefused(414, f"path longer than {MAX_PATH} characters: no page has one")
    path = urllib.parse.unquote(raw, errors="strict") if "%" in raw else raw
    if len(path) > MAX_PATH:
        raise PathRefused(414, f"path longer than {MAX_PATH} characters: no page has one")
    if not path.startswith("/"):
        raise PathRefused(400, "a page's path starts with '/'")
    if any(c < " " or c in "\\\x7f" for c in path):
        raise PathRefused(400, "a page's path has no backslash or control character")
    segments = path[1:].split("/")
    if any(s in (".", "..") for s in segments) or "" in segments[:-1]:
        raise PathRefused(400, "a page's path has no '.', '..' or empty segment")
    return path


def href(source: str, target: str) -> str:
    """The relative link from the page at site path ``source`` to site path ``target``
    (either may carry a ``#fragment``)."""
    target, hash_, fragment = target.partition("#")
    link = posixpath.relpath(target, posixpath.dirname(source.partition("#")[0]) or ".")
    if ":" in link.split("/", 1)[0]:
        link = "./" + link  # never read as a URL scheme
    quoted = urllib.parse.quote(link, safe="/:.-_~")
    return quoted + (f"#{urllib.parse.quote(fragment, safe='-_.~')}" if hash_ else "")
