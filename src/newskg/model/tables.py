"""The field tables of docs/data-model.md, generated from the model."""

from __future__ import annotations

from newskg.model.schema import Field, Model
from newskg.rdf import compact_iri

BEGIN = "<!-- BEGIN GENERATED from ontology/model.yaml: python -m newskg.tools.generate -->"
END = "<!-- END GENERATED -->"


def field_tables(model: Model) -> str:
    """Markdown: one table per part of the model, one row per field."""
    parts = [BEGIN, ""]
    parts += _table(model, "Every entity (seeds/entities.yaml)", model.entity_fields)
    for name, etype in model.entity_types.items():
        if etype.fields:
            classes = ", ".join(f"`{compact_iri(c)}`" for c in etype.classes)
            parts += _table(model, f"Entity type `{name}` ({classes})", etype.fields)
    parts += _table(model, "`article:` (facts.yaml)", model.article_fields)
    parts += _table(model, "`sources:` (facts.yaml)", model.source_fields)
    for section, kind in model.fact_kinds.items():
        title = f"`{section}:` ({kind.record}; `{compact_iri(kind.cls)}`"
        if kind.kinds:
            words = ", ".join(model.vocabularies[kind.kinds].terms)
            title += f"; `kind`: {words}"
        if kind.shared:
            title += "; may be `shared`"
        parts += _table(model, title + ")", kind.fields)
    parts += ["### Vocabularies", "", "| vocabulary | words | also accepted |", "|---|---|---|"]
    for name, vocabulary in model.vocabularies.items():
        synonyms = ", ".join(f"{s} ({w})" for s, w in vocabulary.synonyms.items())
        parts.append(f"| {name} | {', '.join(vocabulary.terms)} | {synonyms} |")
    parts += ["", END]
    return "\n".join(parts) + "\n"


def _table(model: Model, title: str, fields: dict[str, Field]) -> list[str]:
    rows = [f"### {title}", "", "| field | value | property | notes |", "|---|---|---|---|"]
    for spec in fields.values():
        if spec.type == "occurrence":
            continue
        properties = ", ".join(f"`{compact_iri(p)}`" for p in spec.properties)
        notes = "; ".join(n for n in (_cardinality(spec), spec.doc) if n)
        rows.append(f"| `{spec.name}` | {_value(model, spec)} | {properties} | {notes} |")
    return [*rows, ""]


def _cardinality(spec: Field) -> str:
    if spec.type == "roles":
        return "list of {" + spec.agent + ", capacity}"
    words = ["required" if spec.required else "", "list" if spec.many else ""]
    if spec.default == "article-date":
        words.append("default: the article's date")
    if spec.only_kinds:
        words.append("only for kind " + ", ".join(spec.only_kinds))
    return ", ".join(w for w in words if w)


def _value(model: Model, spec: Field) -> str:
    if spec.type == "word":
        return "one of: " + ", ".join(model.vocabularies[str(spec.vocabulary)].terms)
    if spec.type in ("ref", "roles"):
        targets = " or ".join(spec.to)
        scheme = f" (scheme `{spec.scheme}`)" if spec.scheme else ""
        return f"id of {targets}{scheme}"
    return {
        "partial-date": "year, month or date",
        "date": "date (YYYY-MM-DD)",
        "wikidata": "Wikidata id (Q…)",
        "scheme": "scheme id",
    }.get(spec.type, spec.type)
