"""Render SPARQL results as a table, SPARQL CSV/TSV, or SPARQL JSON results."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox

from newskg.query.terms import Edge, Solutions, Term
from newskg.rdf import XSD_STRING, compact_iri

FORMATS = ("table", "csv", "tsv", "json")
MAX_CELL = 80


def compact(term: Term | None) -> str:
    """Short human form: prefixed names for known namespaces, plain text for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def render(result: Solutions | bool | list[Edge], fmt: str) -> str:
    if isinstance(result, bool):
        return (
            json.dumps({"head": {}, "boolean": result}) + "\n"
            if fmt == "json"
            else (f"{str(result).lower()}\n")
        )
    if isinstance(result, list):
        return "".join(f"{e.subject} {e.predicate} {e.object} .\n" for e in result)
    if fmt == "csv":
        return _csv(result)
    if fmt == "tsv":
        return _tsv(result)
    if fmt == "json":
        return _json(result)
    return _table(result)


def _table(result: Solutions) -> str:
    headers = result.variables
    cells = [[_cell(compact(row.get(v))) for v in headers] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(s.rstrip() for s in out) + "\n"


def _cell(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _csv(result: Solutions) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180, as SPARQL CSV requires
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(row.get(v)) for v in result.variables])
    return buffer.getvalue()


def _plain(term: Term | None) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return "" if term is None else term.value


def _tsv(result: Solutions) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if row.get(v) is None else str(row[v]) for v in result.variables))
    return "\n".join(lines) + "\n"


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(result: Solutions) -> str:
    bindings = [
        {v: _json_term(t) for v in result.variables if (t := row.get(v)) is not None}
        for row in result.rows
    ]
    payload = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
