"""`newskg.serve.supervisor`: Oxigraph restarted whatever ends it, within a memory cap that
ends a runaway query with 503 while `newskg serve` keeps answering."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from newskg.errors import InputError
from newskg.serve.oxigraph import MIN_MEMORY, default_max_memory, parse_memory
from newskg.serve.server import Server
from newskg.serve.supervisor import Supervisor

ASK = "ASK { ?s ?p ?o }"
# Sorting a three-way cross product: Oxigraph's memory grows until the cap stops it.
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?c ?f ?i"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def get(server: Server, query: str) -> tuple[int, bytes]:
    url = server.query_url + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def answered_again(server: Server) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if get(server, ASK)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def test_oxigraph_is_restarted_when_it_dies(built_kg):
    lines: list[str] = []
    with Server(built_kg / "kg") as server:
        server.log = lines.append
        first = server.process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)  # out of memory, a crash: any death
        assert answered_again(server)
        assert server.process is not None and server.process.pid != first.pid
        assert server.restarts["died"] == 1 and server.running
    assert any("stopped unexpectedly (signal SIGKILL)" in line for line in lines)


def test_a_request_running_when_oxigraph_dies_gets_503(built_kg):
    with Server(built_kg / "kg", timeout=60) as server:
        pid = server.process.pid if server.process else 0
        answer: list[tuple[int, bytes]] = []
        thread = threading.Thread(target=lambda: answer.append(get(server, HEAVY)))
        thread.start()
        time.sleep(0.5)
        os.kill(pid, signal.SIGKILL)
        thread.join(30)
        assert answer and answer[0][0] == 503 and b"stopped while it ran" in answer[0][1]
        assert answered_again(server)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA as Linux counts it")
def test_the_memory_cap_ends_a_runaway_query_with_503(built_kg):
    with Server(built_kg / "kg", timeout=60, max_memory="300M") as server:
        status, body = get(server, RUNAWAY)
        assert status == 503 and b"memory cap" in body, body
        assert server.restarts["memory"] == 1
        assert get(server, ASK)[0] == 200  # and serve keeps answering


def test_max_memory_is_read_and_checked():
    assert parse_memory("4G") == 4 << 30
    assert parse_memory("512MiB") == 512 << 20
    assert parse_memory("1.5g") == 3 << 29
    assert parse_memory(str(MIN_MEMORY)) == MIN_MEMORY
    assert parse_memory("0") is None
    for bad in ("lots", "-1G", "4X", "1M"):
        with pytest.raises(InputError, match="--max-memory"):
            parse_memory(bad)
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert default_max_memory() == max(MIN_MEMORY, total // 4)
    assert Server().max_memory == default_max_memory()
    assert Server(max_memory=0).max_memory is None


def test_requests_on_an_oxigraph_stopped_for_a_timeout_keep_their_own_deadline(built_kg):
    """Another query's timeout replaces Oxigraph, but the one it had keeps answering the
    requests still running on it (a long answer already streaming is not cut short) until
    they are done; then it is stopped."""
    server = Server(built_kg / "kg", timeout=30)
    supervisor = Supervisor(server.command, max_memory=None, timeout=30)
    supervisor.start()
    try:
        old = supervisor.process
        assert old is not None
        streaming = threading.Event()
        streaming.set()
        supervisor.timed_out(supervisor.generation, lambda _: 1 if streaming.is_set() else 0)
        assert supervisor.process is not None and supervisor.process.pid != old.pid
        time.sleep(4)  # past the two seconds an old one used to get
        assert old.poll() is None, "the old Oxigraph was stopped under a running request"
        streaming.clear()
        deadline = time.monotonic() + 20
        while old.poll() is None:
            assert time.monotonic() < deadline, "the old Oxigraph outlived its requests"
            time.sleep(0.05)
    finally:
        supervisor.stop()
