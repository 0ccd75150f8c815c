"""Soak test of ``newskg serve``: mixed queries and rebuilds against one server, for minutes.

    .venv/bin/python bench/soak.py --minutes 60 [--articles 200] [--clients 4] [--work DIR]
        [--skip SAVED-QUERY]

A synthetic project (``newskg synth``) is built, and ``newskg serve`` runs on it as a child
process, on loopback only, with a short query timeout and a memory cap. Then, until the time
is up (every loop is bounded by it and by a count):

* ``--clients`` threads send queries in turn: the saved queries (``queries/*.rq``) that
  need no binding, a
  trivial ASK, a query whose ``SERVICE`` must be refused (400), and now and then one that
  runs past the timeout (503);
* a rebuild thread edits one article every ``--rebuild-every`` seconds and runs
  ``newskg build``, which ``serve`` follows by starting a fresh Oxigraph;
* a sampler reads the resident memory of ``serve`` and of every Oxigraph it runs from
  /proc, twice a second.

It prints the request count, the answers by kind, the errors by kind (anything but the
expected answer; only 503s of queries that ran past the timeout are acceptable), the
rebuilds, and the peak memory of ``serve`` and of Oxigraph, as lines to paste into
docs/performance.md. The exit code is 1 if there was any error.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
HOST = "127.0.0.1"  # loopback only: the soak never listens beyond this machine
ASK = "ASK { ?s ?p ?o }"
# Counting a four-way cross product runs far past any timeout (its memory grows meanwhile:
# --max-memory must leave room for --timeout seconds of it).
TIMES_OUT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
MAX_REQUESTS_PER_CLIENT = 10_000_000
MAX_REBUILDS = 100_000


class Tally:
    """Answers and errors by kind, shared by the client threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.requests = 0

    def add(self, answer: str, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            self.answers[answer] += 1
            if error is not None:
                self.errors[error] += 1


def saved_queries(skip: list[str]) -> list[tuple[str, str]]:
    """The saved queries that need no binding (unbound, ``entity`` would read everything),
    less those named in ``skip``."""
    from newskg.query.saved import list_queries

    queries = list_queries(ROOT / "queries")
    unknown = set(skip) - {q.name for q in queries}
    if unknown:
        sys.exit(f"--skip: no saved query {', '.join(sorted(unknown))}")
    return [(q.name, q.text) for q in queries if not q.required and q.name not in skip]


def run(*argv: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newskg.cli", *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def prepare(work: Path, articles: int) -> Path:
    """A project with ``articles`` synthetic articles, built."""
    project = work / "project"
    if not (project / "kg" / "store").exists():
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        for name in ("mappings", "ontology", "queries"):
            shutil.copytree(ROOT / name, project / name)
        synth = run("synth", "--articles", articles, "--out", project / "seeds")
        if synth.returncode:
            sys.exit(f"synth failed: {synth.stderr}")
        build = run("build", "--project", project, "--no-shacl")
        if build.returncode:
            sys.exit(f"build failed: {build.stderr}")
    return project


def classify(
    kind: str, status: int | None, body: bytes, failure: str | None
) -> tuple[str, str | None]:
    """(answer, error or None) for what a query of ``kind`` got."""
    if failure is not None:
        return f"{kind}: {failure}", f"{kind}: {failure}"
    answer = f"{kind}: {status}"
    if status == 503 and b"timed out" in body:
        answer += " timed out"
    elif status == 503 and b"exceeded the time limit" in body:
        answer += " restarted after another query timed out"
    elif status == 503:
        answer += " " + body[:60].decode("utf-8", "replace").strip()
    timed_out = status == 503 and (b"timed out" in body or b"exceeded the time limit" in body)
    if timed_out or status == {"service": 400}.get(kind, 200):
        return answer, None
    return answer, answer


def client(
    port: int, queries: list[tuple[str, str]], tally: Tally, deadline: float, seed: int
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        if i % 200 == 199:
            kind, query = "timeout", TIMES_OUT
        elif i % 50 == 25:
            kind, query = "service", SERVICE
        elif i % 10 == 0:
            kind, query = "ask", ASK
        else:
            name, query = rng.choice(queries)
            kind = f"saved {name}"
        status, body, failure = None, b"", None
        try:
            conn.request(
                "POST",
                "/query",
                body=query.encode(),
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json",
                },
            )
            response = conn.getresponse()
            status, body = response.status, response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            failure = type(exc).__name__
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
        tally.add(*classify(kind, status, body, failure))
    conn.close()


def rebuilder(
    project: Path, every: float, deadline: float, outcome: collections.Counter[str]
) -> None:
    seeds = sorted(p for p in (project / "seeds").iterdir() if (p / "facts.yaml").exists())
    for i in range(MAX_REBUILDS):
        if time.monotonic() + every >= deadline:
            break
        time.sleep(every)
        facts = seeds[i % len(seeds)] / "facts.yaml"
        text = facts.read_text(encoding="utf-8")
        edited = re.sub(r"(\n  title: [\"']?)(rev \d+ )?", rf"\g<1>rev {i} ", text, count=1)
        facts.write_text(edited, encoding="utf-8")
        result = run("build", "--project", project, "--no-shacl")
        outcome["ok" if result.returncode == 0 else f"failed: {result.stderr.strip()[:120]}"] += 1


def rss_kib(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of ``pid`` in KiB; (0, 0) once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields.get("VmRSS", "0 kB").split()[0]), int(fields.get("VmHWM", "0 kB").split()[0])


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (any of its threads may have forked them)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in task.read_text().split()]
        except OSError:
            continue
    return found


def sampler(serve_pid: int, deadline: float, peaks: dict[str, int]) -> None:
    while time.monotonic() < deadline + 5:
        peaks["serve"] = max(peaks["serve"], rss_kib(serve_pid)[1])
        for pid in children(serve_pid):  # the Oxigraphs: restarts make new ones
            peaks["oxigraph"] = max(peaks["oxigraph"], rss_kib(pid)[1])
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=15.0, help="serve --timeout (s)")
    parser.add_argument("--max-memory", default="4G", help="serve --max-memory")
    parser.add_argument("--rebuild-every", type=float, default=20.0, help="seconds")
    parser.add_argument("--work", type=Path, help="keep the project here (default: temporary)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this saved query out (repeatable), e.g. one known to run past --timeout",
    )
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="newskg-soak-"))
    project = prepare(work, args.articles)
    serve = subprocess.Popen(
        [sys.executable, "-m", "newskg.cli", "serve", "--host", HOST, "--port", "0",
         "--kg", str(project / "kg"), "--timeout", str(args.timeout),
         "--max-memory", args.max_memory],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert serve.stdout is not None
    line = serve.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/query", line)
    if match is None:
        serve.kill()
        sys.exit(f"serve did not start: {line}{serve.stderr.read() if serve.stderr else ''}")
    port = int(match[1])
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(serve.stdout), daemon=True).start()  # type: ignore[arg-type]

    started = time.monotonic()
    deadline = started + args.minutes * 60
    tally, rebuilds = Tally(), collections.Counter[str]()
    peaks = {"serve": 0, "oxigraph": 0}
    queries = saved_queries(args.skip)
    threads = [
        threading.Thread(target=client, args=(port, queries, tally, deadline, n))
        for n in range(args.clients)
    ]
    threads.append(
        threading.Thread(target=rebuilder, args=(project, args.rebuild_every, deadline, rebuilds))
    )
    threads.append(threading.Thread(target=sampler, args=(serve.pid, deadline, peaks), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join()
    elapsed = time.monotonic() - started
    peaks["serve"] = max(peaks["serve"], rss_kib(serve.pid)[1])
    serve.send_signal(signal.SIGTERM)
    try:
        serve.wait(timeout=30)
    except subprocess.TimeoutExpired:
        serve.kill()
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)

    errors = sum(tally.errors.values())
    skipped = f", saved queries skipped: {', '.join(args.skip)}" if args.skip else ""
    print(
        f"soak: {elapsed / 60:.1f} min against newskg serve on {HOST} ({args.articles} articles, "
        f"{args.clients} clients, --timeout {args.timeout:g}, --max-memory {args.max_memory}"
        f"{skipped})"
    )
    print(f"requests: {tally.requests} ({tally.requests / elapsed:.0f}/s)")
    for answer, count in sorted(tally.answers.items()):
        print(f"  {answer}: {count}")
    print(f"errors: {errors}" + ("" if errors else " (only 503s for timed-out queries)"))
    for error, count in sorted(tally.errors.items()):
        print(f"  {error}: {count}")
    print("rebuilds: " + ", ".join(f"{k} {v}" for k, v in sorted(rebuilds.items())))
    restarts = [line.strip() for line in log if "restarted" in line or "new build" in line]
    print(
        f"serve log: {sum('new build' in x for x in restarts)} rebuilds followed, "
        f"{sum('longer than' in x for x in restarts)} restarts after a timeout, "
        f"{sum('memory cap' in x for x in restarts)} after the memory cap, "
        f"{sum('unexpectedly' in x for x in restarts)} after Oxigraph died"
    )
    print(
        f"peak RSS: serve {peaks['serve'] / 1024:.0f} MB, "
        f"Oxigraph {peaks['oxigraph'] / 1024:.0f} MB (the largest of its processes)"
    )
    print(f"serve exit code {serve.returncode} after SIGTERM")
    return 1 if errors or serve.returncode else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT / "src"))
    sys.exit(main())
