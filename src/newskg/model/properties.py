"""The ontology's declarations of the nkg: properties the model's fields use, generated from
the fields: object or datatype property, label, definition, domain and range.

A property's alignments (``rdfs:subPropertyOf`` a reused term) are written by hand in
``ontology/newskg.ttl``; what can be derived from the model is not.
"""

from __future__ import annotations

import re

from newskg.model.schema import ANY_ENTITY, Field, Model, all_fields
from newskg.rdf import NKG, XSD, compact_iri

GENERATED_PROPERTIES_FILE = "properties.generated.ttl"

HEADER = """\
# GENERATED from ontology/model.yaml by `python -m newskg.tools.generate`: do not edit.
# The nkg: properties of the model's fields; their alignments are in newskg.ttl.

@prefix nkg:     <https://w3id.org/newskg/ontology#> .
@prefix schema:  <https://schema.org/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

_DATATYPE_RANGES = {
    "text": XSD + "string",
    "date": XSD + "date",
    "bool": XSD + "boolean",
    "language": XSD + "string",
}
_LITERAL = "http://www.w3.org/2000/01/rdf-schema#Literal"
_THING = "http://www.w3.org/2002/07/owl#Thing"


def properties_turtle(model: Model) -> str:
    """Every nkg: property of the model, in the order of its definitions."""
    users: dict[str, list[tuple[str, Field]]] = {}
    for owner, spec in all_fields(model):
        for iri in spec.properties:
            if iri.startswith(NKG):
                users.setdefault(iri, []).append((_owner_class(model, owner), spec))
    blocks = [
        _declaration(model, iri, model.definitions[iri], users[iri])
        for iri in model.definitions
        if iri in users
    ]
    return HEADER + "".join(blocks)


def _declaration(model: Model, iri: str, definition: str, users: list[tuple[str, Field]]) -> str:
    specs = [spec for _, spec in users]
    literal = all(_is_literal(spec) for spec in specs)
    kind = "owl:DatatypeProperty" if literal else "owl:ObjectProperty"
    domains = list(dict.fromkeys(cls for cls, _ in users))
    ranges = list(dict.fromkeys(r for spec in specs for r in _ranges(model, spec)))
    lines = [
        f"\n{compact_iri(iri)}",
        f"    a {kind} ;",
        f"    rdfs:label {_literal(_label(iri))}@en ;",
        f"    skos:definition {_literal(definition)}@en ;",
    ]
    if len(domains) == 1:
        lines.append(f"    rdfs:domain {compact_iri(domains[0])} ;")
    else:
        fact = NKG + "Fact"
        every_fact = all(_is_fact(model, d) for d in domains)
        lines.append(f"    rdfs:domain {compact_iri(fact if every_fact else _THING)} ;")
        lines.append("    schema:domainIncludes " + ", ".join(map(compact_iri, domains)) + " ;")
    if len(ranges) == 1:
        lines.append(f"    rdfs:range {compact_iri(ranges[0])} ;")
    else:
        lines.append(f"    rdfs:range {compact_iri(_LITERAL if literal else _THING)} ;")
        if ranges:
            lines.append("    schema:rangeIncludes " + ", ".join(map(compact_iri, ranges)) + " ;")
    lines.append("    rdfs:isDefinedBy <https://w3id.org/newskg/ontology> .")
    return "\n".join(lines) + "\n"


def _owner_class(model: Model, owner: str) -> str:
    if owner == "article":
        return "https://schema.org/NewsArticle"
    if owner == "source":
        return NKG + "Source"
    if owner.startswith("entity "):
        return model.entity_types[owner.split(" ", 1)[1]].classes[0]
    return model.fact_kinds[owner].cls


def _is_fact(model: Model, cls: str) -> bool:
    return any(kind.cls == cls for kind in model.fact_kinds.values())


def _is_literal(spec: Field) -> bool:
    return spec.type in ("text", "date", "partial-date", "number", "bool", "language") or (
        spec.type == "word" and spec.literal
    )


def _ranges(model: Model, spec: Field) -> list[str]:
    if spec.type in _DATATYPE_RANGES:
        return [_DATATYPE_RANGES[spec.type]]
    if spec.type == "word":
        if spec.literal:
            return [XSD + "string"]
        cls = model.vocabularies[str(spec.vocabulary)].cls
        return [cls] if cls else []
    if spec.type in ("ref", "roles") and ANY_ENTITY not in spec.to:
        classes = [model.entity_types[t].classes[0] for t in sorted(model.entity_targets(spec.to))]
        classes += [model.fact_kinds[s].cls for s in sorted(model.fact_targets(spec.to))]
        return list(dict.fromkeys(classes))
    return []  # partial dates, numbers: several datatypes; any entity


def _label(iri: str) -> str:
    """``nkg:underAgreement`` -> "under agreement"."""
    local = iri.rsplit("#", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", local).lower()


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
