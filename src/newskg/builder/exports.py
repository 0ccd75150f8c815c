"""The exports of a build: written whole for a full build, patched for an incremental one.

A full build writes the TriG export as the article graphs' blocks in graph order (article
graphs are disjoint) and the Turtle export (the union) as a merge of the articles' sorted
runs. An incremental build patches the previous exports (:mod:`newskg.exports.patch`): only
the changed graphs' TriG blocks and the subjects the changed articles describe are written
anew, and the rest is copied.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from newskg.builder.commit import StagedBuild
from newskg.builder.runs import concatenate, merge_lines, read_run
from newskg.exports.patch import TRIG, TURTLE, NotPatchable, patch_export
from newskg.exports.rdf_text import (
    header,
    render_rows,
    sorted_unique_triples,
    subject_key,
    subject_records,
    trig_graph_block,
    write_turtle_from_runs,
)
from newskg.store import TRIG_EXPORT, TURTLE_EXPORT

RUN_BATCH = 256  # article runs merged into one intermediate Turtle run (bounds open files)

# Named graph -> its triples, sorted: the entities and ontology graphs, small enough to hold.
FixedGraphs = dict[str, list[tuple[str, str, str]]]


def write_trig(
    staged: StagedBuild,
    fixed: FixedGraphs,
    ids: list[str],
    graph_of: dict[str, str],
    spans: dict[str, tuple[int, int]],
    blocks_file: Path,
    used: set[str],
) -> list[str]:
    """TriG, one block per named graph in graph order: what write_trig writes, streamed.
    Returns the prefixes the entities and ontology graphs use."""
    fixed_used: set[str] = set()
    order: list[tuple[str, str | tuple[int, int]]] = [
        (subject_key(graph), trig_graph_block(graph, triples, fixed_used))
        for graph, triples in fixed.items()
    ]
    order += [(subject_key(graph_of[i]), spans[i]) for i in ids]
    order.sort(key=lambda item: item[0])
    with (
        blocks_file.open("rb") as blocks,
        staged.export_path(TRIG_EXPORT).open("wb") as out,
    ):
        out.write(header(used | fixed_used).encode("utf-8"))
        if order:
            out.write(b"\n")
            for n, (_, block) in enumerate(order):
                if n:
                    out.write(b"\n\n")
                if isinstance(block, str):
                    out.write(block.encode("utf-8"))
                else:
                    blocks.seek(block[0])
                    out.write(blocks.read(block[1]))
            out.write(b"\n")
    return sorted(fixed_used)


def write_turtle(
    staged: StagedBuild,
    fixed: FixedGraphs,
    article_runs: list[Path],
    used: set[str],
    work: Path,
) -> list[str]:
    """Turtle of the union: a merge of sorted per-subject runs (what write_turtle writes).
    Returns the prefixes the entities and ontology graphs use."""
    fixed_used: set[str] = set()
    union = sorted_unique_triples(t for triples in fixed.values() for t in triples)
    first = work / "fixed.run"
    first.write_text("".join(subject_records(union, fixed_used)), encoding="utf-8", newline="\n")
    runs = [first]
    if len(article_runs) <= RUN_BATCH:
        runs += article_runs
    else:  # merge in batches first, so that the final merge opens few files
        for n in range(0, len(article_runs), RUN_BATCH):
            merged = work / f"batch-{n // RUN_BATCH:06d}.run"
            merge_lines(article_runs[n : n + RUN_BATCH], merged)
            runs.append(merged)
    body = work / "body.ttl"
    with body.open("w", encoding="utf-8", newline="\n") as handle:
        merged_used = write_turtle_from_runs(runs, handle)
    assert merged_used <= used | fixed_used, "the runs' prefixes are recorded per article"
    with staged.export_path(TURTLE_EXPORT).open("w", encoding="utf-8", newline="\n") as out:
        out.write(header(used | fixed_used))
        if body.stat().st_size:
            out.write("\n")
            concatenate([body], out)
            out.write("\n")
    return sorted(fixed_used)


def patch_trig(
    staged: StagedBuild,
    graph_of: dict[str, str],
    spans: dict[str, tuple[int, int]],
    blocks_file: Path,
    removed_graphs: list[str],
    new_header: str,
) -> None:
    """The previous TriG export with the rebuilt articles' graphs replaced (or inserted) and
    the removed articles' graphs dropped."""
    changes: dict[str, str | None] = {subject_key(graph): None for graph in removed_graphs}
    with blocks_file.open("rb") as blocks:
        for article_id, (offset, length) in spans.items():
            blocks.seek(offset)
            changes[subject_key(graph_of[article_id])] = blocks.read(length).decode("utf-8")
    patch_export(staged.layout.trig, staged.export_path(TRIG_EXPORT), new_header, changes, TRIG)


def patch_turtle(
    staged: StagedBuild,
    fixed: FixedGraphs,
    graph_of: dict[str, str],
    run_path: Callable[[str], Path],
    rebuilt: set[str],
    old_runs: dict[str, Path],
    new_header: str,
) -> None:
    """The previous Turtle export with every subject the changed articles described, before
    or after the change, re-rendered from the union of its triples over all graphs (or
    dropped when none is left).

    Which graphs describe a subject is asked of the new store; the triples themselves come
    from the run files, in the exact form the mapping engine wrote them (the store may print
    a literal differently), so the blocks are byte for byte what a full build writes."""
    touched: dict[str, str] = {}  # sort key -> subject
    for path in old_runs.values():
        touched.update((key, subject) for key, (subject, _) in read_run(path).items())
    new_rows: dict[str, list[str]] = {}
    for article_id in rebuilt:
        for key, (subject, rows) in read_run(run_path(article_id)).items():
            touched[key] = subject
            new_rows.setdefault(key, []).extend(rows)
    if any(not subject.startswith("<") for subject in touched.values()):
        # Blank node labels are not stable across stores: the store cannot say who else
        # describes one. Rare (no shipped mapping mints them): rewrite instead.
        raise NotPatchable("blank node subjects")
    subjects = set(touched.values())
    fixed_rows: dict[str, list[str]] = {}
    for triples in fixed.values():
        for s, p, o in triples:
            if s in subjects:
                fixed_rows.setdefault(s, []).append(f"{p} {o}")
    article_of = {graph: article_id for article_id, graph in graph_of.items()}
    others: dict[str, dict[str, tuple[str, list[str]]]] = {}  # unchanged articles' runs
    changes: dict[str, str | None] = {}
    store = ox.Store.read_only(str(staged.store_dir))
    try:
        for key, subject in touched.items():
            rows = [*fixed_rows.get(subject, ()), *new_rows.get(key, ())]
            graphs = {
                str(q.graph_name)
                for q in store.quads_for_pattern(ox.NamedNode(subject[1:-1]), None, None, None)
            }
            for graph in sorted(graphs):
                article_id = article_of.get(graph)
                if article_id is None or article_id in rebuilt:
                    continue  # an entities/ontology graph or a rebuilt article: rows known
                if article_id not in others:
                    others[article_id] = read_run(run_path(article_id))
                record = others[article_id].get(key)
                if record is None:
                    raise NotPatchable(f"the run of {article_id} does not describe {subject}")
                rows += record[1]
            changes[key] = render_rows(subject, rows, set()) if rows else None
    finally:
        del store
    patch_export(
        staged.layout.turtle, staged.export_path(TURTLE_EXPORT), new_header, changes, TURTLE
    )
