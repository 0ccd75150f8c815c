"""Which page a request asks for, and the answer: the HTTP side of the pages, as a pure
function of the request line and its ``Accept`` header (``newskg serve`` frames and sends
the answer; :mod:`newskg.serve.site`).

A node's IRI answers by content negotiation, with ``Vary: Accept`` and the file it chose as
``Content-Location``; ``huawei.ttl`` and its siblings answer with one format each. A path
with ``..`` gets 400, one too long for any node 414, an unknown node 404 with a search link,
a query string on a page that takes none a redirect to the page itself.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from newskg.errors import NewskgError
from newskg.pages.describe import negotiate, offered
from newskg.pages.layout import (
    HTML,
    INDEX,
    MEDIA_TYPES,
    QUERIES,
    SEARCH,
    STYLE,
    TIMELINES,
    PathRefused,
    clean_path,
)
from newskg.pages.render import Pages

READ_METHODS = ("GET", "HEAD")
_CHARSET = {"text/html", "text/turtle", "text/css", "text/plain"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def split_target(target: str) -> tuple[str, str]:
    """The path and query string of a request target (origin or absolute form)."""
    if target.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(target)
        return parts.path, parts.query
    path, _, query = target.partition("?")
    return path, query


def is_site_path(base_path: str, raw_path: str, reserved: frozenset[str] = frozenset()) -> bool:
    """Whether a request for ``raw_path`` is the site's: under the base's path, and not one
    of ``reserved`` (the SPARQL server's own paths)."""
    return raw_path not in reserved and (raw_path + "/").startswith(base_path)


def answer(
    pages: Pages,
    method: str,
    target: str,
    accept: str | None,
    reserved: frozenset[str] = frozenset(),
) -> Answer | None:
    """The answer to a request for ``target``, or None when the path is not the site's
    (outside the base's path, or one of ``reserved``: the SPARQL server's own)."""
    raw_path, query = split_target(target)
    layout = pages.catalogue.layout
    if not is_site_path(layout.base_path, raw_path, reserved):
        return None
    try:
        path = clean_path(raw_path)
    except PathRefused as refused:
        return _text(refused.status, str(refused))
    except UnicodeDecodeError:
        return _text(400, "a page's path is UTF-8, percent-encoded")
    if path in reserved:
        return None
    rest = layout.site_path(path)
    if rest is None:
        return None
    if method not in READ_METHODS:
        return _text(405, "pages are read with GET or HEAD", (("Allow", "GET, HEAD"),))
    if rest == "" and path != layout.base_path:
        return _redirect(layout.base_path)
    try:
        return _route(pages, rest, path, query, accept)
    except NewskgError as exc:
        return _text(400, str(exc))


def _route(pages: Pages, rest: str, path: str, query: str, accept: str | None) -> Answer:
    cat = pages.catalogue
    layout = cat.layout
    takes_query = rest == SEARCH or (rest.startswith(QUERIES) and rest.endswith(f".{HTML}"))
    if query and not takes_query:
        return _redirect(path)
    fields = dict(urllib.parse.parse_qsl(query, keep_blank_values=True)) if query else {}
    if rest in ("", INDEX):
        return _html(pages.index())
    if rest == STYLE:
        return Answer(200, (("Content-Type", "text/css; charset=utf-8"),), pages.css.encode())
    if rest == SEARCH:
        return _html(pages.search(fields.get("q")))
    if rest.startswith(QUERIES) and rest.endswith(f".{HTML}"):
        page = pages.query(rest[len(QUERIES) : -len(HTML) - 1], fields)
        return _missing(pages, rest, None) if page is None else _html(page)
    if rest.startswith(TIMELINES) and rest.endswith(f".{HTML}"):
        iri = layout.base + "id/" + rest[len(TIMELINES) : -len(HTML) - 1]
        if layout.timeline(iri) != rest or not cat.exists(iri):
            return _missing(pages, rest, iri)
        return _html(pages.timeline(iri))
    iri = layout.base + rest
    if "#" not in rest and cat.exists(iri):
        ext = negotiate(accept)
        vary = (("Vary", "Accept"), ("Content-Location", f"{rest.rsplit('/', 1)[-1]}.{ext}"))
        if ext is None:
            return _text(406, f"this node is available as {offered()}", (("Vary", "Accept"),))
        return _representation(pages, iri, ext, vary)
    stem, dot, ext = rest.rpartition(".")
    if dot and ext in MEDIA_TYPES and cat.exists(layout.base + stem):
        return _representation(pages, layout.base + stem, ext, ())
    return _missing(pages, rest, iri)


def _representation(pages: Pages, iri: str, ext: str, extra: tuple[tuple[str, str], ...]) -> Answer:
    media = MEDIA_TYPES[ext]
    body = pages.node(iri).encode() if ext == HTML else pages.rdf(iri, ext)
    headers = [("Content-Type", _content_type(media)), *extra]
    if ext != HTML:
        headers.append(("Access-Control-Allow-Origin", "*"))  # open data, read by any page
    return Answer(200, tuple(headers), body)


def _missing(pages: Pages, rest: str, iri: str | None) -> Answer:
    return Answer(
        404, (("Content-Type", "text/html; charset=utf-8"),), pages.missing(rest, iri).encode()
    )


def _html(page: str) -> Answer:
    return Answer(200, (("Content-Type", "text/html; charset=utf-8"),), page.encode())


def _text(status: int, message: str, extra: tuple[tuple[str, str], ...] = ()) -> Answer:
    headers = (("Content-Type", "text/plain; charset=utf-8"), *extra)
    return Answer(status, headers, (message + "\n").encode())


def _redirect(path: str) -> Answer:
    location = urllib.parse.quote(path, safe="/:.-_~")
    return Answer(
        301,
        (("Location", location), ("Content-Type", "text/plain; charset=utf-8")),
        f"this page is at {location}\n".encode(),
    )


def _content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media in _CHARSET else media
