"""The engine's output edge: quads written as N-Quads, N-Triples, Turtle or TriG, streamed.

Nothing is held but the quad being written: Turtle and TriG group the consecutive triples of
one subject (``;``, ``,``) and of one graph (TriG blocks), in the order the engine gives them,
which is deterministic but not sorted. A subject met again later opens a new block, which is
valid Turtle; a sorted, canonical file is what ``newskg export`` writes from a store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TextIO

from newskg.errors import MappingError
from newskg.mapping.term_maps import Quad
from newskg.mapping.window import QuadWindow
from newskg.rdf import RDF_TYPE

FORMATS = ("nq", "nt", "ttl", "trig")
TURTLE_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*\Z")
_RDF_TYPE = "<" + RDF_TYPE + ">"


def one_graph_only(format: str) -> MappingError:
    return MappingError(
        f"the mappings put triples in named graphs, which {format} cannot hold",
        hint="write --format nq or --format trig",
    )


def write_lines(chunks: Iterable[list[str]], out: TextIO, window: QuadWindow | None = None) -> int:
    """N-Quads (or N-Triples) lines, chunk by chunk, each once within the window; returns
    the number of lines written."""
    window = window or QuadWindow()
    count = 0
    for lines in chunks:
        fresh = window.fresh(lines)
        out.write("".join(fresh))
        count += len(fresh)
    return count


class TurtleWriter:
    """Turtle (default graph only) or TriG, grouping consecutive triples."""

    def __init__(self, out: TextIO, trig: bool) -> None:
        self.out, self.trig = out, trig
        self.graph: str | None = None
        self.subject: str | None = None
        self.predicate: str | None = None
        self.count = 0
        for prefix, ns in TURTLE_PREFIXES.items():
            out.write(f"@prefix {prefix}: <{ns}> .\n")
        out.write("\n")

    def term(self, term: str) -> str:
        if term == _RDF_TYPE:
            return "a"
        if term.startswith("<"):
            iri = term[1:-1]
            for prefix, ns in TURTLE_PREFIXES.items():
                if iri.startswith(ns) and _LOCAL.match(iri[len(ns) :]):
                    return prefix + ":" + iri[len(ns) :]
        elif term.endswith(">") and '"^^<' in term:
            lex, _, dt = term.rpartition("^^")
            short = self.term(dt)
            return lex + "^^" + short
        return term

    def write(self, quads: Iterable[Quad]) -> int:
        w = self.out.write
        for s, p, o, g in quads:
            if g and not self.trig:
                raise one_graph_only("Turtle")
            if g != self.graph:
                self._close_subject(w)
                if self.graph:
                    w("}\n\n")
                if g:
                    w(f"{g} {{\n")
                self.graph, self.subject = g, None
            indent = "  " if g else ""
            obj = self.term(o)
            if s == self.subject:
                if p == self.predicate:
                    w(f", {obj}")
                else:
                    w(f" ;\n{indent}    {self.term(p)} {obj}")
            else:
                self._close_subject(w)
                w(f"{indent}{s} {self.term(p)} {obj}")
            self.subject, self.predicate = s, p
            self.count += 1
        return self.count

    def _close_subject(self, w: Callable[[str], object]) -> None:
        if self.subject is not None:
            w(" .\n")
        self.subject = self.predicate = None

    def close(self) -> None:
        self._close_subject(self.out.write)
        if self.graph:
            self.out.write("}\n")
        self.graph = None
