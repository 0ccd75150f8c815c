"""Saved queries with a bound parameter, their bindings written into the query as VALUES
(newskg.query.inline) against Oxigraph's substitutions, in turns, on a built graph.

    python bench/bindings.py KG [ENTITY-IRI]

KG is a built ``kg/`` folder (e.g. of ``newskg synth --articles 10000``); ENTITY defaults to
the organisation most facts name.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import newskg
import newskg.query.inline as inline
from newskg.query.saved import find_query

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def main(argv: list[str]) -> int:
    kg = newskg.KnowledgeGraph.open(argv[0])
    if len(argv) > 1:
        entity = newskg.Iri(argv[1])
    else:
        top = kg.select(
            "SELECT ?o (COUNT(*) AS ?n) WHERE { ?f ?p ?o . ?o a org:Organization }"
            " GROUP BY ?o ORDER BY DESC(?n) LIMIT 1"
        )
        entity = newskg.Iri(str(top.column("o")[0]))
    cases = {"timeline": {"entity": entity}, "entity": {"entity": entity}}
    written = inline.inline_values
    best: dict[tuple[str, str], float] = {}
    for _ in range(3):  # in turns, so that load on the machine falls on both alike
        for mode in ("values", "substitutions"):
            inline.inline_values = written if mode == "values" else (lambda query, b: None)
            for name, bindings in cases.items():
                query = find_query(name, QUERIES)
                started = time.perf_counter()
                rows = sum(1 for _ in query.run(kg, **bindings))
                elapsed = time.perf_counter() - started
                best[mode, name] = min(best.get((mode, name), elapsed), elapsed)
                print(f"{mode:14} {name:9} {rows:6} rows {elapsed * 1000:9.1f} ms", flush=True)
    for name in cases:
        ratio = best["substitutions", name] / best["values", name]
        print(
            f"{name:9} best: values {best['values', name] * 1000:.1f} ms, substitutions "
            f"{best['substitutions', name] * 1000:.1f} ms  RATIO substitutions/values {ratio:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
