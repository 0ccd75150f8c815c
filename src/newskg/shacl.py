"""SHACL validation of built graphs with pyshacl, reported in the project's error style."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import rdflib
from pyshacl import validate as pyshacl_validate

from newskg.errors import Diagnostic, Location, ValidationError

Quad = tuple[str, str, str, str]
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str


class ShapesValidator:
    """Holds the parsed shapes so that each article is validated without re-reading them."""

    def __init__(self, shapes: Path) -> None:
        self.shapes = rdflib.Graph()
        self.shapes.parse(shapes, format="turtle")

    def violations(self, quads: Iterable[Quad]) -> list[Violation]:
        data = rdflib.Graph()
        text = "".join(f"{s} {p} {o} .\n" for s, p, o, _ in quads)
        data.parse(data=text, format="nt")
        conforms, report, _ = pyshacl_validate(
            data, shacl_graph=self.shapes, inference="none", allow_infos=True, allow_warnings=True
        )
        if conforms:
            return []
        assert isinstance(report, rdflib.Graph)
        found: list[Violation] = []
        for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
            path = report.value(result, SH.resultPath)
            found.append(
                Violation(
                    focus=str(report.value(result, SH.focusNode)),
                    path=str(path) if isinstance(path, rdflib.URIRef) else None,
                    message=str(report.value(result, SH.resultMessage) or "violates a shape"),
                    severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
                )
            )
        return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))

    def check(self, quads: Iterable[Quad], locations: Mapping[str, Location], what: str) -> None:
        """Raise :class:`ValidationError` on any sh:Violation; warnings and infos pass."""
        problems = [v for v in self.violations(quads) if v.severity == "Violation"]
        if not problems:
            return
        diags = [
            Diagnostic(
                f"{what}: <{v.focus}>{' ' + v.path if v.path else ''}: {v.message}",
                locations.get(v.focus),
                "fix the fact (or the mapping that produced it) to meet ontology/shapes.ttl",
            )
            for v in problems
        ]
        raise ValidationError(diagnostics=diags)
