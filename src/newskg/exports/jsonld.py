"""JSON-LD: the project's context, and compaction under it, deterministically.

JSON-LD is compacted with the project's context (``kg/context.jsonld``): the prefixes of
:mod:`newskg.rdf` plus a short term for every ``nkg:`` class and property of the ontology,
typed from its declaration (object properties take IRIs, datatype properties their
``rdfs:range``). The context is generated, not written by hand, so that it cannot drift from
the ontology; ``python -m newskg.tools.generate`` writes it with the other artifacts made
from the data model, and ``tests/exports/test_jsonld.py`` checks the committed file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pyoxigraph as ox

from newskg.exports.rdf_text import Quad, sort_key
from newskg.model.ontology import ontology_files, parse_rdf_file
from newskg.rdf import (
    NKG,
    OWL,
    PREFIXES,
    RDF,
    RDF_TYPE,
    RDFS_RANGE,
    XSD,
    XSD_STRING,
    compact_iri,
    expand,
)

_TYPE = f"<{RDF_TYPE}>"
_XSD_STRING = f"<{XSD_STRING}>"
# A JSON-LD term must not look like a compact IRI or keyword: a letter or '_' first.
_TERM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TERM_KINDS = {
    f"<{OWL}Class>": "class",
    f"<{OWL}ObjectProperty>": "object",
    f"<{OWL}DatatypeProperty>": "datatype",
    f"<{OWL}AnnotationProperty>": "datatype",
    f"<{RDF}Property>": "datatype",
    f"<{OWL}NamedIndividual>": "individual",
}


def context_for(triples: Iterable[Sequence[str]]) -> dict[str, Any]:
    """The JSON-LD context: prefixes, ``label``, and one term per ``nkg:`` ontology term.

    ``triples`` are N-Triples term strings (s, p, o, ...); only ``rdf:type`` and
    ``rdfs:range`` statements about ``nkg:`` terms are read, so the whole graph may be passed.
    """
    kinds: dict[str, str] = {}
    ranges: dict[str, set[str]] = {}
    for s, p, o, *_ in triples:
        if not s.startswith(f"<{NKG}"):
            continue
        if p == _TYPE and o in _TERM_KINDS:
            # Other types (owl:FunctionalProperty...) are not kinds; a term has one kind.
            kinds.setdefault(s, _TERM_KINDS[o])
        elif p == f"<{RDFS_RANGE}>" and o.startswith(f"<{XSD}"):
            ranges.setdefault(s, set()).add(o)
    context: dict[str, Any] = dict(PREFIXES)
    context["label"] = {"@id": "rdfs:label"}
    for term in sorted(kinds):
        name = term[len(NKG) + 1 : -1]
        kind = kinds[term]
        if kind == "individual" or not _TERM_NAME.match(name) or name in context:
            continue  # individuals are values (nkg:Virtual), not keys
        if kind == "class":
            context[name] = f"nkg:{name}"
        elif kind == "object":
            context[name] = {"@id": f"nkg:{name}", "@type": "@id"}
        else:
            typed = sorted(ranges.get(term, set()) - {_XSD_STRING})
            if len(typed) == 1:
                context[name] = {
                    "@id": f"nkg:{name}",
                    "@type": "xsd:" + typed[0][len(XSD) + 1 : -1],
                }
            else:
                context[name] = {"@id": f"nkg:{name}"}
    return {"@context": context}


def context_from_ontology(folder: Path) -> dict[str, Any]:
    """The context from the ontology files of ``folder`` (hand-written and generated), as
    committed in ``kg/context.jsonld``."""
    return context_for([q for path in ontology_files(folder) for q in parse_rdf_file(path)])


def dump_context(context: dict[str, Any]) -> str:
    return json.dumps(context, indent=2, ensure_ascii=False) + "\n"


class _Compactor:
    """N-Triples term strings -> compact JSON-LD values under one context.

    Why our own: the output must be byte-for-byte reproducible like the other exports, and
    general-purpose compaction (rdflib, pyld) is slow and orders keys as it likes. The job
    is small because our input is flat: no lists, no blank-node embedding."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context["@context"]
        self.literals: dict[str, ox.Literal] = {}
        self.keys: dict[str, str] = {}  # predicate IRI -> the term that names it
        self.coercion: dict[str, str] = {}  # term -> "@id" or a datatype IRI
        self.classes: dict[str, str] = {}
        for name, value in ctx.items():
            if name.startswith("@") or name in PREFIXES:
                continue
            definition = value if isinstance(value, dict) else {"@id": value}
            iri = self.expand(definition["@id"])
            if isinstance(value, str):
                self.classes[iri] = name
            else:
                self.keys[iri] = name
            if "@type" in definition:
                coerced = definition["@type"]
                self.coercion[name] = coerced if coerced == "@id" else self.expand(coerced)

    def parse_literals(self, literals: Iterable[str]) -> None:
        """Make ``literals`` (N-Triples syntax) known, in place of those of the previous
        graph: one parse of all of them at once is much cheaper than one parser per
        literal, and avoids unescaping by hand."""
        distinct = sorted(set(literals))
        document = "".join(f"<x:s> <x:p> {term} .\n" for term in distinct).encode("utf-8")
        parsed = ox.parse(input=document, format=ox.RdfFormat.N_TRIPLES)
        self.literals = {
            term: triple.object  # type: ignore[misc]
            for term, triple in zip(distinct, parsed, strict=True)
        }

    @staticmethod
    def expand(value: str) -> str:
        return expand(value) or value

    def node_id(self, term: str) -> str:
        return term if term.startswith("_:") else compact_iri(term[1:-1])

    def key(self, predicate: str) -> str:
        iri = predicate[1:-1]
        return self.keys.get(iri) or compact_iri(iri)

    def type_name(self, term: str) -> str:
        iri = term[1:-1]
        return self.classes.get(iri) or compact_iri(iri)

    def value(self, key: str, term: str) -> Any:
        coerced = self.coercion.get(key)
        if term.startswith(("<", "_:")):
            node = self.node_id(term)
            return node if coerced == "@id" else {"@id": node}
        obj = self.literals[term]
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if coerced is None and datatype == XSD + "string":
            return obj.value
        if coerced == datatype:
            return obj.value
        if datatype == XSD + "string":
            return {"@value": obj.value}
        return {"@value": obj.value, "@type": compact_iri(datatype)}


def _nodes(triples: Iterable[tuple[str, str, str]], compactor: _Compactor) -> list[dict[str, Any]]:
    by_subject: dict[str, dict[str, list[str]]] = {}
    for s, p, o in triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    nodes = []
    for subject in sorted(by_subject, key=sort_key):
        node: dict[str, Any] = {"@id": compactor.node_id(subject)}
        properties = by_subject[subject]
        if _TYPE in properties:
            types = sorted(compactor.type_name(o) for o in properties[_TYPE])
            node["@type"] = types[0] if len(types) == 1 else types
        for predicate in sorted((p for p in properties if p != _TYPE), key=compactor.key):
            key = compactor.key(predicate)
            values = [
                compactor.value(key, o) for o in sorted(set(properties[predicate]), key=sort_key)
            ]
            node[key] = values[0] if len(values) == 1 else values
        nodes.append(node)
    return nodes


def write_jsonld(quads: Iterable[Quad], out: TextIO, context: dict[str, Any]) -> None:
    """JSON-LD of ``quads`` (see :func:`write_jsonld_graphs`)."""
    graphs: dict[str, list[tuple[str, str, str]]] = {}
    for s, p, o, g in quads:
        graphs.setdefault(g, []).append((s, p, o))
    order = sorted(graphs, key=lambda g: (g != "", sort_key(g) if g else (0, "")))
    write_jsonld_graphs(((g, graphs[g]) for g in order), out, context)


def write_jsonld_graphs(
    graphs: Iterable[tuple[str, list[tuple[str, str, str]]]], out: TextIO, context: dict[str, Any]
) -> int:
    """JSON-LD: the context inline (so the file stands alone, offline), the default graph's
    nodes at the top, and one ``{"@id": graph, "@graph": [...]}`` per named graph.

    ``graphs`` come one at a time, the default graph ('') first and then the named graphs in
    ``sort_key`` order, and are written as they come: the text is what ``json.dumps(document,
    indent=1)`` gives for the whole document, each item indented to its depth (JSON strings
    hold no raw line break). Returns the number of quads."""
    compactor = _Compactor(context)
    out.write('{\n "@context": ')
    out.write(json.dumps(context["@context"], indent=1, ensure_ascii=False).replace("\n", "\n "))
    out.write(',\n "@graph": [')
    count = 0
    first = True
    for graph, triples in graphs:
        count += len(triples)
        compactor.parse_literals(o for _, _, o in triples if o.startswith('"'))
        # _nodes orders subjects, predicates and values itself: the sets only drop duplicates.
        nodes = _nodes(set(triples), compactor)
        items: list[dict[str, Any]] = (
            nodes if not graph else [{"@id": compactor.node_id(graph), "@graph": nodes}]
        )
        for item in items:
            text = json.dumps(item, indent=1, ensure_ascii=False).replace("\n", "\n  ")
            out.write(("\n  " if first else ",\n  ") + text)
            first = False
    out.write("]\n}\n" if first else "\n ]\n}\n")
    return count
