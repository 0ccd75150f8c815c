"""Compile a mapping set once (:class:`Materialiser`), then run it over records.

Each triples map becomes a plan of binders (:mod:`newskg.mapping.term_maps`); a run binds
them all up front, so the per-record loop never looks anything up by name.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from newskg.mapping import jsonpath
from newskg.mapping.lexical import fail
from newskg.mapping.model import LogicalSource, PredicateObjectMap, RefObjectMap, TriplesMap
from newskg.mapping.term_maps import EMPTY, Binder, Compiler, Gen, Quad, Resolver, Run
from newskg.rdf import RDF_TYPE

_RDF_TYPE = "<" + RDF_TYPE + ">"


# --------------------------------------------------------------------------- plans


@dataclass(slots=True)
class _PomPlan:
    predicates: list[Binder]
    objects: list[Binder]
    graphs: list[Binder]
    constant_predicates: list[str] | None  # rendered once when every predicate is constant


@dataclass(slots=True)
class _MapPlan:
    tm: TriplesMap
    iterators: list[tuple[LogicalSource, Callable[[Any], list[Any]]]]
    subjects: list[Binder]
    classes: list[str]
    graphs: list[Binder]
    poms: list[_PomPlan]


def _iterator(source: LogicalSource) -> Callable[[Any], list[Any]]:
    path = jsonpath.parse(source.iterator)
    select = jsonpath.multi_accessor(path)

    def records(doc: Any) -> list[Any]:
        found = [r for r in select(doc) if r is not None]
        for r in found:
            if type(r) is list:
                hint = f"write '{source.iterator}[*]' to iterate over its items"
                raise fail(
                    f"iterator '{source.iterator}' selects an array, not records",
                    source.location,
                    hint,
                )
        return found

    return records


class Materialiser:
    """A compiled mapping set: build once, run :meth:`run` per input."""

    def __init__(self, maps: list[TriplesMap]) -> None:
        self.maps = maps
        self._caches: list[dict[Any, str]] = []
        by_name = {tm.name: tm for tm in maps}
        self._plans = [self._plan(tm, by_name) for tm in maps]

    def _plan(self, tm: TriplesMap, by_name: dict[str, TriplesMap]) -> _MapPlan:
        c = Compiler(tm.flatten_arrays, self._caches)
        poms = []
        for pom in tm.predicate_objects:
            poms.append(self._pom(c, tm, pom, by_name))
        return _MapPlan(
            tm=tm,
            iterators=[(s, _iterator(s)) for s in tm.sources],
            subjects=[c.term(s) for s in tm.subjects],
            classes=["<" + iri + ">" for iri in tm.classes],
            graphs=[c.graph(g) for g in tm.graphs],
            poms=poms,
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
            predicates=[c.term(p) for p in pom.predicates],
            objects=objects,
            graphs=[c.graph(g) for g in pom.graphs],
            constant_predicates=constant,
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
        parent_iters = [(s, _iterator(s)) for s in parent.sources]
        key_id = id(ref)

        def bind_join(run: Run) -> Gen:
            index = run.indexes.get(key_id)
            if index is None:
                index = {}
                gens = [b(run) for b in parent_subjects]
                for source, records in parent_iters:
                    for prec in _records(run, source, records):
                        subs = [t for g in gens for t in g(prec)]
                        if not subs:
                            continue
                        for key in itertools.product(*(k(prec) for k in parent_keys)):
                            index.setdefault(key, []).extend(subs)
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

    def run(self, resolve: Resolver) -> Iterator[Quad]:
        run = Run(resolve)
        out: dict[Quad, None] = {}
        try:
            for plan in self._plans:
                _run_map(run, plan, out)
        finally:
            for cache in self._caches:
                cache.clear()
        return iter(out)


def _records(run: Run, source: LogicalSource, select: Callable[[Any], list[Any]]) -> list[Any]:
    cached = run.records.get(source.key)
    if cached is None:
        cached = select(run.doc(source))
        run.records[source.key] = cached
    return cached


def _bind_all(run: Run, binders: list[Binder]) -> Gen | None:
    """One generator for a list of term maps (None when the list is empty)."""
    gens = [b(run) for b in binders]
    if not gens:
        return None
    if len(gens) == 1:
        return gens[0]
    return lambda rec: [t for g in gens for t in g(rec)]


def _run_map(run: Run, plan: _MapPlan, out: dict[Quad, None]) -> None:
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
    for source, select in plan.iterators:
        for rec in _records(run, source, select):
            subs = subj(rec)
            if not subs:
                continue
            sgraphs = sgraph(rec) if sgraph is not None else EMPTY
            if classes:
                for s in subs:
                    for c in classes:
                        for g in sgraphs or default:
                            out[(s, _RDF_TYPE, c, g)] = None
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
                            out[(s, p, o, g)] = None
                    continue
                for s in subs:
                    for p in preds:
                        for o in objs:
                            for g in graphs or default:
                                out[(s, p, o, g)] = None


def dict_resolver(sources: Mapping[str, Any]) -> Resolver:
    def resolve(name: str) -> Any:
        return sources[name]

    return resolve
