"""The formats without named graphs (Turtle, N-Triples) and N-Quads, streamed: an external sort.

These formats order statements by subject across every graph, and a large store's quads do
not fit in memory to be sorted. Each statement becomes one line whose plain string order is
the export's order; the lines are sorted in chunks of :data:`CHUNK` into temporary files,
which are then merged (``heapq.merge``), so memory holds one chunk, whatever the store's size.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from typing import TextIO

import pyoxigraph as ox

from newskg.exports.rdf_text import header, render_subject, subject_key

CHUNK = 200_000  # lines sorted in memory at a time (a few tens of MB)


def sorted_unique(lines: Iterable[str], chunk: int | None = None) -> Iterator[str]:
    """``lines`` (each ending in a newline) sorted, duplicates dropped, in bounded memory."""
    chunk = chunk or CHUNK
    runs: list[TextIO] = []
    try:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= chunk:
                runs.append(_spill(batch))
                batch = []
        batch.sort()
        merged: Iterable[str] = heapq.merge(*runs, batch) if runs else batch
        previous = None
        for line in merged:
            if line != previous:
                yield line
                previous = line
    finally:
        for run in runs:
            run.close()


def _spill(batch: list[str]) -> TextIO:
    batch.sort()
    run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")  # noqa: SIM115
    run.writelines(batch)
    run.seek(0)
    return run


def write_nquads(store: ox.Store, out: TextIO) -> int:
    """Every quad as N-Quads, sorted and unique (the order of ``rdf_text.write_nquads``)."""
    count = 0
    for line in sorted_unique(_quad_lines(store)):
        out.write(line)
        count += 1
    return count


def write_ntriples(store: ox.Store, out: TextIO) -> int:
    """The union of the graphs as N-Triples, in ``sort_key`` order of (s, p, o)."""
    count = 0
    for s, p, o in _union_triples(store):
        out.write(f"{s} {p} {o} .\n")
        count += 1
    return count


def write_turtle(store: ox.Store, out: TextIO) -> int:
    """The union of the graphs as Turtle: byte for byte what ``rdf_text.write_turtle``
    writes for the same quads. The body goes to a temporary file first: the header lists
    only the prefixes the body uses, known once it is written."""
    used: set[str] = set()
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n") as body:
        for subject, group in _by_subject(_union_triples(store)):
            block = render_subject(subject, group, used, "")
            body.write(f"\n\n{block}" if count else block)
            count += len(group)
        write_after_header(out, used, body)
    return count


def _by_subject(
    triples: Iterable[tuple[str, str, str]],
) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    subject: str | None = None
    group: list[tuple[str, str, str]] = []
    for triple in triples:
        if triple[0] != subject:
            if subject is not None:
                yield subject, group
            subject, group = triple[0], []
        group.append(triple)
    if subject is not None:
        yield subject, group


def write_after_header(out: TextIO, used: set[str], body: TextIO) -> None:
    """The ``@prefix`` lines for ``used``, then ``body`` (a temporary file holding the
    statement blocks): how the Turtle and TriG writers end, byte for byte."""
    out.write(header(used))
    if body.tell():
        body.seek(0)
        out.write("\n")
        while chunk := body.read(1 << 20):
            out.write(chunk)
        out.write("\n")


def _quad_lines(store: ox.Store) -> Iterator[str]:
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.graph_name, ox.DefaultGraph):
            yield f"{q.subject} {q.predicate} {q.object} .\n"
        else:
            yield f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n"


def _union_triples(store: ox.Store) -> Iterator[tuple[str, str, str]]:
    """The distinct triples of every graph, in ``sort_key`` order: each line is the three
    terms' :func:`subject_key` joined by NUL, which sorts as the tuple of their sort keys."""
    lines = (
        f"{subject_key(str(q.subject))}\0{subject_key(str(q.predicate))}\0"
        f"{subject_key(str(q.object))}\n"
        for q in store.quads_for_pattern(None, None, None, None)
    )
    for line in sorted_unique(lines):
        s, p, o = line[:-1].split("\0")
        yield s[1:], p[1:], o[1:]
