"""The reference SHACL engine: pyshacl, reused across articles and made faster where it is
slow for newskg's shapes, with results as :class:`Violation`.

``newskg validate --reference`` runs it; ``tests/test_shacl.py`` proves the compiled engine
(:mod:`newskg.shacl.compiled`) gives the same results. What is done for speed:

* the shapes are parsed once and one :class:`pyshacl.Validator` is reused;
* the data graph is built from terms directly instead of serialising and re-parsing
  N-Triples;
* pyshacl hands each SPARQL constraint to rdflib as a string for every focus node, and
  rdflib re-parses it each time: the data graph caches the parsed query, which is
  immutable, keyed by its text and namespaces;
* pyshacl tests ``predicate in list`` for every shape it evaluates; a set makes it O(1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import rdflib
from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.sparql import Query

from newskg.rdf import SH
from newskg.shacl.terms import rdflib_term
from newskg.shacl.violation import Violation

_SH = rdflib.Namespace(SH)


class ReferenceShapes:
    """A shapes graph validated by pyshacl."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        _speed_up_pyshacl()
        self._validator = Validator(
            DataGraph.from_rdflib_graph(rdflib.Graph()),
            shacl_graph=shapes,
            options={"inference": "none", "allow_infos": True, "allow_warnings": True},
        )

    def violations(
        self, triples: Iterable[tuple[str, ...]], focus: Iterable[str] | None
    ) -> list[Violation]:
        """Every result of validating ``triples``; only for ``focus`` subjects if given."""
        data = _QueryCachingGraph()
        add = data.add
        for s, p, o, *_ in triples:
            add((rdflib_term(s), rdflib_term(p), rdflib_term(o)))
        validator = self._validator
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
        return report_violations(report, keep)


def report_violations(report: rdflib.Graph, keep: set[str] | None = None) -> list[Violation]:
    """The results of a pyshacl report graph (for ``keep`` focus nodes only, if given)."""
    found: list[Violation] = []
    for result in report.subjects(rdflib.RDF.type, _SH.ValidationResult):
        focus = str(report.value(result, _SH.focusNode))
        if keep is not None and focus not in keep:
            continue  # a context node: judged with the entities graph, not here
        path = report.value(result, _SH.resultPath)
        value = report.value(result, _SH.value)
        component = str(report.value(result, _SH.sourceConstraintComponent))
        found.append(
            Violation(
                focus=focus,
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                message=str(report.value(result, _SH.resultMessage) or "violates a shape"),
                severity=str(report.value(result, _SH.resultSeverity)).rsplit("#", 1)[-1],
                component=component.rsplit("#", 1)[-1],
                value=None if value is None else value.n3(),
            )
        )
    return found


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
    for every predicate of every shape it evaluates (a large share of its time on newskg's
    shapes)."""

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
