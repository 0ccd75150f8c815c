"""SHACL validation of each article's graph: a compiled engine, and pyshacl as its reference."""

from newskg.shacl.validator import EntityContext, ShapesValidator, Violation

__all__ = ["EntityContext", "ShapesValidator", "Violation"]
