"""The ontology as the build uses it: its quads, and the type/property alignments to
materialise, because Oxigraph does no reasoning and ``?x a schema:Event`` must still find a
meeting."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from newskg.errors import InputError, location_of
from newskg.files import read_input
from newskg.rdf import RDF_TYPE, RDFS_SUB_CLASS_OF, RDFS_SUB_PROPERTY_OF, transitive_closure

Quad = tuple[str, str, str, str]

_TYPE = f"<{RDF_TYPE}>"
SUB_CLASS = f"<{RDFS_SUB_CLASS_OF}>"
SUB_PROPERTY = f"<{RDFS_SUB_PROPERTY_OF}>"
ONTOLOGY_FILE = "newskg.ttl"
# Turtle files of the ontology folder named so hold SHACL shapes; every other one is ontology.
SHAPES_PREFIX = "shapes"


def ontology_files(folder: Path) -> list[Path]:
    """The ontology's Turtle files (hand-written and generated), in a stable order."""
    return sorted(p for p in folder.glob("*.ttl") if not p.name.startswith(SHAPES_PREFIX))


def shapes_files(folder: Path) -> list[Path]:
    """The SHACL shapes files (hand-written and generated), in a stable order."""
    return sorted(p for p in folder.glob("*.ttl") if p.name.startswith(SHAPES_PREFIX))


@dataclass(frozen=True)
class Ontology:
    quads: tuple[Quad, ...]  # the ontology itself, in its own named graph
    super_classes: dict[str, tuple[str, ...]]  # class -> all strict super-classes
    super_properties: dict[str, tuple[str, ...]]

    def materialise(self, quads: Iterable[Quad]) -> Iterator[Quad]:
        """The given quads plus the types and properties they imply, in the same graph."""
        classes, properties = self.super_classes, self.super_properties
        for quad in quads:
            yield quad
            s, p, o, g = quad
            if p == _TYPE:
                for sup in classes.get(o, ()):
                    yield (s, p, sup, g)
            for sup in properties.get(p, ()):
                yield (s, sup, o, g)


def parse_rdf_file(path: Path, graph: str = "", text: str | None = None) -> list[Quad]:
    """Parse Turtle (the file, or ``text`` named after it) into quads of N-Triples term
    strings, with a located error if it fails."""
    data = read_input(path) if text is None else text.encode("utf-8")
    try:
        triples = ox.parse(input=data, format=ox.RdfFormat.TURTLE)
        return [(str(t.subject), str(t.predicate), str(t.object), graph) for t in triples]
    except SyntaxError as exc:
        line, column = exc.lineno or 0, exc.offset or 0
        raise InputError(
            f"Turtle syntax error: {exc}",
            location=location_of(path, line, column),
            hint="fix the Turtle syntax at this position",
        ) from None


def load_ontology(folder: Path, graph: str) -> Ontology:
    """Every ontology file of ``folder`` (see :func:`ontology_files`) in the graph ``graph``."""
    if not (folder / ONTOLOGY_FILE).exists():
        raise InputError("file not found", location=location_of(folder / ONTOLOGY_FILE))
    quads = [q for path in ontology_files(folder) for q in parse_rdf_file(path, graph)]
    return Ontology(tuple(quads), _closure(quads, SUB_CLASS), _closure(quads, SUB_PROPERTY))


def _closure(quads: Iterable[Quad], relation: str) -> dict[str, tuple[str, ...]]:
    pairs = (
        (s, o) for s, p, o, _ in quads if p == relation and s.startswith("<") and o.startswith("<")
    )
    return {node: tuple(sorted(found)) for node, found in transitive_closure(pairs).items()}
