"""`newskg push`: SPARQL 1.1 Graph Store Protocol into a real `oxigraph serve` on loopback, and
into a small fake store that misbehaves on purpose (auth schemes, 503s, dropped connections,
HTML errors, silence)."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox
import pytest

from newskg.errors import InputError, ServerError
from newskg.serve import remote as remote_http
from newskg.serve.oxigraph import free_port
from newskg.serve.push import push, shown_url
from newskg.serve.server import Server
from tests.conftest import run_cli

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
ARTICLE_GRAPH = "https://w3id.org/newskg/graph/article/000_62ce04f1d7ffd07b"


def counts(server: Server) -> dict[str, int]:
    url = server.query_url + "?" + urllib.parse.urlencode({"query": COUNT})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def local_counts(built_kg) -> dict[str, int]:
    store = ox.Store.read_only(str((built_kg / "kg" / "store").resolve()))
    out: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        out[quad.graph_name.value] = out.get(quad.graph_name.value, 0) + 1
    return out


@pytest.fixture
def remote(tmp_path):
    with Server(None, read_only=False, location=tmp_path / "remote") as server:
        yield server


def test_push_twice_replaces_rather_than_duplicates(built_kg, remote):
    expected = local_counts(built_kg)
    assert len(expected) >= 3  # article, entities, ontology

    result = run_cli("push", remote.store_url, "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    assert f"in {len(expected)} graph(s)" in result.out
    assert counts(remote) == expected

    report = push(built_kg / "kg", remote.store_url)
    assert report.graphs == len(expected) and report.triples == sum(expected.values())
    assert counts(remote) == expected


def test_push_replaces_a_graph_that_changed_remotely(built_kg, remote):
    push(built_kg / "kg", remote.store_url)
    update = urllib.request.Request(
        remote.update_url,
        data=f"INSERT DATA {{ GRAPH <{ARTICLE_GRAPH}> {{ <urn:x:stale> <urn:x:p> 1 }} }}".encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(update, timeout=30).read()
    assert counts(remote)[ARTICLE_GRAPH] == local_counts(built_kg)[ARTICLE_GRAPH] + 1
    push(built_kg / "kg", remote.store_url)
    assert counts(remote) == local_counts(built_kg)


def test_connection_refused_is_a_clear_error(built_kg):
    url = f"http://127.0.0.1:{free_port()}/store"
    result = run_cli("push", url, "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code
    assert "error: <https://w3id.org/newskg/graph/article/" in result.err
    assert f"cannot connect to {url}" in result.err
    assert "0 of 3 graph(s) were sent" in result.err
    assert "hint: check that the triple store is running" in result.err
    assert "Traceback" not in result.err


def test_read_only_endpoint_refusal_is_a_clear_error(built_kg):
    with Server(built_kg / "kg") as read_only:
        result = run_cli("push", read_only.store_url, "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "HTTP 403" in result.err and "read-only" in result.err
        # A URL that is not a Graph Store endpoint: the hint says which one to use.
        result = run_cli("push", read_only.url + "nothing-here", "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "HTTP 404" in result.err and "Graph Store Protocol endpoint" in result.err


def test_not_an_http_url(built_kg):
    result = run_cli("push", "ftp://example.org/store", "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code and "not an http(s) URL" in result.err


def test_credentials_never_show_and_come_from_the_documented_places(monkeypatch, tmp_path):
    url = "https://ann:s%40cret@triples.example/ds/data?x=1"
    assert shown_url(url) == "https://triples.example/ds/data?x=1"
    bare, in_url = remote_http.split_credentials(url)
    assert bare == "https://triples.example/ds/data?x=1" and in_url.password == "s@cret"
    monkeypatch.delenv(remote_http.USER_ENV, raising=False)
    monkeypatch.delenv(remote_http.PASSWORD_ENV, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    (tmp_path / "netrc").write_text("machine triples.example login nina password n3t\n")
    (tmp_path / "netrc").chmod(0o600)
    found = remote_http.find_credentials(bare, None, None)
    assert (found.user, found.password, found.source) == ("nina", "n3t", "the netrc file")
    monkeypatch.setenv(remote_http.USER_ENV, "eve")
    monkeypatch.setenv(remote_http.PASSWORD_ENV, "env-pw")
    assert remote_http.find_credentials(bare, None, None).user == "eve"
    assert remote_http.find_credentials(bare, None, in_url).user == "ann"
    given = remote_http.find_credentials(bare, "bob", in_url)  # the password from the environment
    assert (given.user, given.password, given.source) == ("bob", "env-pw", "--user")
    monkeypatch.delenv(remote_http.PASSWORD_ENV)
    with pytest.raises(InputError, match="has no password"):
        remote_http.find_credentials(bare, "bob", None)


# -- a fake Graph Store endpoint -------------------------------------------------------------


class FakeStore(http.server.ThreadingHTTPServer):
    """Graphs by name; ``script`` lists what to do with the next requests ("503", "drop",
    "html403", "slow"), then everything is accepted; ``basic`` is the user:password it wants."""

    def __init__(self, basic: str | None = None, script: list[str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.basic, self.script = basic, list(script or [])
        self.graphs: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []  # (method, Authorization)
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/store"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FakeStore
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, code: int, body: bytes = b"", ctype: str = "text/plain", **headers) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization")
        self.server.requests.append(("PUT", auth))
        expected = self.server.basic
        if expected and auth != "Basic " + base64.b64encode(expected.encode()).decode():
            return self._reply(401, b"who are you", WWW_Authenticate='Basic realm="fake"')
        action = self.server.script.pop(0) if self.server.script else "ok"
        if action == "503":
            return self._reply(503, b"busy", Retry_After="0")
        if action == "drop":
            self.close_connection = True
            return
        if action == "html403":
            page = b"<html><head><title>Failed</title></head><body><h1>403 Forbidden</h1>"
            page += b"<xmp>SQ110: Permission denied</xmp></body></html>"
            return self._reply(403, page, "text/html")
        if action == "slow":
            time.sleep(3)
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
        self.server.graphs[graph] = body
        self._reply(204)


@contextmanager
def fake_store(**options) -> Iterator[FakeStore]:
    server = FakeStore(**options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_one_connection_carries_every_graph(built_kg):
    with fake_store() as store:
        report = push(built_kg / "kg", store.url)
    assert report.graphs == len(store.graphs) == 3
    assert store.connections == 1
    assert all(auth is None for _, auth in store.requests)


def test_basic_auth_when_the_server_asks_for_it_and_never_before(built_kg):
    with fake_store(basic="ann:pw") as store:
        result = run_cli("push", store.url, "--user", "ann:pw", "--kg", built_kg / "kg")
        assert result.code == 0, result.err
        assert "pw" not in result.out
        # the first request carries no password: the server's challenge says which scheme
        assert store.requests[0][1] is None
        assert all(a and a.startswith("Basic ") for _, a in store.requests[1:])
        assert len(store.graphs) == 3


def test_a_401_says_whether_credentials_were_missing_or_refused(built_kg, monkeypatch):
    monkeypatch.delenv(remote_http.USER_ENV, raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent")
    with fake_store(basic="ann:pw") as store:
        result = run_cli("push", store.url, "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "HTTP 401" in result.err and "wants credentials: pass --user" in result.err
        result = run_cli("push", store.url, "--user", "ann:wrong", "--kg", built_kg / "kg")
        assert result.code == ServerError.exit_code
        assert "refused the credentials from --user for user 'ann'" in result.err
        assert "wrong" not in result.err


def test_a_503_and_a_dropped_connection_are_retried(built_kg):
    with fake_store(script=["503", "drop", "503"]) as store:
        report = push(built_kg / "kg", store.url, retries=3)
    assert report.graphs == len(store.graphs) == 3


def test_retries_run_out_with_a_clear_error(built_kg):
    with fake_store(script=["ok", "503", "503"]) as store:
        result = run_cli("push", store.url, "--retries", "1", "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code
    assert "HTTP 503" in result.err and "1 of 3 graph(s) were sent" in result.err


def test_an_html_error_page_is_shown_as_text(built_kg):
    with fake_store(script=["html403"]) as store:
        result = run_cli("push", store.url, "--kg", built_kg / "kg")
    assert result.code == ServerError.exit_code
    assert "HTTP 403 Forbidden: Failed 403 Forbidden SQ110: Permission denied" in result.err
    assert "<" not in result.err.split("HTTP 403", 1)[1].split("hint:")[0]
    assert "refuses writes" in result.err


def test_no_answer_in_time_is_not_cannot_connect(built_kg):
    with fake_store(script=["slow"]) as store:
        result = run_cli(
            "push", store.url, "--timeout", "0.5", "--retries", "0", "--kg", built_kg / "kg"
        )
    assert result.code == ServerError.exit_code
    assert "gave no answer in 0.5 s" in result.err and "cannot connect" not in result.err


def test_prune_needs_a_query_endpoint_it_can_find(built_kg):
    result = run_cli("push", "http://127.0.0.1:9/gsp", "--prune", "--kg", built_kg / "kg")
    assert result.code == InputError.exit_code
    assert "--sparql URL" in result.err


def test_prune_deletes_only_this_projects_removed_articles(project, remote):
    """Against Oxigraph: a removed article's graph goes, another project's graph stays."""
    import shutil

    from tests.conftest import add_articles

    add_articles(project / "seeds", ["fx1-mou-signing-ceremony"])
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    other = "https://example.org/other/graph/article/fx1-mou-signing-ceremony"
    update = f"INSERT DATA {{ GRAPH <{other}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
    request = urllib.request.Request(
        remote.update_url,
        data=update.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(request, timeout=30).read()
    assert run_cli("push", remote.store_url, "--kg", project / "kg").code == 0
    shutil.rmtree(project / "seeds" / "fx1-mou-signing-ceremony")
    assert run_cli("build", "--project", project, "--no-shacl").code == 0
    result = run_cli("push", remote.store_url, "--prune", "--kg", project / "kg")
    assert result.code == 0, result.err
    assert "deleted 1 graph(s)" in result.out
    left = counts(remote)
    assert other in left
    del left[other]
    assert left == local_counts(project)
