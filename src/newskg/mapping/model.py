"""The one internal mapping model both front ends (YARRRML, RML Turtle) compile to.

It mirrors RML-Core closely: triples maps with a logical source, a subject map, predicate-object
maps, term maps that are constant-, reference- or template-valued, and referencing object maps
with join conditions. Everything is resolved at compile time: prefixes are expanded, relative
constant IRIs are made absolute, and every term map knows the file:line:column it came from so
that runtime errors can still point at the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from newskg.errors import Diagnostic, Location
from newskg.mapping import terms
from newskg.rdf import XSD

TermType = Literal["iri", "uri", "unsafe_iri", "blank", "literal"]
IRI_TYPES: frozenset[str] = frozenset({"iri", "uri", "unsafe_iri"})


@dataclass(frozen=True, slots=True)
class Reference:
    """A JSONPath (absolute syntax, evaluated relative to the iteration node)."""

    path: str
    location: Location


TemplatePart = str | Reference


@dataclass(frozen=True, slots=True)
class TermMap:
    """Generates RDF terms. Exactly one of ``constant``, ``reference``, ``template`` is set,
    or none of them for a term map that mints a fresh blank node per iteration."""

    location: Location
    term_type: TermType
    constant: str | None = None  # absolute IRI, literal lexical form, or blank node value
    reference: Reference | None = None
    template: tuple[TemplatePart, ...] | None = None
    datatype: TermMap | None = None  # literals only; IRI-valued term map
    language: TermMap | None = None  # literals only; literal-valued term map
    base: str = ""  # prepended to IRIs that are not absolute
    what: str = "term"  # "subject", "predicate", "object", "graph", ... for messages

    @property
    def is_constant(self) -> bool:
        return self.constant is not None

    @property
    def is_fresh_blank(self) -> bool:
        return self.constant is None and self.reference is None and self.template is None


@dataclass(frozen=True, slots=True)
class Join:
    child: TermMap  # evaluated on the child (referencing) record, as plain strings
    parent: TermMap  # evaluated on the parent record


@dataclass(frozen=True, slots=True)
class RefObjectMap:
    """Object = subject(s) of another triples map, optionally joined."""

    parent: str  # name of the parent triples map
    joins: tuple[Join, ...]
    location: Location


ObjectMap = TermMap | RefObjectMap


@dataclass(frozen=True, slots=True)
class PredicateObjectMap:
    predicates: tuple[TermMap, ...]
    objects: tuple[ObjectMap, ...]
    graphs: tuple[TermMap, ...]
    location: Location


Formulation = Literal["jsonpath", "csv"]


@dataclass(frozen=True, slots=True)
class LogicalSource:
    """Where records come from. ``path`` is the source name callers key their data by (a
    file name relative to the mapping or the data folder for ``newskg map``). For CSV the
    iterator is ``$`` and every row is a record whose references are column names, compiled
    to ``$['column']``."""

    path: str
    iterator: str  # JSONPath
    location: Location
    formulation: Formulation = "jsonpath"
    encoding: str = "utf-8"  # utf-8 or utf-16
    compression: str = ""  # "", gzip, zip, targz, tarxz; "" = none, or guessed from the name
    nulls: tuple[str, ...] = ()  # CSV cells read as null (no term), e.g. "" or "NULL"
    delimiter: str = ","
    root: str = ""  # the folder a relative path starts from (the mapping's, by default)

    @property
    def key(self) -> tuple[str, str, str]:
        """Two logical sources are "identical" (RML-Core) when path, iterator and reference
        formulation match."""
        return (self.path, self.iterator, self.formulation)


RML = "http://w3id.org/rml/"
DEFAULT_GRAPH_IRI = RML + "defaultGraph"  # written as "" (the default graph) in quads


@dataclass(frozen=True, slots=True)
class TriplesMap:
    name: str
    location: Location
    sources: tuple[LogicalSource, ...]
    subjects: tuple[TermMap, ...]
    classes: tuple[str, ...]  # absolute IRIs
    graphs: tuple[TermMap, ...]  # the subject map's graph maps
    predicate_objects: tuple[PredicateObjectMap, ...]
    # YARRRML: a reference that selects a JSON array yields one term per item.
    # RML-Core: it is an error (write `[*]`), as conformance case RMLTC0025b requires.
    flatten_arrays: bool = False


@dataclass(slots=True)
class Diagnostics:
    """Collects every problem of a file so that all of them are reported in one raise."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, message: str, location: Location | None, hint: str | None = None) -> None:
        self.items.append(Diagnostic(message, location, hint))

    def __bool__(self) -> bool:
        return bool(self.items)


def check(maps: list[TriplesMap], diags: Diagnostics) -> None:
    """Checks shared by both front ends: term types per position, references between maps."""
    by_name = {tm.name: tm for tm in maps}
    for tm in maps:
        for term in _term_maps(tm):
            _check_term(term, diags)
        for s in tm.subjects:
            if s.term_type == "literal":
                diags.add(
                    "a subject cannot be a literal",
                    s.location,
                    "use an IRI template or a blank node",
                )
        for g in tm.graphs:
            _check_graph(g, diags)
        for pom in tm.predicate_objects:
            for p in pom.predicates:
                if p.term_type not in IRI_TYPES:
                    diags.add("a predicate must be an IRI", p.location)
            for g in pom.graphs:
                _check_graph(g, diags)
            for o in pom.objects:
                if isinstance(o, RefObjectMap):
                    _check_ref(tm, o, by_name, diags)


def _term_maps(tm: TriplesMap) -> list[TermMap]:
    out = [*tm.subjects, *tm.graphs]
    for pom in tm.predicate_objects:
        out.extend(pom.predicates)
        out.extend(pom.graphs)
        out.extend(o for o in pom.objects if isinstance(o, TermMap))
    return out


def _check_term(tm: TermMap, diags: Diagnostics) -> None:
    if tm.term_type == "blank" and tm.constant is not None:
        diags.add(
            f"a constant cannot be a blank node (constant {tm.constant!r})",
            tm.location,
            "use a template or reference for blank nodes, or make the constant an IRI",
        )
    if tm.term_type != "literal" and (tm.datatype or tm.language):
        diags.add(
            f"a datatype or language is only allowed on literals, but this {tm.what} "
            "is not a literal",
            tm.location,
        )
        return
    if tm.datatype is not None and tm.language is not None:
        diags.add(
            "a literal cannot have both a datatype and a language",
            tm.location,
            "keep one of the two",
        )
    dt = tm.datatype.constant if tm.datatype is not None else None
    if dt is not None:
        problem = terms.datatype_problem(dt)
        if problem:
            diags.add(problem, tm.datatype.location)  # type: ignore[union-attr]
            dt = None
    lang = tm.language.constant if tm.language is not None else None
    if lang is not None and not terms.is_language_tag(lang):
        diags.add(
            f"{lang!r} is not a valid BCP 47 language tag",
            tm.language.location,  # type: ignore[union-attr]
            "use a tag such as 'en', 'th' or 'en-GB'",
        )
    if tm.constant is not None and dt is not None and not terms.lexical_ok(tm.constant, dt):
        diags.add(
            f"constant {tm.constant!r} is not a valid {_curie(dt)}",
            tm.location,
            "fix the value or the datatype",
        )


def _curie(iri: str) -> str:
    return "xsd:" + iri[len(XSD) :] if iri.startswith(XSD) else f"<{iri}>"


def _check_graph(g: TermMap, diags: Diagnostics) -> None:
    if g.term_type not in IRI_TYPES:
        diags.add("a graph must be named by an IRI", g.location, "remove the term type")


def _check_ref(
    tm: TriplesMap, ref: RefObjectMap, by_name: dict[str, TriplesMap], diags: Diagnostics
) -> None:
    parent = by_name.get(ref.parent)
    if parent is None:
        return  # reported by the front end, which knows how the user spelled it
    if ref.joins:
        return
    child_keys = {s.key for s in tm.sources}
    parent_keys = {s.key for s in parent.sources}
    if child_keys != parent_keys:
        diags.add(
            f"the reference to '{ref.parent}' has no join condition, but the two read "
            "different sources (or iterators)",
            ref.location,
            "add a join condition, or read the same source with the same iterator",
        )
