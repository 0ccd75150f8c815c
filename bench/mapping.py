"""Benchmark the mapping engine: N synthetic meeting records -> quads.

    .venv/bin/python bench/mapping.py [N]          (default 100000, ~1M quads)

Prints compile time, materialise throughput (quads/s) and peak RSS. If morph-kgc is
installed, the same mapping is run through it in the same process and the ratio is printed
(the project target is >= 5x morph-kgc's throughput).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from newskg.mapping import load_mappings

MAPPING = """\
prefixes:
  schema: https://schema.org/
  nkg: https://w3id.org/newskg/ontology#
mappings:
  meeting:
    sources: [article.json~jsonpath, "$.meetings[*]"]
    s: $(iri)~iri
    graphs: $(graph)~iri
    po:
      - [a, [nkg:Meeting, schema:Event]]
      - [schema:name, $(label), en~lang]
      - [schema:startDate, $(date), xsd:date]
      - [schema:attendee, $(attendees)~iri]
      - [nkg:slug, "https://w3id.org/newskg/id/slug/$(label)~iri"]
      - [nkg:order, $(n)]
"""


def records(n: int) -> dict:
    base = "https://w3id.org/newskg/id/"
    return {
        "meetings": [
            {
                "iri": f"{base}meeting/a{i % 100}/m{i}",
                "label": f'Meeting number {i} of "group" {i % 7}',
                "date": f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "attendees": [f"{base}person/p{(i * 7 + k) % 5000}" for k in range(3)],
                "graph": f"https://w3id.org/newskg/graph/article/a{i % 100}",
                "n": i,
            }
            for i in range(n)
        ]
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = records(n)
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "bench.yaml"
        mapping.write_text(MAPPING, encoding="utf-8")
        t0 = time.perf_counter()
        ms = load_mappings([mapping])
        t1 = time.perf_counter()
        count = sum(1 for _ in ms.materialise({"article.json": data}))
        t2 = time.perf_counter()
        ours = count / (t2 - t1)
        print(f"records: {n}  quads: {count}")
        print(f"compile: {(t1 - t0) * 1000:.1f} ms")
        print(f"newskg materialise: {t2 - t1:.2f} s  ({ours:,.0f} quads/s)")
        print(f"peak RSS: {peak_rss_mb():.0f} MB")
        try:
            import morph_kgc  # type: ignore[import-not-found]
        except ImportError:
            print("morph-kgc not installed: no baseline ratio")
            return
        (Path(tmp) / "article.json").write_text(json.dumps(data), encoding="utf-8")
        config = f"[DataSource]\nmappings: {mapping}\n"
        t3 = time.perf_counter()
        graph = morph_kgc.materialize_oxigraph(config)
        t4 = time.perf_counter()
        theirs = len(graph) / (t4 - t3)
        print(f"morph-kgc: {t4 - t3:.2f} s  ({theirs:,.0f} quads/s)")
        print(f"ratio: {ours / theirs:.1f}x")


if __name__ == "__main__":
    main()
