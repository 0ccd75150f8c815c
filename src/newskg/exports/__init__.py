"""Deterministic RDF text: the build's committed exports and ``newskg export``'s formats."""

from newskg.exports.formats import FORMATS, export

__all__ = ["FORMATS", "export"]
