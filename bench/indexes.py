"""Time and peak memory of writing a build's indexes from scratch, at two sizes.

    .venv/bin/python bench/indexes.py SMALL-KG LARGE-KG [--work DIR]

Each KG is a built ``kg/`` folder (e.g. of ``newskg synth --articles 10000`` and of
``--articles 100000``). Its store is dumped once to N-Quads in DIR (what a full build hands
the indexes), then the traversal index and the text index (``newskg.indexes``) are each
written from scratch in a fresh process, whose wall time, CPU seconds and peak RSS are
printed, with the large/small ratio of each (the 100k build's target is a peak within 1.2x
of the 10k build's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from child import run_child

CHILD = """
import json, resource, shutil, sys, time
from pathlib import Path
from newskg.indexes import text, traversal_write
nquads, out, which = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
wall, cpu = time.perf_counter(), time.process_time()
if which == "traversal":
    traversal_write.write(out / "traversal", [nquads])
else:
    text.write(out / "text.sqlite", [nquads])
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def dumped(kg: Path, work: Path) -> tuple[Path, int]:
    """The store of ``kg`` as one N-Quads file in ``work`` (made once), and its quad count."""
    store = ox.Store.read_only(str((kg / "store").resolve()))
    quads = len(store)
    nquads = work / f"{kg.resolve().name}-{quads}.nq"
    if not nquads.exists():
        started = time.perf_counter()
        store.dump(str(nquads) + ".part", format=ox.RdfFormat.N_QUADS)
        Path(str(nquads) + ".part").rename(nquads)
        print(f"dumped {quads:,} quads of {kg} in {time.perf_counter() - started:.1f}s")
    return nquads, quads


def write_index(nquads: Path, work: Path, which: str) -> dict[str, float]:
    return run_child(CHILD, str(nquads), str(work / f"out-{which}"), which)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--work", type=Path, help="keep the N-Quads dumps here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        sizes = [dumped(kg, work) for kg in (args.small, args.large)]
        for which in ("traversal", "text"):
            results = [write_index(nquads, work, which) for nquads, _ in sizes]
            for (_, quads), result in zip(sizes, results, strict=True):
                print(
                    f"{which:9} index of {quads:>11,} quads: {result['wall']:7.1f}s wall,"
                    f" {result['cpu']:7.1f} CPU-s, peak RSS {result['rss_mb']:6,.0f} MB"
                )
            small, large = results
            print(
                f"{which:9} RATIO large/small: time {large['wall'] / small['wall']:.1f}x,"
                f" peak RSS {large['rss_mb'] / small['rss_mb']:.2f}x"
                f" (quads {sizes[1][1] / sizes[0][1]:.1f}x)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
