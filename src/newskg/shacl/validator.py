"""SHACL validation of built graphs, reported in the project's error style.

What is validated (docs/scale.md, "SHACL"): each article graph is checked on its own, with
only the entity and ontology triples it needs, and the entities + ontology graphs are checked
once per build. The data graph of an article is

* the article's triples,
* every entities/ontology triple whose subject is also a subject in the article (a post that
  the article says ``org:heldBy`` someone keeps its ``org:postIn``; a programme the article
  founds keeps its labels), and
* the ``rdf:type`` triples of every node those triples point at (what ``sh:class`` looks at),

and only results about the article's subjects are kept, so the context nodes, which carry
just their types, are not themselves judged (pyshacl's ``focus_nodes`` option cannot be used
for this: it also filters the value nodes of nested shapes such as ``sh:or``, which then
pass vacuously). That is the same verdict as
validating article + entities + ontology for every node the article says something about,
at a cost that depends on the article alone, not on the registry.

The shapes are compiled by :mod:`newskg.shacl.compiled` (core constraints in Python over an
index of N-Triples terms, ``sh:sparql`` in pyoxigraph); it refuses any SHACL feature it does
not implement. ``ShapesValidator(..., reference=True)`` (``newskg validate --reference``) runs
pyshacl instead (:mod:`newskg.shacl.reference`), the engine ``tests/test_shacl.py`` proves
the compiled one equal to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib

from newskg.errors import Diagnostic, InputError, Location, ValidationError, location_of
from newskg.rdf import RDF_TYPE
from newskg.shacl.compiled import CompiledShapes, UnsupportedShape
from newskg.shacl.terms import rdflib_term
from newskg.shacl.violation import Violation

if TYPE_CHECKING:
    from newskg.shacl.reference import ReferenceShapes

Quad = tuple[str, str, str, str]
Triple = tuple[str, str, str]
_TYPE = f"<{RDF_TYPE}>"


class EntityContext:
    """The entities and ontology graphs indexed by subject, to give each article its context."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.by_subject: dict[str, list[Triple]] = {}
        self.types: dict[str, list[Triple]] = {}
        for s, p, o, _ in quads:
            self.by_subject.setdefault(s, []).append((s, p, o))
            if p == _TYPE:
                self.types.setdefault(s, []).append((s, p, o))

    def around(self, triples: Iterable[Triple]) -> tuple[set[Triple], set[str]]:
        """The article's triples plus the context they need, and the article's subjects."""
        data = set(triples)
        subjects = {s for s, _, _ in data}
        for subject in subjects:
            data.update(self.by_subject.get(subject, ()))
        for obj in {o for _, _, o in data if o[0] == "<"}:
            data.update(self.types.get(obj, ()))
        return data, subjects


def _parse_shapes(graph: rdflib.Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise InputError("SHACL shapes file not found", location=location_of(path)) from None
    except SyntaxError as exc:  # rdflib's BadSyntax; its ``lines`` count from 0
        line = getattr(exc, "lines", None)
        raise InputError(
            f"Turtle syntax error in the SHACL shapes: {exc}",
            location=location_of(path, line + 1 if isinstance(line, int) else 0),
            hint="fix the Turtle syntax at this position",
        ) from None


class ShapesValidator:
    """Holds the compiled shapes so that each article is validated without re-reading them.

    By default the shapes are compiled by :mod:`newskg.shacl.compiled` (which refuses, at
    construction, any SHACL feature it does not implement); ``reference=True`` runs pyshacl
    instead (``newskg validate --reference``), the engine the compiled one is tested against.
    """

    def __init__(self, shapes: Path | Sequence[Path], *, reference: bool = False) -> None:
        self.shapes = rdflib.Graph()
        files = [shapes] if isinstance(shapes, Path) else list(shapes)
        if not files:
            raise InputError("no SHACL shapes files", hint="put shapes*.ttl in ontology/")
        for path in files:
            _parse_shapes(self.shapes, path)
        shapes = files[0]
        self.reference = reference
        self._compiled: CompiledShapes | None = None
        self._reference: ReferenceShapes | None = None
        if reference:
            # Imported here: pyshacl (and rdflib's SPARQL engine) is the reference engine's
            # alone, and importing it is a large share of a small incremental build.
            from newskg.shacl.reference import ReferenceShapes

            self._reference = ReferenceShapes(self.shapes)
        else:
            try:
                self._compiled = CompiledShapes(self.shapes)
            except UnsupportedShape as exc:
                raise InputError(
                    f"SHACL shapes use a feature the compiled validator does not support: {exc}",
                    location=location_of(shapes),
                    hint="stay within the features listed in docs/scale.md, or validate with "
                    "'newskg validate --reference' (pyshacl)",
                ) from None

    def violations(
        self, triples: Iterable[Triple | Quad], focus: Iterable[str] | None = None
    ) -> list[Violation]:
        """Every result of validating ``triples``; only for ``focus`` subjects if given."""
        if self._compiled is None:
            assert self._reference is not None
            return sorted(self._reference.violations(triples, focus), key=Violation.order)
        keep = None if focus is None else set(focus)
        found = [
            Violation(
                focus=str(rdflib_term(r.focus)),
                path=r.path,
                message=r.message,
                severity=r.severity,
                component=r.component,
                value=None if r.value is None else rdflib_term(r.value).n3(),
            )
            for r in self._compiled.validate(triples, keep)  # type: ignore[arg-type]
        ]
        return sorted(found, key=Violation.order)

    def check(
        self,
        quads: Iterable[Triple | Quad],
        locations: Mapping[str, Location],
        what: str,
        focus: Iterable[str] | None = None,
    ) -> None:
        """Raise :class:`ValidationError` on any sh:Violation; warnings and infos pass."""
        problems = [v for v in self.violations(quads, focus) if v.severity == "Violation"]
        if not problems:
            return
        diags = [
            Diagnostic(
                f"{what}: <{v.focus}>{' ' + v.path if v.path else ''}: {v.message}",
                locations.get(v.focus),
                "fix the fact (or the mapping that produced it) to meet the shapes in "
                "ontology/shapes*.ttl",
            )
            for v in problems
        ]
        raise ValidationError(diagnostics=diags)

    def check_article(
        self,
        quads: Iterable[Quad],
        context: EntityContext,
        locations: Mapping[str, Location],
        what: str,
    ) -> None:
        """Validate one article graph with the context it needs (see the module docstring)."""
        data, subjects = context.around((s, p, o) for s, p, o, _ in quads)
        self.check(data, locations, what, focus=subjects)


__all__ = ["EntityContext", "ShapesValidator", "Violation"]
