"""Load and check the shared registry: ``seeds/entities.yaml`` (people, organisations,
places, posts, concepts…) and ``seeds/shared-facts.yaml`` (events and agreements that
several articles report), both against the model.

Entity and shared-fact ids live in one namespace, the keys of their nodes: an id is declared
once, in one of the two files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg import located_yaml
from newskg.errors import did_you_mean
from newskg.inputs.checks import Problems, check_keys, expect_list, expect_mapping
from newskg.inputs.fields import VOCABULARY_CUTOFF, FieldReader, Names, is_slug, slug_of
from newskg.inputs.values import parse_text
from newskg.located_yaml import YDict
from newskg.model.schema import Model

SHARED_FILE = "shared-facts.yaml"


@dataclass(frozen=True)
class Registry:
    """The checked registry: what ids name, for the fact loader, and the document for the
    entity mappings (source ``entities.json``)."""

    names: Names
    document: dict[str, Any]


def load_registry(path: Path, model: Model) -> Registry:
    """Read ``entities.yaml`` and, beside it, ``shared-facts.yaml`` (optional); raise
    :class:`FactError` listing every problem of a file."""
    loader = _RegistryLoader(path, model)
    registry = loader.run(located_yaml.load(path))
    shared = path.parent / SHARED_FILE
    if shared.exists() or shared.is_symlink():
        _SharedLoader(shared, model, registry).run(located_yaml.load(shared))
    return registry


class _RegistryLoader:
    def __init__(self, path: Path, model: Model) -> None:
        self.model = model
        self.problems = Problems(str(path))
        self.declared: dict[str, tuple[YDict, str]] = {}  # id -> (record, type)

    def run(self, data: Any) -> Registry:
        problems = self.problems
        if not isinstance(data, YDict):
            problems.add(None, "entities file must be a mapping with 'schemes' and 'entities'")
            problems.raise_if_any()
        check_keys(problems, data, {"schemes", "entities"}, "the entities file")
        schemes = self._schemes(data)
        records = self._declare(data)
        names = Names(
            entities={
                eid: (etype, _scheme_of(record)) for eid, (record, etype) in self.declared.items()
            },
            schemes=frozenset(s["id"] for s in schemes),
        )
        reader = FieldReader(self.model, names, problems)
        by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in self.model.entity_types}
        for record in records:
            doc = self._entity(record, reader)
            by_type[record["type"]].append(doc)
            for name in (doc["label"], *doc["aliases"]):
                names.aliases.setdefault(slug_of(name), (doc["id"], name))
        problems.raise_if_any()
        document: dict[str, Any] = {
            "schemes": schemes,
            # labels, aliases, Wikidata links: the same for every type
            "entities": [doc for docs in by_type.values() for doc in docs],
            **by_type,  # one list per type, for the type-specific triples maps
            "shared": {section: [] for section in self.model.shared_kinds},
        }
        return Registry(names, document)

    def _schemes(self, data: YDict) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        raw = data.get("schemes")
        if raw is None:  # absent, or 'schemes:' with nothing under it
            return out
        # an empty list too is not a mapping of schemes: say so rather than accept it
        if not expect_mapping(self.problems, data, "schemes", raw, "'schemes'") or not raw:
            return out
        for sid, spec in raw.items():
            if not is_slug(sid):
                self.problems.add(
                    raw.key_at(sid), f"scheme id '{sid}' is not a slug", "use a-z, 0-9 and '-'"
                )
            if not expect_mapping(self.problems, raw, sid, spec, f"scheme '{sid}'"):
                continue
            check_keys(self.problems, spec, {"label", "definition"}, f"scheme '{sid}'")
            if spec.get("label") is None:
                self.problems.at(raw, sid, f"scheme '{sid}' has no label")
            entry: dict[str, Any] = {"id": sid}
            for key in ("label", "definition"):
                _optional_text(self.problems, spec, key, f"scheme '{sid}'", entry)
            out.append(entry)
        return out

    def _declare(self, data: YDict) -> list[YDict]:
        """First pass: ids and types, so that an entity may name one declared below it."""
        raw = data.get("entities")
        records: list[YDict] = []
        if raw is None:
            self.problems.at(data, None, "missing 'entities' list")
            return records
        if not expect_list(self.problems, data, "entities", raw, "'entities'"):
            return records
        types = self.model.entity_types
        for index, record in enumerate(raw):
            if not expect_mapping(self.problems, raw, index, record, "an entity"):
                continue
            eid, etype = record.get("id"), record.get("type")
            if not is_slug(eid):
                self.problems.at(
                    record,
                    "id" if "id" in record else None,
                    f"entity id {eid!r} is missing or not a slug",
                    "use lowercase a-z, 0-9 and '-', e.g. 'ren-zhengfei'",
                )
            elif not isinstance(etype, str) or etype not in types:
                self.problems.at(
                    record,
                    "type" if "type" in record else None,
                    f"entity '{eid}' has unknown type {etype!r}",
                    did_you_mean(str(etype), types) or "types: " + ", ".join(types),
                )
            elif eid in self.declared:
                first = self.declared[eid][0].value_at("id")
                self.problems.at(
                    record,
                    "id",
                    f"duplicate entity id '{eid}' (first defined at line {first.line})",
                    "entity ids must be unique; merge the two entries",
                )
            else:
                self.declared[eid] = (record, etype)
                records.append(record)
        return records

    def _entity(self, record: YDict, reader: FieldReader) -> dict[str, Any]:
        eid, etype = record["id"], record["type"]
        specs = {**self.model.entity_fields, **self.model.entity_types[etype].fields}
        what = f"entity '{eid}'"
        renamed = {old: spec.name for spec in specs.values() for old in spec.formerly}
        check_keys(self.problems, record, {"id", "type", *specs}, f"{what} ({etype})", renamed)
        doc: dict[str, Any] = {"id": eid, "type": etype, "aliases": []}
        for spec in specs.values():
            reader.read(record, spec, doc, what)
        doc.setdefault("label", eid)
        return doc


class _SharedLoader:
    """``shared-facts.yaml``: for each shared kind, records of id, kind and label."""

    def __init__(self, path: Path, model: Model, registry: Registry) -> None:
        self.model = model
        self.registry = registry
        self.problems = Problems(str(path))

    def run(self, data: Any) -> None:
        problems = self.problems
        kinds = self.model.shared_kinds
        if data is None:
            return
        if not isinstance(data, YDict):
            problems.add(None, "shared facts file must be a mapping of sections")
            problems.raise_if_any()
        check_keys(problems, data, kinds, "the shared facts file")
        names = self.registry.names
        for section, kind in kinds.items():
            raw = data.get(section)
            if raw is None or not expect_list(problems, data, section, raw, f"'{section}'"):
                continue
            vocabulary = self.model.vocabularies[str(kind.kinds)]
            for index, record in enumerate(raw):
                if not expect_mapping(problems, raw, index, record, f"an entry of '{section}'"):
                    continue
                check_keys(problems, record, {"id", "kind", "label"}, f"a shared {kind.record}")
                sid = record.get("id")
                what = f"shared {kind.record} '{sid}'"
                if not is_slug(sid):
                    problems.at(
                        record,
                        "id" if "id" in record else None,
                        f"id {sid!r} of a shared {kind.record} is not a slug"
                        if "id" in record
                        else f"a shared {kind.record} has no 'id'",
                        "use lowercase a-z, 0-9 and '-'",
                    )
                    continue
                if sid in names.entities or sid in names.shared:
                    problems.at(
                        record,
                        "id",
                        f"'{sid}' is already declared",
                        "entity and shared fact ids share one namespace: rename one",
                    )
                    continue
                word = record.get("kind", kind.default_kind)
                term = vocabulary.term(word) if isinstance(word, str) else None
                if term is None:
                    words = "kinds: " + ", ".join(vocabulary.terms)
                    if "kind" in record:
                        accepted = [*vocabulary.terms, *vocabulary.synonyms]
                        close = did_you_mean(str(word), accepted, cutoff=VOCABULARY_CUTOFF)
                        problems.at(
                            record, "kind", f"'kind' of {what} cannot be {word!r}", close or words
                        )
                    else:
                        problems.at(record, None, f"{what} needs a 'kind'", words)
                    continue
                try:
                    label = parse_text(record.get("label"))
                except ValueError:
                    problems.at(
                        record,
                        "label" if "label" in record else None,
                        f"{what} needs a 'label' (non-empty text)",
                        "the one label of the node every article reporting it shares",
                    )
                    continue
                names.shared[sid] = (section, term)
                self.registry.document["shared"][section].append(
                    {"id": sid, "kind": term, "label": label}
                )
        problems.raise_if_any()


def _scheme_of(record: YDict) -> str | None:
    scheme = record.get("scheme")
    return scheme if isinstance(scheme, str) else None


def _optional_text(
    problems: Problems, record: YDict, key: str, what: str, out: dict[str, Any]
) -> None:
    """``out[key]`` from an optional text field. Left empty (``key:``) it is absent, as any
    optional field; anything but non-empty text is reported, not turned into a string such
    as "None" or "[]" in the graph."""
    value = record.get(key)
    if value is None:
        return
    try:
        out[key] = parse_text(value)
    except ValueError as exc:
        problems.at(record, key, f"bad '{key}' of {what}: {exc}", f"write the {key} as text")
