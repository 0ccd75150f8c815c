"""One SHACL validation result as newskg reports it, whichever engine found it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    focus: str  # IRI (or blank node id) of the focus node
    path: str | None  # IRI of the result path
    message: str
    severity: str  # Violation, Warning or Info
    component: str = ""  # e.g. MinCountConstraintComponent
    value: str | None = None  # the value node, N3 (rdflib's n3()) as a canonical form

    def order(self) -> tuple[str, ...]:
        """The order results are reported in: by focus node, path, component, value."""
        return (self.focus, self.path or "", self.component, self.value or "", self.message)
