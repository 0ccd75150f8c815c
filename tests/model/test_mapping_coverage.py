"""The mappings against the model: every declared field is emitted with its property, every
entity type and fact kind is typed with its class, and no mapping reads a key the model (or
the normalised document's own structure) does not declare."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from newskg import located_yaml
from newskg.model.schema import TYPED_DATATYPES, Field, Model, load_model
from newskg.rdf import PREFIXES, XSD
from tests.conftest import ROOT

ARTICLE, ENTITIES = "article.json", "entities.json"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_REFERENCE = re.compile(r"\$\(([^)]+)\)")
# Keys of the normalised documents that are not model fields (docs/data-model.md,
# "Normalised documents").
FACT_KEYS = {"article", "id", "key", "evidence", "according_to", "kind", "alt_label"}
STRUCTURE: dict[tuple[str, str], set[str]] = {
    (ARTICLE, "$.article"): {"id", "text", "sha256"},
    (ARTICLE, "$.sources[*]"): {"article", "id", "key", "kind"},
    (ARTICLE, "$.roles[*]"): {"article", "fact", "target", "role", "role_word", "agent",
                              "capacity", "evidence"},
    (ARTICLE, "$.evidence[*]"): {"article", "span", "exact", "prefix", "suffix", "start", "end",
                                 "sentences"},
    (ARTICLE, "$.sentences[*]"): {"article", "number", "text", "start", "end"},
    (ENTITIES, "$.entities[*]"): {"id"},
    (ENTITIES, "$.schemes[*]"): {"id", "label", "definition"},
}  # fmt: skip


@dataclass(frozen=True)
class Statement:
    """One predicate-object entry of a mapping, with what it reads."""

    mapping: str
    predicates: frozenset[str]
    obj: str
    datatype: str | None
    term: str = ""  # the object expanded, when it is a constant

    @property
    def reads(self) -> set[str]:
        return set(_REFERENCE.findall(self.obj))


def _expand(term: str, prefixes: dict[str, str]) -> str:
    if term == "a":
        return "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    prefix, _, local = term.partition(":")
    return prefixes[prefix] + local if prefix in prefixes else term


def _load() -> dict[tuple[str, str], list[Statement]]:
    """Every mapping's statements, by (source file, iterator)."""
    out: dict[tuple[str, str], list[Statement]] = {}
    for path in sorted((ROOT / "mappings").glob("*.yaml")):
        doc = located_yaml.load(path)
        prefixes = {**PREFIXES, **doc.get("prefixes", {})}
        for name, mapping in doc["mappings"].items():
            (source,) = mapping["sources"]
            key = (source[0].split("~")[0], source[1])
            statements = out.setdefault(key, [])
            subject = str(mapping["s"])
            statements.append(Statement(name, frozenset({"@subject"}), subject, None))
            for entry in mapping.get("po", []):
                preds = entry[0] if isinstance(entry[0], list) else [entry[0]]
                objs = entry[1] if isinstance(entry[1], list) else [entry[1]]
                datatype = _expand(str(entry[2]), prefixes) if len(entry) > 2 else None
                predicates = frozenset(_expand(str(p), prefixes) for p in preds)
                for obj in map(str, objs):
                    term = "" if "$(" in obj else _expand(obj, prefixes)
                    statements.append(Statement(name, predicates, obj, datatype, term))
    return out


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model(ROOT / "ontology" / "model.yaml")


@pytest.fixture(scope="module")
def statements() -> dict[tuple[str, str], list[Statement]]:
    return _load()


def _sources(model: Model) -> dict[tuple[str, str], tuple[dict[str, Field], set[str]]]:
    """For each source the model drives: its fields, and its structural keys."""
    out: dict[tuple[str, str], tuple[dict[str, Field], set[str]]] = {
        (ARTICLE, "$.article"): (model.article_fields, STRUCTURE[(ARTICLE, "$.article")]),
        (ARTICLE, "$.sources[*]"): (model.source_fields, STRUCTURE[(ARTICLE, "$.sources[*]")]),
        (ENTITIES, "$.entities[*]"): (model.entity_fields, STRUCTURE[(ENTITIES, "$.entities[*]")]),
    }
    for name, etype in model.entity_types.items():
        out[(ENTITIES, f"$.{name}[*]")] = (etype.fields, {"id"})
    for section, kind in model.fact_kinds.items():
        out[(ARTICLE, f"$.{section}[*]")] = (kind.fields, FACT_KEYS)
        if kind.shared:
            out[(ENTITIES, f"$.shared.{section}[*]")] = ({}, {"id", "kind", "label"})
    return out


def _emits(spec: Field, statements: list[Statement]) -> list[str]:
    """What is missing for ``spec`` to reach the graph through ``statements``."""
    props = frozenset(spec.properties)
    if spec.is_class:
        return [] if any(s.reads == {spec.name} and RDF_TYPE in s.predicates
                         for s in statements) else [f"[a, nkg:$({spec.name})]"]  # fmt: skip
    if not props:
        return []  # read with another field (an occurrence)
    keys = [f"{spec.name}_{dt}" for dt in TYPED_DATATYPES.get(spec.type, ())]
    wanted = {key: XSD + key.rsplit("_", 1)[1] for key in keys} or {spec.name: None}
    missing = []
    for key, datatype in wanted.items():
        found = [s for s in statements if key in s.reads and props <= s.predicates]
        if not found or (datatype and all(s.datatype != datatype for s in found)):
            missing.append(
                f"[{', '.join(sorted(props))}, $({key})" + (f", {datatype}]" if datatype else "]")
            )
    return missing


def test_every_declared_field_is_emitted_with_its_property(model, statements):
    missing = []
    for source, (fields, _) in _sources(model).items():
        for spec in fields.values():
            missing += [
                f"{source[1]} {spec.name}: {m}" for m in _emits(spec, statements.get(source, []))
            ]
    assert missing == []


def test_no_mapping_reads_an_undeclared_key(model, statements):
    declared = {**STRUCTURE, **{k: set(f) | extra for k, (f, extra) in _sources(model).items()}}
    typed = {
        f"{spec.name}_{dt}"
        for fields, _ in _sources(model).values()
        for spec in fields.values()
        for dt in TYPED_DATATYPES.get(spec.type, ())
    }
    stray = sorted(
        f"{source[1]} ({s.mapping}): $({key})"
        for source, found in statements.items()
        for s in found
        for key in s.reads
        if key not in declared.get(source, set()) | typed
    )
    assert stray == []


def test_every_entity_type_and_fact_kind_is_typed_with_its_class(model, statements):
    def types(source: tuple[str, str]) -> list[Statement]:
        return [s for s in statements.get(source, []) if RDF_TYPE in s.predicates]

    untyped = []
    for name, etype in model.entity_types.items():
        found = {s.term for s in types((ENTITIES, f"$.{name}[*]"))}
        untyped += [f"{name}: {c}" for c in etype.classes if c not in found]
    for section, kind in model.fact_kinds.items():
        found_types = types((ARTICLE, f"$.{section}[*]"))
        if kind.kinds:  # the record's kind is its class
            ok = any(s.obj == "nkg:$(kind)~iri" or s.obj == "nkg:$(kind)" for s in found_types)
        else:
            ok = kind.cls in {s.term for s in found_types}
        if not ok:
            untyped.append(section)
    assert untyped == []


def test_the_mappings_name_no_source_the_model_does_not_drive(model, statements):
    known = set(_sources(model)) | set(STRUCTURE)
    assert sorted(str(k) for k in statements if k not in known) == []
