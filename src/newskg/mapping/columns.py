"""The columnar run: a run of records through a triples map at once, as N-Quads text.

Record by record, every term map is a function call and every quad a tuple formatted later.
Here a term map of a simple shape (a constant, or references to one member each, such as a
CSV column) is evaluated for a whole run of records by one comprehension, and the quads of
a predicate-object map are concatenated as text. The result is the same text as formatting
the record-by-record quads, in the same order: one cell per record per column, joined record
by record. Everything else (joins, fresh blank nodes, graphs or predicates from the data,
nested paths, values that are not strings) goes through the record-by-record functions, cell
by cell or for the whole map.

Why this module is long: each shape that runs as columns sits beside its fall-back to the
record-by-record functions, so that what must give the same text is read in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import repeat
from operator import itemgetter
from typing import Any

from newskg.mapping import jsonpath, terms
from newskg.mapping.lexical import bad_lexical, keep_as_is
from newskg.mapping.model import DEFAULT_GRAPH_IRI, IRI_TYPES, Reference, RefObjectMap, TermMap
from newskg.mapping.sources import Rows
from newskg.mapping.term_maps import CACHE_LIMIT, Binder, Compiler, Gen, Quad, Run
from newskg.rdf import RDF_TYPE, XSD_STRING

_RDF_TYPE = "<" + RDF_TYPE + ">"

Cell = str | list[str] | None  # a record's terms: one, several, or none
Emit = Callable[[Any, list[Quad]], None]  # one record's quads appended to a list
Column = Callable[[list[Any]], list[Cell]]
Vector = Callable[[list[list[str]]], list[str] | None]
# keys; the term from their values; an int is text; all of a column's terms at once
Shape = tuple[list[str], Callable[..., str], bool, Vector | None]


def shape_of(c: Compiler, tm: TermMap) -> Shape | None:
    """What a term map needs to run as a column, found once when the mappings compile."""
    found = term_of_strings(c, tm)
    if found is None:
        return None
    keys, fn = found
    # An integer is text in a template or an IRI; as a literal it has its own datatype.
    return keys, fn, tm.template is not None or tm.term_type != "literal", _vector(tm)


_ONLY_STR = {str}
_ONLY_INT = {int}
_LITERAL_SPECIALS = ('"', "\\", "\n", "\r")  # what N-Triples escapes in a literal


def _vector(tm: TermMap) -> Vector | None:
    """For an IRI template or a literal over strings: all of a column's terms at once, from
    the values of each key (one list per key), with no Python call per value; None when a
    value fails a datatype's check, so that the values go one by one and the bad one is
    reported."""
    if tm.term_type not in ("iri", "literal"):
        return None
    parts = tm.template or (None,)
    texts = [p for p in parts if isinstance(p, str)]
    shape = "".join(_braces(p) if isinstance(p, str) else "{}" for p in parts)
    if tm.term_type == "iri":
        if tm.template is None:
            return None  # a reference-valued IRI is checked value by value
        first = parts[0]
        if not (isinstance(first, str) and terms.is_absolute_iri(first)):
            if any(":" in t for t in texts):
                return None  # absolute or not depends on the values
            shape = _braces(tm.base) + shape
        return _formatter("<" + shape + ">", terms.iri_safe_all)
    if any(x in t for t in texts for x in _LITERAL_SPECIALS):
        return None
    tail = '"'
    check, pattern = None, None
    if tm.language is not None:
        tail += "@" + str(tm.language.constant)
    elif tm.datatype is not None:
        dt = str(tm.datatype.constant)
        check = terms.LEXICAL_CHECKS.get(dt)
        pattern = terms.LEXICAL_PATTERNS.get(dt) if not texts else None
        if dt != XSD_STRING:
            tail += "^^<" + dt + ">"
    literal = _formatter('"' + shape + _braces(tail), terms.escape_all)
    lexical = shape.format

    def literals(cols: list[list[str]]) -> list[str] | None:
        if pattern is not None:
            if not all(map(pattern.match, cols[0])):
                return None
        elif check is not None and not all(map(check, map(lexical, *cols))):
            return None
        return literal(cols)

    return literals


def _formatter(shape: str, encode: Callable[[list[str]], list[str]]) -> Vector:
    """Columns of values -> their terms, ``shape`` a format string with one ``{}`` per
    column: joined in C (one reference: text, value, text)."""
    if shape.count("{}") == 1 and "{{" not in shape and "}}" not in shape:
        head, tail = shape.split("{}")
        return lambda cols: list(map("".join, zip(repeat(head), encode(cols[0]), repeat(tail))))
    fmt = shape.format
    return lambda cols: list(map(fmt, *map(encode, cols)))


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


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
    keys, fn, ints, vector = shape
    if len(keys) == 1:
        key = keys[0]

        def one(recs: list[Any]) -> list[Cell]:
            vals = _values(recs, key)
            if vals is None:  # a record that is not an object
                return [slow(r) for r in recs]
            if vector is not None:
                text = _strings(vals, ints)
                found = vector([text]) if text is not None else None
                if found is not None:
                    return found  # type: ignore[return-value]
            if ints:
                return [
                    fn(v) if type(v) is str else (fn(str(v)) if type(v) is int else slow(r))
                    for v, r in zip(vals, recs, strict=True)
                ]
            return [fn(v) if type(v) is str else slow(r) for v, r in zip(vals, recs, strict=True)]

        return one

    def many(recs: list[Any]) -> list[Cell]:
        cols = [_values(recs, k) for k in keys]
        if any(c is None for c in cols):
            return [slow(r) for r in recs]
        if vector is not None:
            texts = [_strings(c, ints) for c in cols]  # type: ignore[arg-type]
            if all(t is not None for t in texts):
                found = vector(texts)  # type: ignore[arg-type]
                if found is not None:
                    return found  # type: ignore[return-value]
        if len(cols) == 2:
            return [
                fn(a, b) if type(a) is str and type(b) is str else slow(r)
                for a, b, r in zip(cols[0], cols[1], recs, strict=True)  # type: ignore[arg-type]
            ]
        out: list[Cell] = []
        for vals, r in zip(zip(*cols, strict=True), recs, strict=True):  # type: ignore[call-overload]
            if all(type(v) is str for v in vals):
                out.append(fn(*vals))
            else:
                out.append(slow(r))
        return out

    return many


def _values(recs: list[Any], key: str) -> list[Any] | None:
    """Each record's value of one member (None where it has none), or None when a record
    is not an object."""
    if type(recs) is Rows:
        return recs.column(key)
    try:
        return list(map(itemgetter(key), recs))  # every record has it: CSV, most JSON
    except (KeyError, TypeError):
        pass
    try:
        return [r.get(key) for r in recs]
    except AttributeError:
        return None


def _strings(vals: list[Any], ints: bool) -> list[str] | None:
    """The values as text when all are strings (or integers, where they are text)."""
    kinds = set(map(type, vals))
    if kinds == _ONLY_STR:
        return vals
    if kinds == _ONLY_INT and ints:
        return list(map(str, vals))
    return None


def join_column(ref: RefObjectMap, binder: Binder, run: Run) -> Column:
    """A referencing object map: on one child member (the usual join), the parent's
    subjects looked up in the join index for the whole run."""
    gen = binder(run)  # builds the index
    index = run.indexes.get(id(ref))
    key = _single_key(ref.joins[0].child) if len(ref.joins) == 1 else None

    def slow(rec: Any) -> Cell:
        return _cell(gen(rec))

    if index is None or key is None or ref.joins[0].child.reference is None:
        return lambda recs: [slow(r) for r in recs]
    lookup = index.get

    def joined(recs: list[Any]) -> list[Cell]:
        vals = _values(recs, key)
        if vals is None:
            return [slow(r) for r in recs]
        out: list[Cell] = []
        for v, r in zip(vals, recs, strict=True):
            if type(v) is str or type(v) is int:
                out.append(_cell(lookup((str(v),), _NONE)))
            else:
                out.append(slow(r))
        return out

    return joined


_NONE: list[str] = []


def _single_key(tm: TermMap) -> str | None:
    if tm.reference is None:
        return None
    steps = jsonpath.parse(tm.reference.path).steps
    return steps[0][1] if len(steps) == 1 and steps[0][0] == "key" else None


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


class Lines(list[str]):
    """Text cells that are exactly one N-Quads line each: a run's lines are then its cells
    as they are, with no joining and splitting of its text."""

    __slots__ = ()


def lines(
    subjects: list[Cell], preds: list[str], objects: list[Cell], graphs: list[str]
) -> list[str]:
    """N-Quads text per record: every subject, predicate, object and graph, in that order."""
    if len(preds) == 1 and len(graphs) == 1:
        mid = " " + preds[0] + " "
        tail = " " + graphs[0] + " .\n" if graphs[0] else " .\n"
        if set(map(type, subjects)) == _ONLY_STR and set(map(type, objects)) == _ONLY_STR:
            return Lines(map("".join, zip(subjects, repeat(mid), objects, repeat(tail))))
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


def term_of_strings(c: Compiler, tm: TermMap) -> tuple[list[str], Callable[..., str]] | None:
    """For the columnar run: the column names (single-key references) a term map reads
    and a function from their string values to its one term, or None when the term map
    is not of that simple shape (it then runs record by record)."""
    if tm.term_type in ("blank", "unsafe_iri") or tm.constant is not None:
        return None
    if tm.datatype is not None and tm.datatype.constant is None:
        return None
    if tm.language is not None and tm.language.constant is None:
        return None
    refs = [tm.reference] if tm.reference is not None else []
    refs += [p for p in tm.template or () if isinstance(p, Reference)]
    keys = []
    for ref in refs:
        steps = jsonpath.parse(ref.path).steps
        if len(steps) != 1 or steps[0][0] != "key":
            return None
        keys.append(steps[0][1])
    if tm.term_type in IRI_TYPES:
        if tm.reference is not None:
            return keys, c.ref_iri(tm, wrap=True)
        enc = terms.iri_safe if tm.term_type == "iri" else terms.uri_safe
        texts = [p if isinstance(p, str) else None for p in tm.template or ()]
        based = _based(tm)
        if len(keys) == 1 and len(texts) <= 3:
            i = texts.index(None)
            prefix, suffix = "".join(texts[:i]), "".join(texts[i + 1 :])  # type: ignore[arg-type]
            cache = c.cache()

            def one_ref(v: str) -> str:
                term = cache.get(v)
                if term is None:
                    if len(cache) >= CACHE_LIMIT:
                        cache.clear()
                    term = cache[v] = "<" + based(prefix + enc(v) + suffix) + ">"
                return term

            return keys, one_ref

        fmt = _format(texts)

        def iri(*vals: str) -> str:
            return "<" + based(fmt.format(*map(enc, vals))) + ">"

        return keys, iri
    finish = _literal_of_string(tm)
    if tm.reference is not None:
        return keys, finish
    fmt = _format([p if isinstance(p, str) else None for p in tm.template or ()])

    def literal(*vals: str) -> str:
        return finish(fmt.format(*vals))

    return keys, literal


def _format(texts: list[str | None]) -> str:
    """A template as a ``str.format`` string: text kept, each reference a ``{}``."""
    return "".join("{}" if t is None else t.replace("{", "{{").replace("}", "}}") for t in texts)


def _based(tm: TermMap) -> Callable[[str], str]:
    """What a template's IRI needs to become absolute (as :meth:`iris` does)."""
    parts, base = tm.template or (), tm.base
    first = parts[0] if parts else ""
    if isinstance(first, str) and terms.is_absolute_iri(first):
        return keep_as_is
    if not any(isinstance(p, str) and ":" in p for p in parts):
        return lambda iri: base + iri
    return lambda iri: iri if terms.is_absolute_iri(iri) else base + iri


def _literal_of_string(tm: TermMap) -> Callable[[str], str]:
    """A string value -> the literal term (constant language or datatype, checked)."""
    if tm.language is not None:
        tag = "@" + str(tm.language.constant)
        return lambda v: terms.quote_literal(v) + tag
    if tm.datatype is not None:
        dt = str(tm.datatype.constant)
        check = terms.LEXICAL_CHECKS.get(dt)
        suffix = "" if dt == XSD_STRING else "^^<" + dt + ">"

        def typed(v: str) -> str:
            if check is not None and not check(v):
                raise bad_lexical(v, v, dt, tm)
            return terms.quote_literal(v) + suffix

        return typed
    return terms.quote_literal


ColumnEmit = Callable[[list[Any], int, int], list[list[str]]]


def bind_columns(run: Run, plan: Any, emit: Emit) -> ColumnEmit:
    """The function that gives, for a run of records of ``plan``'s map (a
    ``materialise._MapPlan``), its N-Quads text
    per record, one list per column (class triples, then each predicate-object map)."""
    if not plan.columnar:

        def record_by_record(recs: list[Any], sid: int, start: int) -> list[list[str]]:
            cells = []
            for j, rec in enumerate(recs):
                run.at(sid, start + j)
                out: list[Quad] = []
                emit(rec, out)
                cells.append("".join(map(nquad, out)))
            return [cells]

        return record_by_record
    tm = plan.tm
    subject_columns = [
        column(t, shape, b, run)
        for t, shape, b in zip(tm.subjects, plan.subject_shapes, plan.subjects, strict=True)
    ]
    sgraphs = graph_columns(tm.graphs, plan.graph_shapes, plan.graphs, run)
    classes = plan.classes[0] if len(plan.classes) == 1 else plan.classes
    poms = []
    for pp in plan.poms:
        if not pp.predicates or not pp.objects or pp.constant_predicates is None:
            continue
        object_columns = [
            column(o, shape, b, run) if isinstance(o, TermMap) else join_column(o, b, run)
            for o, shape, b in zip(pp.pom.objects, pp.object_shapes, pp.objects, strict=True)
        ]
        pgraphs = graph_columns(pp.pom.graphs, pp.graph_shapes, pp.graphs, run)
        poms.append((pp.constant_predicates, object_columns, pgraphs if pp.graphs else None))

    def by_columns(recs: list[Any], sid: int, start: int) -> list[list[str]]:
        n = len(recs)
        if len(subject_columns) == 1:
            subjects = subject_columns[0](recs)
        else:
            subjects = merge([col(recs) for col in subject_columns])
        sg = sgraphs(recs) if callable(sgraphs) else None  # per record, or constant
        out = []
        if classes:
            objects = [classes] * n
            if sg is None:
                out.append(lines(subjects, [_RDF_TYPE], objects, sgraphs or [""]))  # type: ignore[arg-type]
            else:
                out.append(lines_each(subjects, [_RDF_TYPE], objects, sg))
        for preds, object_columns, pgraphs in poms:
            if len(object_columns) == 1:
                objects = object_columns[0](recs)
            else:
                objects = merge([col(recs) for col in object_columns])
            pg = pgraphs(recs) if callable(pgraphs) else None
            if sg is None and pg is None:
                graphs = sgraphs + (pgraphs or [])  # type: ignore[operator]
                out.append(lines(subjects, preds, objects, graphs or [""]))
            elif pgraphs is None:
                out.append(lines_each(subjects, preds, objects, sg))  # type: ignore[arg-type]
            else:  # the subject map's graphs, then the entry's own, record by record
                first = sg if sg is not None else [_cell(sgraphs)] * n  # type: ignore[arg-type]
                then = pg if pg is not None else [_cell(pgraphs)] * n  # type: ignore[arg-type]
                out.append(lines_each(subjects, preds, objects, merge([first, then])))
        return out

    return by_columns


def graph_columns(tms: Any, shapes: Any, binders: list[Binder], run: Run) -> list[str] | Column:
    """Graph terms ("" for the default graph): a list when every graph map is constant,
    else a column."""
    constant = [constant_terms(t, b(run)) for t, b in zip(tms, binders, strict=True)]
    if all(c is not None for c in constant):
        return [g for c in constant for g in c]  # type: ignore[union-attr]
    cols = [column(t, sh, b, run) for t, sh, b in zip(tms, shapes, binders, strict=True)]

    def graphs(recs: list[Any]) -> list[Cell]:
        cells = cols[0](recs) if len(cols) == 1 else merge([c(recs) for c in cols])
        return [_not_default(c) for c in cells]

    return graphs


_DEFAULT_GRAPH = "<" + DEFAULT_GRAPH_IRI + ">"


def _not_default(cell: Cell) -> Cell:
    """rml:defaultGraph from the data is the default graph, as record by record."""
    if type(cell) is str:
        return "" if cell == _DEFAULT_GRAPH else cell
    if cell:
        return ["" if g == _DEFAULT_GRAPH else g for g in cell]
    return cell


def lines_each(
    subjects: list[Cell], preds: list[str], objects: list[Cell], graphs: list[Cell]
) -> list[str]:
    """:func:`lines` with each record's own graphs (none: the default graph)."""
    if len(preds) == 1:
        mid = " " + preds[0] + " "
        return [
            s + mid + o + (" " + g + " .\n" if g else " .\n")
            if type(s) is str and type(o) is str and type(g) is str
            else _cross(s, preds, o, [g] if type(g) is str else (g or [""]))
            for s, o, g in zip(subjects, objects, graphs, strict=True)
        ]
    return [
        _cross(s, preds, o, [g] if type(g) is str else (g or [""]))
        for s, o, g in zip(subjects, objects, graphs, strict=True)
    ]


def nquad(q: Quad) -> str:
    s, p, o, g = q
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"
