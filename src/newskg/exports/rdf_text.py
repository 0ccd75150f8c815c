"""Deterministic Turtle, TriG, N-Triples and N-Quads writers.

Why our own writer for Turtle/TriG: the exports are committed and diffed, so they must be
byte-for-byte reproducible: statements sorted, the same prefixes in the same order, only the
prefixes actually used, no timestamps. Terms arrive in N-Triples syntax (the mapping engine's
output), which is valid Turtle as it is; the writer only sorts, groups and abbreviates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from newskg.rdf import PREFIXES, RDF_TYPE, prefixed

Quad = tuple[str, str, str, str]

_TYPE = f"<{RDF_TYPE}>"


_RANK = {"<": 0, "_": 1}
# IRI -> (as written, its prefix or None): the terms of a vocabulary recur in every graph.
_COMPACT: dict[str, tuple[str, str | None]] = {}
_COMPACT_MAX = 1 << 16


def sort_key(term: str) -> tuple[int, str]:
    # IRIs, then blank nodes, then literals: a stable, readable order.
    return (_RANK.get(term[0], 2), term)


def _triple_key(triple: tuple[str, str, str]) -> tuple[int, str, int, str, int, str]:
    """The order of ``(sort_key(s), sort_key(p), sort_key(o))``, made without calls."""
    s, p, o = triple
    return (_RANK.get(s[0], 2), s, _RANK.get(p[0], 2), p, _RANK.get(o[0], 2), o)


def _compact_iri(term: str, used: set[str]) -> str:
    known = _COMPACT.get(term)
    if known is None:
        pair = prefixed(term[1:-1])
        known = (term, None) if pair is None else (f"{pair[0]}:{pair[1]}", pair[0])
        if len(_COMPACT) >= _COMPACT_MAX:  # an article's own IRIs never recur: bounded
            _COMPACT.clear()
        _COMPACT[term] = known
    if known[1] is not None:
        used.add(known[1])
    return known[0]


def _compact(term: str, used: set[str]) -> str:
    first = term[0]
    if first == "<":
        return _compact_iri(term, used)
    if first == '"' and term[-1] == ">":
        lexical, sep, datatype = term.rpartition('"^^')
        if sep:
            return f'{lexical}"^^{_compact_iri(datatype, used)}'
    return term


def render_subject(
    subject: str, triples: list[tuple[str, str, str]], used: set[str], indent: str
) -> str:
    """The Turtle block of one subject, from its triples sorted by predicate and object."""
    by_predicate: dict[str, list[str]] = {}
    for _, p, o in triples:
        by_predicate.setdefault(p, []).append(o)
    predicates = sorted(by_predicate, key=lambda p: (p != _TYPE, _RANK.get(p[0], 2), p))
    lines = [f"{indent}{_compact(subject, used)}"]
    last = len(predicates) - 1
    for n, predicate in enumerate(predicates):
        shown = "a" if predicate == _TYPE else _compact(predicate, used)
        objects = ", ".join([_compact(o, used) for o in by_predicate[predicate]])
        lines.append(f"{indent}    {shown} {objects}{' .' if n == last else ' ;'}")
    return "\n".join(lines)


def _by_subject(
    triples: list[tuple[str, str, str]],
) -> Iterator[tuple[str, list[tuple[str, str, str]]]]:
    """(subject, its triples) runs of triples sorted by subject."""
    index = 0
    while index < len(triples):
        subject = triples[index][0]
        end = index
        while end < len(triples) and triples[end][0] == subject:
            end += 1
        yield subject, triples[index:end]
        index = end


def statements(triples: list[tuple[str, str, str]], used: set[str], indent: str) -> Iterator[str]:
    """Turtle blocks, one per subject, from triples sorted by subject, predicate, object."""
    for subject, group in _by_subject(triples):
        yield render_subject(subject, group, used, indent)


def sorted_unique_triples(triples: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return sorted(set(triples), key=_triple_key)


def header(used: Iterable[str]) -> str:
    """The ``@prefix`` lines for the prefixes a body uses, in the fixed table order."""
    wanted = set(used)
    return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in PREFIXES if p in wanted)


def write_turtle(quads: Iterable[Quad], out: TextIO) -> None:
    """Turtle of the union of all graphs (Turtle has no graphs)."""
    used: set[str] = set()
    triples = sorted_unique_triples((s, p, o) for s, p, o, _ in quads)
    body = "\n\n".join(statements(triples, used, ""))
    out.write(header(used))
    if body:
        out.write("\n" + body + "\n")


def write_trig(quads: Iterable[Quad], out: TextIO) -> None:
    """TriG with one block per named graph, graphs and statements sorted."""
    graphs: dict[str, list[tuple[str, str, str]]] = {}
    for s, p, o, g in quads:
        graphs.setdefault(g, []).append((s, p, o))
    used: set[str] = set()
    blocks: list[str] = []
    for graph in sorted(graphs, key=lambda g: (g != "", sort_key(g) if g else (0, ""))):
        body = "\n\n".join(
            statements(sorted_unique_triples(graphs[graph]), used, "    " if graph else "")
        )
        blocks.append(f"{_compact(graph, used)} {{\n{body}\n}}" if graph else body)
    out.write(header(used))
    if blocks:
        out.write("\n" + "\n\n".join(blocks) + "\n")


def write_ntriples(quads: Iterable[Quad], out: TextIO) -> None:
    for s, p, o in sorted_unique_triples((s, p, o) for s, p, o, _ in quads):
        out.write(f"{s} {p} {o} .\n")


def write_nquads(quads: Iterable[Quad], out: TextIO) -> None:
    for s, p, o, g in sorted(set(quads)):
        out.write(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")


# -- one graph at a time -----------------------------------------------------------------------
#
# A large build cannot hold every quad to sort it. Article graphs are disjoint, so TriG is
# written graph by graph: each graph's block is what write_trig writes for it.


def trig_graph_block(graph: str, triples: list[tuple[str, str, str]], used: set[str]) -> str:
    """One named graph of the TriG export, from its triples sorted and deduplicated."""
    body = "\n\n".join(statements(triples, used, "    "))
    return f"{_compact(graph, used)} {{\n{body}\n}}"


def trig_document(graph: str, triples: list[tuple[str, str, str]]) -> str:
    """A TriG file holding one named graph: what :func:`write_trig` writes for its quads."""
    used: set[str] = set()
    block = trig_graph_block(graph, triples, used)
    return f"{header(used)}\n{block}\n"


def subject_key(subject: str) -> str:
    """A string whose plain ordering is :func:`sort_key` order (one rank character + term).

    Terms in N-Triples syntax hold no NUL and no line break (both are escaped), so a line of
    such keys joined by NUL sorts as the tuple of their sort keys with ordinary string
    comparison, and sorted files merge without a key function."""
    rank, term = sort_key(subject)
    return f"{rank}{term}"
