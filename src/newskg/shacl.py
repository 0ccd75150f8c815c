"""SHACL validation of built graphs, reported in the project's error style.

What is validated (docs/scale.md, "SHACL"): each article graph is checked on its own, with
only the entity and ontology triples it needs, and the entities + ontology graphs are checked
once per build. The data graph of an article is

* the article's triples,
* every entities/ontology triple whose subject is also a subject in the article (a post that
  the article says ``org:heldBy`` someone keeps its ``org:postIn``; a programme the article
  founds keeps its labels), and
* the ``rdf:type`` triples of every node those triples point at (what ``sh:class`` looks at),

and only results about the article's subjects are kept, so the context nodes, which carry
just their types, are not themselves judged (pyshacl's ``focus_nodes`` option cannot be used
for this: it also filters the value nodes of nested shapes such as ``sh:or``, which then
pass vacuously). That is the same verdict as
validating article + entities + ontology for every node the article says something about,
at a cost that depends on the article alone, not on the registry.

The shapes are compiled by :mod:`newskg.shacl_fast` (core constraints in Python over an
index of N-Triples terms, ``sh:sparql`` in pyoxigraph); it refuses any SHACL feature it does
not implement. ``ShapesValidator(..., reference=True)`` (``newskg validate --reference``) runs
pyshacl instead, the engine ``tests/test_shacl.py`` proves the compiled one equal to. For the
reference engine:

* the shapes are parsed once and one :class:`pyshacl.Validator` is reused;
* the data graph is built from terms directly instead of serialising and re-parsing
  N-Triples;
* pyshacl hands each SPARQL constraint to rdflib as a string for every focus node, and
  rdflib re-parses it each time: the data graph caches the parsed query, which is
  immutable, keyed by its text and namespaces;
* pyshacl tests ``predicate in list`` for every shape it evaluates; a set makes it O(1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

from newskg.errors import Diagnostic, InputError, Location, ValidationError, location_of
from newskg.shacl_fast import CompiledShapes, UnsupportedShape

Quad = tuple[str, str, str, str]
Triple = tuple[str, str, str]
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _SIMPLE[match.group(3)]

    return _ESCAPE.sub(one, text)


_TERMS: dict[str, rdflib.term.Node] = {}


def rdflib_term(text: str) -> rdflib.term.Node:
    """An rdflib term from its N-Triples form, as rdflib's own N-Triples parser makes it."""
    cached = _TERMS.get(text)
    if cached is not None:
        return cached
    term: rdflib.term.Node
    if text[0] == "<":
        term = rdflib.URIRef(_unescape(text[1:-1]))
    elif text[0] == "_":
        term = rdflib.BNode(text[2:])
    else:
        close = text.rindex('"')
        lexical = _unescape(text[1:close])
        rest = text[close + 1 :]
        if rest.startswith("^^"):
            term = rdflib.Literal(lexical, datatype=rdflib.URIRef(_unescape(rest[3:-1])))
        elif rest.startswith("@"):
            term = rdflib.Literal(lexical, lang=rest[1:])
        else:
            term = rdflib.Literal(lexical)
    if text[0] == "<" and len(_TERMS) < 200_000:  # IRIs repeat; literals mostly do not
        _TERMS[text] = term
    return term


_QUERIES: dict[tuple[str, tuple[tuple[str, str], ...], str | None], Query] = {}


class _QueryCachingGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once per process, not once per focus node."""

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Any] | None = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str):
            namespaces = dict(initNs) if initNs is not None else dict(self.namespaces())
            base = kwargs.get("base")
            key = (query_object, tuple(sorted((k, str(v)) for k, v in namespaces.items())), base)
            prepared = _QUERIES.get(key)
            if prepared is None:
                prepared = translateQuery(parseQuery(query_object), base, namespaces)
                _QUERIES[key] = prepared
            query_object = prepared
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


class _SetList(list[Any]):
    """A list with set-speed membership: pyshacl tests ``predicate in <list of 40 IRIs>``
    for every predicate of every shape it evaluates (a third of its time on our shapes)."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _speed_up_pyshacl() -> None:
    import pyshacl.shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    # shape.py caches this tuple on its module on first use; we only fill it in earlier.
    if not isinstance(getattr(shape_module, "CONSTRAINT_PARAMS", (None,))[0], _SetList):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _SetList(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


@dataclass(frozen=True)
class Violation:
    focus: str  # IRI (or blank node id) of the focus node
    path: str | None  # IRI of the result path
    message: str
    severity: str  # Violation, Warning or Info
    component: str = ""  # e.g. MinCountConstraintComponent
    value: str | None = None  # the value node, N3 (rdflib's n3()) as a canonical form


class EntityContext:
    """The entities and ontology graphs indexed by subject, to give each article its context."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.by_subject: dict[str, list[Triple]] = {}
        self.types: dict[str, list[Triple]] = {}
        for s, p, o, _ in quads:
            self.by_subject.setdefault(s, []).append((s, p, o))
            if p == RDF_TYPE:
                self.types.setdefault(s, []).append((s, p, o))

    def around(self, triples: Iterable[Triple]) -> tuple[set[Triple], set[str]]:
        """The article's triples plus the context they need, and the article's subjects."""
        data = set(triples)
        subjects = {s for s, _, _ in data}
        for subject in subjects:
            data.update(self.by_subject.get(subject, ()))
        for obj in {o for _, _, o in data if o[0] == "<"}:
            data.update(self.types.get(obj, ()))
        return data, subjects


class ShapesValidator:
    """Holds the compiled shapes so that each article is validated without re-reading them.

    By default the shapes are compiled by :mod:`newskg.shacl_fast` (which refuses, at
    construction, any SHACL feature it does not implement); ``reference=True`` runs pyshacl
    instead (``newskg validate --reference``), the engine the compiled one is tested against.
    """

    def __init__(self, shapes: Path, *, reference: bool = False) -> None:
        self.shapes = rdflib.Graph()
        try:
            self.shapes.parse(shapes, format="turtle")
        except FileNotFoundError:
            raise InputError("SHACL shapes file not found", location=location_of(shapes)) from None
        except SyntaxError as exc:  # rdflib's BadSyntax; its ``lines`` count from 0
            line = getattr(exc, "lines", None)
            raise InputError(
                f"Turtle syntax error in the SHACL shapes: {exc}",
                location=location_of(shapes, line + 1 if isinstance(line, int) else 0),
                hint="fix the Turtle syntax at this position",
            ) from None
        self.reference = reference
        self._compiled: CompiledShapes | None = None
        self._validator: Validator | None = None
        if reference:
            _speed_up_pyshacl()
            self._validator = Validator(
                DataGraph.from_rdflib_graph(rdflib.Graph()),
                shacl_graph=self.shapes,
                options={"inference": "none", "allow_infos": True, "allow_warnings": True},
            )
        else:
            try:
                self._compiled = CompiledShapes(self.shapes)
            except UnsupportedShape as exc:
                raise InputError(
                    f"SHACL shapes use a feature the compiled validator does not support: {exc}",
                    location=location_of(shapes),
                    hint="stay within the features listed in docs/scale.md, or validate with "
                    "'newskg validate --reference' (pyshacl)",
                ) from None

    def violations(
        self, triples: Iterable[Triple | Quad], focus: Iterable[str] | None = None
    ) -> list[Violation]:
        """Every result of validating ``triples``; only for ``focus`` subjects if given."""
        if self._compiled is None:
            return self._reference_violations(triples, focus)
        keep = None if focus is None else set(focus)
        found = [
            Violation(
                focus=str(rdflib_term(r.focus)),
                path=r.path,
                message=r.message,
                severity=r.severity,
                component=r.component,
                value=None if r.value is None else rdflib_term(r.value).n3(),
            )
            for r in self._compiled.validate(triples, keep)  # type: ignore[arg-type]
        ]
        return sorted(found, key=_order)

    def _reference_violations(
        self, triples: Iterable[Triple | Quad], focus: Iterable[str] | None
    ) -> list[Violation]:
        data = _QueryCachingGraph()
        add = data.add
        for s, p, o, *_ in triples:
            add((rdflib_term(s), rdflib_term(p), rdflib_term(o)))
        validator = self._validator
        assert validator is not None
        validator.data_graph = DataGraph.from_rdflib_graph(data)
        validator.data_graph_is_multigraph = False
        validator._target_graph = None
        validator.inplace = False
        # Not pyshacl's focus_nodes option: it also filters the value nodes of nested shapes
        # (sh:or, sh:node, qualified shapes), which then pass vacuously. Results are
        # filtered afterwards instead (tests/test_shacl.py compares with plain pyshacl).
        keep = None if focus is None else {str(rdflib_term(f)) for f in focus}
        validator.options["focus_nodes"] = None
        conforms, report, _ = validator.run()
        if conforms:
            return []
        assert isinstance(report, rdflib.Graph)
        return sorted(report_violations(report, keep), key=_order)

    def check(
        self,
        quads: Iterable[Triple | Quad],
        locations: Mapping[str, Location],
        what: str,
        focus: Iterable[str] | None = None,
    ) -> None:
        """Raise :class:`ValidationError` on any sh:Violation; warnings and infos pass."""
        problems = [v for v in self.violations(quads, focus) if v.severity == "Violation"]
        if not problems:
            return
        diags = [
            Diagnostic(
                f"{what}: <{v.focus}>{' ' + v.path if v.path else ''}: {v.message}",
                locations.get(v.focus),
                "fix the fact (or the mapping that produced it) to meet ontology/shapes.ttl",
            )
            for v in problems
        ]
        raise ValidationError(diagnostics=diags)

    def check_article(
        self,
        quads: Iterable[Quad],
        context: EntityContext,
        locations: Mapping[str, Location],
        what: str,
    ) -> None:
        """Validate one article graph with the context it needs (see the module docstring)."""
        data, subjects = context.around((s, p, o) for s, p, o, _ in quads)
        self.check(data, locations, what, focus=subjects)


def _order(v: Violation) -> tuple[str, ...]:
    return (v.focus, v.path or "", v.component, v.value or "", v.message)


def report_violations(report: rdflib.Graph, keep: set[str] | None = None) -> list[Violation]:
    """The results of a pyshacl report graph (for ``keep`` focus nodes only, if given)."""
    found: list[Violation] = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        if keep is not None and focus not in keep:
            continue  # a context node: judged with the entities graph, not here
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        component = str(report.value(result, SH.sourceConstraintComponent))
        found.append(
            Violation(
                focus=focus,
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                message=str(report.value(result, SH.resultMessage) or "violates a shape"),
                severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                component=component.rsplit("#", 1)[-1],
                value=None if value is None else value.n3(),
            )
        )
    return found


__all__ = [
    "EntityContext",
    "ShapesValidator",
    "Violation",
    "rdflib_term",
    "report_violations",
]
