"""No outbound requests unless allowed: the ``SERVICE`` clauses (and, in updates, ``LOAD``)
that would make Oxigraph fetch a URL, found by parsing the query.

Oxigraph sends a query's ``SERVICE`` part to whatever URL it names, from the machine that
runs newskg: a read-only endpoint would otherwise let anyone reach servers behind its
firewall (server-side request forgery). Neither pyoxigraph nor the ``oxigraph`` server can
turn that off, so newskg refuses such a query before Oxigraph sees it, unless the URL starts
with a prefix the user allowed (``--allow-service``).

The check parses the query with rdflib's SPARQL parser, so a ``SERVICE`` in a comment, a
string, an IRI or a variable name is not mistaken for one. A query in which the word does not
occur at all (in any case, after codepoint escapes) cannot have one and is not parsed; one
that rdflib cannot parse (syntax it lacks, an error, more than :data:`MAX_CHECKED_CHARS`) is
refused with that reason when it contains the word, since it cannot be shown to be safe.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from newskg.errors import InputError, QueryError

# rdflib's parser is pure Python: parsing is worth it only for a hand-sized query.
MAX_CHECKED_CHARS = 64 * 1024

# SPARQL 1.1 (19.2) lets \uXXXX stand for any character of the query text.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# re's IGNORECASE also folds the long s and the Kelvin sign onto s and k: it errs on the
# side of parsing.
_SERVICE_WORD = re.compile("service", re.IGNORECASE)
_LOAD_WORD = re.compile("load", re.IGNORECASE)
_ALLOWED_SCHEMES = ("http://", "https://")


def allowed_services(
    prefixes: Iterable[str] | None, flag: str = "--allow-service"
) -> tuple[str, ...]:
    """The URL prefixes a user allowed, checked: absolute http(s) URLs; one that names only a
    host gets a ``/`` so that ``https://a.example`` cannot also allow ``https://a.example.evil``."""
    checked = []
    for prefix in prefixes or ():
        if not isinstance(prefix, str) or not prefix.lower().startswith(_ALLOWED_SCHEMES):
            raise InputError(
                f"{flag} {prefix!r} is not an http(s) URL prefix",
                hint=f"e.g. {flag} https://query.wikidata.org/",
            )
        rest = prefix.partition("://")[2]
        if not rest or any(c.isspace() for c in rest):
            raise InputError(
                f"{flag} {prefix!r} names no host", hint=f"e.g. {flag} https://query.wikidata.org/"
            )
        checked.append(prefix if "/" in rest else prefix + "/")
    return tuple(checked)


def check_outbound(
    sparql: str,
    allowed: Sequence[str] = (),
    *,
    update: bool = False,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`QueryError` when ``sparql`` would make Oxigraph send a request to a URL
    that does not start with one of ``allowed``. ``prefixes`` are the predeclared ones the
    query is run with (the API's), so that ``SERVICE wd:x`` is understood as Oxigraph
    understands it."""
    words = _SERVICE_WORD, _LOAD_WORD
    texts = {sparql, _CODEPOINT.sub(_codepoint, sparql)}
    if not any(word.search(text) for text in texts for word in words[: 1 + update]):
        return  # the keyword is not there: nothing to parse
    targets = _targets(sparql, update, tuple(sorted((prefixes or {}).items())))
    if isinstance(targets, str):
        raise QueryError(
            f"cannot check this {'update' if update else 'query'} for SERVICE clauses "
            f"({targets}); newskg makes no outbound requests unless allowed, so it is refused",
            hint="if it has no SERVICE clause, check its syntax; a query over "
            f"{MAX_CHECKED_CHARS} characters that mentions 'service' cannot be checked",
        )
    for keyword, target in targets:
        if target is None:
            raise QueryError(
                f"{keyword} with a variable names its server only while the query runs; "
                "newskg makes no outbound requests to servers it cannot check, so it is refused",
                hint="write the server's URL in the query, and allow it with --allow-service",
            )
        if not target.startswith(tuple(allowed)):
            raise QueryError(
                f"{keyword} <{target}> would send a request from this machine to another "
                "server; newskg makes no outbound requests unless they are allowed",
                hint=f"to allow it, pass --allow-service {_suggestion(target)} (newskg query, "
                "newskg serve) or allow_service=[...] (KnowledgeGraph.open, Server)",
            )


def _codepoint(match: re.Match[str]) -> str:
    try:
        return chr(int(match.group(1) or match.group(2), 16))
    except (ValueError, OverflowError):
        return match.group(0)


def _suggestion(target: str) -> str:
    scheme, _, rest = target.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


@functools.lru_cache(maxsize=512)
def _targets(
    sparql: str, update: bool, prefixes: tuple[tuple[str, str], ...]
) -> list[tuple[str, str | None]] | str:
    """The (keyword, absolute IRI or None for a variable) of every SERVICE (and LOAD) in the
    query, or why it cannot be parsed. Cached: a server sees the same queries again."""
    if len(sparql) > MAX_CHECKED_CHARS:
        return f"it is over {MAX_CHECKED_CHARS} characters"
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        parsed = parser.parseUpdate(sparql) if update else parser.parseQuery(sparql)
    except RecursionError:
        return "it is nested too deeply"
    except Exception as exc:  # pyparsing's ParseException and whatever else rdflib raises
        return " ".join(str(exc).split())[:200] or type(exc).__name__
    found: list[tuple[str, object, object]] = []  # keyword, term, the prologue in force
    try:
        if update:  # each operation has its prologue, which adds to those before it
            prologue = None
            for declarations, operation in zip(parsed.prologue, parsed.request, strict=False):
                prologue = translatePrologue(declarations, None, dict(prefixes), prologue)
                _walk(operation, prologue, found, CompValue)
        else:
            _walk(parsed[1], translatePrologue(parsed[0], None, dict(prefixes)), found, CompValue)
        targets: list[tuple[str, str | None]] = []
        for keyword, term, prologue in found:
            if term is None or type(term).__name__ == "Variable":
                targets.append((keyword, None))
                continue
            if isinstance(term, CompValue):  # a prefixed name
                term = translatePName(term, prologue)
            targets.append((keyword, str(prologue.absolutize(term))))
    except Exception as exc:  # an undeclared prefix, a bad IRI: Oxigraph refuses it too
        return " ".join(str(exc).split())[:200] or type(exc).__name__
    return targets


def _walk(
    node: object, prologue: object, found: list[tuple[str, object, object]], comp: type
) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, comp):
            name = item.name
            if name == "ServiceGraphPattern":
                found.append(("SERVICE", item.get("term"), prologue))
            elif name == "Load":
                found.append(("LOAD", item.get("iri"), prologue))
            stack.extend(item.values())
        elif isinstance(item, list | tuple) or type(item).__name__ == "ParseResults":
            stack.extend(item)
