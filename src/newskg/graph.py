"""The Python API over a built store: SPARQL with bound parameters, and graph traversal.

Values are always passed to SPARQL as bindings (SEP-0007 substitutions in Oxigraph), never
formatted into query text, so no user value can change the shape of a query.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from newskg.errors import NotFoundError, QueryError
from newskg.facts.checks import did_you_mean
from newskg.iris import DEFAULT_BASE, ENTITY_SEGMENTS, SLUG
from newskg.prefixes import PREFIXES
from newskg.store import MANIFEST_FILE, open_store
from newskg.traversal import reachable, shortest_path

if TYPE_CHECKING:
    from newskg.views import Agreement, Meeting, Programme, Quote

Term = ox.NamedNode | ox.BlankNode | ox.Literal
XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABELS = [
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    ox.NamedNode("https://schema.org/name"),
]
ALT_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")

# A query whose first keyword (after comments, PREFIX and BASE) starts an update operation.
_UPDATE = re.compile(
    r"(?is)\A(?:\s+|\#[^\n]*\n|(?:PREFIX\s+[^:\s]*:\s*|BASE\s+)<[^>]*>)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b"
)


@dataclass(frozen=True, slots=True)
class Iri:
    """Marks a binding value as an IRI (a plain ``str`` binds as a string literal)."""

    value: str


def to_term(value: Any) -> Term:
    """Python value -> RDF term for a query binding."""
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
        return value
    if isinstance(value, Iri):
        return ox.NamedNode(value.value)
    if isinstance(value, Node):
        return value.term
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, Decimal):
        return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__} in a query")


def to_python(term: Term | None) -> Any:
    """RDF term -> plain Python: IRIs as str, typed literals as int/Decimal/bool/str."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    datatype = term.datatype.value if term.datatype else XSD + "string"
    if datatype in (
        XSD + "integer",
        XSD + "nonNegativeInteger",
        XSD + "positiveInteger",
        XSD + "int",
    ):
        return int(term.value)
    if datatype == XSD + "decimal":
        return Decimal(term.value)
    if datatype == XSD + "boolean":
        return term.value == "true"
    return term.value


@dataclass(frozen=True)
class Solutions:
    """A SELECT result: variable names and rows of terms (None where unbound)."""

    variables: list[str]
    rows: list[dict[str, Term | None]]

    def values(self) -> list[dict[str, Any]]:
        return [{k: to_python(v) for k, v in row.items()} for row in self.rows]

    def column(self, name: str) -> list[Any]:
        return [to_python(row.get(name)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)


# One statement ``subject predicate object`` of the union of all graphs (which graph holds it
# is not kept). pyoxigraph's own Triple rather than a class of ours: traversal makes millions
# of edges, and ``quad.triple`` builds one in a single native call, several times cheaper
# than any Python dataclass or named tuple. It has .subject/.predicate/.object, unpacks as
# ``s, p, o = edge``, compares and hashes by value, and prints as N-Triples.
Edge = ox.Triple


@dataclass(frozen=True, slots=True)
class Evidence:
    """A quote anchoring a statement in an article, with code-point offsets."""

    iri: str
    exact: str
    start: int
    end: int
    article: str
    sentence: str | None


class KnowledgeGraph:
    """A read-only view of a built newskg store."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE) -> None:
        self.store = store
        self.base = base

    @classmethod
    def open(cls, path: Path | str = "kg", *, in_memory: bool = False) -> KnowledgeGraph:
        """Open ``kg/`` (or ``kg/store``) read-only.

        ``in_memory=True`` copies the store into memory and indexes every node's edges in
        Python lists (:mod:`newskg.in_memory`). Opening then takes some 30 s and 0.9 GB
        per million quads, but SPARQL no longer reads RocksDB, and ``out``/``in_``/
        ``neighbours``/``path`` become list lookups, 60 to 130 times faster than on disk
        (bench/api.py): worth it for traversal-heavy work."""
        path = Path(path)
        store = open_store(path)
        base = _read_manifest(path).get("base", DEFAULT_BASE)
        if not in_memory:
            return KnowledgeGraph(store, base)
        from newskg.in_memory import InMemoryGraph  # which subclasses this class

        return InMemoryGraph.copy_of(store, base)

    # -- SPARQL ---------------------------------------------------------------------------

    def query(self, sparql: str, **bindings: Any) -> Solutions | bool | list[Edge]:
        """Run SPARQL over the union of all graphs. ``bindings`` fill variables of the same
        name (``?name``) as RDF terms: str -> literal, :class:`Iri`/:class:`Node` -> IRI."""
        substitutions = {ox.Variable(name): to_term(value) for name, value in bindings.items()}
        try:
            result = self.store.query(
                sparql,
                use_default_graph_as_union=True,
                prefixes=PREFIXES,
                substitutions=substitutions or None,
            )
        except SyntaxError as exc:
            if _UPDATE.match(sparql):
                raise QueryError(
                    "SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, ...) are not allowed: "
                    "the graph is read-only",
                    hint="change the seeds or mappings and run 'newskg build' instead",
                ) from None
            raise QueryError(
                f"SPARQL syntax error: {exc}", hint="check the query against the SPARQL 1.1 grammar"
            ) from None
        except RuntimeError as exc:
            # Oxigraph refuses a binding for a variable the query does not project.
            names = ", ".join(f"?{n}" for n in bindings)
            raise QueryError(
                f"cannot bind {names}: {exc}",
                hint="a query accepts a binding only for a variable it SELECTs",
            ) from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        try:  # solutions are computed lazily: evaluation errors surface while iterating
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = [{name: solution[name] for name in variables} for solution in result]
                return Solutions(variables, rows)
            return list(result)
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def select(self, sparql: str, **bindings: Any) -> Solutions:
        result = self.query(sparql, **bindings)
        if not isinstance(result, Solutions):
            raise QueryError("expected a SELECT query", hint="use query() for ASK and CONSTRUCT")
        return result

    # -- nodes ----------------------------------------------------------------------------

    def resolve(self, id_or_iri: str) -> ox.NamedNode:
        """An entity id (``huawei``), prefixed name (``nkg:Meeting``) or IRI -> the IRI."""
        text = id_or_iri.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1].strip()
        if not text:
            raise NotFoundError(
                "an empty name names no entity",
                hint="give an id from seeds/entities.yaml (huawei), a label, "
                "a prefixed name (nkg:Meeting) or a full IRI",
            )
        if "://" in text:
            try:
                return ox.NamedNode(text)
            except ValueError as exc:
                raise NotFoundError(f"'{text}' is not a valid IRI ({exc})") from None
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES:
            return ox.NamedNode(PREFIXES[prefix] + local)
        if SLUG.match(text):
            for segment in dict.fromkeys(ENTITY_SEGMENTS.values()):
                candidate = ox.NamedNode(f"{self.base}id/{segment}/{text}")
                if self._exists(candidate):
                    return candidate
        by_label = self._by_label(text)
        if by_label is not None:
            return by_label
        raise NotFoundError(
            f"no entity '{id_or_iri}' in the graph",
            hint=did_you_mean(text, self._entity_ids())
            or "use an id from seeds/entities.yaml, "
            "a label, a prefixed name (nkg:Meeting) or a full IRI",
        )

    def node(self, id_or_iri: NodeName) -> Node:
        """The node for an id, label, prefixed name or IRI; NotFoundError if absent."""
        term = self._term(id_or_iri)
        # The existence check reads the node's outgoing statements anyway: keep them, so that
        # the usual node(x).out() reads the store once (the store is read-only: never stale).
        quads = list(self.store.quads_for_pattern(term, None, None, None))
        if not quads and not self._has_in_edges(term):
            raise self._not_in_graph(term)
        node = Node(self, term)
        node._out = quads
        return node

    @staticmethod
    def _not_in_graph(term: ox.NamedNode | ox.BlankNode) -> NotFoundError:
        return NotFoundError(
            f"{term} is not in the graph",
            hint="check the IRI, or rebuild with 'newskg build'",
        )

    def _exists(self, term: ox.NamedNode) -> bool:
        for _ in self.store.quads_for_pattern(term, None, None, None):
            return True
        return self._has_in_edges(term)

    def _has_in_edges(self, term: ox.NamedNode) -> bool:
        for _ in self.store.quads_for_pattern(None, None, term, None):
            return True
        return False

    def _by_label(self, text: str) -> ox.NamedNode | None:
        wanted = text.casefold()
        for predicate in [*LABELS, ALT_LABEL]:
            for quad in self.store.quads_for_pattern(None, predicate, None, None):
                if (
                    isinstance(quad.object, ox.Literal)
                    and quad.object.value.casefold() == wanted
                    and isinstance(quad.subject, ox.NamedNode)
                ):
                    return quad.subject
        return None

    def _entity_ids(self) -> list[str]:
        prefix = f"{self.base}id/"
        ids: set[str] = set()
        for quad in self.store.quads_for_pattern(None, RDF_TYPE, None, None):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(prefix):
                rest = subject.value[len(prefix) :].split("/")
                if len(rest) == 2:
                    ids.add(rest[1])
        return sorted(ids)

    # -- traversal ------------------------------------------------------------------------

    def out_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[Edge]:
        """Distinct statements with ``term`` as subject (a triple that several graphs hold
        is one edge)."""
        if isinstance(term, ox.Literal):
            return []
        return _distinct(self.store.quads_for_pattern(term, predicate, None, None))

    def in_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[Edge]:
        """Distinct statements with ``term`` as object."""
        return _distinct(self.store.quads_for_pattern(None, predicate, term, None))

    def path(self, a: NodeName, b: NodeName, max_hops: int = 4) -> list[Edge] | None:
        """Shortest path between two nodes, following edges in either direction; ``None``
        when they are not connected within ``max_hops``. Types and literals are not hops."""
        start, goal = self._term(a), self._term(b)
        # The search keeps raw quads; Edge objects are made only for the path returned.
        quads = shortest_path(self._hops, start, goal, max_hops)
        return None if quads is None else [q.triple for q in quads]

    def _hops(self, node: Term) -> Iterator[tuple[ox.Quad, Term]]:
        """(statement, neighbour) for every edge of ``node`` in either direction, except
        rdf:type (every meeting would otherwise be two hops from every other) and literals.
        Straight from quads_for_pattern, without building Edge objects: this is the inner
        loop of neighbours() and path()."""
        store = self.store
        if not isinstance(node, ox.Literal):
            for quad in store.quads_for_pattern(node, None, None, None):
                obj = quad.object
                if quad.predicate != RDF_TYPE and not isinstance(obj, ox.Literal):
                    yield quad, obj
        for quad in store.quads_for_pattern(None, None, node, None):
            if quad.predicate != RDF_TYPE:
                yield quad, quad.subject

    def _term(self, value: NodeName) -> ox.NamedNode | ox.BlankNode:
        """The term a node is named by: node(), path() and quotes(speaker=) all take these."""
        if isinstance(value, Node):
            return value.term
        if isinstance(value, ox.NamedNode | ox.BlankNode):
            return value
        if isinstance(value, Iri):
            return ox.NamedNode(value.value)
        if not isinstance(value, str):
            raise TypeError(
                "name a node by an id, label, prefixed name or IRI (str), newskg.Iri, a Node "
                f"or a pyoxigraph NamedNode, not {type(value).__name__}"
            )
        return self.resolve(value)

    def articles(self) -> list[str]:
        rows = self.select("SELECT ?a WHERE { ?a a schema:NewsArticle } ORDER BY ?a")
        return [str(v) for v in rows.column("a")]

    # -- typed views (newskg.views) -------------------------------------------------------

    def meetings(self) -> list[Meeting]:
        """Every meeting with participants, posts and evidence (:class:`newskg.Meeting`)."""
        from newskg import views

        return views.meetings(self)

    def agreements(self) -> list[Agreement]:
        """Every agreement with kind, parties, figures and evidence."""
        from newskg import views

        return views.agreements(self)

    def programmes(self) -> list[Programme]:
        """Every training programme with provider, founding date and figures."""
        from newskg import views

        return views.programmes(self)

    def quotes(self, speaker: NodeName | None = None) -> list[Quote]:
        """Direct quotes in article order, optionally of one ``speaker`` (id, label, IRI)."""
        from newskg import views

        return views.quotes(self, speaker)


def _distinct(quads: Iterable[ox.Quad]) -> list[Edge]:
    """The statements of ``quads``, once each, in first-seen order (a triple that several
    graphs hold is one edge)."""
    return list(dict.fromkeys(q.triple for q in quads))


class Node:
    """One node of the graph, with its label, types, edges and evidence."""

    __slots__ = ("_hash", "_out", "kg", "term")

    def __init__(self, kg: KnowledgeGraph, term: ox.NamedNode | ox.BlankNode) -> None:
        self.kg = kg
        self.term = term
        self._out: list[ox.Quad] | None = None  # outgoing quads, when read by node()
        # hash(term) hashes the whole IRI each time: kept once a set or dict has asked
        self._hash: int | None = None

    @property
    def iri(self) -> str:
        return self.term.value

    def __repr__(self) -> str:
        return f"Node(<{self.iri}> {self.label!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other.term == self.term

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(self.term)
        return self._hash

    @property
    def label(self) -> str:
        store = self.kg.store
        for predicate in LABELS:
            labels = sorted(
                q.object.value
                for q in store.quads_for_pattern(self.term, predicate, None, None)
                if isinstance(q.object, ox.Literal)
            )
            if labels:
                return labels[0]
        return self.iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @property
    def types(self) -> list[str]:
        return sorted(
            {
                q.object.value
                for q in self.kg.store.quads_for_pattern(self.term, RDF_TYPE, None, None)
                if isinstance(q.object, ox.NamedNode)
            }
        )

    def out(self, predicate: str | None = None) -> list[Edge]:
        """Statements with this node as subject; ``predicate`` (prefixed name or IRI)
        narrows them."""
        wanted = None if predicate is None else self._predicate(predicate)
        if self._out is None:  # not read by node()
            return self.kg.out_edges(self.term, wanted)
        if wanted is None:
            return _distinct(self._out)
        return _distinct(q for q in self._out if q.predicate == wanted)

    def in_(self, predicate: str | None = None) -> list[Edge]:
        """Statements with this node as object (``in`` is a Python keyword)."""
        return self.kg.in_edges(self.term, self._predicate(predicate))

    def _predicate(self, predicate: str | None) -> ox.NamedNode | None:
        if predicate is None:
            return None
        try:
            return self.kg.resolve(predicate)
        except NotFoundError:
            # resolve() words its error for entities; the caller named a predicate.
            raise NotFoundError(
                f"no predicate '{predicate}' in the graph",
                hint="name it with a prefixed name (rdfs:label) or a full IRI; the prefixes are "
                + ", ".join(PREFIXES),
            ) from None

    def value(self, predicate: str) -> Any:
        """The first value of ``predicate`` (sorted, for determinism), as plain Python."""
        values = sorted((e.object for e in self.out(predicate)), key=str)
        return to_python(values[0]) if values else None

    def neighbours(self, depth: int = 1) -> set[Node]:
        """Nodes reachable within ``depth`` hops in either direction (not via rdf:type)."""
        kg = self.kg
        found = reachable(kg._hops, self.term, depth)
        return {Node(kg, t) for t in found if isinstance(t, (ox.NamedNode, ox.BlankNode))}

    def evidence(self) -> list[Evidence]:
        """The quotes this node's facts rest on: its own nkg:evidence, or, for an entity,
        the evidence of every fact that mentions it."""
        rows = self.kg.select(EVIDENCE_QUERY, node=self.term).values()
        out = {evidence_from_row(r) for r in rows}
        return sorted(out, key=lambda e: (e.article, e.start, e.end))


# What node(), path() and quotes(speaker=) accept as the name of a node.
NodeName = str | Iri | Node | ox.NamedNode | ox.BlankNode


def evidence_from_row(row: Mapping[str, Any]) -> Evidence:
    """An :class:`Evidence` from a row (as plain Python) that selects ``?ev ?exact ?start
    ?end ?article ?sentence``, as the evidence queries here and in newskg.views do."""
    return Evidence(
        iri=str(row["ev"]),
        exact=str(row["exact"]),
        start=int(row["start"]),
        end=int(row["end"]),
        article=str(row["article"]),
        sentence=row["sentence"],
    )


EVIDENCE_QUERY = """
SELECT DISTINCT ?node ?ev ?exact ?start ?end ?article ?sentence WHERE {
  { ?node nkg:evidence ?ev } UNION { ?fact nkg:evidence ?ev . ?fact ?p ?node . }
  ?ev oa:hasSource ?article ;
      oa:hasSelector ?q, ?pos .
  ?q oa:exact ?exact .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev nkg:inSentence/schema:text ?sentence }
}
"""


def _read_manifest(path: Path) -> dict[str, Any]:
    store = path / "store" if (path / "store").exists() else path
    manifest = store.resolve().parent / MANIFEST_FILE
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
