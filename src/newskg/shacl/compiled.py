"""A compiled SHACL validator: the shapes newskg uses, evaluated directly, pyshacl as reference.

Why (docs/scale.md, "SHACL"): pyshacl is a general engine. It re-derives each shape's focus
and value nodes through rdflib graph calls, builds an RDF report graph and re-evaluates each
SPARQL constraint once per focus node with rdflib's (Python) SPARQL engine, which made it
most of the cost of a large build (docs/performance.md). This module compiles
the shapes (``ontology/shapes*.ttl``) once into plain Python objects and evaluates them over a
dictionary index of the data graph's N-Triples terms; SPARQL-based constraints run in
pyoxigraph (Rust), once per data graph with every focus node in a ``VALUES`` block.

Only the SHACL features listed in :data:`SUPPORTED` are compiled; any other ``sh:`` term on a
shape (another target type, path kind, constraint component, ``sh:deactivated``, a message
that cannot be reproduced ...) makes :class:`CompiledShapes` refuse at start-up with
:class:`UnsupportedShape`, so a constraint can never be skipped silently.

Semantics follow pyshacl's implementation where SHACL leaves room (datatype well-formedness,
literal comparison, how ``sh:pattern`` and ``sh:minLength`` see a value, result messages);
``tests/test_shacl.py`` proves the results (focus node, path, constraint component, value,
message) equal pyshacl's on the seed article, hand-made broken graphs and random mutations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection

from newskg.rdf import SH
from newskg.shacl.predicates import sparql_predicates
from newskg.shacl.values import (
    DataGraph,
    datatype_ok,
    less_than,
    min_inclusive_ok,
    node_kind,
    string,
)

_SH = rdflib.Namespace(SH)

# sh: terms a shape may use. Anything else in the sh: namespace on a shape is refused.
SUPPORTED = frozenset(
    {
        "targetClass",
        "property",
        "path",
        "message",
        "severity",
        "name",
        "description",
        "order",
        "group",
        "minCount",
        "maxCount",
        "class",
        "datatype",
        "nodeKind",
        "in",
        "minInclusive",
        "minLength",
        "lessThan",
        "pattern",
        "flags",
        "or",
        "node",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "sparql",
    }
)
_ANNOTATIONS = {"name", "description", "order", "group", "message", "severity"}
# sh: terms a shape may repeat; the others (bar name/description/order/group) appear once.
_REPEATABLE = {"targetClass", "property", "class", "or", "node", "sparql"}
_SINGLE = SUPPORTED - _REPEATABLE - (_ANNOTATIONS - {"message", "severity"})
_NODE_KINDS = {
    "IRI": "I",
    "Literal": "L",
    "BlankNode": "B",
    "BlankNodeOrIRI": "BI",
    "BlankNodeOrLiteral": "BL",
    "IRIOrLiteral": "IL",
}
_SPARQL_FORBIDDEN = re.compile(
    r"\$(?:path|shapesGraph|currentShape)\b|\b(?:VALUES|MINUS|SERVICE|FROM|GRAPH)\b", re.IGNORECASE
)


_FOCUS = "#FOCUS-NODES#\n"  # replaced by the focus nodes (a comment until then)


class UnsupportedShape(Exception):
    """The shapes use a SHACL feature this validator does not compile."""


@dataclass(frozen=True)
class Result:
    """One validation result, terms in N-Triples form (``value``, ``focus``)."""

    focus: str
    path: str | None  # IRI (no brackets) of a property shape's path
    component: str  # e.g. "MinCountConstraintComponent"
    value: str | None
    message: str
    severity: str  # "Violation", "Warning" or "Info"


@dataclass
class _Sparql:
    select: str  # the query with $this -> ?this and VALUES ?this { _FOCUS } at the top of WHERE
    message: str
    predicates: frozenset[str] | None  # all its patterns can match (None: any)


@dataclass
class _Shape:
    node: str
    path: str | None = None  # N-Triples IRI
    inverse: bool = False
    message: str | None = None
    severity: str = "Violation"
    targets: frozenset[str] = frozenset()
    checks: list[tuple[str, Any]] = field(default_factory=list)  # (component, parameter)
    properties: list[_Shape] = field(default_factory=list)
    sparql: list[_Sparql] = field(default_factory=list)


def _nt(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    raise UnsupportedShape(f"expected an IRI, found {term!r}")


class CompiledShapes:
    """The shapes graph, compiled; :meth:`validate` evaluates it over N-Triples terms."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.graph = shapes
        self._compiled: dict[rdflib.term.Node, _Shape] = {}
        self._compiled_sparql: list[_Sparql] = []
        roots: set[rdflib.term.Node] = set()
        for kind in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
            for s in shapes.subjects(_SH[kind], None):
                raise UnsupportedShape(f"{s}: sh:{kind} is not supported (only sh:targetClass)")
        for s in shapes.subjects(_SH.targetClass, None):
            roots.add(s)
        for cls in (rdflib.RDFS.Class, rdflib.OWL.Class):
            for s in shapes.subjects(rdflib.RDF.type, cls):
                if (s, rdflib.RDF.type, _SH.NodeShape) in shapes:
                    raise UnsupportedShape(f"{s}: implicit class targets are not supported")
        self.roots = [self._compile(s, top=True) for s in sorted(roots, key=str)]
        self.has_sparql = any(self._uses_sparql(r) for r in self.roots)
        # What the SPARQL constraints can match, all of them (None: any statement); the
        # data graph's store is loaded with nothing else (newskg.shacl.predicates).
        reach = [c.predicates for c in self._compiled_sparql]
        self.sparql_predicates = None if None in reach else frozenset().union(*reach)

    def _uses_sparql(self, shape: _Shape) -> bool:
        return bool(shape.sparql) or any(self._uses_sparql(p) for p in shape.properties)

    # -- compiling ---------------------------------------------------------------------------
    def _compile(self, node: rdflib.term.Node, top: bool = False, nested: bool = False) -> _Shape:
        if node in self._compiled:
            return self._compiled[node]
        g = self.graph
        shape = _Shape(node=str(node))
        self._compiled[node] = shape
        params: dict[str, list[rdflib.term.Node]] = {}
        for p, o in g.predicate_objects(node):
            if isinstance(p, rdflib.URIRef) and str(p).startswith(SH):
                name = str(p)[len(SH) :]
                if name not in SUPPORTED:
                    raise UnsupportedShape(f"{node}: sh:{name} is not supported")
                params.setdefault(name, []).append(o)
        for name, values in params.items():
            if name in _SINGLE and len(values) > 1:
                raise UnsupportedShape(f"{node}: more than one sh:{name}")

        def one(name: str) -> rdflib.term.Node | None:
            return params[name][0] if name in params else None

        if "targetClass" in params:
            if not top:
                raise UnsupportedShape(f"{node}: sh:targetClass on a nested shape")
            shape.targets = frozenset(_nt(c) for c in params["targetClass"])
        path = one("path")
        if path is not None:
            if isinstance(path, rdflib.URIRef):
                shape.path = f"<{path}>"
            elif isinstance(path, rdflib.BNode) and set(g.predicates(path)) == {_SH.inversePath}:
                inner = g.value(path, _SH.inversePath)
                shape.path, shape.inverse = _nt(inner), True  # type: ignore[arg-type]
            else:
                raise UnsupportedShape(f"{node}: only IRI and sh:inversePath paths are supported")
        if top and shape.path is not None:
            raise UnsupportedShape(f"{node}: a property shape with targets is not supported")
        message = one("message")
        if message is not None:
            if not isinstance(message, rdflib.Literal):
                raise UnsupportedShape(f"{node}: sh:message must be a literal")
            shape.message = str(message.value if message.value is not None else message)
        severity = one("severity")
        if severity is not None:
            if nested:
                raise UnsupportedShape(f"{node}: sh:severity in a nested shape")
            if severity not in (_SH.Violation, _SH.Warning, _SH.Info):
                raise UnsupportedShape(f"{node}: sh:severity {severity}")
            shape.severity = str(severity)[len(SH) :]

        for name, values in params.items():
            value = values[0]
            integer = isinstance(value, rdflib.Literal) and isinstance(value.value, int)
            if name in ("minCount", "maxCount", "minLength", "qualifiedMinCount") and not integer:
                raise UnsupportedShape(f"{node}: sh:{name} must be an integer")
            if name in ("minCount", "maxCount", "minLength"):
                shape.checks.append((name, int(value)))  # read once, not per value
            elif name in ("minInclusive", "pattern"):
                shape.checks.append((name, value))
            elif name == "class":
                shape.checks.extend(("class", _nt(c)) for c in values)
            elif name == "datatype":
                if not isinstance(value, rdflib.URIRef):
                    raise UnsupportedShape(f"{node}: sh:datatype must be an IRI")
                shape.checks.append(("datatype", value))
            elif name == "nodeKind":
                kind = str(value)[len(SH) :] if str(value).startswith(SH) else ""
                if kind not in _NODE_KINDS:
                    raise UnsupportedShape(f"{node}: sh:nodeKind {value}")
                shape.checks.append(("nodeKind", _NODE_KINDS[kind]))
            elif name == "in":
                members = list(Collection(g, value))
                shape.checks.append(("in", frozenset(_nt(m) for m in members)))
            elif name == "lessThan":
                if shape.path is None:
                    raise UnsupportedShape(f"{node}: sh:lessThan on a node shape")
                shape.checks.append(("lessThan", _nt(value)))
            elif name == "or":
                alternatives = [self._compile(m, nested=True) for m in Collection(g, value)]
                shape.checks.append(("or", alternatives))
            elif name == "node":
                shape.checks.extend(("node", self._compile(v, nested=True)) for v in values)
            elif name == "qualifiedValueShape":
                if "qualifiedMinCount" not in params and "qualifiedMaxCount" not in params:
                    raise UnsupportedShape(f"{node}: sh:qualifiedValueShape without a count")
                if (node, _SH.qualifiedValueShapesDisjoint, None) in g:
                    raise UnsupportedShape(f"{node}: sh:qualifiedValueShapesDisjoint")
                low, high = one("qualifiedMinCount"), one("qualifiedMaxCount")
                shape.checks.append(
                    (
                        "qualified",
                        (
                            self._compile(value, nested=True),
                            None if low is None else int(low),  # type: ignore[arg-type]
                            None if high is None else int(high),  # type: ignore[arg-type]
                        ),
                    )
                )
            elif name == "property":
                if shape.path is not None:
                    raise UnsupportedShape(f"{node}: sh:property inside a property shape")
                shape.properties.extend(self._compile(v, nested=nested) for v in values)
            elif name == "sparql":
                if shape.path is not None:
                    raise UnsupportedShape(f"{node}: sh:sparql on a property shape")
                if shape.message is not None:
                    raise UnsupportedShape(f"{node}: sh:sparql on a shape with its own sh:message")
                shape.sparql.extend(self._compile_sparql(node, v) for v in values)
        flags = one("flags")
        if "pattern" in params:
            pattern = params["pattern"][0]
            re_flags = 0
            if flags is not None:
                text = str(flags).lower()
                re_flags = (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
            assert isinstance(pattern, rdflib.Literal)
            text = (
                str(pattern.value)
                if pattern.value is not None and len(pattern.value) > 1
                else str(pattern)
            )
            shape.checks = [
                ("pattern", re.compile(text, re_flags)) if c[0] == "pattern" else c
                for c in shape.checks
            ]
        if not nested and shape.message is None and shape.checks:
            raise UnsupportedShape(
                f"{node}: a shape that reports results needs an sh:message "
                "(pyshacl's generated messages are not reproduced)"
            )
        if nested and (shape.sparql or shape.message):
            raise UnsupportedShape(f"{node}: sh:sparql or sh:message in a nested shape")
        return shape

    def _compile_sparql(self, shape: rdflib.term.Node, node: rdflib.term.Node) -> _Sparql:
        g = self.graph
        for p in g.predicates(node):
            name = str(p)[len(SH) :] if str(p).startswith(SH) else None
            if name is not None and name not in ("select", "message"):
                raise UnsupportedShape(f"{shape}: sh:{name} in a SPARQL constraint")
        select = g.value(node, _SH.select)
        message = list(g.objects(node, _SH.message))
        if select is None or len(message) != 1:
            raise UnsupportedShape(
                f"{shape}: a SPARQL constraint needs sh:select and one sh:message"
            )
        text = str(select)
        if _SPARQL_FORBIDDEN.search(text) or len(re.findall(r"\bSELECT\b", text, re.I)) != 1:
            raise UnsupportedShape(
                f"{shape}: SPARQL constraint uses a feature that cannot be pre-bound "
                "(VALUES, MINUS, SERVICE, FROM, GRAPH, sub-SELECT, $path, $shapesGraph)"
            )
        head, brace, body = text.partition("{")
        if not brace or not re.search(r"[$?]this\b", head):
            raise UnsupportedShape(f"{shape}: a SPARQL constraint must SELECT $this")
        query = re.sub(r"\$this\b", "?this", f"{head}{{ VALUES ?this {{ {_FOCUS} }}{body}")
        msg = message[0]
        message_text = str(msg.value if isinstance(msg, rdflib.Literal) else msg)
        compiled = _Sparql(query, message_text, sparql_predicates(text))
        self._compiled_sparql.append(compiled)
        return compiled

    # -- evaluating --------------------------------------------------------------------------
    def validate(self, triples: Iterable[tuple[str, ...]], focus: set[str] | None) -> list[Result]:
        """Results of the shapes on the graph ``triples`` (N-Triples terms), for ``focus``
        subjects only when given (nested shapes still see every node)."""
        data = DataGraph(triples)
        results: list[Result] = []
        sparql_focus: dict[int, tuple[_Shape, list[str]]] = {}
        members = data.members(focus)
        for shape in self.roots:
            found: set[str] = set()
            for cls in shape.targets:
                found.update(members.get(cls, ()))
            nodes = sorted(found)
            for f in nodes:
                self._node_shape(data, shape, f, results)
            if shape.sparql and nodes:
                sparql_focus[id(shape)] = (shape, nodes)
        if sparql_focus:
            store = data.store(self.sparql_predicates)
            for shape, nodes in sparql_focus.values():
                for constraint in shape.sparql:
                    results.extend(_run_sparql(store, shape, constraint, nodes))
        return results

    def _node_shape(self, data: DataGraph, shape: _Shape, f: str, out: list[Result] | None) -> bool:
        ok = self._checks(data, shape, f, [f], out)
        for prop in shape.properties:
            values = data.values(f, prop.path, prop.inverse)  # type: ignore[arg-type]
            ok = self._checks(data, prop, f, values, out) and ok
            if out is None and not ok:
                return False
        return ok

    def _conforms(self, data: DataGraph, shape: _Shape, v: str) -> bool:
        if shape.path is not None:  # a property shape used as a nested shape: focus v
            return self._checks(data, shape, v, data.values(v, shape.path, shape.inverse), None)
        return self._node_shape(data, shape, v, None)

    def _checks(
        self, data: DataGraph, shape: _Shape, f: str, values: list[str], out: list[Result] | None
    ) -> bool:
        if not shape.checks:  # a node shape made only of property shapes
            return True
        failed: list[tuple[str, str | None]] = []  # (component, value), in check order
        fail = failed.append
        for kind, param in shape.checks:
            if kind == "minCount":
                if len(values) < param:
                    fail(("MinCount", None))
            elif kind == "maxCount":
                if len(values) > param:
                    fail(("MaxCount", None))
            elif kind == "class":
                for v in values:
                    if v[0] == '"' or not data.is_instance(v, param):
                        fail(("Class", v))
            elif kind == "in":
                for v in values:
                    if v not in param:
                        fail(("In", v))
            elif kind == "nodeKind":
                for v in values:
                    if node_kind(v) not in param:
                        fail(("NodeKind", v))
            elif kind == "datatype":
                for v in values:
                    if not datatype_ok(v, param):
                        fail(("Datatype", v))
            elif kind == "minInclusive":
                for v in values:
                    if not min_inclusive_ok(v, param):
                        fail(("MinInclusive", v))
            elif kind == "minLength":
                for v in values:
                    if not (param == 0 or (v[0] != "_" and len(string(v)) >= param)):
                        fail(("MinLength", v))
            elif kind == "pattern":
                for v in values:
                    if v[0] == "_" or not param.search(string(v)):
                        fail(("Pattern", v))
            elif kind == "lessThan":
                others = data.values(f, param, False)
                for v in values:
                    for w in others:
                        if not less_than(v, w):
                            fail(("LessThan", v))
            elif kind == "or":
                for v in values:
                    if not any(self._conforms(data, alt, v) for alt in param):
                        fail(("Or", v))
            elif kind == "node":
                for v in values:
                    if not self._conforms(data, param, v):
                        fail(("Node", v))
            elif kind == "qualified":
                inner, low, high = param
                count = sum(1 for v in values if self._conforms(data, inner, v))
                if high is not None and count > high:
                    fail(("QualifiedMaxCount", None))
                if low is not None and count < low:
                    fail(("QualifiedMinCount", None))
            else:  # pragma: no cover - every compiled kind is handled above
                raise AssertionError(kind)
            if failed and out is None:
                return False
        if failed and out is not None:
            path = shape.path[1:-1] if shape.path else None
            out.extend(
                Result(
                    focus=f,
                    path=path,
                    component=component + "ConstraintComponent",
                    value=value,
                    message=shape.message or "",
                    severity=shape.severity,
                )
                for component, value in failed
            )
        return not failed


def _run_sparql(
    store: ox.Store, shape: _Shape, constraint: _Sparql, nodes: list[str]
) -> list[Result]:
    """One query for every focus node; rows de-duplicated per focus node as pyshacl does."""
    query = constraint.select.replace(_FOCUS, " ".join(nodes))
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    seen: set[tuple[Any, ...]] = set()
    out: list[Result] = []
    for row in solutions:
        bound = {n: row[n] for n in names if row[n] is not None}
        key = tuple(sorted((n, str(t)) for n, t in bound.items()))
        if key in seen:
            continue
        seen.add(key)
        this = bound.get("this")
        focus = str(this)
        value = bound.get("value")
        message = constraint.message
        for name, term in bound.items():
            text = term.value if hasattr(term, "value") else str(term)
            message = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, t=text: t, message)
        out.append(
            Result(
                focus=focus,
                path=None,
                component="SPARQLConstraintComponent",
                value=str(value) if value is not None else focus,
                message=message,
                severity=shape.severity,
            )
        )
    return out


__all__ = ["SUPPORTED", "CompiledShapes", "Result", "UnsupportedShape"]
