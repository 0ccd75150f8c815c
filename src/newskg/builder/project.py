"""What a build reads and writes (:class:`Project`), and its mappings compiled once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from newskg.errors import InputError, MappingError, location_of
from newskg.model.iris import IriPolicy
from newskg.rdf import DEFAULT_BASE

if TYPE_CHECKING:
    from newskg.mapping import MappingSet
    from newskg.mapping.model import TriplesMap

# The two logical sources the mappings read: one article's normalised document, and the
# entity registry.
ARTICLE_SOURCE = "article.json"
ENTITIES_SOURCE = "entities.json"


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to; every path defaults to the project layout.

    The base IRI is checked when the project is made: ``Project(base="x")`` raises
    :class:`~newskg.errors.InputError`."""

    root: Path = Path()
    seeds: Path | None = None
    mappings: Path | None = None
    ontology: Path | None = None
    out: Path | None = None
    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        IriPolicy(self.base)  # raises InputError for a base that cannot mint IRIs
        try:  # and Oxigraph must read what it mints: a host such as [::1 or [x] is no IRI
            ox.NamedNode(f"{self.base}id/x")
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"base IRI is not a valid IRI: {self.base!r} ({exc})",
                hint="e.g. --base https://example.org/news/",
            ) from None

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


@dataclass(frozen=True)
class Mappings:
    """The compiled mapping sets, split by the source they read."""

    articles: MappingSet
    entities: MappingSet

    @property
    def models(self) -> tuple[tuple[TriplesMap, ...], tuple[TriplesMap, ...]]:
        """The checked triples maps of both sets: what :func:`mappings_of` compiles again
        (they pickle; the compiled closures do not)."""
        return self.articles.triples_maps, self.entities.triples_maps


def mappings_of(models: tuple[Sequence[TriplesMap], Sequence[TriplesMap]]) -> Mappings:
    """The mappings of ``Mappings.models``, compiled without reading or checking any file
    again (a small part of what :func:`compile_mappings` costs)."""
    from newskg.mapping import MappingSet

    articles, entities = models
    return Mappings(articles=MappingSet(list(articles)), entities=MappingSet(list(entities)))


def mapping_files(folder: Path) -> list[Path]:
    """The mapping files of ``folder`` (YARRRML or RML), sorted: what a build compiles."""
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in {".yaml", ".yml", ".ttl"})


def compile_mappings(folder: Path, base: str) -> Mappings:
    from newskg.mapping import load_mappings, merge_mappings  # only a build that maps needs it

    files = mapping_files(folder)
    if not files:
        raise InputError(
            "no mapping files found",
            location=location_of(folder),
            hint="put YARRRML (*.yaml) or RML (*.ttl) mappings in mappings/",
        )
    # Each file compiled once, on its own: that is how a file reading the wrong source is
    # found and named; the sets are then merged without reading anything again.
    by_source: dict[str, list[MappingSet]] = {ARTICLE_SOURCE: [], ENTITIES_SOURCE: []}
    for path in files:
        mapping_set = load_mappings([path], base=base)
        names = mapping_set.source_names
        unknown = names - set(by_source)
        if unknown or len(names) != 1:
            raise MappingError(
                f"a mapping file must read exactly one of {ARTICLE_SOURCE} or {ENTITIES_SOURCE}; "
                f"this one reads {', '.join(sorted(names)) or 'nothing'}",
                location=location_of(path),
                hint="split the file so that each reads one source",
            )
        by_source[next(iter(names))].append(mapping_set)
    return Mappings(
        articles=merge_mappings(by_source[ARTICLE_SOURCE]),
        entities=merge_mappings(by_source[ENTITIES_SOURCE]),
    )
