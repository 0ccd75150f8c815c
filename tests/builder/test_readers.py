"""Readers during rebuilds: a reader querying in a loop while builds run never sees a partial
graph or an error. The API reader opens a fresh KnowledgeGraph per iteration (the kg/store
symlink is resolved at open; the previous store is kept one generation for readers
mid-query); the HTTP reader queries `newskg serve`, which follows each swap."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

from newskg.query.graph import KnowledgeGraph
from newskg.serve.run import serve_forever
from newskg.serve.server import Server
from tests.conftest import SEED_ARTICLE, copy_project, run_cli

FACTS = f"seeds/{SEED_ARTICLE}/facts.yaml"
TITLE = "  title: Thai PM Prayut"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
HEADLINE = "SELECT ?t WHERE { ?a a schema:NewsArticle ; schema:headline ?t }"
BUILDS = 4
BUILD = [sys.executable, "-m", "newskg.cli", "build", "--project"]


def _read_loop(kg: Path, stop: threading.Event, seen: list[tuple[int, str]], errors: list[str]):
    while not stop.is_set():
        try:
            graph = KnowledgeGraph.open(kg)
            count = graph.select(COUNT).column("n")[0]
            headlines = graph.select(HEADLINE).column("t")
            del graph
            seen.append((count, "|".join(headlines)))
        except Exception as exc:  # any error at all is a failure of the guarantee
            errors.append(f"{type(exc).__name__}: {exc}")


def test_api_reader_never_sees_a_partial_graph(tmp_path):
    copy_project(tmp_path)
    assert run_cli("build", "--project", tmp_path, "--no-shacl").code == 0
    expected = KnowledgeGraph.open(tmp_path / "kg").select(COUNT).column("n")[0]

    stop = threading.Event()
    seen: list[tuple[int, str]] = []
    errors: list[str] = []
    reader = threading.Thread(target=_read_loop, args=(tmp_path / "kg", stop, seen, errors))
    reader.start()
    titles = []
    try:
        for i in range(BUILDS):
            # each build changes the headline, so each swap is a different graph
            path = tmp_path / FACTS
            text = path.read_text(encoding="utf-8")
            title = f"  title: Build {i} - Thai PM Prayut"
            path.write_text(text.replace(titles[-1] if titles else TITLE, title, 1), "utf-8")
            titles.append(title)
            subprocess.run(
                [*BUILD, str(tmp_path), "--no-shacl"],
                check=True,
                capture_output=True,
            )
    finally:
        stop.set()
        reader.join()

    assert errors == []
    assert len(seen) > BUILDS  # the reader did run during the builds
    assert {count for count, _ in seen} == {expected}
    # every headline seen is exactly one build's (never none, never two)
    headlines = {h for _, h in seen}
    assert all(h.startswith(("Thai PM", "Build ")) and "|" not in h for h in headlines)
    assert any(h.startswith(f"Build {BUILDS - 1} ") for h in headlines)


def _http_read_loop(
    server: Server, stop: threading.Event, seen: list[tuple[int, str]], errors: list[str]
) -> None:
    def ask(query: str) -> list[str]:
        url = server.query_url + "?" + urllib.parse.urlencode({"query": query})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            rows = json.load(response)["results"]["bindings"]
        return [next(iter(row.values()))["value"] for row in rows]

    while not stop.is_set():
        try:
            count = int(ask(COUNT)[0])
            headlines = ask(PREFIXED_HEADLINE)
            seen.append((count, "|".join(headlines)))
        except Exception as exc:  # any error at all is a failure of the guarantee
            errors.append(f"{type(exc).__name__}: {exc}")


PREFIXED_HEADLINE = "PREFIX schema: <https://schema.org/>\n" + HEADLINE


def test_server_reader_never_sees_a_partial_graph_or_an_error(tmp_path):
    """`newskg serve` follows rebuilds (it restarts Oxigraph on the new store) without a
    failed request or a partial answer in between."""
    copy_project(tmp_path)
    assert run_cli("build", "--project", tmp_path, "--no-shacl").code == 0
    expected = KnowledgeGraph.open(tmp_path / "kg").select(COUNT).column("n")[0]

    server = Server(tmp_path / "kg", port=0)
    stop_server = threading.Event()
    serving = threading.Thread(
        target=serve_forever,
        args=(server, lambda _: None),
        kwargs={"poll_s": 0.1, "stop": stop_server.is_set},
    )
    serving.start()
    stop = threading.Event()
    seen: list[tuple[int, str]] = []
    errors: list[str] = []
    reader = threading.Thread(target=_http_read_loop, args=(server, stop, seen, errors))
    try:
        for _ in range(300):  # until the proxy and Oxigraph are up
            if server.running:
                break
            threading.Event().wait(0.05)
        assert server.running
        reader.start()
        previous = TITLE
        for i in range(BUILDS):
            path = tmp_path / FACTS
            title = f"  title: Build {i} - Thai PM Prayut"
            path.write_text(path.read_text("utf-8").replace(previous, title, 1), "utf-8")
            previous = title
            subprocess.run([*BUILD, str(tmp_path), "--no-shacl"], check=True, capture_output=True)
        # give the server a moment to follow the last swap, then read once more
        for _ in range(100):
            if any(h.startswith(f"Build {BUILDS - 1} ") for _, h in seen[-3:]):
                break
            threading.Event().wait(0.1)
    finally:
        stop.set()
        if reader.is_alive():
            reader.join()
        stop_server.set()
        serving.join()

    assert errors == []
    assert len(seen) > BUILDS
    assert {count for count, _ in seen} == {expected}
    headlines = {h for _, h in seen}
    assert all(h.startswith(("Thai PM", "Build ")) and "|" not in h for h in headlines)
    assert any(h.startswith(f"Build {BUILDS - 1} ") for h in headlines)
