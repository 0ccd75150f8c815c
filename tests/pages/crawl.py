"""A crawler for the tests: every page of a site reached from its index, every link and
anchor on them checked, over HTTP, as a person clicking through would find them."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        wanted = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if wanted and values.get(wanted):
            self.links.append(values[wanted] or "")


@dataclass
class Crawl:
    pages: dict[str, int] = field(default_factory=dict)  # URL -> status
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (page, link, why)
    external: set[str] = field(default_factory=set)
    links: int = 0


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def crawl(start: str, inside: str, limit: int = 20_000) -> Crawl:
    """Follow every link from ``start`` whose URL starts with ``inside``; check each link
    (and its #anchor) resolves. Links elsewhere are only recorded."""
    found = Crawl()
    ids: dict[str, set[str]] = {}
    queue = [start]
    anchors: list[tuple[str, str, str]] = []
    while queue and len(found.pages) < limit:
        url = queue.pop()
        if url in found.pages:
            continue
        status, media, body = _get(url)
        found.pages[url] = status
        if status != 200 or not media.startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        ids[url] = parser.ids
        for link in parser.links:
            found.links += 1
            target, _, fragment = urllib.parse.urljoin(url, link).partition("#")
            if not target.startswith(inside):
                if target.startswith(("http://", "https://")):
                    found.external.add(target)
                else:
                    found.broken.append((url, link, "not a web link"))
                continue
            if fragment:
                anchors.append((url, link, target + "#" + fragment))
            if target not in found.pages:
                queue.append(target)
    for url, status in found.pages.items():
        if status != 200:
            found.broken.append((url, url, f"HTTP {status}"))
    for page, link, target in anchors:
        url, _, fragment = target.partition("#")
        if url in ids and urllib.parse.unquote(fragment) not in ids[url]:
            found.broken.append((page, link, f"no #{fragment} on {url}"))
    return found
