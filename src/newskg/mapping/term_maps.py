"""Term maps compiled to closures: each becomes a function ``record -> list[str]`` of
N-Triples terms, built from precompiled JSONPath accessors, with constants rendered once.

Only two kinds of term map need per-run state (joins need an index over the parent's
records, fresh blank nodes need a counter), so compilation yields *binders*
``run -> generator`` that :mod:`newskg.mapping.materialise` binds at the start of a run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newskg.errors import Location
from newskg.mapping import jsonpath, terms
from newskg.mapping.jsonpath import MISSING
from newskg.mapping.lexical import (
    bad_lexical,
    constant_literal,
    fail,
    keep_as_is,
    lexical_form,
    lexical_form_for,
    short_repr,
)
from newskg.mapping.model import (
    DEFAULT_GRAPH_IRI,
    IRI_TYPES,
    Reference,
    TermMap,
)
from newskg.rdf import XSD_STRING

Quad = tuple[str, str, str, str]
Gen = Callable[[Any], list[str]]
Values = Callable[[Any], list[Any]]
Binder = Callable[["Run"], Gen]

EMPTY: list[Any] = []  # shared, never mutated: returned when a term map yields nothing
# Entries per term cache: enough for the values that repeat (attendees, topics, the article),
# and memory that does not grow with the data when most values are new.
CACHE_LIMIT = 1 << 14


def _static(gen: Gen) -> Binder:
    return lambda run: gen


# --------------------------------------------------------------------------- run state


@dataclass(slots=True)
class Run:
    """What one run shares between triples maps: the record source, the join indexes, and
    which record is being mapped (fresh blank nodes are named after it)."""

    source: Any  # a materialise.RecordSource
    indexes: dict[int, dict[tuple[str, ...], list[str]]] = field(default_factory=dict)
    record: str = ""

    def at(self, source_id: int, index: int) -> None:
        self.record = f"{source_id}r{index}"


# --------------------------------------------------------------------------- compiler


class Compiler:
    """Compiles the term maps of one triples map (its ``flatten_arrays`` setting) into
    binders."""

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
                    raise fail(
                        f"reference '{ref.path}' selects a nested array or object "
                        f"({short_repr(item)}), not a value",
                        loc,
                    )
                out.append(item)
            return out

        def non_scalar(v: Any) -> list[Any]:
            """The rare shapes: arrays (flattened or refused), objects (refused), Decimal."""
            if type(v) is list:
                if flatten:
                    return scalar_list(v)
                raise fail(
                    f"reference '{ref.path}' selects an array ({short_repr(v)}) where a "
                    "value is required",
                    loc,
                    f"write '{ref.path}[*]' to use each item",
                )
            if type(v) is dict:
                raise fail(
                    f"reference '{ref.path}' selects an object ({short_repr(v)}), not a value",
                    loc,
                    "reference one of its fields",
                )
            return [v]

        if path.single and len(path.steps) == 1 and path.steps[0][0] == "key":
            key = path.steps[0][1]

            # The hot path: `$.name` on a dict record, no accessor call.
            def single_key(rec: Any) -> list[Any]:
                if type(rec) is not dict:
                    return EMPTY
                v = rec.get(key)
                if v is None:
                    return EMPTY
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
                    return EMPTY
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
                return [lexical_form(v, tm.location) for v in vals(rec)]

            return ref_strings
        assert tm.template is not None
        loc = tm.location
        return self._template(tm.template, lambda v: lexical_form(v, loc), loc)

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
                    return EMPTY
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
        loc, base = tm.location, tm.base
        if tm.constant is not None:
            const = [tm.constant]
            return lambda rec: const
        if tm.reference is not None:
            vals = self.values(tm.reference)
            one = self.ref_iri(tm, wrap)

            def ref_iris(rec: Any) -> list[str]:
                return [one(v) for v in vals(rec)]

            return ref_iris
        assert tm.template is not None
        encoders = {"iri": terms.iri_safe, "uri": terms.uri_safe, "unsafe_iri": keep_as_is}
        enc = encoders[tm.term_type]

        def encode(v: Any) -> str:
            return enc(v) if type(v) is str else enc(lexical_form(v, loc))

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

    def ref_iri(self, tm: TermMap, wrap: bool) -> Callable[[Any], str]:
        """One value of a reference-valued IRI term map -> the IRI (``<iri>`` when
        ``wrap``): made absolute with the base, checked, cached."""
        left, right = ("<", ">") if wrap else ("", "")
        loc, base = tm.location, tm.base
        unsafe = tm.term_type == "unsafe_iri"
        valid = terms.is_valid_iri
        cache = self.cache() if wrap else None

        def one(v: Any) -> str:
            if cache is not None:
                term = cache.get(v)
                if term is not None:
                    return term
            iri = v if type(v) is str else lexical_form(v, loc)
            if not valid(iri):  # fast path: an absolute, valid IRI as is
                if not terms.is_absolute_iri(iri):
                    iri = base + iri
                problem = None if unsafe else terms.iri_problem(iri)
                if problem:
                    raise fail(
                        f"the {tm.what} value {short_repr(v)} does not give a valid IRI: {problem}",
                        loc,
                        "fix the data, or use a template to have the value percent-encoded",
                    )
            term = left + iri + right
            if cache is not None and type(v) is str:
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[v] = term
            return term

        return one

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
            # Named after the record and the term map, not a counter: a join's index and
            # the parent's own triples, and every process of a parallel run, agree on it.
            tag = "t" + str(len(self.caches))
            self.cache()  # keeps the tags of one materialiser apart

            def bind(run: Run) -> Gen:
                return lambda rec: ["_:n" + run.record + tag]

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
            const = [constant_literal(tm.constant, dt, lang, tm.constant, loc)]
            return lambda rec: const

        # A reference keeps the JSON type (natural datatype); a template gives a plain string.
        raw = self.values(tm.reference) if tm.reference is not None else self.strings(tm)
        if lang_map is not None:
            langs = self._languages(lang_map)

            def with_lang(rec: Any) -> list[str]:
                vals = raw(rec)
                if not vals:
                    return EMPTY
                tags = langs(rec)  # once per record, not once per value
                return [
                    terms.quote_literal(lexical_form(v, loc)) + "@" + lang
                    for v in vals
                    for lang in tags
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
                            lex = lexical_form_for(v, dt, loc)
                            if check is not None and not check(lex):
                                raise bad_lexical(v, lex, dt, tm)
                            term = (
                                terms.quote_literal(lex)
                                if is_string
                                else terms.quote_literal(lex) + suffix
                            )
                            if type(v) is str:
                                if len(cache) >= CACHE_LIMIT:
                                    cache.clear()
                                cache[v] = term
                        out.append(term)
                    return out

                return with_dt
            dts = self.iris(dt_map)

            def with_dyn_dt(rec: Any) -> list[str]:
                vals = raw(rec)
                if not vals:
                    return EMPTY
                out = []
                for dt in dts(rec):
                    problem = terms.datatype_problem(dt)
                    if problem:
                        raise fail(f"datatype <{dt}> from the data: {problem}", dt_map.location)
                    for v in vals:
                        lex = lexical_form_for(v, dt, loc)
                        if not terms.lexical_ok(lex, dt):
                            raise bad_lexical(v, lex, dt, tm)
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
                        if len(cache) >= CACHE_LIMIT:
                            cache.clear()
                        term = cache[v] = terms.quote_literal(v)
                    out.append(term)
                else:
                    pair = terms.natural(v)
                    if pair is None:
                        raise fail(f"cannot make a literal from {short_repr(v)}", loc)
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
                        raise fail(
                            f"{tag!r} is not a valid BCP 47 language tag",
                            tm.location,
                            "use a tag such as 'en' or 'en-GB'",
                        )
                    if len(valid) >= CACHE_LIMIT:
                        valid.clear()
                    valid.add(tag)
            return out

        return langs
