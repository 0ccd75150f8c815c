"""Benchmark `newskg map` against morph-kgc on the same mappings and data.

    .venv/bin/python bench/mapping.py [--sizes 100000,300000] [--workloads facts,csv,joins]

Three workloads, each at every size (records):

- facts: synthetic fact records in the shape of the project's normalised article documents
  (meetings, quotes and figures in turn, list-valued references to attendees, topics and
  evidence), mapped with a frozen copy of the project's mappings (bench/mappings/);
- csv: a CSV file of people (templates, datatypes, a language tag, an empty cell);
- joins: people and organisations in two JSON files, IRIs from templates, each person
  joined to its organisation on a key (a join condition), organisations 1 per 10 people.

Each engine runs as its own process writing N-Quads to a file: `python -m newskg.cli map`
(parallel as it decides) and `python -m morph_kgc CONFIG` from its venv (``.venv-morph`` or
``$NEWSKG_MORPH_PYTHON``; skipped with a note without it). Measured per run: wall time, CPU
time (user + system of the process and every child it waited for), and peak RSS of the
whole process tree (sampled from /proc every 20 ms, so several processes count together).
Throughput is quads written / wall time. Ratios compare the two engines in the same run.
Not a test: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_MAPPINGS = ROOT / "bench" / "mappings"
FACT_MAPPINGS = ["events.yaml", "statements.yaml", "cooperation.yaml"]
ARTICLE = "article.json"
BASE = "https://w3id.org/newskg/"


# --------------------------------------------------------------------------- workloads


def facts_document(n: int) -> dict[str, Any]:
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


CSV_MAPPING = """\
prefixes:
  ex: http://example.com/
  foaf: http://xmlns.com/foaf/0.1/
mappings:
  person:
    sources: [[people.csv~csv]]
    s: ex:person/$(id)
    po:
      - [a, foaf:Person]
      - [foaf:name, $(name)]
      - [foaf:nick, $(nick), en~lang]
      - [foaf:age, $(age), xsd:integer]
      - [ex:city, ex:city/$(city)~iri]
      - [foaf:mbox, mailto:$(email)~iri]
      - [ex:note, "$(name) lives in $(city)"]
"""

JOINS_MAPPING = """\
prefixes:
  ex: http://example.com/
  org: http://www.w3.org/ns/org#
mappings:
  organisation:
    sources: [[orgs.json~jsonpath, "$.orgs[*]"]]
    s: ex:org/$(code)/$(country)
    po:
      - [a, org:Organization]
      - [ex:label, $(label)]
  member:
    sources: [[people.json~jsonpath, "$.people[*]"]]
    s: ex:person/$(id)
    po:
      - [ex:name, $(name)]
      - [ex:role, ex:role/$(role)~iri]
      - p: org:memberOf
        o:
          mapping: organisation
          condition:
            function: equal
            parameters: [[str1, $(org)], [str2, $(code)]]
"""


def write_workload(name: str, n: int, work: Path) -> list[Path]:
    """Data and mapping files of one workload; returns the mapping files."""
    if name == "facts":
        (work / ARTICLE).write_text(json.dumps(facts_document(n), ensure_ascii=False))
        maps = []
        for m in FACT_MAPPINGS:
            shutil.copy(BENCH_MAPPINGS / m, work / m)
            maps.append(work / m)
        return maps
    if name == "csv":
        with (work / "people.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "name", "nick", "age", "city", "email"])
            for i in range(n):
                nick = "" if i % 7 == 0 else f"p{i}"
                w.writerow(
                    [i, f"Person {i} \u00e9", nick, 18 + i % 70, f"City {i % 900}", f"p{i}@ex.org"]
                )
        (work / "m.yaml").write_text(CSV_MAPPING)
        return [work / "m.yaml"]
    people = [
        {"id": i, "name": f"Person {i}", "org": f"o{i % (n // 10 or 1)}", "role": f"r{i % 20}"}
        for i in range(n)
    ]
    orgs = [
        {"code": f"o{k}", "country": ["th", "cn", "fr"][k % 3], "label": f"Org {k}"}
        for k in range(n // 10 or 1)
    ]
    (work / "people.json").write_text(json.dumps({"people": people}))
    (work / "orgs.json").write_text(json.dumps({"orgs": orgs}))
    (work / "m.yaml").write_text(JOINS_MAPPING)
    return [work / "m.yaml"]


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    quads: int
    wall: float
    cpu: float
    rss: float  # MiB, the process tree's peak

    @property
    def rate(self) -> float:
        return self.quads / self.wall


def _tree_rss(pid: int) -> int:
    """RSS in KiB of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], log: Path, cwd: Path) -> tuple[float, float, float]:
    """Run ``cmd``: (wall s, CPU s, peak tree RSS MiB)."""
    with log.open("w", encoding="utf-8") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=err, stderr=subprocess.STDOUT, cwd=cwd)
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
        raise SystemExit(f"{cmd[0]} failed (exit {code}):\n{tail}")
    # Not ru_maxrss: a child's starts from this process's own high-water mark at fork.
    return wall, usage.ru_utime + usage.ru_stime, peak[0] / 1024


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def run_newskg(maps: list[Path], work: Path) -> Run:
    out = work / "newskg.nq"
    cmd = [sys.executable, "-m", "newskg.cli", "map", *map(str, maps), "--base", BASE]
    wall, cpu, rss = timed([*cmd, "-o", str(out)], work / "newskg.log", work)
    return Run(count_lines(out), wall, cpu, rss)


def morph_config(maps: list[Path], out: Path) -> str:
    return "\n".join(
        [
            "[CONFIGURATION]",
            "output_format=N-QUADS",
            f"output_file={out}",
            "",
            "[DataSource1]",
            "mappings=" + ",".join(str(m) for m in maps),
            "",
        ]
    )


def run_morph(python: Path, name: str, maps: list[Path], work: Path) -> Run:
    mdir = work / "morph"
    mdir.mkdir()
    if name == "facts":  # the differential test's adaptations (reserved keys, paths)
        diff = _diff_module()
        doc = json.loads((work / ARTICLE).read_text())
        inputs = diff.Inputs(entities={}, articles=[("bench", doc)])
        inputs.article_maps = maps
        config = diff.prepare_morph(inputs, mdir)
        del doc, inputs
    else:
        config = mdir / "morph-kgc.ini"
        config.write_text(morph_config(maps, mdir / "morph-kgc.nq"))
    wall, cpu, rss = timed([str(python), "-m", "morph_kgc", str(config)], work / "morph.log", work)
    return Run(count_lines(mdir / "morph-kgc.nq"), wall, cpu, rss)


def _diff_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "morphkgc_diff", ROOT / "scripts" / "morphkgc_diff.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def show(who: str, r: Run) -> str:
    return (
        f"  {who:9} {r.quads:>10,} quads  wall {r.wall:7.2f} s  CPU {r.cpu:7.2f} s  "
        f"peak RSS {r.rss:7,.0f} MiB  ({r.rate:,.0f} quads/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,300000", help="records, comma-separated")
    parser.add_argument("--workloads", default="facts,csv,joins")
    parser.add_argument("--no-morph", action="store_true", help="run newskg only")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    python, why = (None, "--no-morph") if args.no_morph else _diff_module().morph_python()
    ours: dict[tuple[str, int], Run] = {}
    for name in args.workloads.split(","):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp)
                maps = write_workload(name, n, work)
                size = sum(p.stat().st_size for p in work.iterdir() if p.suffix != ".yaml")
                print(f"{name} at {n:,} records ({size / 2**20:.0f} MiB of data):")
                mine = ours[name, n] = run_newskg(maps, work)
                print(show("newskg", mine))
                if python is None:
                    print(f"  morph-kgc not run ({why})")
                    continue
                theirs = run_morph(python, name, maps, work)
                print(show("morph-kgc", theirs))
                print(
                    f"  ratios: throughput {mine.rate / theirs.rate:.1f}x morph-kgc's "
                    f"(target >= 5x), wall {theirs.wall / mine.wall:.1f}x faster, "
                    f"CPU {theirs.cpu / mine.cpu:.1f}x less, "
                    f"peak RSS {mine.rss / theirs.rss:.2f}x morph-kgc's (target <= 1x)"
                )
            sys.stdout.flush()
        if len(sizes) > 1:
            small, large = ours[name, sizes[0]], ours[name, sizes[-1]]
            print(
                f"  newskg peak RSS at {sizes[-1]:,} / at {sizes[0]:,} records: "
                f"{large.rss / small.rss:.2f}x (target <= 1.2x)\n"
            )


if __name__ == "__main__":
    main()
