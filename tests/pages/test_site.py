"""The static site of the seed: written by `newskg export --format site`, byte for byte the
same on every run, and crawled over a plain static file server with no broken link."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

import newskg
from newskg.errors import InputError
from newskg.pages.site import MARKER
from tests.conftest import run_cli
from tests.pages.crawl import crawl

HUAWEI = "https://w3id.org/newskg/id/huawei"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@contextlib.contextmanager
def static_host(folder: Path) -> Iterator[str]:
    """The folder served as any static host would: files as they are, no rules."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(built_kg: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "site"
    result = run_cli("export", "--kg", built_kg / "kg", "--format", "site", "-o", target)
    assert result.code == 0, result.err
    assert result.out.startswith("wrote ") and result.out.rstrip().endswith(f"files to {target}")
    return target


def test_the_site_holds_every_node_as_a_page_and_rdf(site):
    for ext in ("html", "ttl", "jsonld", "nt", "rdf"):
        assert (site / f"id/huawei.{ext}").stat().st_size > 100
    assert (site / "index.html").exists() and (site / "style.css").exists()
    assert (site / "timeline/huawei.html").exists()
    assert (site / "ontology.html").exists() and (site / "queries/meetings.html").exists()
    # the rules a static host needs to answer a node's IRI by content negotiation
    assert "RewriteCond %{HTTP_ACCEPT} text/turtle" in (site / ".htaccess").read_text()
    assert "try_files $uri$newskg_ext" in (site / "nginx.conf").read_text()


def test_a_node_file_parses_to_its_description(site, built_kg):
    store = ox.Store()
    store.load(path=str(site / "id/huawei.ttl"), format=ox.RdfFormat.TURTLE)
    from_json = ox.Store()
    from_json.load(path=str(site / "id/huawei.jsonld"), format=ox.RdfFormat.JSON_LD)
    assert {q.triple for q in store} == {q.triple for q in from_json}
    assert any(q.subject == ox.NamedNode(HUAWEI) for q in store)


def test_the_site_is_the_same_on_every_run(site, built_kg, tmp_path):
    again = tmp_path / "again"
    newskg.export(built_kg / "kg", format="site", output=again)
    assert _digest(again) == _digest(site)
    # an earlier site is replaced whole, and only a folder newskg wrote
    (again / "stale.html").write_text("old")
    newskg.export(built_kg / "kg", format="site", output=again)
    assert not (again / "stale.html").exists() and (again / MARKER).exists()


def test_the_site_is_never_written_over_other_files(built_kg, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    with pytest.raises(InputError, match="did not write"):
        newskg.export(built_kg / "kg", format="site", output=mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mine")]


def test_a_crawl_of_the_static_site_finds_no_broken_link(site):
    with static_host(site) as url:
        found = crawl(url + "index.html", url)
    assert not found.broken, found.broken[:10]
    pages = {u for u in found.pages if u.endswith(".html")}
    html_files = {str(p.relative_to(site)) for p in site.rglob("*.html")}
    # every page is reached by following links from the index
    assert {url + f for f in html_files} <= pages | {url + "index.html"}, sorted(
        {url + f for f in html_files} - pages
    )[:5]
    assert found.links > 1000
    # links out of the site: only the Wikidata and vocabulary pages the graph cites
    assert all(
        u.startswith(
            (
                "https://www.wikidata.org/",
                "https://schema.org/",
                "http://www.w3.org/",
                "http://purl.org/",
                "https://creativecommons.org/",
            )
        )
        for u in found.external
    ), sorted(found.external)
