"""The columnar run: a run of records through a triples map at once, as N-Quads text.

Record by record, every term map is a function call and every quad a tuple formatted later.
Here a term map of a simple shape (a constant, or references to one member each, such as a
CSV column) is evaluated for a whole run of records by one comprehension, and the quads of
a predicate-object map are concatenated as text. The result is the same text as formatting
the record-by-record quads, in the same order: one cell per record per column, joined record
by record. Everything else (joins, fresh blank nodes, graphs or predicates from the data,
nested paths, values that are not strings) goes through the record-by-record functions, cell
by cell or for the whole map.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newskg.mapping.model import DEFAULT_GRAPH_IRI, TermMap
from newskg.mapping.term_maps import Binder, Compiler, Gen, Run

Cell = str | list[str] | None  # a record's terms: one, several, or none
Column = Callable[[list[Any]], list[Cell]]
Shape = tuple[list[str], Callable[..., str], bool]  # keys, terms from values, ints as text


def shape_of(c: Compiler, tm: TermMap) -> Shape | None:
    """What a term map needs to run as a column, found once when the mappings compile."""
    found = c.term_of_strings(tm)
    if found is None:
        return None
    keys, fn = found
    # An integer is text in a template or an IRI; as a literal it has its own datatype.
    return keys, fn, tm.template is not None or tm.term_type != "literal"


def constant_terms(tm: TermMap, gen: Gen) -> list[str] | None:
    """The terms of a constant term map, or None when it depends on the record."""
    if tm.constant is None or tm.term_type == "blank":
        return None
    for extra in (tm.datatype, tm.language):
        if extra is not None and extra.constant is None:
            return None
    if tm.constant == DEFAULT_GRAPH_IRI:
        return [""]
    return list(gen(None))


def _cell(terms: list[str]) -> Cell:
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else terms


def column(tm: TermMap | None, shape: Shape | None, binder: Binder, run: Run) -> Column:
    """A column function for one term map (or a referencing object map, ``tm`` None)."""
    gen = binder(run)

    def slow(rec: Any) -> Cell:
        return _cell(gen(rec))

    if tm is not None:
        const = constant_terms(tm, gen)
        if const is not None:
            cell = _cell(const)
            return lambda recs: [cell] * len(recs)
    if shape is None:
        return lambda recs: [slow(r) for r in recs]
    keys, fn, ints = shape
    if len(keys) == 1:
        key = keys[0]

        def one(recs: list[Any]) -> list[Cell]:
            try:
                vals = [r.get(key) for r in recs]
            except AttributeError:  # a record that is not an object
                return [slow(r) for r in recs]
            if ints:
                return [
                    fn(v) if type(v) is str else (fn(str(v)) if type(v) is int else slow(r))
                    for v, r in zip(vals, recs, strict=True)
                ]
            return [fn(v) if type(v) is str else slow(r) for v, r in zip(vals, recs, strict=True)]

        return one

    def many(recs: list[Any]) -> list[Cell]:
        try:
            cols = [[r.get(k) for r in recs] for k in keys]
        except AttributeError:
            return [slow(r) for r in recs]
        out: list[Cell] = []
        for vals, r in zip(zip(*cols, strict=True), recs, strict=True):
            if all(type(v) is str for v in vals):
                out.append(fn(*vals))
            else:
                out.append(slow(r))
        return out

    return many


def merge(columns: list[list[Cell]]) -> list[Cell]:
    """Several object maps of one predicate-object map: their terms, in order, per record."""
    out: list[Cell] = []
    for cells in zip(*columns, strict=True):
        terms: list[str] = []
        for cell in cells:
            if type(cell) is str:
                terms.append(cell)
            elif cell:
                terms.extend(cell)
        out.append(_cell(terms))
    return out


def lines(
    subjects: list[Cell], preds: list[str], objects: list[Cell], graphs: list[str]
) -> list[str]:
    """N-Quads text per record: every subject, predicate, object and graph, in that order."""
    if len(preds) == 1 and len(graphs) == 1:
        mid = " " + preds[0] + " "
        tail = " " + graphs[0] + " .\n" if graphs[0] else " .\n"
        return [
            s + mid + o + tail if type(s) is str and type(o) is str else _cross(s, preds, o, graphs)
            for s, o in zip(subjects, objects, strict=True)
        ]
    return [_cross(s, preds, o, graphs) for s, o in zip(subjects, objects, strict=True)]


def _cross(s: Cell, preds: list[str], o: Cell, graphs: list[str]) -> str:
    if not s or not o:
        return ""
    ss = [s] if type(s) is str else s
    oo = [o] if type(o) is str else o
    return "".join(
        f"{x} {p} {y} {g} .\n" if g else f"{x} {p} {y} .\n"
        for x in ss  # type: ignore[union-attr]
        for p in preds
        for y in oo  # type: ignore[union-attr]
        for g in graphs
    )
