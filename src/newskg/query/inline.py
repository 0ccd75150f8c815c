"""Bindings written into the query as a ``VALUES`` block at the top of its ``WHERE`` group.

Oxigraph applies SEP-0007 substitutions after it has planned the query, so a pattern on a
bound variable is planned as if the variable were free: ``timeline`` for one entity reads
every fact of the graph before it keeps that entity's. The same value in a ``VALUES`` block
at the start of the ``WHERE`` group is known to the planner, which then starts from it.
The terms are written in their N-Triples form (pyoxigraph escapes them), never pasted text.

Finding that group needs only a scanner that skips comments, strings and IRIs and counts
parentheses: the group is the first ``{`` after a top-level ``WHERE``, or the first
top-level ``{`` of a ``SELECT`` or ``ASK`` that omits the keyword. Anything else (a
``DESCRIBE`` without a group, text the scanner cannot follow) keeps the substitutions.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any

import pyoxigraph as ox

_WORD = re.compile(r"[A-Za-z_]+")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def evaluate(
    store: ox.Store, sparql: str, substitutions: dict[Any, Any], prefixes: dict[str, str]
) -> Any:
    """Oxigraph's answer over the union of the graphs, with the bindings written into the
    query where that can be done safely, else passed as substitutions."""
    inlined = None
    if substitutions and "service" not in sparql.casefold():  # never a second request out
        inlined = inline_values(sparql, substitutions)
    if inlined is not None:
        # An empty store checks the query and its bindings as the real one would, at once:
        # a binding of a variable the query does not select is refused, as before.
        _empty_store().query(sparql, prefixes=prefixes, substitutions=substitutions)
        with contextlib.suppress(SyntaxError):  # e.g. a BIND to a bound variable
            return store.query(inlined, use_default_graph_as_union=True, prefixes=prefixes)
    return store.query(
        sparql,
        use_default_graph_as_union=True,
        prefixes=prefixes,
        substitutions=substitutions or None,
    )


@functools.cache
def _empty_store() -> ox.Store:
    return ox.Store()


def inline_values(
    sparql: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal]
) -> str | None:
    """``sparql`` with ``bindings`` as a ``VALUES`` block opening its ``WHERE`` group, or None
    where that group cannot be found with certainty."""
    start = _where_group(sparql)
    if start is None or not bindings:
        return None
    names = " ".join(str(variable) for variable in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f"{sparql[: start + 1]} VALUES ({names}) {{ ({terms}) }} {sparql[start + 1 :]}"


def _where_group(text: str) -> int | None:
    """The index of the ``{`` that opens the query's ``WHERE`` group."""
    form = ""  # the query form, its first keyword outside comments, strings and IRIs
    depth = 0
    after_where = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
            continue
        if char in "'\"":
            end = _string_end(text, i)
            if end is None:
                return None
            i = end
            continue
        if char == "<":
            iri = _IRI.match(text, i)
            i = iri.end() if iri else i + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "{" and depth == 0:
            return i if after_where or form in ("SELECT", "ASK") else None
        elif char.isalpha() or char == "_":
            word = _WORD.match(text, i)
            assert word is not None
            preceded = i > 0 and (text[i - 1] in "?$:" or text[i - 1].isalnum())
            keyword = "" if preceded or depth else word.group().upper()
            if keyword == "WHERE":
                after_where = True
            elif keyword in _FORMS and not form:
                form = keyword
            i = word.end()
            continue
        i += 1
    return None


def _string_end(text: str, start: int) -> int | None:
    """The index just past the string literal opening at ``start`` (short or long form)."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    delimiter = quote * 3 if long else quote
    i = start + len(delimiter)
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i):
            return i + len(delimiter)
        if not long and text[i] in "\r\n":
            return None
        i += 1
    return None
