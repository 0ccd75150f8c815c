"""Benchmark `newskg push` against a single N-Quads upload of the same graph, in one run.

    .venv/bin/python bench/push.py [--articles 500] [--work DIR] [--rounds 2]

1. Writes N synthetic articles (`newskg synth`) and builds them (--no-shacl) unless DIR has
   them already.
2. Starts `oxigraph serve` (the binary the `oxigraph` package installs) on a fresh store on
   loopback.
3. In turns, each in a fresh subprocess (wall time and peak RSS via wait4):
   - `newskg push URL/store`: one PUT per graph over one connection;
   - the floor: the whole store dumped as N-Quads to a file, then one streamed POST of that
     file to /store (what the Graph Store Protocol offers for a whole dataset).
   After each, the remote quad count is checked against the build's.
Prints the ratios push / single upload for time and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
OXIGRAPH = Path(PY).with_name("oxigraph")

SINGLE = """
import sys, tempfile
import pyoxigraph as ox, requests
kg, url = sys.argv[1], sys.argv[2]
store = ox.Store.read_only(kg)
with tempfile.TemporaryFile() as body:
    store.dump(body, format=ox.RdfFormat.N_QUADS)
    body.seek(0)
    response = requests.post(url, data=body, headers={"Content-Type": "application/n-quads"},
                             timeout=600)
    response.raise_for_status()
"""


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:4]} failed: {process.stderr.read().decode()}")  # type: ignore[union-attr]
    return wall, usage.ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remote_quads(base: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    request = urllib.request.Request(
        f"{base}/query?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])


def clear(base: str) -> None:
    request = urllib.request.Request(
        f"{base}/update",
        data=b"CLEAR ALL",
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(request, timeout=120).read()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "newskg-bench")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    n = args.articles
    root = args.work / f"push-{n}"
    if not (root / "kg" / "store").exists():
        root.mkdir(parents=True, exist_ok=True)
        for sub in ("mappings", "ontology"):
            subprocess.run(["cp", "-r", str(ROOT / sub), str(root / sub)], check=True)
        newskg = [PY, "-m", "newskg.cli"]
        subprocess.run(
            [*newskg, "synth", "--articles", str(n), "--out", str(root / "seeds")],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*newskg, "build", "--project", str(root), "--no-shacl"],
            check=True,
            capture_output=True,
        )
    manifest = json.loads(((root / "kg" / "store").resolve().parent / "manifest.json").read_text())
    quads, graphs = manifest["quads"], manifest["graphs"]
    with tempfile.TemporaryDirectory(dir=args.work) as scratch:
        port = free_port()
        server = subprocess.Popen(
            [str(OXIGRAPH), "serve", "--location", scratch, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    remote_quads(base)
                    break
                except OSError:
                    time.sleep(0.2)
            kg = str((root / "kg" / "store").resolve())
            push_cmd = [PY, "-m", "newskg.cli", "push", f"{base}/store", "--kg", str(root / "kg")]
            single_cmd = [PY, "-c", SINGLE, kg, f"{base}/store"]
            results: dict[str, list[tuple[float, float]]] = {"push": [], "single": []}
            for _ in range(args.rounds):  # in turns: a busy spell lands on both alike
                for name, command in (("push", push_cmd), ("single", single_cmd)):
                    clear(base)
                    results[name].append(timed(command))
                    assert remote_quads(base) == quads, name
        finally:
            server.terminate()
            server.wait()
    best = {name: min(runs) for name, runs in results.items()}
    peak = {name: max(rss for _, rss in runs) for name, runs in results.items()}
    print(f"{n} articles: {quads} quads in {graphs} graphs (oxigraph serve on loopback)")
    for name, label in (
        ("push", "newskg push (one PUT per graph)"),
        ("single", "single N-Quads upload (dump + one POST)"),
    ):
        times = ", ".join(f"{t:.2f}s" for t, _ in results[name])
        print(f"{label}: {times}; peak RSS {peak[name]:.0f} MB")
    print(
        f"RATIO push / single upload: time {best['push'][0] / best['single'][0]:.2f}, "
        f"peak RSS {peak['push'] / peak['single']:.2f}"
    )


if __name__ == "__main__":
    main()
