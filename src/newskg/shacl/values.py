"""The data graph as the compiled validator reads it, and value comparisons made the way
pyshacl makes them (so that both engines give the same results)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import rdflib

from newskg.rdf import RDF_TYPE, RDFS_SUB_CLASS_OF, XSD, transitive_closure, unescape
from newskg.shacl.terms import rdflib_term

_TYPE = f"<{RDF_TYPE}>"
SUBCLASS = f"<{RDFS_SUB_CLASS_OF}>"


class DataGraph:
    """A data graph indexed by subject (and object, for inverse paths), N-Triples terms."""

    def __init__(self, triples: Iterable[tuple[str, ...]]) -> None:
        spo: dict[str, dict[str, list[str]]] = {}
        seen: set[tuple[str, str, str]] = set()
        for t in triples:
            s, p, o = t[0], t[1], t[2]
            if "\\" in s or "\\" in p or (o[0] == "<" and "\\" in o):  # rare: unescape
                s, p, o = _norm(s), _norm(p), _norm(o)
            if (s, p, o) in seen:
                continue
            seen.add((s, p, o))
            spo.setdefault(s, {}).setdefault(p, []).append(o)
        self.spo = spo
        self.triples = seen
        self._ops: dict[str, dict[str, list[str]]] | None = None
        self._supers: dict[str, set[str]] = {}
        self._instances: dict[tuple[str, str], bool] = {}  # sh:class asks the same often
        self._ancestors = transitive_closure((s, o) for s, p, o in seen if p == SUBCLASS)

    def values(self, f: str, path: str, inverse: bool) -> list[str]:
        if not inverse:
            return self.spo.get(f, {}).get(path, [])
        if self._ops is None:
            self._ops = {}
            for s, p, o in self.triples:
                self._ops.setdefault(o, {}).setdefault(p, []).append(s)
        return self._ops.get(f, {}).get(path, [])

    def supers(self, cls: str) -> set[str]:
        """``cls`` and its rdfs:subClassOf ancestors in the data graph."""
        found = self._supers.get(cls)
        if found is None:
            found = self._supers[cls] = {cls, *self._ancestors.get(cls, ())}
        return found

    def is_instance(self, node: str, cls: str) -> bool:
        known = self._instances.get((node, cls))
        if known is None:
            types = self.spo.get(node, {}).get(_TYPE, [])
            known = self._instances[node, cls] = any(cls in self.supers(t) for t in types)
        return known

    def members(self, among: set[str] | None) -> dict[str, list[str]]:
        """Class -> its instances (rdf:type/rdfs:subClassOf*), subjects in ``among`` only."""
        found: dict[str, list[str]] = {}
        for s, props in self.spo.items():
            types = props.get(_TYPE)
            if types is None or (among is not None and s not in among):
                continue
            classes: set[str] = set()
            for t in types:
                classes |= self.supers(t)
            for cls in classes:
                found.setdefault(cls, []).append(s)
        return found

    def store(self, predicates: frozenset[str] | None = None) -> ox.Store:
        """The graph in pyoxigraph, only its statements of ``predicates`` when given."""
        store = ox.Store()
        triples = self.triples
        if predicates is not None:
            triples = {t for t in triples if t[1] in predicates}
        text = "".join(f"{s} {p} {o} .\n" for s, p, o in triples)
        store.load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        return store


def _norm(term: str) -> str:
    """IRIs without escapes, so that they compare equal to the shapes' IRIs."""
    if term[0] == "<" and "\\" in term:
        return f"<{unescape(term[1:-1])}>"
    return term


def node_kind(term: str) -> str:
    return {"<": "I", "_": "B"}.get(term[0], "L")


_LITERALS: dict[str, rdflib.term.Node] = {}
# Terms longer than this are not remembered: dates, counts, offsets and names recur, an
# article's sentences and quotes do not, and kept they made a worker grow with every article.
_REMEMBERED_LENGTH = 80


def _rdflib(term: str) -> Any:
    if term[0] != '"':
        return rdflib_term(term)
    cached = _LITERALS.get(term)
    if cached is None:
        cached = rdflib_term(term)
        if len(term) <= _REMEMBERED_LENGTH and len(_LITERALS) < 100_000:
            _LITERALS[term] = cached
    return cached


# What the value checks below concluded, by term and constraint parameter: they are pure,
# and the same values (character offsets, dates, counts) recur across an article's nodes and
# from one article to the next, where making an rdflib literal is most of a check's cost.
_VERDICTS: dict[tuple[str, Any], bool] = {}
_VERDICTS_MAX = 1 << 17


def _remember(key: tuple[str, Any], verdict: bool) -> bool:
    if len(key[0]) > _REMEMBERED_LENGTH:
        return verdict
    if len(_VERDICTS) >= _VERDICTS_MAX:  # most literals are an article's own: bounded
        _VERDICTS.clear()
    _VERDICTS[key] = verdict
    return verdict


def string(term: str) -> str:
    """How pyshacl's string-based constraints see a value node (value_node_to_string)."""
    if term[-1] == '"' and term[0] == '"' and "\\" not in term:  # plain, nothing escaped
        return term[1:-1]
    v = _rdflib(term)
    if isinstance(v, rdflib.Literal):
        if v.value is not None and v.datatype in (None, rdflib.RDF.langString, rdflib.XSD.string):
            return str(v.value)
        return str(v)
    return str(v)


def datatype_ok(term: str, rule: rdflib.URIRef) -> bool:
    """pyshacl's DatatypeConstraintComponent, term by term."""
    verdict = _VERDICTS.get((term, rule))
    return _remember((term, rule), _datatype_ok(term, rule)) if verdict is None else verdict


def _datatype_ok(term: str, rule: rdflib.URIRef) -> bool:
    if term[0] != '"':
        return False
    v = _rdflib(term)
    if v.datatype == rule:
        return getattr(v, "ill_typed", None) is not True and _actual(v, rule)
    if rule == rdflib.RDFS.Literal:
        return True
    if rule == rdflib.RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and rule == rdflib.XSD.string:
        return _actual(v, rule)
    if rule == rdflib.RDF.langString and v.language:
        return _actual(v, rule)
    return False


_KINDS: dict[str, Any] = {
    XSD + "string": (str, bytes),
    str(rdflib.RDF.langString): (str, bytes),
    XSD + "integer": int,
    XSD + "float": float,
    XSD + "decimal": Decimal,
    XSD + "boolean": bool,
    XSD + "date": date,
    XSD + "time": time,
    XSD + "dateTime": datetime,
}


def _actual(v: rdflib.Literal, rule: rdflib.URIRef) -> bool:
    """pyshacl's _assert_actual_datatype: the parsed value has the datatype's Python type."""
    expected = _KINDS.get(str(rule))
    return True if expected is None else isinstance(v.value, expected)


def min_inclusive_ok(term: str, minimum: rdflib.Literal) -> bool:
    """pyshacl's MinInclusiveConstraintComponent for one value."""
    key = (term, ("minInclusive", minimum))
    verdict = _VERDICTS.get(key)
    return _remember(key, _min_inclusive_ok(term, minimum)) if verdict is None else verdict


def _min_inclusive_ok(term: str, minimum: rdflib.Literal) -> bool:
    if term[0] != '"':
        return False
    v = _rdflib(term)
    min_is_string, v_is_string = isinstance(minimum.value, str), isinstance(v.value, str)
    if min_is_string != v_is_string:
        return False
    try:
        return _at_least(v, minimum)
    # ArithmeticError: a NaN against a decimal, where pyshacl stops with decimal's error.
    except (TypeError, NotImplementedError, ArithmeticError):
        return False


def _at_least(value: rdflib.Literal, minimum: rdflib.Literal) -> bool:
    """``compare_literal(value, minimum) >= 0`` as pyshacl's ``rdfutil.compare`` makes it:
    equal in value space, else datetimes and times by their Python values (rdflib's own
    order would force one between a naive and an aware value), else rdflib's literal order.
    Raises TypeError where those comparisons do."""
    if value.eq(minimum):
        return True
    if type(value.value) in (datetime, time):
        return bool(value.value == minimum.value or value.value > minimum.value)
    return bool(value > minimum)


def less_than(term: str, other: str) -> bool:
    """pyshacl's LessThanConstraintComponent for one pair of values."""
    if term[0] == "_" or other[0] == "_":
        raise ValueError("sh:lessThan cannot compare a blank node")
    key = (term, ("lessThan", other))
    verdict = _VERDICTS.get(key)
    return _remember(key, _less_than(term, other)) if verdict is None else verdict


def _less_than(term: str, other: str) -> bool:

    def side(t: str) -> tuple[Any, bool]:
        v = _rdflib(t)
        if isinstance(v, rdflib.URIRef):
            return str(v), True
        if isinstance(v.value, str):
            return v.value, True
        return v, False

    a, a_str = side(term)
    b, b_str = side(other)
    if a_str != b_str:
        return False
    return bool(a < b)
