"""One article through the pipeline: load, map, materialise, validate, serialise.

A :class:`Builder` compiles everything a build shares (registry, mappings, ontology, shapes)
once; :meth:`Builder.process` then turns one article folder into what the build writes: its
TriG file and its N-Quads for the store, written where it is told, so that only a few
numbers travel back from a worker process.
"""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newskg.builder.project import (
    ARTICLE_SOURCE,
    ENTITIES_SOURCE,
    Project,
    compile_mappings,
    mappings_of,
)
from newskg.builder.stamps import Stamp, export_stamp, stamp_and_hash
from newskg.errors import Location, MappingError, location_of
from newskg.exports.rdf_text import sorted_unique_triples, trig_document
from newskg.inputs import ENTITIES_FILE, ArticleDocument, Registry, load_article, load_registry
from newskg.model.iris import IriPolicy
from newskg.model.ontology import Ontology, Quad, load_ontology, shapes_files
from newskg.model.schema import MODEL_FILE, Model, load_model
from newskg.shacl.validator import EntityContext, ShapesValidator


@dataclass
class ArticleOutput:
    """What one article contributed to a build, once its TriG file and N-Quads are written."""

    id: str
    quads: int
    export: Stamp | None  # size and mtime (ns) of its TriG file: whether kg/ still holds it
    seconds: dict[str, float]
    stamp: Stamp | None  # of its input files, taken before they were read
    sha256: str  # their content hash

    def manifest_entry(self) -> dict[str, object]:
        """What the next build compares (:mod:`newskg.builder.plan`)."""
        return {
            "sha256": self.sha256,
            "stamp": self.stamp,
            "quads": self.quads,
            "export": self.export,
        }


COMPILED_FILE = "compiled.pickle"  # beside a build's manifest: what the next build may reuse
# What Builder.save keeps, besides the mappings' models (their compiled closures do not pickle).
_SAVED = ("model", "registry", "ontology", "validator", "entity_quads", "context")


class Builder:
    """Everything compiled once per build: registry, mappings, ontology, shapes."""

    # the file and key reuse() read this builder back from: save() under that key links it
    _read_from: tuple[Path, str] | None = None

    @classmethod
    def reuse(cls, project: Project, key: str, saved: Path | None) -> Builder | None:
        """The builder that :meth:`save` wrote to ``saved`` under ``key``, if it is there
        and the key matches; else None. The key says everything it was compiled from (the
        build's fingerprint, whether it validates, where the seeds are)."""
        if saved is None:
            return None
        try:
            with open(saved, "rb") as handle:
                state = pickle.load(handle)
            if not isinstance(state, dict) or state.get("key") != key:
                return None
            builder = cls.__new__(cls)
            builder.project, builder.iris = project, IriPolicy(project.base)
            for name in _SAVED:
                setattr(builder, name, state["parts"][name])
            builder.mappings = mappings_of(state["parts"]["mappings"])
        # A cache written by other code or damaged can fail in any way: compile instead.
        except Exception:
            return None
        builder._read_from = (saved, key)
        return builder

    def save(self, path: Path, key: str) -> None:
        """What :meth:`reuse` reads back (a build's own folder: git-ignored, never shared).
        A builder read back under the same key is the same file: a second name for it."""
        if self._read_from is not None and self._read_from[1] == key:
            try:
                os.link(self._read_from[0], path)
                return
            except OSError:  # gone, or a file system without hard links: write it
                pass
        parts: dict[str, object] = {name: getattr(self, name) for name in _SAVED}
        parts["mappings"] = self.mappings.models
        with open(path, "wb") as handle:
            pickle.dump({"key": key, "parts": parts}, handle, protocol=pickle.HIGHEST_PROTOCOL)

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

    def process(self, folder: Path, export: Path, nquads: BinaryIO) -> ArticleOutput:
        """One article: its TriG file written to ``export``, its N-Quads appended to
        ``nquads`` (one write, so a worker that is stopped leaves whole articles only)."""
        seconds: dict[str, float] = {}
        stamp, sha256 = stamp_and_hash(folder)
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
        with open(export, "wb") as handle:
            handle.write(trig_document(graph, triples).encode("utf-8"))
        nquads.write("".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads).encode("utf-8"))
        seconds["serialise"] = time.perf_counter() - mark
        return ArticleOutput(article.id, len(quads), export_stamp(export), seconds, stamp, sha256)
