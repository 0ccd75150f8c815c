"""Compile the mapping model to closures once, then run them over records.

Every term map becomes a function ``record -> list[str]`` of N-Triples terms, built from
precompiled JSONPath accessors; constants are rendered once. Only two kinds of term map need
per-run state (joins need an index over the parent's records, fresh blank nodes need a
counter), so compilation yields *binders* ``run -> generator`` and a run binds them all up
front: the per-record loop never looks anything up by name.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from newskg.errors import Location, MappingError
from newskg.mapping import jsonpath, terms
from newskg.mapping.jsonpath import MISSING
from newskg.mapping.model import (
    DEFAULT_GRAPH_IRI,
    IRI_TYPES,
    LogicalSource,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    TermMap,
    TriplesMap,
)
from newskg.rdf import RDF_TYPE, XSD, XSD_DOUBLE, XSD_STRING

Quad = tuple[str, str, str, str]
Gen = Callable[[Any], list[str]]
Values = Callable[[Any], list[Any]]
Binder = Callable[["_Run"], Gen]
Resolver = Callable[[str], Any]

_EMPTY: list[Any] = []  # shared, never mutated: returned when a term map yields nothing
_RDF_TYPE = "<" + RDF_TYPE + ">"


def _static(gen: Gen) -> Binder:
    return lambda run: gen


# --------------------------------------------------------------------------- run state


@dataclass(slots=True)
class _Run:
    """What one ``materialise`` call shares between triples maps."""

    resolve: Resolver
    docs: dict[str, Any] = field(default_factory=dict)
    records: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    indexes: dict[int, dict[tuple[str, ...], list[str]]] = field(default_factory=dict)
    fresh: Iterator[int] = field(default_factory=itertools.count)

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


# --------------------------------------------------------------------------- compiler


def _fail(message: str, location: Location, hint: str | None = None) -> MappingError:
    return MappingError(message, location=location, hint=hint)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Compiler:
    def __init__(self, flatten_arrays: bool, caches: list[dict[Any, str]]) -> None:
        self.flatten = flatten_arrays
        # Term caches (JSON value -> N-Triples term) of the reference-valued term maps: a
        # value repeated across records (an attendee, a topic, the article) is validated and
        # rendered once, and all its quads share one string. Cleared after every run.
        self.caches = caches

    def cache(self) -> dict[Any, str]:
        c: dict[Any, str] = {}
        self.caches.append(c)
        return c

    # ---- references -> scalar values

    def values(self, ref: Reference) -> Values:
        """record -> list of non-null scalar values selected by ``ref``."""
        path = jsonpath.parse(ref.path)  # validated by the front end
        loc, flatten = ref.location, self.flatten

        def scalar_list(items: list[Any]) -> list[Any]:
            out = []
            for item in items:
                if item is None:
                    continue
                if type(item) is list or type(item) is dict:
                    raise _fail(
                        f"reference '{ref.path}' selects a nested array or object "
                        f"({_short(item)}), not a value",
                        loc,
                    )
                out.append(item)
            return out

        def non_scalar(v: Any) -> list[Any]:
            """The rare shapes: arrays (flattened or refused), objects (refused), Decimal."""
            if type(v) is list:
                if flatten:
                    return scalar_list(v)
                raise _fail(
                    f"reference '{ref.path}' selects an array ({_short(v)}) where a "
                    "value is required",
                    loc,
                    f"write '{ref.path}[*]' to use each item",
                )
            if type(v) is dict:
                raise _fail(
                    f"reference '{ref.path}' selects an object ({_short(v)}), not a value",
                    loc,
                    "reference one of its fields",
                )
            return [v]

        if path.single and len(path.steps) == 1 and path.steps[0][0] == "key":
            key = path.steps[0][1]

            # The hot path: `$.name` on a dict record, no accessor call.
            def single_key(rec: Any) -> list[Any]:
                if type(rec) is not dict:
                    return _EMPTY
                v = rec.get(key)
                if v is None:
                    return _EMPTY
                t = type(v)
                if t is str or t is int or t is float or t is bool:
                    return [v]
                return non_scalar(v)

            return single_key

        if path.single:
            acc = jsonpath.single_accessor(path)

            def single(rec: Any) -> list[Any]:
                v = acc(rec)
                if v is MISSING or v is None:
                    return _EMPTY
                t = type(v)
                if t is str or t is int or t is float or t is bool:
                    return [v]
                return non_scalar(v)

            return single

        multi = jsonpath.multi_accessor(path)

        def many(rec: Any) -> list[Any]:
            found = multi(rec)
            if flatten:
                flat: list[Any] = []
                for item in found:
                    if type(item) is list:
                        flat.extend(item)
                    else:
                        flat.append(item)
                found = flat
            return scalar_list(found)

        return many

    def strings(self, tm: TermMap) -> Values:
        """record -> list of plain strings (no IRI encoding): for literals, blank node
        names, language tags and join keys."""
        if tm.constant is not None:
            const = [tm.constant]
            return lambda rec: const
        if tm.reference is not None:
            vals = self.values(tm.reference)

            def ref_strings(rec: Any) -> list[str]:
                return [_lex(v, tm.location) for v in vals(rec)]

            return ref_strings
        assert tm.template is not None
        loc = tm.location
        return self._template(tm.template, lambda v: _lex(v, loc), loc)

    def _template(
        self, parts: tuple[Any, ...], encode: Callable[[Any], str], location: Location
    ) -> Values:
        """Template -> record -> list of strings (cross product over multi-valued refs)."""
        getters = [self.values(p) if isinstance(p, Reference) else None for p in parts]
        texts = [p if isinstance(p, str) else "" for p in parts]
        refs = [i for i, g in enumerate(getters) if g is not None]
        if len(refs) == 1:
            # The common shape: prefix + one reference + suffix.
            i = refs[0]
            get = getters[i]
            assert get is not None
            prefix, suffix = "".join(texts[:i]), "".join(texts[i + 1 :])

            def one(rec: Any) -> list[str]:
                return (
                    [prefix + encode(v) for v in get(rec)]
                    if not suffix
                    else [prefix + encode(v) + suffix for v in get(rec)]
                )

            return one

        def many(rec: Any) -> list[str]:
            columns: list[list[str]] = []
            for text, get in zip(texts, getters, strict=True):
                if get is None:
                    columns.append([text])
                    continue
                vals = get(rec)
                if not vals:
                    return _EMPTY
                columns.append([encode(v) for v in vals])
            if all(len(c) == 1 for c in columns):
                return ["".join(c[0] for c in columns)]
            return ["".join(combo) for combo in itertools.product(*columns)]

        return many

    # ---- term maps -> N-Triples terms

    def term(self, tm: TermMap) -> Binder:
        if tm.term_type in IRI_TYPES:
            return _static(self._iri_term(tm))
        if tm.term_type == "blank":
            return self._blank_term(tm)
        return _static(self._literal_term(tm))

    def graph(self, tm: TermMap) -> Binder:
        """Graph terms; rml:defaultGraph becomes "" (the default graph of an N-Quad)."""
        if tm.constant == DEFAULT_GRAPH_IRI:
            return _static(lambda rec: [""])
        gen = self._iri_term(tm)
        default_term = "<" + DEFAULT_GRAPH_IRI + ">"

        def graphs(rec: Any) -> list[str]:
            found = gen(rec)
            if default_term in found:
                return ["" if g == default_term else g for g in found]
            return found

        return _static(graphs if tm.constant is None else gen)

    def iris(self, tm: TermMap, wrap: bool = False) -> Values:
        """record -> list of absolute IRIs (raw, or as ``<iri>`` terms when ``wrap``)."""
        left, right = ("<", ">") if wrap else ("", "")
        loc, base = tm.location, tm.base
        if tm.constant is not None:
            const = [tm.constant]
            return lambda rec: const
        if tm.reference is not None:
            vals = self.values(tm.reference)
            unsafe = tm.term_type == "unsafe_iri"
            valid = terms.is_valid_iri
            cache = self.cache() if wrap else None

            def ref_iris(rec: Any) -> list[str]:
                out = []
                for v in vals(rec):
                    if cache is not None:
                        term = cache.get(v)
                        if term is not None:
                            out.append(term)
                            continue
                    iri = v if type(v) is str else _lex(v, loc)
                    if not valid(iri):  # fast path: an absolute, valid IRI as is
                        if not terms.is_absolute_iri(iri):
                            iri = base + iri
                        problem = None if unsafe else terms.iri_problem(iri)
                        if problem:
                            raise _fail(
                                f"the {tm.what} value {_short(v)} does not give a valid "
                                f"IRI: {problem}",
                                loc,
                                "fix the data, or use a template to have the value percent-encoded",
                            )
                    term = left + iri + right
                    if cache is not None and type(v) is str:
                        cache[v] = term
                    out.append(term)
                return out

            return ref_iris
        assert tm.template is not None
        encoders = {"iri": terms.iri_safe, "uri": terms.uri_safe, "unsafe_iri": _plain_str}
        enc = encoders[tm.term_type]

        def encode(v: Any) -> str:
            return enc(v) if type(v) is str else enc(_lex(v, loc))

        parts = tm.template
        gen = self._template(parts, encode, loc)
        first = parts[0] if parts else ""
        if isinstance(first, str) and terms.is_absolute_iri(first):
            return gen
        if not any(isinstance(p, str) and ":" in p for p in parts):
            # Encoded values never contain ':', so the result cannot be absolute.
            def based(rec: Any) -> list[str]:
                return [base + iri for iri in gen(rec)]

            return based

        def maybe_based(rec: Any) -> list[str]:
            return [iri if terms.is_absolute_iri(iri) else base + iri for iri in gen(rec)]

        return maybe_based

    def _iri_term(self, tm: TermMap) -> Gen:
        if tm.term_type == "unsafe_iri":
            iris = self.iris(tm)

            def unsafe(rec: Any) -> list[str]:
                return ["<" + terms.nt_unsafe_iri(i) + ">" for i in iris(rec)]

            return unsafe
        if tm.constant is not None:
            const = ["<" + tm.constant + ">"]
            return lambda rec: const
        if tm.reference is not None:
            return self.iris(tm, wrap=True)
        iris = self.iris(tm)

        def iri_terms(rec: Any) -> list[str]:
            found = iris(rec)
            if len(found) == 1:  # skip the comprehension for the usual single value
                return ["<" + found[0] + ">"]
            return ["<" + i + ">" for i in found]

        return iri_terms

    def _blank_term(self, tm: TermMap) -> Binder:
        if tm.is_fresh_blank:

            def bind(run: _Run) -> Gen:
                counter = run.fresh
                return lambda rec: ["_:n" + str(next(counter))]

            return bind
        names = self.strings(tm)

        def blank(rec: Any) -> list[str]:
            return [terms.bnode_label(n) for n in names(rec)]

        return _static(blank)

    def _literal_term(self, tm: TermMap) -> Gen:
        loc = tm.location
        dt_map, lang_map = tm.datatype, tm.language
        if (
            tm.constant is not None
            and (dt_map is None or dt_map.constant is not None)
            and (lang_map is None or lang_map.constant is not None)
        ):
            dt = dt_map.constant if dt_map is not None else None
            lang = lang_map.constant if lang_map is not None else None
            const = [_literal(tm.constant, dt, lang, tm.constant, loc)]
            return lambda rec: const

        # A reference keeps the JSON type (natural datatype); a template gives a plain string.
        raw = self.values(tm.reference) if tm.reference is not None else self.strings(tm)
        if lang_map is not None:
            langs = self._languages(lang_map)

            def with_lang(rec: Any) -> list[str]:
                vals = raw(rec)
                if not vals:
                    return _EMPTY
                tags = langs(rec)  # once per record, not once per value
                return [
                    terms.quote_literal(_lex(v, loc)) + "@" + lang for v in vals for lang in tags
                ]

            return with_lang
        if dt_map is not None:
            if dt_map.constant is not None:
                dt = dt_map.constant
                check = terms.LEXICAL_CHECKS.get(dt)
                suffix = "^^<" + dt + ">"
                is_string = dt == XSD_STRING
                cache = self.cache()

                def with_dt(rec: Any) -> list[str]:
                    out = []
                    for v in raw(rec):
                        term = cache.get(v) if type(v) is str else None
                        if term is None:
                            lex = _lex_for(v, dt, loc)
                            if check is not None and not check(lex):
                                raise _bad_lexical(v, lex, dt, tm)
                            term = (
                                terms.quote_literal(lex)
                                if is_string
                                else terms.quote_literal(lex) + suffix
                            )
                            if type(v) is str:
                                cache[v] = term
                        out.append(term)
                    return out

                return with_dt
            dts = self.iris(dt_map)

            def with_dyn_dt(rec: Any) -> list[str]:
                vals = raw(rec)
                if not vals:
                    return _EMPTY
                out = []
                for dt in dts(rec):
                    problem = terms.datatype_problem(dt)
                    if problem:
                        raise _fail(f"datatype <{dt}> from the data: {problem}", dt_map.location)
                    for v in vals:
                        lex = _lex_for(v, dt, loc)
                        if not terms.lexical_ok(lex, dt):
                            raise _bad_lexical(v, lex, dt, tm)
                        out.append(terms.typed_literal(lex, dt))
                return out

            return with_dyn_dt

        if tm.reference is None:

            def plain(rec: Any) -> list[str]:
                return [terms.quote_literal(s) for s in raw(rec)]

            return plain

        cache = self.cache()

        def natural(rec: Any) -> list[str]:
            out = []
            for v in raw(rec):
                if type(v) is str:
                    term = cache.get(v)
                    if term is None:
                        term = cache[v] = terms.quote_literal(v)
                    out.append(term)
                else:
                    pair = terms.natural(v)
                    if pair is None:
                        raise _fail(f"cannot make a literal from {_short(v)}", loc)
                    out.append(terms.typed_literal(*pair))
            return out

        return natural

    def _languages(self, tm: TermMap) -> Values:
        strings = self.strings(tm)
        valid: set[str] = set()

        def langs(rec: Any) -> list[str]:
            out = strings(rec)
            for tag in out:
                if tag not in valid:
                    if not terms.is_language_tag(tag):
                        raise _fail(
                            f"{tag!r} is not a valid BCP 47 language tag",
                            tm.location,
                            "use a tag such as 'en' or 'en-GB'",
                        )
                    valid.add(tag)
            return out

        return langs


def _plain_str(value: str) -> str:
    return value


def _lex(value: Any, location: Location) -> str:
    if type(value) is str:
        return value
    text = terms.lexical(value)
    if text is None:
        raise _fail(f"{_short(value)} is not a value that can be written in RDF", location)
    return text


def _lex_for(value: Any, datatype: str, location: Location) -> str:
    """Lexical form of ``value`` for an explicit datatype: a JSON float written as a decimal
    keeps its shortest decimal spelling rather than the canonical double form."""
    if type(value) is float and datatype not in (XSD_DOUBLE, XSD + "float"):
        return repr(value)
    return _lex(value, location)


def _bad_lexical(value: Any, lex: str, datatype: str, tm: TermMap) -> MappingError:
    short = datatype[len(XSD) :] if datatype.startswith(XSD) else datatype
    prefix = "xsd:" if datatype.startswith(XSD) else ""
    shown = _short(value) if not isinstance(value, str) else repr(lex)
    return _fail(
        f"value {shown} is not a valid {prefix}{short}",
        tm.location,
        "fix the data or change the datatype",
    )


def _literal(lex: str, dt: str | None, lang: str | None, shown: str, loc: Location) -> str:
    if lang is not None:
        return terms.quote_literal(lex) + "@" + lang
    if dt is None:
        return terms.quote_literal(lex)
    if not terms.lexical_ok(lex, dt):
        raise _fail(f"constant {shown!r} is not a valid {dt}", loc)
    return terms.typed_literal(lex, dt)


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
                raise _fail(
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
        c = _Compiler(tm.flatten_arrays, self._caches)
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
        c: _Compiler,
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
        self, c: _Compiler, child: TriplesMap, ref: RefObjectMap, by_name: dict[str, TriplesMap]
    ) -> Binder:
        parent = by_name[ref.parent]
        pc = _Compiler(parent.flatten_arrays, self._caches)
        parent_subjects = [pc.term(s) for s in parent.subjects]
        if not ref.joins:
            # Same logical source (checked at compile time): the parent's subject of the
            # same record.
            def bind_same(run: _Run) -> Gen:
                return _bind_all(run, parent_subjects) or (lambda rec: _EMPTY)

            return bind_same
        child_keys = [c.strings(j.child) for j in ref.joins]
        parent_keys = [pc.strings(j.parent) for j in ref.joins]
        parent_iters = [(s, _iterator(s)) for s in parent.sources]
        key_id = id(ref)

        def bind_join(run: _Run) -> Gen:
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
                        out.extend(lookup((v,), _EMPTY))
                    return out
                return [t for key in itertools.product(*cols) for t in lookup(key, _EMPTY)]

            return joined

        return bind_join

    def run(self, resolve: Resolver) -> Iterator[Quad]:
        run = _Run(resolve)
        out: dict[Quad, None] = {}
        try:
            for plan in self._plans:
                _run_map(run, plan, out)
        finally:
            for cache in self._caches:
                cache.clear()
        return iter(out)


def _records(run: _Run, source: LogicalSource, select: Callable[[Any], list[Any]]) -> list[Any]:
    cached = run.records.get(source.key)
    if cached is None:
        cached = select(run.doc(source))
        run.records[source.key] = cached
    return cached


def _bind_all(run: _Run, binders: list[Binder]) -> Gen | None:
    """One generator for a list of term maps (None when the list is empty)."""
    gens = [b(run) for b in binders]
    if not gens:
        return None
    if len(gens) == 1:
        return gens[0]
    return lambda rec: [t for g in gens for t in g(rec)]


def _run_map(run: _Run, plan: _MapPlan, out: dict[Quad, None]) -> None:
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
            sgraphs = sgraph(rec) if sgraph is not None else _EMPTY
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
