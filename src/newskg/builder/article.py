"""One article through the pipeline: load, map, materialise, validate, serialise.

A :class:`Builder` compiles everything a build shares (registry, mappings, ontology, shapes)
once; :meth:`Builder.process` then turns one article folder into what the build writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from newskg.builder.project import ARTICLE_SOURCE, ENTITIES_SOURCE, Project, compile_mappings
from newskg.errors import Location, MappingError, location_of
from newskg.exports.rdf_text import sorted_unique_triples, subject_records, trig_graph_block
from newskg.inputs import ENTITIES_FILE, ArticleDocument, Registry, load_article, load_registry
from newskg.model.iris import IriPolicy
from newskg.model.ontology import Ontology, Quad, load_ontology, shapes_files
from newskg.model.schema import MODEL_FILE, Model, load_model
from newskg.shacl.validator import EntityContext, ShapesValidator


@dataclass
class ArticleOutput:
    """What one article contributes to a build: its quads for the store, its TriG block and
    its per-subject Turtle run for the exports (see :mod:`newskg.builder`)."""

    id: str
    quads: int
    nquads: str  # sorted N-Quads of the article graph
    trig: str  # the article's TriG graph block
    prefixes: list[str]  # prefixes the TriG block uses
    records: list[str]  # sorted per-subject Turtle run lines
    turtle_prefixes: list[str]  # prefixes the run's blocks use
    seconds: dict[str, float]


class Builder:
    """Everything compiled once per build: registry, mappings, ontology, shapes."""

    def __init__(
        self, project: Project, *, validate: bool = True, reference_shacl: bool = False
    ) -> None:
        self.project = project
        self.iris = IriPolicy(project.base)
        self.model: Model = load_model(project.ontology_dir / MODEL_FILE)
        self.registry: Registry = load_registry(project.seeds_dir / ENTITIES_FILE, self.model)
        self.mappings = compile_mappings(project.mappings_dir, project.base)
        self.ontology: Ontology = load_ontology(
            project.ontology_dir, f"<{self.iris.ontology_graph}>"
        )
        self.validator = (
            ShapesValidator(shapes_files(project.ontology_dir), reference=reference_shacl)
            if validate
            else None
        )
        self.entity_quads: list[Quad] = self._entity_quads()
        self.context = EntityContext([*self.entity_quads, *self.ontology.quads])

    def _entity_quads(self) -> list[Quad]:
        quads = self.mappings.entities.materialise({ENTITIES_SOURCE: self.registry.document})
        return sorted(set(self.ontology.materialise(quads)))

    def validate_entities(self) -> None:
        """The entities and ontology graphs against every shape (once per build). A shared
        fact is judged with the articles that report it, not here: the registry only names
        it."""
        if self.validator is not None:
            quads = [*self.entity_quads, *self.ontology.quads]
            shared = {f"<{self.iris.node(key)}>" for key in self.registry.names.shared}
            focus = {q[0] for q in quads} - shared
            where = f"entities ({self.project.seeds_dir / ENTITIES_FILE})"
            self.validator.check(quads, {}, where, focus=focus)

    def locations(self, article: ArticleDocument) -> dict[str, Location]:
        """Where in facts.yaml each node of the article was declared, by IRI."""
        return {self.iris.node(key): where for key, where in article.locations.items()}

    def article_quads(
        self, folder: Path, seconds: dict[str, float] | None = None
    ) -> tuple[ArticleDocument, list[Quad]]:
        """Load, map and (if validating) check one article; its quads sorted and unique.
        Time spent is added to ``seconds`` ("load+map", "shacl") when given."""
        mark = time.perf_counter()
        article = load_article(folder, self.registry, self.model)
        mapped = self.mappings.articles.materialise({ARTICLE_SOURCE: article.document})
        quads = sorted(set(self.ontology.materialise(mapped)))
        if seconds is not None:
            seconds["load+map"] = time.perf_counter() - mark
        if self.validator is not None:
            mark = time.perf_counter()
            self.validator.check_article(
                quads, self.context, self.locations(article), f"article {article.id}"
            )
            if seconds is not None:
                seconds["shacl"] = time.perf_counter() - mark
        return article, quads

    def process(self, folder: Path) -> ArticleOutput:
        """One article, ready to be written: N-Quads, TriG block and Turtle run records."""
        seconds: dict[str, float] = {}
        article, quads = self.article_quads(folder, seconds)
        mark = time.perf_counter()
        graph = f"<{self.iris.article_graph(article.id)}>"
        stray = next((q for q in quads if q[3] != graph), None)
        if stray is not None:
            raise MappingError(
                f"an article mapping wrote into graph {stray[3] or '(default)'}, "
                f"not the article's graph {graph}",
                location=location_of(self.project.mappings_dir),
                hint="give every article mapping 'graphs: $(graph)'",
            )
        triples = sorted_unique_triples((s, p, o) for s, p, o, _ in quads)
        used: set[str] = set()
        trig = trig_graph_block(graph, triples, used)
        turtle_used: set[str] = set()
        records = list(subject_records(triples, turtle_used))
        output = ArticleOutput(
            id=article.id,
            quads=len(quads),
            nquads="".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads),
            trig=trig,
            prefixes=sorted(used),
            records=records,
            turtle_prefixes=sorted(turtle_used),
            seconds=seconds,
        )
        seconds["serialise"] = time.perf_counter() - mark
        return output
