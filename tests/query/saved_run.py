"""A saved query run two ways, for tests that compare stores: through `newskg query` (its
parameters as CLI options) and as plain SPARQL text (its parameters as a VALUES block)."""

from __future__ import annotations

import json
from pathlib import Path

from newskg.query.saved import SavedQuery
from tests.conftest import run_cli

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Values for the saved queries' required parameters: (CLI option, value, SPARQL term).
PARAMETERS = {
    "entity": ("--iri", "entity=huawei", "<https://w3id.org/newskg/id/huawei>"),
    "fragment": ("--bind", "fragment=41,000", '"41,000"'),
    "text": ("--bind", "text=digital economy", '"digital economy"'),
}


def cli_answer(query: SavedQuery, kg: Path) -> dict:
    """SPARQL JSON results of ``newskg query`` on the build in ``kg``."""
    options = [part for p in query.required for part in PARAMETERS[p][:2]]
    result = run_cli("query", query.name, "--format", "json", *options, "--kg", kg)
    assert result.code == 0, result.err
    return json.loads(result.out)


def bound_text(query: SavedQuery) -> str:
    """The query with its parameters bound by a VALUES block at the start of the pattern:
    what ``newskg query``'s substitution does."""
    values = [f"VALUES ?{p} {{ {PARAMETERS[p][2]} }}" for p in query.required]
    return query.text.replace("WHERE {", "WHERE { " + " ".join(values), 1)


def normalised(results: dict) -> list[tuple]:
    """SPARQL JSON rows as tuples of (kind, value, datatype, language), in order, for comparing
    stores: Virtuoso's "typed-literal" is a literal, and a plain string is xsd:string (Jena
    and Virtuoso leave its datatype out)."""
    names = results["head"]["vars"]
    rows = []
    for binding in results["results"]["bindings"]:
        row = []
        for name in names:
            term = binding.get(name)
            if term is None:
                row.append(None)
                continue
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            datatype = term.get("datatype")
            language = term.get("xml:lang", "").lower() or None
            if kind == "literal" and datatype is None and language is None:
                datatype = XSD_STRING
            row.append((kind, term["value"], datatype, language))
        rows.append(tuple(row))
    return rows
