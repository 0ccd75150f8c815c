"""A real browser against `newskg serve`: headless Debian Chromium, driven by Playwright.

The page is loaded with every request outside the server refused, as on a machine without
network: the query page must still load, run a saved query and show the meeting.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newskg.serve.server import Server
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep Chromium from reaching out (updates, sync, field trials, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian chromium is not installed (.ci/run installs it: apt-get install chromium)",
)


@contextlib.contextmanager
def offline_page(
    server: Server, profile: Path, outside: list[str], **options: Any
) -> Iterator[Any]:
    """A page of a fresh headless Chromium that reaches only ``server``: every other request
    is aborted and its URL added to ``outside``."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        # A persistent context is how Playwright takes a fresh --user-data-dir of our own.
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **options
        )
        try:
            page = context.new_page()

            def only_the_server(route: Any) -> None:
                if route.request.url.startswith(server.url):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_the_server)
            yield page
        finally:
            context.close()


def test_query_page_runs_a_saved_query_offline(built_kg, tmp_path):
    query = (ROOT / "queries" / "meetings.rq").read_text(encoding="utf-8")
    screenshot = tmp_path / "meetings.png"
    outside: list[str] = []

    with Server(built_kg / "kg") as server:
        viewport = {"width": 1400, "height": 900}
        with offline_page(server, tmp_path / "profile", outside, viewport=viewport) as page:
            page.goto(server.url)
            page.wait_for_selector(".CodeMirror", timeout=20_000)
            # The editor is CodeMirror: set the text through its API (typing would pop up
            # autocompletion), then press the run button as a user would.
            page.evaluate(
                "q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query
            )
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table td", timeout=20_000)
            headers = [h.strip() for h in page.locator(".yasr table th").all_inner_texts()]
            table = page.inner_text(".yasr table")
            page.screenshot(path=str(screenshot), full_page=True)

    assert {"meeting", "participant", "capacity"} <= set(headers)
    assert "Virtual executive meeting between Prayut Chan-o-cha and Ren Zhengfei" in table
    assert "Prime Minister of Thailand" in table and "Ren Zhengfei" in table
    assert screenshot.stat().st_size > 10_000
    # What the page tried to fetch from elsewhere: only YASGUI's prefix autocompletion list,
    # whose failure is harmless (documented in README, "Offline").
    assert all("prefix.cc" in url or "lov.linkeddata.es" in url for url in outside), outside


def test_a_reader_follows_links_from_the_index_to_the_evidence_and_back(built_kg, tmp_path):
    """Index -> Huawei -> the 2021 meeting -> the seed article with its spans highlighted
    -> back, offline, on a desktop and on a phone's width, keeping a screenshot of each."""
    outside: list[str] = []
    shots = tmp_path / "screenshots"
    shots.mkdir()

    with Server(built_kg / "kg") as server:
        options = {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": False}
        with offline_page(server, tmp_path / "profile", outside, **options) as page:
            assert server.pages_url is not None
            page.goto(server.pages_url)
            assert page.locator("h1").inner_text() == "The graph"
            page.screenshot(path=str(shots / "1-index.png"), full_page=True)

            page.click("a[href='id/huawei.html']")
            assert page.url.endswith("/newskg/id/huawei.html")
            assert page.locator("h1").inner_text() == "Huawei Technologies"
            assert "Events its people attended" in page.inner_text("main")
            page.screenshot(path=str(shots / "2-huawei.png"), full_page=True)

            meeting = page.locator("a[href='prayut-ren-meeting-2021.html']").first
            assert meeting.inner_text() == (
                "Virtual executive meeting between Prayut Chan-o-cha and Ren Zhengfei"
            )
            meeting.click()
            assert page.url.endswith("/newskg/id/prayut-ren-meeting-2021.html")
            main = page.inner_text("main")
            assert "Evidence" in main and "attended a virtual executive meeting" in main
            page.screenshot(path=str(shots / "3-meeting.png"), full_page=True)

            page.locator("blockquote.passage").first.locator("text=in the article").click()
            assert page.url.endswith("/newskg/id/000_62ce04f1d7ffd07b.html#ev-17-164")
            marks = page.locator(".article-text a.ev")
            assert marks.count() > 40
            highlighted = page.eval_on_selector(
                ".article-text a.ev", "e => getComputedStyle(e).backgroundColor"
            )
            assert highlighted not in ("rgba(0, 0, 0, 0)", "transparent")
            assert "Facts" in page.inner_text("aside")
            page.screenshot(path=str(shots / "4-article.png"), full_page=True)

            page.go_back()
            assert page.url.endswith("/newskg/id/prayut-ren-meeting-2021.html")
            page.go_back()
            assert page.locator("h1").inner_text() == "Huawei Technologies"

            # readable on a phone: nothing wider than the screen
            page.set_viewport_size({"width": 390, "height": 844})
            for path in ("id/000_62ce04f1d7ffd07b.html", "id/huawei.html", "index.html"):
                page.goto(server.pages_url + path)
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 390, (path, wide)
            page.screenshot(path=str(shots / "5-phone-index.png"), full_page=True)

    assert not outside, outside
    assert all(p.stat().st_size > 10_000 for p in shots.iterdir())
