"""`newskg push` into OpenLink Virtuoso, a second, independent store: the graphs arrive exactly,
a second push replaces, --prune deletes a removed article's graph, and every saved query
answers on the pushed copy as `newskg query` does on the build."""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from newskg.query.saved import list_queries
from tests.conftest import ROOT, run_cli
from tests.query.saved_run import bound_text, cli_answer, normalised
from tests.serve import virtuoso


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    reason = virtuoso.unavailable()
    if reason:
        pytest.skip(reason)
    try:
        with virtuoso.running(tmp_path_factory.mktemp("virtuoso")) as running:
            yield running
    except RuntimeError as exc:
        pytest.skip(f"Virtuoso could not start here: {exc}")


@pytest.fixture(scope="module")
def pushed(server, beat_kg):
    """The four fixture articles pushed with Digest auth (user dba) to the auth endpoint."""
    result = run_cli("push", server.gsp_auth, "--user", "dba:dba", "--kg", beat_kg / "kg")
    assert result.code == 0, result.err
    assert "dba" not in result.out.replace("dba:dba", "")  # the password is never printed
    return beat_kg


def _select(server, query: str) -> dict:
    request = urllib.request.Request(
        server.sparql,
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _remote_counts(server, prefix: str = "https://w3id.org/newskg/") -> dict[str, int]:
    rows = _select(
        server,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }} GROUP BY ?g',
    )["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def _local_store(project: Path) -> ox.Store:
    return ox.Store.read_only(str((project / "kg" / "store").resolve()))


def _local_counts(project: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for quad in _local_store(project):
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


def _remote_graph(server, graph: str) -> set[ox.Triple]:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = urllib.request.Request(
        server.sparql,
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    parsed = ox.parse(input=body, format=ox.RdfFormat.N_TRIPLES)
    return {ox.Triple(t.subject, t.predicate, t.object) for t in parsed}


def test_graphs_arrive_exactly_and_a_second_push_replaces(server, pushed):
    expected = _local_counts(pushed)
    assert len(expected) == 6  # four articles, the entities and the ontology
    assert _remote_counts(server) == expected
    store = _local_store(pushed)
    for graph in expected:
        local = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }
        # No blank nodes: isomorphic means equal, datatypes and non-ASCII text included.
        assert _remote_graph(server, graph) == local, graph
    result = run_cli("push", server.gsp_auth, "--user", "dba:dba", "--kg", pushed / "kg")
    assert result.code == 0, result.err
    assert _remote_counts(server) == expected


@pytest.mark.parametrize("name", [q.name for q in list_queries(ROOT / "queries")])
def test_saved_queries_answer_alike_on_virtuoso(server, pushed, name):
    query = next(q for q in list_queries(ROOT / "queries") if q.name == name)
    local = normalised(cli_answer(query, pushed / "kg"))
    remote = normalised(_select(server, bound_text(query)))
    assert local, f"{name} answers nothing on the fixture articles: nothing is compared"
    assert remote == local


def test_prune_deletes_the_graph_of_a_removed_article(server, beat_kg, tmp_path):
    project = tmp_path / "p"
    shutil.copytree(beat_kg, project, symlinks=True)
    articles = sorted(p.name for p in (project / "seeds").iterdir() if p.is_dir())
    # Another project's graph under another base, which --prune must leave alone.
    other = "https://example.org/other/graph/article/x"
    body = b"<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n"
    request = urllib.request.Request(
        f"{server.gsp}?graph={urllib.parse.quote(other, safe='')}", data=body, method="PUT"
    )
    server.sql('GRANT SPARQL_UPDATE TO "SPARQL"')  # the anonymous endpoint may now write
    request.add_header("Content-Type", "application/n-triples")
    urllib.request.urlopen(request, timeout=60).read()

    assert run_cli("push", server.gsp, "--kg", project / "kg").code == 0
    gone = articles[-1]
    shutil.rmtree(project / "seeds" / gone)
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    result = run_cli("push", server.gsp, "--prune", "--kg", project / "kg")
    assert result.code == 0, result.err
    assert "deleted 1 graph(s)" in result.out
    remote = _remote_counts(server)
    assert f"https://w3id.org/newskg/graph/article/{gone}" not in remote
    assert {g: n for g, n in remote.items()} == _local_counts(project)
    assert _remote_counts(server, "https://example.org/other/") == {other: 1}
