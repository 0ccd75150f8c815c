"""SHACL shapes generated from the model: one node shape per entity type, fact kind, the
article and its sources, one property shape per field.

What a field's type, cardinality, references and vocabulary allow is said once, in the
model; the shapes restate it for the graph. Constraints the model cannot say (SPARQL checks of
evidence against the article text, the selectors' qualified shapes, the shape of every fact's
provenance) are written by hand in ``ontology/shapes.ttl``.
"""

from __future__ import annotations

from newskg.model.schema import ANY_ENTITY, Field, Model
from newskg.rdf import NKG, RDFS_LABEL, SCHEMA_NAME, SKOS_PREF_LABEL, compact_iri

GENERATED_SHAPES_FILE = "shapes.generated.ttl"

HEADER = """\
# GENERATED from ontology/model.yaml by `python -m newskg.tools.generate`: do not edit.
# Hand-written shapes (SPARQL constraints, selectors, provenance) are in shapes.ttl.

@prefix nkgsh:   <https://w3id.org/newskg/shapes#> .
@prefix nkg:     <https://w3id.org/newskg/ontology#> .
@prefix schema:  <https://schema.org/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix sh:      <http://www.w3.org/ns/shacl#> .
"""

# A label may also come from the registry (a shared fact's), so it is never "at most one".
_LABELS = frozenset({RDFS_LABEL, SCHEMA_NAME, SKOS_PREF_LABEL})
_DATATYPES = {"date": "xsd:date", "bool": "xsd:boolean"}
_PARTIAL = ("xsd:gYear", "xsd:gYearMonth", "xsd:date")
_NUMBER = ("xsd:integer", "xsd:decimal")


def shapes_turtle(model: Model) -> str:
    """The generated shapes file, deterministic (the order of the model file)."""
    every = list(dict.fromkeys(t.classes[0] for t in model.entity_types.values()))
    blocks = [_node_shape(model, "Entity", every, "an entity", model.entity_fields)]
    for name, etype in model.entity_types.items():
        if etype.fields:
            blocks.append(_node_shape(model, name, [etype.classes[0]], _a(name), etype.fields))
    article = ["https://schema.org/NewsArticle"]
    blocks.append(_node_shape(model, "NewsArticle", article, "an article", model.article_fields))
    blocks.append(_node_shape(model, "Source", [NKG + "Source"], "a source", model.source_fields))
    for section, kind in model.fact_kinds.items():
        classes = [kind.cls] if kind.cls else []
        if kind.kinds:
            classes += [
                NKG + t for t in dict.fromkeys(model.vocabularies[kind.kinds].terms.values())
            ]
        name = "".join(part.capitalize() for part in section.split("_"))
        blocks.append(
            _node_shape(model, name, list(dict.fromkeys(classes)), _a(kind.record), kind.fields)
        )
    return HEADER + "".join(blocks)


def _node_shape(
    model: Model, name: str, classes: list[str], what: str, fields: dict[str, Field]
) -> str:
    targets = ", ".join(compact_iri(c) for c in classes)
    properties = [_property_shape(model, spec, what) for spec in fields.values() if spec.properties]
    lines = [f"\nnkgsh:{name}Fields", "    a sh:NodeShape ;", f"    sh:targetClass {targets} "]
    if properties:
        lines[-1] += ";"
        lines.append("    sh:property " + " , ".join(properties) + " .")
    else:
        lines[-1] += "."
    return "\n".join(lines) + "\n"


def _property_shape(model: Model, spec: Field, what: str) -> str:
    path = spec.properties[0]
    parts = [f"sh:path {compact_iri(path)}"]
    need: list[str] = []
    if spec.required and spec.type != "roles":
        parts.append("sh:minCount 1")
        need.append("needed")
    single = not spec.many and spec.type != "roles" and path not in _LABELS
    if single:
        parts.append("sh:maxCount 1")
        need.append("at most one")
    constraint, described = _value_constraint(model, spec)
    parts += constraint
    message = f"'{spec.name}' of {what} ({compact_iri(path)})"
    message += ": " + ", ".join([*need, described]) if need or described else ""
    parts.append(f"sh:message {_literal(message + '.')}")
    inner = " ;\n        ".join(parts)
    return f"[\n        {inner} ;\n    ]"


def _value_constraint(model: Model, spec: Field) -> tuple[list[str], str]:
    """The constraint on a field's values, and how a message says it."""
    kind = spec.type
    if kind in _DATATYPES:
        return [f"sh:datatype {_DATATYPES[kind]}"], f"an {_DATATYPES[kind]}"
    if kind == "partial-date":
        return [_or("sh:datatype", _PARTIAL)], "a year, a month or a date"
    if kind == "number":
        return [_or("sh:datatype", _NUMBER)], "an xsd:integer or xsd:decimal"
    if kind == "text":
        return ["sh:nodeKind sh:Literal", "sh:minLength 1"], "non-empty text"
    if kind == "language":
        return [
            "sh:nodeKind sh:Literal",
            'sh:pattern "^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"',
        ], "a BCP 47 language tag"
    if kind in ("url", "wikidata"):
        return ["sh:nodeKind sh:IRI"], "an IRI"
    if kind == "scheme":
        return ["sh:class skos:ConceptScheme"], "a skos:ConceptScheme"
    if kind == "word":
        vocabulary = model.vocabularies[str(spec.vocabulary)]
        terms = list(dict.fromkeys(vocabulary.terms.values()))
        described = "one of " + ", ".join(vocabulary.terms)
        if spec.literal:  # sh:pattern, since sh:in of literals compares datatypes too
            pattern = _literal("^(" + "|".join(terms) + ")$")
            return ["sh:datatype xsd:string", f"sh:pattern {pattern}"], described
        values = " ".join(compact_iri(NKG + t) for t in terms)
        return [f"sh:in ( {values} )"], described
    if kind in ("ref", "roles"):
        classes = _target_classes(model, spec.to)
        if classes is None:
            return ["sh:nodeKind sh:IRI"], "an IRI"
        shown = " or ".join(compact_iri(c) for c in classes)
        if len(classes) == 1:
            return [f"sh:class {compact_iri(classes[0])}"], f"a {shown}"
        return [_or("sh:class", [compact_iri(c) for c in classes])], f"a {shown}"
    return [], ""


def _target_classes(model: Model, to: tuple[str, ...]) -> list[str] | None:
    """The class each allowed target has, or None when any entity may be named."""
    if ANY_ENTITY in to:
        return None
    classes: list[str] = []
    for name in sorted(model.entity_targets(to)):
        classes.append(model.entity_types[name].classes[0])
    for section in sorted(model.fact_targets(to)):
        classes.append(model.fact_kinds[section].cls)
    return list(dict.fromkeys(classes))


def _a(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def _or(constraint: str, values: list[str] | tuple[str, ...]) -> str:
    return "sh:or ( " + " ".join(f"[ {constraint} {v} ]" for v in values) + " )"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


__all__ = ["GENERATED_SHAPES_FILE", "shapes_turtle"]
