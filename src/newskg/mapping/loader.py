"""Load mapping files (YARRRML or RML Turtle) into one compiled :class:`MappingSet`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from newskg.errors import InputError, MappingError, did_you_mean, location_of
from newskg.mapping.materialise import (
    Materialiser,
    Quad,
    RecordSource,
    document_sources,
)
from newskg.mapping.model import Diagnostics, RefObjectMap, TriplesMap, check
from newskg.mapping.window import QuadWindow
from newskg.mapping.yarrrml import read_yarrrml
from newskg.rdf import DEFAULT_BASE

Sources = Mapping[str, Any] | Callable[[str], Any]


class MappingSet:
    """Compiled mappings. Immutable; :meth:`materialise` may be called any number of times."""

    def __init__(self, maps: Sequence[TriplesMap]) -> None:
        self.triples_maps: tuple[TriplesMap, ...] = tuple(maps)
        self._engine = Materialiser(list(maps))
        self.source_names: frozenset[str] = frozenset(s.path for tm in maps for s in tm.sources)

    def materialise(
        self, sources: Sources | RecordSource, *, window: QuadWindow | None = None
    ) -> Iterator[Quad]:
        """Quads (N-Triples term strings, graph "" = default graph) in a deterministic order,
        duplicates removed within ``window`` (exactly, for up to 65,536 distinct quads by
        default). ``sources`` maps each source name to its parsed JSON (or
        a CSV file's text), or is a callable ``resolve(name)``, or a record source such as
        :class:`newskg.mapping.sources.FileSources`."""
        if not hasattr(sources, "records"):
            sources = document_sources(sources)  # type: ignore[arg-type]
        return self._engine.run(sources, window)  # type: ignore[arg-type]

    def chunks(
        self, sources: RecordSource, part: tuple[int, int] | None = None
    ) -> Iterator[list[Quad]]:
        """The undeduplicated quads of each chunk of records (see
        :meth:`newskg.mapping.materialise.Materialiser.chunks`)."""
        return self._engine.chunks(sources, part)

    def text_chunks(
        self, sources: RecordSource, part: tuple[int, int] | None = None
    ) -> Iterator[str]:
        """The same as N-Quads text, made a run of records at a time (faster)."""
        return map("".join, self._engine.line_chunks(sources, part))

    def line_chunks(
        self, sources: RecordSource, part: tuple[int, int] | None = None
    ) -> Iterator[list[str]]:
        """The same as N-Quads lines (each ending in a newline)."""
        return self._engine.line_chunks(sources, part)

    def subset(self, source_names: Iterable[str]) -> MappingSet:
        """The triples maps that read only the given sources (and whose joins do too), so
        that a caller can run, say, the entity mappings without an article."""
        names = set(source_names)
        keep: dict[str, TriplesMap] = {
            tm.name: tm for tm in self.triples_maps if all(s.path in names for s in tm.sources)
        }
        changed = True
        while changed:  # drop maps whose join parents were dropped
            changed = False
            for name, tm in list(keep.items()):
                parents = {
                    o.parent
                    for pom in tm.predicate_objects
                    for o in pom.objects
                    if isinstance(o, RefObjectMap)
                }
                if not parents <= keep.keys():
                    del keep[name]
                    changed = True
        return MappingSet([tm for tm in self.triples_maps if tm.name in keep])

    def __repr__(self) -> str:
        sources = sorted(self.source_names)
        return f"MappingSet({len(self.triples_maps)} triples maps, sources={sources})"


def load_mappings(paths: Iterable[Path], base: str = DEFAULT_BASE) -> MappingSet:
    """Compile mapping files: ``.yaml``/``.yml``/``.yarrrml`` are YARRRML, ``.ttl`` is RML
    Turtle.

    A file's own base (YARRRML ``base:``, RML ``rml:baseIRI``) wins over ``base``. Every
    problem in every file is collected and raised as one :class:`MappingError`."""
    diags = Diagnostics()
    maps: list[TriplesMap] = []
    for path in paths:
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml", ".yarrrml"):
            try:
                maps.extend(read_yarrrml(path, base, diags))
            except InputError as exc:  # YAML syntax, unreadable file
                diags.items.extend(exc.diagnostics)
        elif suffix == ".ttl":
            # rdflib is imported only for Turtle: YARRRML runs start without it.
            from newskg.mapping.rml_turtle import read_rml_turtle

            maps.extend(read_rml_turtle(path, base, diags))
        else:
            diags.add(
                f"unknown mapping file type '{suffix}'",
                location_of(path),
                "use .yaml/.yml/.yarrrml for YARRRML or .ttl for RML Turtle",
            )
    return _compile(maps, diags)


def merge_mappings(sets: Iterable[MappingSet]) -> MappingSet:
    """One :class:`MappingSet` of sets already loaded, in the order given, without reading any
    file again. The checks between triples maps (names defined twice, joins) run on the union,
    so a problem that only shows once the files meet is still a :class:`MappingError`."""
    return _compile([tm for ms in sets for tm in ms.triples_maps], Diagnostics())


def _compile(maps: list[TriplesMap], diags: Diagnostics) -> MappingSet:
    """The checks across files, then one :class:`MappingError` for every problem found."""
    _check_names(maps, diags)
    check(maps, diags)
    if diags:
        # Reading order within a file, files in the order given: easiest to fix top-down.
        files = list(dict.fromkeys(d.location.file if d.location else "" for d in diags.items))
        diags.items.sort(
            key=lambda d: (
                files.index(d.location.file if d.location else ""),
                d.location.line if d.location else 0,
                d.location.column if d.location else 0,
            )
        )
        raise MappingError(diagnostics=diags.items)
    return MappingSet(maps)


def _check_names(maps: list[TriplesMap], diags: Diagnostics) -> None:
    seen: dict[str, TriplesMap] = {}
    for tm in maps:
        if tm.name in seen:
            first = seen[tm.name].location
            diags.add(
                f"mapping '{tm.name}' is defined twice (first at {first})",
                tm.location,
                "rename one of them",
            )
        else:
            seen[tm.name] = tm
    for tm in maps:
        for pom in tm.predicate_objects:
            for o in pom.objects:
                if isinstance(o, RefObjectMap) and o.parent not in seen:
                    hint = did_you_mean(o.parent, seen) or (
                        "known mappings: " + ", ".join(sorted(seen)) if seen else None
                    )
                    diags.add(f"unknown mapping '{o.parent}'", o.location, hint)
