"""N-Triples term text -> rdflib terms, for the engines that compare values as rdflib does."""

from __future__ import annotations

import rdflib

from newskg.rdf import unescape

_TERMS: dict[str, rdflib.term.Node] = {}


def rdflib_term(text: str) -> rdflib.term.Node:
    """An rdflib term from its N-Triples form, as rdflib's own N-Triples parser makes it."""
    cached = _TERMS.get(text)
    if cached is not None:
        return cached
    term: rdflib.term.Node
    if text[0] == "<":
        term = rdflib.URIRef(unescape(text[1:-1]))
    elif text[0] == "_":
        term = rdflib.BNode(text[2:])
    else:
        close = text.rindex('"')
        lexical = unescape(text[1:close])
        rest = text[close + 1 :]
        if rest.startswith("^^"):
            term = rdflib.Literal(lexical, datatype=rdflib.URIRef(unescape(rest[3:-1])))
        elif rest.startswith("@"):
            term = rdflib.Literal(lexical, lang=rest[1:])
        else:
            term = rdflib.Literal(lexical)
    if text[0] == "<" and len(_TERMS) < 200_000:  # IRIs repeat; literals mostly do not
        _TERMS[text] = term
    return term
