"""The Python API over a built store: SPARQL with bound parameters, and graph traversal.

Values are always passed to SPARQL as bindings (SEP-0007 substitutions in Oxigraph), never
formatted into query text, so no user value can change the shape of a query.

A graph opened ``in_memory=True`` answers everything an on-disk one does, with the same
answers; only where edges come from differs, so :class:`InMemoryGraph` overrides the few
methods that read edges, and its nodes (:class:`IndexedNode`) do the same. Both modes live
here because ``KnowledgeGraph.open`` chooses between them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from newskg.errors import NotFoundError, QueryError, StoreError
from newskg.indexes import TEXT_FILE, TRAVERSAL_DIR
from newskg.indexes import traversal as traversal_index
from newskg.indexes.text import TextIndex
from newskg.query import names, views
from newskg.query.adjacency import Adjacency
from newskg.query.inline import evaluate
from newskg.query.names import LABELS, TYPE
from newskg.query.outbound import allowed_services, check_outbound
from newskg.query.terms import (
    Edge,
    Evidence,
    Iri,
    Solutions,
    Term,
    to_python,
    to_term,
    to_variable,
)
from newskg.query.traversal import neighbours_of, reachable, shortest_path
from newskg.rdf import DEFAULT_BASE, PREFIXES
from newskg.store import damaged_store, is_damage, open_store, read_manifest, store_path

# A query whose first keyword (after comments, PREFIX and BASE) starts an update operation.
_UPDATE = re.compile(
    r"(?is)\A(?:\s+|\#[^\n]*\n|(?:PREFIX\s+[^:\s]*:\s*|BASE\s+)<[^>]*>)*"
    r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b"
)


class KnowledgeGraph:
    """A read-only view of a built newskg store."""

    def __init__(
        self,
        store: ox.Store,
        base: str = DEFAULT_BASE,
        text_index: TextIndex | None = None,
        *,
        allow_service: Iterable[str] = (),
    ) -> None:
        self.store = store
        self.base = base
        #: the build's text index (newskg.indexes.text), which saved queries that search
        #: text use; None for a store built without one
        self.text_index = text_index
        self.allow_service = allowed_services(allow_service, "allow_service")

    @classmethod
    def open(
        cls,
        path: Path | str = "kg",
        *,
        in_memory: bool = False,
        allow_service: Iterable[str] = (),
    ) -> KnowledgeGraph:
        """Open ``kg/`` (or ``kg/store``) read-only.

        ``in_memory=True`` maps the traversal index the build wrote beside the store
        (:class:`InMemoryGraph`): ``out``/``in_``/``neighbours``/``path`` then read arrays
        instead of RocksDB, many times faster; opening is a load, not a rebuild (figures in
        docs/performance.md). SPARQL reads the store in both modes.

        Queries make no outbound requests: a ``SERVICE`` clause is refused unless its URL
        starts with one of the ``allow_service`` prefixes (:mod:`newskg.query.outbound`)."""
        path = Path(path)
        allowed = allowed_services(allow_service, "allow_service")
        # the store, manifest and indexes of one build, even if a new one is swapped in now
        located = store_path(path)
        store = _open_store(located, path)
        base = read_manifest(located).get("base", DEFAULT_BASE)
        build = located.parent
        text = TextIndex.open(build / TEXT_FILE)
        if not in_memory:
            return KnowledgeGraph(store, base, text, allow_service=allowed)
        graph = InMemoryGraph.of(store, base, text, build / TRAVERSAL_DIR)
        graph.allow_service = allowed
        return graph

    # -- SPARQL ---------------------------------------------------------------------------

    def query(self, sparql: str, **bindings: Any) -> Solutions | bool | list[Edge]:
        """Run SPARQL over the union of all graphs. ``bindings`` fill variables of the same
        name (``?name``) as RDF terms: str -> literal, :class:`Iri`/:class:`Node` -> IRI."""
        substitutions = {
            to_variable(name): value.term if isinstance(value, Node) else to_term(value, name)
            for name, value in bindings.items()
        }
        check_outbound(sparql, self.allow_service, prefixes=PREFIXES)
        try:
            result = evaluate(self.store, sparql, substitutions, PREFIXES)
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
            if is_damage(exc):
                raise damaged_store(exc) from None
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
            if is_damage(exc):
                raise damaged_store(exc) from None
            raise QueryError(f"query failed: {exc}") from None

    def select(self, sparql: str, **bindings: Any) -> Solutions:
        result = self.query(sparql, **bindings)
        if not isinstance(result, Solutions):
            raise QueryError("expected a SELECT query", hint="use query() for ASK and CONSTRUCT")
        return result

    # -- nodes ----------------------------------------------------------------------------

    def resolve(self, id_or_iri: str) -> ox.NamedNode:
        """An id (``huawei``, a fact's id, ``<article>.<fact>``), label, prefixed name
        (``nkg:Meeting``) or IRI -> the IRI (:func:`newskg.query.names.resolve`)."""
        return names.resolve(self, id_or_iri)

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
                if quad.predicate != TYPE and not isinstance(obj, ox.Literal):
                    yield quad, obj
        for quad in store.quads_for_pattern(None, None, node, None):
            if quad.predicate != TYPE:
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

    # -- typed views (newskg.query.views) ------------------------------------------------

    def events(self) -> list[views.Event]:
        """Every event (meetings, signing ceremonies, summits, visits…) with its kind,
        dates, place, organisers, participants in their capacities, and evidence."""
        return views.events(self)

    def meetings(self) -> list[views.Event]:
        """Every meeting with participants, posts and evidence (:class:`newskg.Meeting`)."""
        return views.meetings(self)

    def agreements(self) -> list[views.Agreement]:
        """Every agreement with kind, parties, signatories and witnesses, date and place of
        signing, figures and evidence."""
        return views.agreements(self)

    def programmes(self) -> list[views.Programme]:
        """Every training programme with provider, founding date and place, and figures."""
        return views.programmes(self)

    def quotes(self, speaker: NodeName | None = None) -> list[views.Quote]:
        """Direct quotes in article order, optionally of one ``speaker`` (id, label, IRI)."""
        return views.quotes(self, None if speaker is None else self._term(speaker))

    def post_holders(self) -> list[views.PostHolding]:
        """Who held which post as of which date, per article."""
        return views.post_holders(self)

    def timeline(self, entity: NodeName) -> list[views.TimelineEntry]:
        """Every fact involving ``entity`` (id, label, IRI), across articles, by date."""
        return views.timeline(self, self._term(entity))


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
                for q in self.kg.store.quads_for_pattern(self.term, TYPE, None, None)
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
        found = reachable(neighbours_of(kg._hops), self.term, depth)
        return {Node(kg, t) for t in found if isinstance(t, (ox.NamedNode, ox.BlankNode))}

    def evidence(self) -> list[Evidence]:
        """The quotes this node's facts rest on: its own nkg:evidence, or, for an entity,
        the evidence of every fact that mentions it."""
        return views.evidence_of(self.kg, self.term)


# What node(), path() and quotes(speaker=) accept as the name of a node.
NodeName = str | Iri | Node | ox.NamedNode | ox.BlankNode


def _open_store(located: Path, path: Path) -> ox.Store:
    """The store at ``located``, the one ``path`` named a moment ago; when it cannot be
    opened, the error of opening ``path`` (which names it as the user did)."""
    if (located / "CURRENT").exists():
        with contextlib.suppress(StoreError):
            return open_store(located)
    return open_store(path)


class InMemoryGraph(KnowledgeGraph):
    """A KnowledgeGraph whose traversal reads the build's traversal index
    (:class:`Adjacency`) instead of the store; SPARQL still reads the store.

    Each node gets one Node object, made when it is first reached, so that ``neighbours(2)``
    picks objects out of a list rather than building and hashing one per node reached.
    Nodes are value objects, equal by term to any Node of any graph, so sharing them is
    safe."""

    def __init__(
        self, store: ox.Store, base: str, text_index: TextIndex | None, adjacency: Adjacency
    ) -> None:
        super().__init__(store, base, text_index)
        self.adjacency = adjacency
        self._nodes: list[IndexedNode | None] = [None] * len(adjacency)

    @classmethod
    def of(
        cls, store: ox.Store, base: str, text_index: TextIndex | None, index: Path
    ) -> InMemoryGraph:
        """The graph of ``store`` with the traversal index in the folder ``index``, or, when
        the build wrote none (an older newskg) or it is damaged, one made from the store now."""
        if traversal_index.exists(index):
            try:
                return cls(store, base, text_index, Adjacency(index))
            except (OSError, ValueError, KeyError, EOFError):  # damaged: the store still serves
                pass
        return cls(store, base, text_index, Adjacency.of_store(store))

    def node(self, id_or_iri: NodeName) -> Node:
        term = id_or_iri if type(id_or_iri) is ox.NamedNode else self._term(id_or_iri)
        number = self.adjacency.number(term)
        if number is None:
            raise self._not_in_graph(term)
        return self._nodes[number] or self._node(number)

    def _node(self, number: int) -> IndexedNode:
        node = self._nodes[number] = IndexedNode(self, self.adjacency.term(number), number)  # type: ignore[arg-type]  # hops never lead to a literal
        return node

    def _exists(self, term: ox.NamedNode) -> bool:
        return self.adjacency.number(term) is not None

    def out_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[Edge]:
        number = self.adjacency.number(term)
        return [] if number is None else self.adjacency.out_of(number, predicate)

    def in_edges(self, term: Term, predicate: ox.NamedNode | None = None) -> list[Edge]:
        number = self.adjacency.number(term)
        return [] if number is None else self.adjacency.in_of(number, predicate)

    def path(self, a: NodeName, b: NodeName, max_hops: int = 4) -> list[Edge] | None:
        start, goal = self.adjacency.number(self._term(a)), self.adjacency.number(self._term(b))
        if start is None or goal is None:
            return None
        return self.adjacency.path(start, goal, max_hops)


class IndexedNode(Node):
    """A node of an :class:`InMemoryGraph`: its edges are read by its number in the index,
    made into Edge objects once and kept (copied on every read: node(x).out() is the
    API's commonest call)."""

    __slots__ = ("_incoming", "_number", "_outgoing")
    kg: InMemoryGraph

    def __init__(self, kg: InMemoryGraph, term: ox.NamedNode | ox.BlankNode, number: int) -> None:
        super().__init__(kg, term)
        # hashing a pyoxigraph term re-reads its whole IRI: once here, not at every set
        # that neighbours() fills
        self._hash = hash(term)
        self._number = number
        self._outgoing: list[Edge] | None = None
        self._incoming: list[Edge] | None = None

    def __hash__(self) -> int:
        return self._hash  # type: ignore[return-value]  # always set, by the index

    def out(self, predicate: str | None = None) -> list[Edge]:
        if predicate is not None:
            return self.kg.adjacency.out_of(self._number, self._predicate(predicate))
        if self._outgoing is None:
            self._outgoing = self.kg.adjacency.out_of(self._number)
        return list(self._outgoing)

    def in_(self, predicate: str | None = None) -> list[Edge]:
        if predicate is not None:
            return self.kg.adjacency.in_of(self._number, self._predicate(predicate))
        if self._incoming is None:
            self._incoming = self.kg.adjacency.in_of(self._number)
        return list(self._incoming)

    def neighbours(self, depth: int = 1) -> set[Node]:
        kg = self.kg
        nodes = kg._nodes
        return {nodes[i] or kg._node(i) for i in kg.adjacency.reachable(self._number, depth)}
