"""``newskg viz``: a picture of an entity's neighbourhood or of one article's graph.

The graph is written as Graphviz DOT and laid out by the ``dot`` program (Debian package
``graphviz``), because its layered layout reads well for the small, directed pictures this
is for; writing ``-o FILE.dot`` skips Graphviz entirely.

What is left out, so that the picture shows facts rather than plumbing: ``rdf:type`` edges
(types colour the nodes instead), literals, evidence passages, selectors and sentences, and
an edge whose predicate is a super-property of another edge between the same two nodes (the
build materialises ``schema:creator`` beside ``nkg:speaker``; one arrow is enough).
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from newskg.errors import InputError, NewskgError, NotFoundError
from newskg.files import written_aside
from newskg.model.iris import IriPolicy
from newskg.query.graph import TYPE, KnowledgeGraph, Node
from newskg.query.results import compact
from newskg.query.terms import Term
from newskg.query.traversal import levels
from newskg.rdf import NKG, OA, ORG, RDFS_SUB_PROPERTY_OF, SCHEMA, SKOS, transitive_closure

NEWS_ARTICLE = ox.NamedNode(SCHEMA + "NewsArticle")
SUB_PROPERTY_OF = ox.NamedNode(RDFS_SUB_PROPERTY_OF)
HIDDEN_TYPES = {
    NKG + "Evidence",
    NKG + "Sentence",
    OA + "TextQuoteSelector",
    OA + "TextPositionSelector",
}
# type IRI -> (shape, fill colour); the first type a node has in this order wins.
STYLES = [
    (SCHEMA + "Person", "ellipse", "#cfe2ff"),
    (NKG + "Meeting", "box", "#ffe69c"),
    (NKG + "Fact", "box", "#fff3cd"),
    (SCHEMA + "Organization", "box", "#d1e7dd"),
    (SCHEMA + "Country", "box", "#d1e7dd"),
    (NKG + "Group", "box", "#d1e7dd"),
    (ORG + "Post", "ellipse", "#e2d9f3"),
    (NKG + "TrainingProgramme", "box", "#cff4fc"),
    (NKG + "Strategy", "box", "#cff4fc"),
    (SCHEMA + "NewsArticle", "note", "#f8d7da"),
    (SKOS + "Concept", "ellipse", "#e9ecef"),
]
MAX_NODES = 200
LABEL_WIDTH = 28


@dataclass
class Picture:
    """Nodes and edges to draw: the graph-level result, independent of DOT."""

    title: str
    focus: Term | None
    nodes: dict[Term, str] = field(default_factory=dict)  # term -> label
    types: dict[Term, list[str]] = field(default_factory=dict)
    edges: set[tuple[Term, ox.NamedNode, Term]] = field(default_factory=set)
    truncated: bool = False


def _super_properties(kg: KnowledgeGraph) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    """Transitive super-properties of each property, from the ontology graph."""
    pairs = (
        (q.subject, q.object)
        for q in kg.store.quads_for_pattern(None, SUB_PROPERTY_OF, None, None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    )
    return transitive_closure(pairs)


def _prune_super_edges(pic: Picture, supers: dict[ox.NamedNode, set[ox.NamedNode]]) -> None:
    by_pair: dict[tuple[Term, Term], set[ox.NamedNode]] = {}
    for s, p, o in pic.edges:
        by_pair.setdefault((s, o), set()).add(p)
    for (s, o), preds in by_pair.items():
        implied = set().union(*(supers.get(p, set()) for p in preds))
        for p in preds & implied:
            pic.edges.discard((s, p, o))


def _types(kg: KnowledgeGraph, term: Term) -> list[str]:
    if isinstance(term, ox.Literal):
        return []
    return [
        q.object.value
        for q in kg.store.quads_for_pattern(term, TYPE, None, None)
        if isinstance(q.object, ox.NamedNode)
    ]


def _visible(types: list[str]) -> bool:
    return not HIDDEN_TYPES.intersection(types)


def neighbourhood(kg: KnowledgeGraph, node: Node, depth: int = 1) -> Picture:
    """The node, every visible node within ``depth`` hops (either direction, never through
    a hidden one), and the edges among them; past :data:`MAX_NODES`, the nearest nodes
    first, in IRI order within a level."""
    pic = Picture(title=node.label, focus=node.term)
    types: dict[Term, list[str]] = {}

    def types_of(term: Term) -> list[str]:
        if term not in types:
            types[term] = _types(kg, term)
        return types[term]

    def visible_neighbours(term: Term) -> list[Term]:
        return [other for _, other in kg._hops(term) if _visible(types_of(other))]

    drawn: list[Term] = [node.term]
    for level in levels(visible_neighbours, node.term, depth):
        room = MAX_NODES - len(drawn)
        drawn += sorted(level, key=str)[:room]
        if len(level) > room:
            pic.truncated = True
            break
    for term in drawn:
        pic.types[term] = types_of(term)
        pic.nodes[term] = node.label if term == node.term else _label(kg, term)
    for term in drawn:
        for quad, other in kg._hops(term):
            if other in pic.nodes:
                pic.edges.add((quad.subject, quad.predicate, quad.object))
    _prune_super_edges(pic, _super_properties(kg))
    return pic


def article_graph(kg: KnowledgeGraph, article: ox.NamedNode, graph: ox.NamedNode) -> Picture:
    """Every fact of one article and the entities they involve (the article's named graph
    without its evidence plumbing and without the article node every fact points to)."""
    title = Node(kg, article).label
    pic = Picture(title=title, focus=None)
    candidates: set[tuple[Term, ox.NamedNode, Term]] = set()
    for quad in kg.store.quads_for_pattern(None, None, None, graph):
        if quad.predicate == TYPE or isinstance(quad.object, ox.Literal):
            continue
        if article in (quad.subject, quad.object):
            continue
        candidates.add((quad.subject, quad.predicate, quad.object))
    visible: dict[Term, bool] = {}
    for s, p, o in sorted(candidates, key=str):
        for term in (s, o):
            if term not in visible:
                types = _types(kg, term)
                visible[term] = _visible(types)
                if visible[term]:
                    pic.types[term] = types
        if visible[s] and visible[o]:
            for term in (s, o):
                if term not in pic.nodes:
                    if len(pic.nodes) >= MAX_NODES:
                        pic.truncated = True
                        break
                    pic.nodes[term] = _label(kg, term)
            else:
                pic.edges.add((s, p, o))
    _prune_super_edges(pic, _super_properties(kg))
    return pic


def _label(kg: KnowledgeGraph, term: Term) -> str:
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return Node(kg, term).label
    return term.value


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _style(types: list[str]) -> tuple[str, str]:
    for type_iri, shape, colour in STYLES:
        if type_iri in types:
            return shape, colour
    return "ellipse", "#ffffff"


def to_dot(pic: Picture) -> str:
    """DOT text for a picture; node ids are n0, n1… in a stable order."""
    order = sorted(pic.nodes, key=lambda t: (pic.nodes[t].casefold(), str(t)))
    ids = {term: f"n{i}" for i, term in enumerate(order)}
    title = pic.title + (f" (first {MAX_NODES} nodes)" if pic.truncated else "")
    lines = [
        "digraph newskg {",
        f"  graph [rankdir=LR, fontname=Helvetica, labelloc=t, label={_quote(title)}];",
        '  node [fontname=Helvetica, fontsize=10, style="filled,rounded"];',
        '  edge [fontname=Helvetica, fontsize=8, color="#555555"];',
    ]
    for term in order:
        shape, colour = _style(pic.types.get(term, []))
        label = "\n".join(textwrap.wrap(pic.nodes[term], LABEL_WIDTH)[:4]) or pic.nodes[term]
        attrs = [f"label={_quote(label)}", f"shape={shape}", f"fillcolor={_quote(colour)}"]
        if isinstance(term, ox.NamedNode):
            attrs += [f"tooltip={_quote(term.value)}", f"URL={_quote(term.value)}"]
        if term == pic.focus:
            attrs.append("penwidth=2.5")
        lines.append(f"  {ids[term]} [{', '.join(attrs)}];")
    for s, p, o in sorted(pic.edges, key=lambda e: (ids[e[0]], str(e[1]), ids[e[2]])):
        lines.append(f"  {ids[s]} -> {ids[o]} [label={_quote(compact(p))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot: str) -> str:
    program = shutil.which("dot")
    if program is None:
        raise NewskgError(
            "Graphviz 'dot' is not installed",
            hint="install it (Debian: apt-get install graphviz), or write -o FILE.dot",
        )
    result = subprocess.run(
        [program, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True, check=False
    )
    if result.returncode != 0:
        raise NewskgError(f"Graphviz failed: {result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout.decode("utf-8")


def picture(kg: KnowledgeGraph, target: str, depth: int = 1) -> Picture:
    """An article (its id, IRI or named-graph IRI) or else an entity (id, label, IRI)."""
    if depth < 1:
        raise InputError(f"--depth must be at least 1, not {depth}")
    iris = IriPolicy(kg.base)
    name = target.strip("<>")
    article_id = iris.article_id_of_graph(name) or name.removeprefix(iris.article(""))
    # One lookup of the article the target would be, rather than a list of every article.
    try:
        article = ox.NamedNode(iris.article(article_id))
    except ValueError:  # no IRI once minted (a label with spaces): not an article
        article = None
    if article and next(kg.store.quads_for_pattern(article, TYPE, NEWS_ARTICLE, None), None):
        return article_graph(kg, article, ox.NamedNode(iris.article_graph(article_id)))
    try:
        node = kg.node(target)
    except NotFoundError as exc:
        raise NotFoundError(
            f"no entity or article '{target}' in the graph",
            hint=(exc.hint or "") + "; an article is named by its folder name under seeds/",
        ) from None
    return neighbourhood(kg, node, depth)


def viz(kg: KnowledgeGraph, target: str, output: Path, depth: int = 1) -> Picture:
    """Draw ``target`` to ``output``: SVG, or DOT when the file name ends in ``.dot``."""
    pic = picture(kg, target, depth)
    dot = to_dot(pic)
    text = dot if output.suffix == ".dot" else render_svg(dot)
    with written_aside(output) as handle:
        handle.write(text)
    return pic
