"""Time and peak memory of loading a store from N-Quads a part at a time, by part size.

    .venv/bin/python bench/load.py SMALL.nq [LARGE.nq] [--parts 128,64,32] [--work DIR]

Each file is loaded with ``newskg.builder.bulk_load.load_parts`` (what a build's store
load does) into a fresh store, in a fresh process per part size, whose wall time and peak
RSS (``VmHWM``) are printed; with two files, the large/small ratio of each part size's peak.
A large file ten times a small one, from a built ``kg/``:

    newskg export --format nq --kg KG -o small.nq
    for i in 0 1 2 3 4 5 6 7 8 9; do
        sed "s|/article/|/article$i/|g; s|/graph/|/graph$i/|g" small.nq
    done > large.nq
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from child import run_child

CHILD = """
import json, sys, time
from pathlib import Path
from newskg.builder import bulk_load
source, store, part = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
bulk_load.LOAD_PART = part << 20
wall = time.perf_counter()
bulk_load.load_parts(store, bulk_load.Concatenated([source]))
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"wall": time.perf_counter() - wall, "rss_mb": hwm / 1024}))
"""


def load(source: Path, part_mb: int, work: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        return run_child(CHILD, str(source), str(Path(scratch) / "store"), str(part_mb))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="one or two N-Quads files")
    parser.add_argument("--parts", default="128,64,32", help="part sizes in MB")
    parser.add_argument("--work", type=Path, default=None, help="where the stores go")
    args = parser.parse_args()
    work = args.work or args.files[0].parent
    for part in (int(size) for size in args.parts.split(",")):
        peaks = []
        for source in args.files[:2]:
            result = load(source, part, work)
            peaks.append(result["rss_mb"])
            print(
                f"{source.name} in parts of {part} MB: {result['wall']:.1f}s, "
                f"peak RSS {result['rss_mb']:.0f} MB",
                flush=True,
            )
        if len(peaks) == 2:
            print(
                f"RATIO peak RSS {args.files[1].name} / {args.files[0].name} "
                f"in parts of {part} MB = {peaks[1] / peaks[0]:.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
