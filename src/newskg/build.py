"""``newskg build``: seeds -> validate -> map -> SHACL -> store + exports, atomically.

Nothing under the output folder changes until every article has been loaded, mapped and
validated and the new store and exports are complete; then :meth:`StagedBuild.commit` swaps
them in. Any error before that leaves the previous build untouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newskg.errors import InputError, MappingError, location_of
from newskg.facts import (
    ENTITIES_FILE,
    ArticleDocument,
    Registry,
    article_folders,
    load_article,
    load_registry,
)
from newskg.iris import DEFAULT_BASE, IriPolicy
from newskg.mapping import MappingSet, load_mappings
from newskg.ontology import SHAPES_FILE, Ontology, Quad, load_ontology
from newskg.serialize import write_trig, write_turtle
from newskg.shacl import ShapesValidator
from newskg.store import KgLayout, StagedBuild

ARTICLE_SOURCE = "article.json"
ENTITIES_SOURCE = "entities.json"


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to; every path defaults to the project layout."""

    root: Path = Path()
    seeds: Path | None = None
    mappings: Path | None = None
    ontology: Path | None = None
    out: Path | None = None
    base: str = DEFAULT_BASE

    @property
    def seeds_dir(self) -> Path:
        return self.seeds or self.root / "seeds"

    @property
    def mappings_dir(self) -> Path:
        return self.mappings or self.root / "mappings"

    @property
    def ontology_dir(self) -> Path:
        return self.ontology or self.root / "ontology"

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "kg"


@dataclass
class BuildReport:
    articles: int = 0
    quads: int = 0
    graphs: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    store: Path | None = None
    exports: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Mappings:
    """The compiled mapping sets, split by the source they read."""

    articles: MappingSet
    entities: MappingSet


def compile_mappings(folder: Path, base: str) -> Mappings:
    files = sorted(p for p in folder.glob("*") if p.suffix in {".yaml", ".yml", ".ttl"})
    if not files:
        raise InputError(
            "no mapping files found",
            location=location_of(folder),
            hint="put YARRRML (*.yaml) or RML (*.ttl) mappings in mappings/",
        )
    by_source: dict[str, list[Path]] = {ARTICLE_SOURCE: [], ENTITIES_SOURCE: []}
    compiled = {path: load_mappings([path], base=base) for path in files}
    for path, mapping_set in compiled.items():
        names = mapping_set.source_names
        unknown = names - set(by_source)
        if unknown or len(names) != 1:
            raise MappingError(
                f"a mapping file must read exactly one of {ARTICLE_SOURCE} or {ENTITIES_SOURCE}; "
                f"this one reads {', '.join(sorted(names)) or 'nothing'}",
                location=location_of(path),
                hint="split the file so that each reads one source",
            )
        by_source[next(iter(names))].append(path)
    return Mappings(
        articles=load_mappings(by_source[ARTICLE_SOURCE], base=base),
        entities=load_mappings(by_source[ENTITIES_SOURCE], base=base),
    )


class Builder:
    """Everything compiled once per build: registry, mappings, ontology, shapes."""

    def __init__(self, project: Project, *, validate: bool = True) -> None:
        self.project = project
        self.iris = IriPolicy(project.base)
        self.registry: Registry = load_registry(project.seeds_dir / ENTITIES_FILE, self.iris)
        self.mappings = compile_mappings(project.mappings_dir, project.base)
        self.ontology: Ontology = load_ontology(
            project.ontology_dir, f"<{self.iris.ontology_graph}>"
        )
        self.validator = ShapesValidator(project.ontology_dir / SHAPES_FILE) if validate else None
        self.entity_quads: list[Quad] = self._entity_quads()

    def _entity_quads(self) -> list[Quad]:
        quads = self.mappings.entities.materialise({ENTITIES_SOURCE: self.registry.document})
        return sorted(set(self.ontology.materialise(quads)))

    def article_quads(self, folder: Path) -> tuple[ArticleDocument, list[Quad]]:
        article = load_article(folder, self.registry, self.iris)
        quads = self.mappings.articles.materialise({ARTICLE_SOURCE: article.document})
        result = sorted(set(self.ontology.materialise(quads)))
        if self.validator is not None:
            self.validator.check(
                [*result, *self.entity_quads, *self.ontology.quads],
                article.locations,
                f"article {article.id}",
            )
        return article, result

    def all_quads(self, report: BuildReport) -> Iterator[Quad]:
        yield from self.ontology.quads
        yield from self.entity_quads
        for folder in article_folders(self.project.seeds_dir):
            _, quads = self.article_quads(folder)
            report.articles += 1
            yield from quads


def build(project: Project | None = None, *, validate: bool = True) -> BuildReport:
    """Build the knowledge graph of ``project`` and swap it into its output folder."""
    project = project or Project()
    started = time.perf_counter()
    report = BuildReport()
    builder = Builder(project, validate=validate)
    report.timings["compile"] = time.perf_counter() - started

    quads = list(builder.all_quads(report))
    report.timings["load+map+validate"] = time.perf_counter() - started - report.timings["compile"]
    report.quads = len(quads)
    report.graphs = len({q[3] for q in quads})

    layout = KgLayout(project.out_dir)
    layout.root.mkdir(parents=True, exist_ok=True)
    staged = StagedBuild(layout)
    try:
        mark = time.perf_counter()
        nquads = "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads).encode("utf-8")
        staged.load_nquads(nquads)
        report.timings["store"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with staged.export_path(layout.turtle.name).open(
            "w", encoding="utf-8", newline="\n"
        ) as out:
            write_turtle(quads, out)
        with staged.export_path(layout.trig.name).open("w", encoding="utf-8", newline="\n") as out:
            write_trig(quads, out)
        report.timings["export"] = time.perf_counter() - mark
        staged.write_manifest(
            {
                "base": project.base,
                "articles": report.articles,
                "quads": report.quads,
                "graphs": report.graphs,
            }
        )
        staged.commit()
    except BaseException:
        staged.abort()
        raise
    report.store = layout.store
    report.exports = [layout.turtle, layout.trig]
    report.seconds = time.perf_counter() - started
    return report


__all__ = ["BuildReport", "Builder", "Project", "build"]
