"""The data model as newskg reads it from ``ontology/model.yaml``: entity types, fact kinds,
their fields and vocabularies, checked once when a build starts.

Everything that describes the model (the loaders' checks, the generated SHACL shapes and
ontology properties, the field tables of the docs) reads these objects, so that the model is
declared in one place. A malformed model file is an :class:`InputError` naming
file:line:column, like any other input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskg import located_yaml
from newskg.errors import Diagnostic, InputError, Location, did_you_mean, location_of
from newskg.located_yaml import YDict, YList
from newskg.rdf import NKG, compact_iri, expand

MODEL_FILE = "model.yaml"

# What a field may be; see the header of ontology/model.yaml.
FIELD_TYPES = frozenset(
    {
        "text",
        "date",
        "partial-date",
        "number",
        "language",
        "url",
        "bool",
        "word",
        "ref",
        "roles",
        "occurrence",
        "wikidata",
        "scheme",
    }
)
# Fields whose values come in more than one datatype: the normalised document holds the value
# under one key per datatype (``value_integer``, ``by_gYear``), so that a mapping states each
# datatype as a constant, as plain YARRRML (and every RML engine) can.
TYPED_DATATYPES: dict[str, tuple[str, ...]] = {
    "number": ("integer", "decimal"),
    "partial-date": ("gYear", "gYearMonth", "date"),
}


def typed_key(field_name: str, datatype: str) -> str:
    """The document key of a value of ``field_name`` with ``datatype`` (an XSD IRI or local
    name): ``typed_key("by", XSD + "gYear") == "by_gYear"``."""
    return f"{field_name}_{datatype.rsplit('#', 1)[-1]}"


# A ref's `to` may also name these, besides entity types, families and fact kinds.
ANY_ENTITY = "entity"
_FIELD_KEYS = frozenset(
    {
        "type",
        "required",
        "many",
        "to",
        "scheme",
        "vocabulary",
        "property",
        "inverse",
        "default",
        "only_kinds",
        "role",
        "agent",
        "literal",
        "class",
        "doc",
        "formerly",
    }
)
_KIND_KEYS = frozenset(
    {"record", "class", "kinds", "default_kind", "shared", "evidence", "fields", "formerly"}
)
_TOP_KEYS = frozenset(
    {
        "families",
        "vocabularies",
        "entity_fields",
        "entity_types",
        "article_fields",
        "source_fields",
        "fact_kinds",
        "properties",
    }
)


@dataclass(frozen=True)
class Vocabulary:
    """A closed list of words; each names an ontology term (an individual, or a class when
    the vocabulary gives a record's kind)."""

    name: str
    terms: dict[str, str]  # word -> nkg: local name
    synonyms: dict[str, str]  # another word -> one of the words
    cls: str | None  # the class of the individuals; None when the terms are classes

    def term(self, word: str) -> str | None:
        """The local name a word (or a synonym of one) stands for."""
        return self.terms.get(self.synonyms.get(word, word))

    @property
    def words(self) -> list[str]:
        return list(self.terms)


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    location: Location
    required: bool = False
    many: bool = False
    to: tuple[str, ...] = ()  # entity types, families, `entity`, fact kinds
    scheme: str | None = None
    vocabulary: str | None = None
    properties: tuple[str, ...] = ()  # full IRIs
    inverse: str | None = None
    default: str | None = None  # "article-date"
    only_kinds: tuple[str, ...] = ()
    role: str | None = None  # roles: the role word
    agent: str = "agent"  # roles: the key naming who takes the role
    literal: bool = False  # word: emitted as a literal, not a term
    is_class: bool = False  # word: the record's class
    doc: str = ""
    formerly: tuple[str, ...] = ()  # names this field had in earlier versions of the model


@dataclass(frozen=True)
class EntityType:
    name: str
    classes: tuple[str, ...]
    fields: dict[str, Field]


@dataclass(frozen=True)
class FactKind:
    """A section of facts.yaml."""

    section: str
    record: str  # a record, in messages: "event", "post holding"
    cls: str  # full IRI of the class every record has (directly or by closure)
    kinds: str | None  # vocabulary of the record's kind (its class), if it has one
    default_kind: str | None
    shared: bool
    own_text_evidence: bool  # quotes: the quoted text is its own evidence
    fields: dict[str, Field]
    formerly: tuple[str, ...] = ()  # names this section had in earlier versions of the model

    @property
    def renamed(self) -> dict[str, str]:
        """Former field names -> present ones."""
        return {old: spec.name for spec in self.fields.values() for old in spec.formerly}


@dataclass(frozen=True)
class Model:
    path: Path
    families: dict[str, tuple[str, ...]]
    vocabularies: dict[str, Vocabulary]
    entity_fields: dict[str, Field]
    entity_types: dict[str, EntityType]
    article_fields: dict[str, Field]
    source_fields: dict[str, Field]
    fact_kinds: dict[str, FactKind]
    definitions: dict[str, str]  # nkg: property IRI -> its definition
    referenced: dict[str, Location] = field(default_factory=dict)  # IRIs the model uses

    def entity_targets(self, to: tuple[str, ...]) -> frozenset[str]:
        """The entity types a ref's ``to`` allows."""
        out: set[str] = set()
        for name in to:
            if name == ANY_ENTITY:
                out |= set(self.entity_types)
            elif name in self.families:
                out |= set(self.families[name])
            elif name in self.entity_types:
                out.add(name)
        return frozenset(out)

    def fact_targets(self, to: tuple[str, ...]) -> frozenset[str]:
        """The fact kinds (sections) a ref's ``to`` allows."""
        return frozenset(name for name in to if name in self.fact_kinds)

    @property
    def shared_kinds(self) -> dict[str, FactKind]:
        return {name: kind for name, kind in self.fact_kinds.items() if kind.shared}


def load_model(path: Path) -> Model:
    """Read and check the model file; every problem in it is reported at once."""
    data = located_yaml.load(path)
    return _ModelReader(path, location_of(path).file).read(data)


class _ModelReader:
    def __init__(self, path: Path, file: str) -> None:
        self.path = path
        self.file = file
        self.problems: list[tuple[Location, str, str | None]] = []
        self.referenced: dict[str, Location] = {}

    def fail(self, where: Location | None, message: str, hint: str | None = None) -> None:
        self.problems.append((where or Location(self.file), message, hint))

    def read(self, data: Any) -> Model:
        if not isinstance(data, YDict):
            raise InputError("the model file must be a mapping", location=Location(self.file))
        self.keys(data, _TOP_KEYS, "the model")
        families = {
            str(name): tuple(str(t) for t in types)
            for name, types in self.mapping(data, "families").items()
            if isinstance(types, YList)
        }
        vocabularies = {
            name: self.vocabulary(name, spec)
            for name, spec in self.mapping(data, "vocabularies").items()
        }
        entity_types = {
            name: EntityType(
                name,
                tuple(self.iri(c, spec.value_at("classes")) for c in spec.get("classes", [])),
                self.fields(spec.get("fields"), f"entity type {name}"),
            )
            for name, spec in self.mapping(data, "entity_types").items()
        }
        fact_kinds = {
            name: self.fact_kind(name, spec)
            for name, spec in self.mapping(data, "fact_kinds").items()
        }
        model = Model(
            self.path,
            families,
            vocabularies,
            self.fields(data.get("entity_fields"), "entity_fields"),
            entity_types,
            self.fields(data.get("article_fields"), "article_fields"),
            self.fields(data.get("source_fields"), "source_fields"),
            fact_kinds,
            {
                self.iri(name, raw.key_at(name)): str(text)
                for raw in [self.mapping(data, "properties")]
                for name, text in raw.items()
            },
            self.referenced,
        )
        self.check_names(model, data)
        if self.problems:
            raise InputError(
                diagnostics=[
                    Diagnostic(message, where, hint) for where, message, hint in self.problems
                ]
            )
        return model

    # -- pieces ---------------------------------------------------------------------------

    def mapping(self, data: YDict, key: str) -> YDict:
        value = data.get(key)
        if value is None:
            return YDict()
        if not isinstance(value, YDict):
            self.fail(data.value_at(key), f"'{key}' must be a mapping")
            return YDict()
        keep = key in ("families", "properties")
        for name, spec in value.items():
            if not keep and not isinstance(spec, YDict):
                self.fail(value.value_at(name), f"'{name}' under '{key}' must be a mapping")
        return value if keep else YDict({k: v for k, v in value.items() if isinstance(v, YDict)})

    def keys(self, spec: YDict, allowed: frozenset[str], what: str) -> None:
        for key in spec:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or "allowed: " + ", ".join(sorted(allowed))
                self.fail(spec.key_at(key), f"unknown key '{key}' in {what}", hint)

    def iri(self, name: Any, where: Location) -> str:
        iri = expand(str(name))
        if iri is None:
            self.fail(where, f"'{name}' is not a prefixed name of the project's prefixes")
            return str(name)
        self.referenced.setdefault(iri, where)
        return iri

    def vocabulary(self, name: str, spec: YDict) -> Vocabulary:
        self.keys(spec, frozenset({"class", "terms", "synonyms"}), f"vocabulary '{name}'")
        terms = {str(k): str(v) for k, v in (spec.get("terms") or {}).items()}
        synonyms = {str(k): str(v) for k, v in (spec.get("synonyms") or {}).items()}
        for synonym, word in synonyms.items():
            if word not in terms:
                self.fail(
                    spec["synonyms"].value_at(synonym),
                    f"synonym '{synonym}' of vocabulary '{name}' names no word of it: '{word}'",
                )
        cls = self.iri(spec["class"], spec.value_at("class")) if "class" in spec else None
        return Vocabulary(name, terms, synonyms, cls)

    def fields(self, raw: Any, what: str) -> dict[str, Field]:
        out: dict[str, Field] = {}
        if raw is None:
            return out
        if not isinstance(raw, YDict):
            self.fail(None, f"the fields of {what} must be a mapping")
            return out
        for name, spec in raw.items():
            if not isinstance(spec, YDict):
                self.fail(raw.value_at(name), f"field '{name}' of {what} must be a mapping")
                continue
            out[name] = self.field(name, spec, raw.key_at(name), f"field '{name}' of {what}")
        return out

    def field(self, name: str, spec: YDict, where: Location, what: str) -> Field:
        self.keys(spec, _FIELD_KEYS, what)
        kind = str(spec.get("type"))
        if kind not in FIELD_TYPES:
            self.fail(
                spec.value_at("type"),
                f"{what} has unknown type '{kind}'",
                did_you_mean(kind, FIELD_TYPES) or "types: " + ", ".join(sorted(FIELD_TYPES)),
            )
        raw_properties = spec.get("property", [])
        if isinstance(raw_properties, str):
            raw_properties = [raw_properties]
        properties = tuple(self.iri(p, spec.value_at("property")) for p in raw_properties)
        if not properties and kind not in ("occurrence",) and not spec.get("class"):
            self.fail(where, f"{what} has no 'property'", "name the RDF property it becomes")
        return Field(
            name=name,
            type=kind,
            location=where,
            required=bool(spec.get("required", False)),
            many=bool(spec.get("many", False)),
            to=tuple(str(t) for t in spec.get("to", [])),
            scheme=spec.get("scheme"),
            vocabulary=spec.get("vocabulary"),
            properties=properties,
            inverse=self.iri(spec["inverse"], spec.value_at("inverse"))
            if "inverse" in spec
            else None,
            default=spec.get("default"),
            only_kinds=tuple(str(k) for k in spec.get("only_kinds", [])),
            role=spec.get("role"),
            agent=str(spec.get("agent", "agent")),
            literal=bool(spec.get("literal", False)),
            is_class=bool(spec.get("class", False)),
            doc=str(spec.get("doc", "")),
            formerly=tuple(str(old) for old in spec.get("formerly", [])),
        )

    def fact_kind(self, name: str, spec: YDict) -> FactKind:
        self.keys(spec, _KIND_KEYS, f"fact kind '{name}'")
        kinds = spec.get("kinds")
        cls = spec.get("class")
        if cls is None and kinds is None:
            self.fail(spec.location, f"fact kind '{name}' needs a 'class' or 'kinds'")
        evidence = spec.get("evidence", "required")
        if evidence not in ("required", "own-text"):
            self.fail(spec.value_at("evidence"), "'evidence' is 'required' or 'own-text'")
        return FactKind(
            section=name,
            record=str(spec.get("record", name)),
            cls=self.iri(cls, spec.value_at("class")) if cls else "",
            kinds=str(kinds) if kinds else None,
            default_kind=spec.get("default_kind"),
            shared=bool(spec.get("shared", False)),
            own_text_evidence=evidence == "own-text",
            fields=self.fields(spec.get("fields"), f"fact kind '{name}'"),
            formerly=tuple(str(old) for old in spec.get("formerly", [])),
        )

    def check_names(self, model: Model, data: YDict) -> None:
        """Every name a field uses (types, families, kinds, vocabularies) exists."""
        known = {ANY_ENTITY, *model.families, *model.entity_types, *model.fact_kinds}
        families = self.mapping(data, "families")
        for family, types in model.families.items():
            for index, name in enumerate(types):
                if name not in model.entity_types:
                    self.fail(
                        families[family].item_at(index),
                        f"family '{family}' names unknown entity type '{name}'",
                        did_you_mean(name, model.entity_types),
                    )
        for fields in _all_fields(model):
            for spec in fields.values():
                for name in spec.to:
                    if name not in known:
                        self.fail(
                            spec.location,
                            f"field '{spec.name}' refers to unknown '{name}'",
                            did_you_mean(name, known),
                        )
                if spec.vocabulary and spec.vocabulary not in model.vocabularies:
                    self.fail(
                        spec.location,
                        f"field '{spec.name}' uses unknown vocabulary '{spec.vocabulary}'",
                        did_you_mean(spec.vocabulary, model.vocabularies),
                    )
        kinds = self.mapping(data, "fact_kinds")
        for kind in model.fact_kinds.values():
            if kind.kinds and kind.kinds not in model.vocabularies:
                self.fail(
                    kinds[kind.section].value_at("kinds"),
                    f"fact kind '{kind.section}' uses unknown kinds '{kind.kinds}'",
                    did_you_mean(kind.kinds, model.vocabularies),
                )
        used = {
            p: spec for fields in _all_fields(model) for spec in fields.values()
            for p in spec.properties if p.startswith(NKG)
        }  # fmt: skip
        for iri, spec in used.items():
            if iri not in model.definitions:
                self.fail(
                    spec.location,
                    f"property {compact_iri(iri)} of field '{spec.name}' has no definition",
                    "define it under 'properties' (the ontology's declaration is made from it)",
                )
        for iri in model.definitions:
            if iri not in used:
                self.fail(
                    self.referenced.get(iri),
                    f"{compact_iri(iri)} is defined under 'properties' but no field uses it",
                )


def _all_fields(model: Model) -> list[dict[str, Field]]:
    return [
        model.entity_fields,
        model.article_fields,
        model.source_fields,
        *(t.fields for t in model.entity_types.values()),
        *(k.fields for k in model.fact_kinds.values()),
    ]


def all_fields(model: Model) -> list[tuple[str, Field]]:
    """Every field of the model with what it belongs to ("entity Person", "events", ...)."""
    out: list[tuple[str, Field]] = []
    out += [("entity", f) for f in model.entity_fields.values()]
    for name, etype in model.entity_types.items():
        out += [(f"entity {name}", f) for f in etype.fields.values()]
    out += [("article", f) for f in model.article_fields.values()]
    out += [("source", f) for f in model.source_fields.values()]
    for section, kind in model.fact_kinds.items():
        out += [(section, f) for f in kind.fields.values()]
    return out
