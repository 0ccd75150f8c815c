"""Everything made from the data model, written or checked in one place.

``python -m newskg.tools.generate`` rewrites ontology/shapes.generated.ttl,
ontology/properties.generated.ttl, the field tables of docs/data-model.md and
kg/context.jsonld from ontology/model.yaml and the ontology; ``--check`` only says which are
stale (tests/model/ runs the same check).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newskg.errors import NewskgError
from newskg.exports.jsonld import context_for, dump_context
from newskg.model.ontology import ontology_files, parse_rdf_file
from newskg.model.properties import GENERATED_PROPERTIES_FILE, properties_turtle
from newskg.model.schema import MODEL_FILE, load_model
from newskg.model.shapes import GENERATED_SHAPES_FILE, shapes_turtle
from newskg.model.tables import BEGIN, END, field_tables

DOCS_FILE = Path("docs") / "data-model.md"
CONTEXT_FILE = Path("kg") / "context.jsonld"


@dataclass(frozen=True)
class Artifact:
    path: Path
    text: str

    def stale(self) -> bool:
        try:
            return self.path.read_text(encoding="utf-8") != self.text
        except FileNotFoundError:
            return True


def artifacts(root: Path) -> list[Artifact]:
    """What the project at ``root`` generates from its model and ontology, as it should be."""
    ontology = root / "ontology"
    model = load_model(ontology / MODEL_FILE)
    properties = Artifact(ontology / GENERATED_PROPERTIES_FILE, properties_turtle(model))
    out = [Artifact(ontology / GENERATED_SHAPES_FILE, shapes_turtle(model)), properties]
    docs = root / DOCS_FILE
    if docs.exists():
        out.append(Artifact(docs, _with_tables(docs.read_text(encoding="utf-8"), model)))
    # The context reads the ontology as it will be, generated properties included.
    triples = [
        quad
        for path in ontology_files(ontology)
        if path.name != GENERATED_PROPERTIES_FILE
        for quad in parse_rdf_file(path)
    ]
    triples += parse_rdf_file(properties.path, text=properties.text)
    out.append(Artifact(root / CONTEXT_FILE, dump_context(context_for(triples))))
    return out


def _with_tables(text: str, model: object) -> str:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return text  # no generated section: nothing to keep in step
    return text[:start] + field_tables(model) + text[end + len(END) + 1 :]  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    try:
        found = artifacts(Path())
    except NewskgError as exc:
        for diag in exc.diagnostics:
            sys.stderr.write(f"error: {diag}\n")
        return exc.exit_code
    stale = [a for a in found if a.stale()]
    for artifact in stale:
        if check:
            sys.stdout.write(f"stale: {artifact.path}\n")
        else:
            artifact.path.write_text(artifact.text, encoding="utf-8")
            sys.stdout.write(f"wrote {artifact.path}\n")
    return 1 if check and stale else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["Artifact", "artifacts", "main"]
