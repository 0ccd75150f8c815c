"""Compile a mapping set once (:class:`Materialiser`), then run it over records.

Each triples map becomes a plan of binders (:mod:`newskg.mapping.term_maps`); a run binds
them all up front (joins index their parent's records then), so the per-record loop never
looks anything up by name. Records come from a :class:`RecordSource`: documents in memory
(:class:`DocumentSources`) or files streamed record by record
(:class:`newskg.mapping.sources.FileSources`). Every file is read once for all the triples
maps over it: records in document order, and for each record the maps in mapping order.

Duplicate quads are removed by :class:`QuadWindow` with bounded memory; a run is cut into
chunks of records so that several processes can share one (``part``) and their outputs still
come out in one deterministic order.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from newskg.errors import MappingError
from newskg.mapping import columns, jsonpath
from newskg.mapping.lexical import fail
from newskg.mapping.model import (
    LogicalSource,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    TermMap,
    TriplesMap,
)
from newskg.mapping.term_maps import EMPTY, Binder, Compiler, Gen, Quad, Run
from newskg.mapping.window import QuadWindow
from newskg.rdf import RDF_TYPE

_RDF_TYPE = "<" + RDF_TYPE + ">"
CHUNK = 1024  # records per chunk: the unit a process of a parallel run takes


class RecordSource(Protocol):
    """Gives the records of logical sources that share one ``path``."""

    def batches(self, sources: Sequence[LogicalSource]) -> Iterator[tuple[int, list[Any]]]:
        """(index into ``sources``, records in a row): every source's records in a
        deterministic order, a batch at a time."""
        ...


class DocumentSources:
    """Records from documents already in memory, keyed by source name: parsed JSON, or the
    text of a CSV file. ``resolve(name)`` gives a document."""

    def __init__(self, resolve: Callable[[str], Any]) -> None:
        self.resolve = resolve
        self.docs: dict[str, Any] = {}

    def doc(self, source: LogicalSource) -> Any:
        try:
            return self.docs[source.path]
        except KeyError:
            pass
        try:
            doc = self.resolve(source.path)
        except (KeyError, FileNotFoundError) as exc:
            raise MappingError(
                f"source '{source.path}' was not given",
                location=source.location,
                hint="pass its data to materialise() under exactly this name",
            ) from exc
        except (OSError, ValueError) as exc:
            raise MappingError(
                f"source '{source.path}' cannot be read: {exc}", location=source.location
            ) from exc
        self.docs[source.path] = doc
        return doc

    def batches(self, sources: Sequence[LogicalSource]) -> Iterator[tuple[int, list[Any]]]:
        from newskg.mapping.sources import csv_batches  # pure over a text: no file opened

        for i, source in enumerate(sources):
            doc = self.doc(source)
            if source.formulation == "csv":
                text = doc if isinstance(doc, str) else None
                if text is None:
                    raise MappingError(
                        f"CSV source '{source.path}' must be given as text",
                        location=source.location,
                    )
                for batch in csv_batches(io.StringIO(text), source, source.path):
                    yield i, batch
            else:
                found = jsonpath.multi_accessor(jsonpath.parse(source.iterator))(doc)
                for k in range(0, len(found), 1024):
                    yield i, found[k : k + 1024]


def document_sources(sources: Mapping[str, Any] | Callable[[str], Any]) -> DocumentSources:
    if callable(sources):
        return DocumentSources(sources)
    return DocumentSources(sources.__getitem__)


# --------------------------------------------------------------------------- plans


@dataclass(slots=True)
class _PomPlan:
    pom: PredicateObjectMap
    predicates: list[Binder]
    objects: list[Binder]
    graphs: list[Binder]
    constant_predicates: list[str] | None  # rendered once when every predicate is constant
    object_shapes: list[columns.Shape | None]
    graph_shapes: list[columns.Shape | None]


@dataclass(slots=True)
class _MapPlan:
    tm: TriplesMap
    columnar: bool  # predicates and graphs constant, no fresh blank node: runs as columns
    subject_shapes: list[columns.Shape | None]
    graph_shapes: list[columns.Shape | None]
    subjects: list[Binder]
    classes: list[str]
    graphs: list[Binder]
    poms: list[_PomPlan]
    columns: list[Reference]  # what a CSV header must name
    source_keys: frozenset[tuple[str, str, str]]


Emit = columns.Emit


class Materialiser:
    """A compiled mapping set: build once, run :meth:`chunks` (or :meth:`run`) per input."""

    def __init__(self, maps: list[TriplesMap]) -> None:
        self.maps = maps
        self._caches: list[dict[Any, str]] = []
        self._source_ids: dict[tuple[str, str, str], int] = {}
        by_name = {tm.name: tm for tm in maps}
        self._plans = [self._plan(tm, by_name) for tm in maps]

    def _source_id(self, source: LogicalSource) -> int:
        return self._source_ids.setdefault(source.key, len(self._source_ids))

    def _plan(self, tm: TriplesMap, by_name: dict[str, TriplesMap]) -> _MapPlan:
        c = Compiler(tm.flatten_arrays, self._caches)
        for s in tm.sources:
            self._source_id(s)
        poms = [self._pom(c, tm, pom, by_name) for pom in tm.predicate_objects]
        terms = [*tm.subjects, *(o for p in tm.predicate_objects for o in p.objects)]
        graphs = [*tm.graphs, *(g for p in tm.predicate_objects for g in p.graphs)]
        columnar = all(p.constant_predicates is not None for p in poms) and not any(
            isinstance(t, TermMap) and t.is_fresh_blank for t in [*terms, *graphs]
        )
        return _MapPlan(
            tm=tm,
            columnar=columnar,
            subject_shapes=[columns.shape_of(c, s) for s in tm.subjects],
            graph_shapes=[columns.shape_of(c, g) for g in tm.graphs],
            subjects=[c.term(s) for s in tm.subjects],
            classes=["<" + iri + ">" for iri in tm.classes],
            graphs=[c.graph(g) for g in tm.graphs],
            poms=poms,
            columns=_references(tm, by_name),
            source_keys=frozenset(s.key for s in tm.sources),
        )

    def _pom(
        self,
        c: Compiler,
        tm: TriplesMap,
        pom: PredicateObjectMap,
        by_name: dict[str, TriplesMap],
    ) -> _PomPlan:
        objects: list[Binder] = []
        for o in pom.objects:
            if isinstance(o, RefObjectMap):
                objects.append(self._ref(c, tm, o, by_name))
            else:
                objects.append(c.term(o))
        constant = None
        if all(p.constant is not None and p.term_type != "unsafe_iri" for p in pom.predicates):
            constant = ["<" + p.constant + ">" for p in pom.predicates]  # type: ignore[operator]
        return _PomPlan(
            pom=pom,
            predicates=[c.term(p) for p in pom.predicates],
            objects=objects,
            graphs=[c.graph(g) for g in pom.graphs],
            constant_predicates=constant,
            object_shapes=[
                columns.shape_of(c, o) if isinstance(o, TermMap) else None for o in pom.objects
            ],
            graph_shapes=[columns.shape_of(c, g) for g in pom.graphs],
        )

    def _ref(
        self, c: Compiler, child: TriplesMap, ref: RefObjectMap, by_name: dict[str, TriplesMap]
    ) -> Binder:
        parent = by_name[ref.parent]
        pc = Compiler(parent.flatten_arrays, self._caches)
        parent_subjects = [pc.term(s) for s in parent.subjects]
        if not ref.joins:
            # Same logical source (checked at compile time): the parent's subject of the
            # same record.
            def bind_same(run: Run) -> Gen:
                return _bind_all(run, parent_subjects) or (lambda rec: EMPTY)

            return bind_same
        child_keys = [c.strings(j.child) for j in ref.joins]
        parent_keys = [pc.strings(j.parent) for j in ref.joins]
        key_id = id(ref)

        def bind_join(run: Run) -> Gen:
            index = run.indexes.get(key_id)
            if index is None:
                index = self._index(run, parent, parent_subjects, parent_keys)
                run.indexes[key_id] = index
            lookup = index.get

            def joined(rec: Any) -> list[str]:
                cols = [k(rec) for k in child_keys]
                if len(cols) == 1:
                    out: list[str] = []
                    for v in cols[0]:
                        out.extend(lookup((v,), EMPTY))
                    return out
                return [t for key in itertools.product(*cols) for t in lookup(key, EMPTY)]

            return joined

        return bind_join

    def _index(
        self,
        run: Run,
        parent: TriplesMap,
        subjects: list[Binder],
        keys: list[Callable[[Any], list[Any]]],
    ) -> dict[tuple[str, ...], list[str]]:
        """Join key -> the parent's subjects, over every record of the parent's sources."""
        index: dict[tuple[str, ...], list[str]] = {}
        gens = [b(run) for b in subjects]
        for path, group in _by_path(list(parent.sources)).items():
            del path
            counters = [0] * len(group)
            for i, batch in run.source.batches(group):
                for prec in batch:
                    run.at(self._source_id(group[i]), counters[i])
                    counters[i] += 1
                    if prec is None:
                        continue
                    subs = [t for g in gens for t in g(prec)]
                    if not subs:
                        continue
                    for key in itertools.product(*(k(prec) for k in keys)):
                        index.setdefault(key, []).extend(subs)
        return index

    def _chunk_runs(
        self, run: Run, source: RecordSource, part: tuple[int, int] | None
    ) -> Iterator[list[tuple[list[_MapPlan], int, int, list[Any]]]]:
        """For every chunk of :data:`CHUNK` records that is this part's, its runs: records
        of one logical source in a row, with the maps that read them, the source's id and
        the index of the run's first record in that source."""
        k, n = part or (0, 1)
        paths: dict[str, list[LogicalSource]] = {}
        for plan in self._plans:
            for s in plan.tm.sources:
                group = paths.setdefault(s.path, [])
                if all(g.key != s.key for g in group):
                    group.append(s)
        recno = 0
        runs: list[tuple[list[_MapPlan], int, int, list[Any]]] = []
        for group in paths.values():
            consumers = [[p for p in self._plans if s.key in p.source_keys] for s in group]
            ids = [self._source_id(s) for s in group]
            counters = [0] * len(group)
            is_json = group[0].formulation != "csv"
            for i, batch in source.batches(group):
                if counters[i] == 0 and batch and not is_json and batch[0] is not None:
                    _check_columns(group[i], batch[0], consumers[i])
                if is_json and any(type(r) is list for r in batch):
                    raise _array_iterator(group[i])
                at = 0
                while at < len(batch):
                    # The part of the batch that falls in the current chunk.
                    take = min(len(batch) - at, CHUNK - recno % CHUNK)
                    if (recno // CHUNK) % n == k:
                        piece = batch[at : at + take]
                        runs.extend(_runs(piece, consumers[i], ids[i], counters[i]))
                    counters[i] += take
                    recno += take
                    at += take
                    if recno % CHUNK == 0:
                        if ((recno - 1) // CHUNK) % n == k:
                            yield runs
                        runs = []
        if recno % CHUNK and ((recno - 1) // CHUNK) % n == k:
            yield runs

    def chunks(
        self, source: RecordSource, part: tuple[int, int] | None = None
    ) -> Iterator[list[Quad]]:
        """The quads of every chunk of :data:`CHUNK` records, in order, duplicates not yet
        removed. With ``part=(k, n)`` only chunks ``c`` with ``c % n == k`` are mapped (every
        record is still read, so that all parts count chunks alike)."""
        run = Run(source)
        try:
            emitters = {id(plan): _bind_map(run, plan) for plan in self._plans}
            for runs in self._chunk_runs(run, source, part):
                batch: list[Quad] = []
                for plans, sid, start, recs in runs:
                    for j, rec in enumerate(recs):
                        run.at(sid, start + j)
                        for plan in plans:
                            emitters[id(plan)](rec, batch)
                yield batch
        finally:
            for cache in self._caches:
                cache.clear()

    def line_chunks(
        self, source: RecordSource, part: tuple[int, int] | None = None
    ) -> Iterator[list[str]]:
        """:meth:`chunks` as N-Quads lines, the same lines in the same order, made a run of
        records at a time (:mod:`newskg.mapping.columns`)."""
        run = Run(source)
        try:
            emitters = {
                id(plan): columns.bind_columns(run, plan, _bind_map(run, plan))
                for plan in self._plans
            }
            for runs in self._chunk_runs(run, source, part):
                lines: list[str] = []
                for plans, sid, start, recs in runs:
                    cells = [c for plan in plans for c in emitters[id(plan)](recs, sid, start)]
                    if all(type(c) is columns.Lines for c in cells):
                        lines += itertools.chain.from_iterable(zip(*cells, strict=True))
                    else:
                        text = "".join(map("".join, zip(*cells, strict=True)))
                        lines += text.splitlines(keepends=True)
                yield lines
        finally:
            for cache in self._caches:
                cache.clear()

    def run(self, source: RecordSource, window: QuadWindow | None = None) -> Iterator[Quad]:
        """Every quad once (within the window), in a deterministic order."""
        window = window or QuadWindow()
        for batch in self.chunks(source):
            yield from window.fresh(batch)


def _runs(
    piece: list[Any], plans: list[_MapPlan], sid: int, start: int
) -> list[tuple[list[_MapPlan], int, int, list[Any]]]:
    """A piece of a batch as runs without nulls (an iterator may select a null)."""
    if None not in piece:
        return [(plans, sid, start, piece)]
    out, run_start, run = [], start, []
    for j, rec in enumerate(piece):
        if rec is None:
            if run:
                out.append((plans, sid, run_start, run))
            run, run_start = [], start + j + 1
        else:
            run.append(rec)
    if run:
        out.append((plans, sid, run_start, run))
    return out


def _array_iterator(source: LogicalSource) -> MappingError:
    return fail(
        f"iterator '{source.iterator}' selects an array, not records",
        source.location,
        f"write '{source.iterator}[*]' to iterate over its items",
    )


def _by_path(sources: list[LogicalSource]) -> dict[str, list[LogicalSource]]:
    out: dict[str, list[LogicalSource]] = {}
    for s in sources:
        out.setdefault(s.path, []).append(s)
    return out


def _references(tm: TriplesMap, by_name: dict[str, TriplesMap]) -> list[Reference]:
    """Every reference a record of ``tm`` is read with (for the CSV header check)."""
    out: list[Reference] = []

    def add(term: TermMap | None) -> None:
        if term is None:
            return
        if term.reference is not None:
            out.append(term.reference)
        for part in term.template or ():
            if isinstance(part, Reference):
                out.append(part)
        add(term.datatype)
        add(term.language)

    for term in (*tm.subjects, *tm.graphs):
        add(term)
    for pom in tm.predicate_objects:
        for term in (*pom.predicates, *pom.graphs):
            add(term)
        for o in pom.objects:
            if isinstance(o, TermMap):
                add(o)
            elif o.joins:
                for j in o.joins:
                    add(j.child)
            elif o.parent in by_name:
                for s in by_name[o.parent].subjects:
                    add(s)
    return out


def _check_columns(source: LogicalSource, row: dict[str, Any], plans: list[_MapPlan]) -> None:
    """A reference to a column the header lacks is an error, not a column of nulls."""
    for plan in plans:
        for ref in plan.columns:
            steps = jsonpath.parse(ref.path).steps
            column = steps[0][1] if steps else ""
            if column not in row:
                raise fail(
                    f"column {column!r} is not in the header of '{source.path}'",
                    ref.location,
                    "columns: " + ", ".join(repr(c) for c in row),
                )


def _bind_all(run: Run, binders: list[Binder]) -> Gen | None:
    """One generator for a list of term maps (None when the list is empty)."""
    gens = [b(run) for b in binders]
    if not gens:
        return None
    if len(gens) == 1:
        return gens[0]
    return lambda rec: [t for g in gens for t in g(rec)]


def _bind_map(run: Run, plan: _MapPlan) -> Emit:
    """The function that appends the quads of one record of ``plan``'s map to a list."""
    subj = _bind_all(run, plan.subjects)
    assert subj is not None
    sgraph = _bind_all(run, plan.graphs)
    classes = plan.classes
    poms = []
    for pom in plan.poms:
        pred = _bind_all(run, pom.predicates)
        obj = _bind_all(run, pom.objects)
        if pred is None or obj is None:
            continue
        graph = _bind_all(run, pom.graphs)
        # Constant predicates (the usual case) are rendered once, not called per record.
        poms.append((pom.constant_predicates, pred, obj, graph))
    default = [""]

    def emit(rec: Any, out: list[Quad]) -> None:
        subs = subj(rec)
        if not subs:
            return
        add = out.append
        sgraphs = sgraph(rec) if sgraph is not None else EMPTY
        if classes:
            for s in subs:
                for c in classes:
                    for g in sgraphs or default:
                        add((s, _RDF_TYPE, c, g))
        single_subject = subs[0] if len(subs) == 1 else None
        for pconst, pred, obj, graph in poms:
            objs = obj(rec)
            if not objs:
                continue
            preds = pconst or pred(rec)
            if graph is not None:
                graphs = sgraphs + graph(rec) if sgraphs else graph(rec)
            else:
                graphs = sgraphs or default
            if single_subject is not None and len(graphs) == 1:
                s, g = single_subject, graphs[0]
                for p in preds:
                    for o in objs:
                        add((s, p, o, g))
                continue
            for s in subs:
                for p in preds:
                    for o in objs:
                        for g in graphs or default:
                            add((s, p, o, g))

    return emit
