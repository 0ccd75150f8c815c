"""Benchmark the mapping engine against morph-kgc on the same mapping and data.

    .venv/bin/python bench/mapping.py [N]          (default 100000 records, ~1M quads)

Generates N synthetic fact records in the shape of the project's normalised article
documents (meetings, quotes and figures in turn, with list-valued references to attendees,
topics and evidence), and maps them with the project's own ``mappings/events.yaml``,
``statements.yaml`` and ``cooperation.yaml``. Each engine runs in a fresh subprocess that
reads the JSON file, compiles the mappings, materialises and writes N-Quads to a file:

- newskg: this script with ``--engine newskg`` in newskg's venv;
- morph-kgc: ``python -m morph_kgc CONFIG`` in its own venv (``.venv-morph`` or
  ``$NEWSKG_MORPH_PYTHON``), skipped with a note when it is not installed. Its copy of the
  data and mappings goes through the same adaptations as the differential test
  (scripts/morphkgc_diff.py).

Throughput is quads written / wall time of the whole process (start-up, JSON parse and
compile included); peak RSS is each process's own ``ru_maxrss`` (``os.wait4``). Not a test:
nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ["events.yaml", "statements.yaml", "cooperation.yaml"]
ARTICLE = "article.json"
BASE = "https://w3id.org/newskg/"


def synthetic_document(n: int) -> dict[str, Any]:
    """N fact records (meetings, quotes, figures in turn) of one big synthetic article."""
    aid = "bench"
    graph = f"{BASE}graph/article/{aid}"
    article = f"{BASE}id/article/{aid}"
    person = [f"{BASE}id/person/p{k}" for k in range(5000)]
    concept = [f"{BASE}id/concept/c{k}" for k in range(300)]
    org = [f"{BASE}id/organization/o{k}" for k in range(500)]

    def common(kind: str, i: int) -> dict[str, Any]:
        return {
            "iri": f"{BASE}id/{kind}/{aid}/{kind}-{i}",
            "id": f"{kind}-{i}",
            "graph": graph,
            "article": article,
            "evidence": [
                f"{BASE}id/evidence/{aid}/{i * 40}-{i * 40 + 25 + k}" for k in range(1 + i % 2)
            ],
        }

    meetings, quotes, figures = [], [], []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            rec = common("meeting", i)
            rec.update(
                label=f"Meeting {i} between \u201c{person[i % 5000][-5:]}\u201d and others",
                date=f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                mode=f"{BASE}ontology#Virtual",
                attendees=[person[(i * 7 + k) % 5000] for k in range(2)],
                topics=[concept[(i + k) % 300] for k in range(2)],
                summary=f'They met and said "we will cooperate" (record {i}).\nSecond line.',
            )
            meetings.append(rec)
        elif kind == 1:
            rec = common("quote", i)
            rec.update(
                text=f"We are committed to cooperation number {i} \u2014 \u2018fully\u2019.",
                speaker=person[i % 5000],
                during=f"{BASE}id/meeting/{aid}/meeting-{i - 1}",
                according_to=f"{BASE}id/source/{aid}/press-release",
            )
            quotes.append(rec)
        else:
            rec = common("figure", i)
            rec.update(
                subject=org[i % 500],
                measure="ICT professionals trained",
                value_integer=str(1000 + i),
                comparator=f"{BASE}ontology#GreaterThan",
                unit="ICT professional",
                as_of=f"20{10 + i % 15}-06-30",
                according_to=f"{BASE}id/source/{aid}/press-release",
            )
            figures.append(rec)
    return {"meetings": meetings, "quotes": quotes, "figures": figures}


# --------------------------------------------------------------------------- newskg (child)


def run_newskg(data: Path, mappings: list[Path], out: Path) -> None:
    """The child process: read, compile, materialise, write N-Quads; timings to stdout."""
    from newskg.mapping import load_mappings

    t0 = time.perf_counter()
    doc = json.loads(data.read_text(encoding="utf-8"))
    t1 = time.perf_counter()
    ms = load_mappings(mappings, base=BASE)
    t2 = time.perf_counter()
    count = 0
    with out.open("w", encoding="utf-8", newline="\n") as f:
        write, chunk = f.write, []
        for s, p, o, g in ms.materialise({ARTICLE: doc}):
            chunk.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
            if len(chunk) >= 50_000:
                write("".join(chunk))
                count += len(chunk)
                chunk = []
        write("".join(chunk))
        count += len(chunk)
    t3 = time.perf_counter()
    print(
        json.dumps(
            {"quads": count, "read": t1 - t0, "compile": t2 - t1, "materialise+write": t3 - t2}
        )
    )


# --------------------------------------------------------------------------- parent


def _timed(cmd: list[str], log: Path, cwd: Path) -> tuple[float, float, str]:
    """Run ``cmd``; (wall seconds, peak RSS MiB, stdout)."""
    with log.open("w", encoding="utf-8") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=cwd, text=True)
        assert proc.stdout is not None
        stdout = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
        raise SystemExit(f"{cmd[0]} failed (exit {code}):\n{tail}")
    return wall, usage.ru_maxrss / 1024, stdout


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _diff_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "morphkgc_diff", ROOT / "scripts" / "morphkgc_diff.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="records")
    parser.add_argument("--engine", choices=["newskg"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=Path, help="keep data and outputs in this folder")
    parser.add_argument("--no-morph", action="store_true", help="run newskg only")
    args = parser.parse_args()
    mappings = [ROOT / "mappings" / name for name in MAPPINGS]
    if args.engine == "newskg":
        run_newskg(args.data, mappings, args.out)
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        doc = synthetic_document(args.n)
        data = work / ARTICLE
        data.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        print(f"records: {args.n:,}  data: {data.stat().st_size / 2**20:.0f} MiB JSON")

        out = work / "newskg.nq"
        cmd = [sys.executable, __file__, "--engine", "newskg", "--data", str(data)]
        wall, rss, stdout = _timed([*cmd, "--out", str(out)], work / "newskg.log", work)
        inner = json.loads(stdout)
        ours = inner["quads"] / wall
        print(
            f"newskg:    {inner['quads']:,} quads in {wall:.2f} s  ({ours:,.0f} quads/s)  "
            f"peak RSS {rss:,.0f} MiB  [read {inner['read']:.2f} s, compile "
            f"{inner['compile'] * 1000:.0f} ms, "
            f"materialise+write {inner['materialise+write']:.2f} s]"
        )
        del doc
        if args.no_morph:
            return
        diff = _diff_module()
        python, why = diff.morph_python()
        if python is None:
            print(f"morph-kgc: not run ({why})")
            return
        inputs = diff.Inputs(entities={}, articles=[("bench", json.loads(data.read_text()))])
        inputs.article_maps = mappings
        mdir = work / "morph"
        if mdir.exists():
            import shutil

            shutil.rmtree(mdir)
        config = diff.prepare_morph(inputs, mdir)
        del inputs
        mwall, mrss, _ = _timed(
            [str(python), "-m", "morph_kgc", str(config)], work / "morph-kgc.log", mdir
        )
        mquads = _count_lines(mdir / "morph-kgc.nq")
        theirs = mquads / mwall
        print(
            f"morph-kgc: {mquads:,} quads in {mwall:.2f} s  ({theirs:,.0f} quads/s)  "
            f"peak RSS {mrss:,.0f} MiB"
        )
        print(
            f"ratio: throughput {ours / theirs:.1f}x morph-kgc's (target >= 5x), "
            f"peak RSS {rss / mrss:.2f}x morph-kgc's (target <= 1x)"
        )


if __name__ == "__main__":
    main()
