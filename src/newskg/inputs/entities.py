"""Load and check the shared entity registry, ``seeds/entities.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg import located_yaml
from newskg.errors import did_you_mean
from newskg.inputs.checks import Problems, check_keys, expect_list, expect_mapping
from newskg.inputs.values import parse_text
from newskg.located_yaml import YDict
from newskg.model.iris import ENTITY_SEGMENTS, SLUG, WIKIDATA_ENTITY, IriPolicy

_WIKIDATA = re.compile(r"Q[1-9][0-9]*\Z")

COMMON_KEYS = {"id", "type", "label", "aliases", "wikidata", "description"}
# Type-specific keys: key -> allowed types of the entity it names.
TYPE_KEYS: dict[str, dict[str, frozenset[str]]] = {
    "Post": {"post_in": frozenset({"Organization", "GovernmentBody"})},
    "Programme": {"provider": frozenset({"Organization", "GovernmentBody"})},
    "Strategy": {"owner": frozenset({"Country", "Organization", "GovernmentBody"})},
    "Concept": {"scheme": frozenset(), "broader": frozenset({"Concept"})},
    "Group": {"member_type": frozenset()},
    "GovernmentBody": {"part_of": frozenset({"GovernmentBody"}), "country": frozenset({"Country"})},
    "Organization": {"part_of": frozenset({"Organization"}), "country": frozenset({"Country"})},
}


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    type: str
    iri: str
    label: str
    scheme: str | None


@dataclass(frozen=True)
class Registry:
    """The checked registry: lookups for the fact loader, and the document for the mappings."""

    entities: dict[str, Entity]
    schemes: frozenset[str]
    document: dict[str, Any]


def load_registry(path: Path, iris: IriPolicy) -> Registry:
    """Read ``entities.yaml``; raise :class:`FactError` listing every problem found."""
    data = located_yaml.load(path)
    return _RegistryLoader(path, iris).run(data)


class _RegistryLoader:
    def __init__(self, path: Path, iris: IriPolicy) -> None:
        self.iris = iris
        self.problems = Problems(str(path))
        self.scheme_ids: frozenset[str] = frozenset()
        self.declared: dict[str, tuple[YDict, str]] = {}  # id -> (record, type)

    def run(self, data: Any) -> Registry:
        problems = self.problems
        if not isinstance(data, YDict):
            problems.add(None, "entities file must be a mapping with 'schemes' and 'entities'")
            problems.raise_if_any()
        check_keys(problems, data, {"schemes", "entities"}, "the entities file")
        schemes = self._schemes(data)
        self.scheme_ids = frozenset(s["id"] for s in schemes)
        records = self._declare(data)
        entities: dict[str, Entity] = {}
        by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in ENTITY_SEGMENTS}
        for record in records:
            doc = self._entity(record)
            etype = record["type"]
            entities[doc["id"]] = Entity(
                doc["id"], etype, doc["iri"], doc["label"], record.get("scheme")
            )
            by_type[etype].append(doc)
        problems.raise_if_any()
        document: dict[str, Any] = {
            "graph": self.iris.entities_graph,
            "schemes": schemes,
            # labels, aliases, Wikidata links: the same for every type
            "entities": [doc for docs in by_type.values() for doc in docs],
            **by_type,  # one list per type, for the type-specific triples maps
        }
        return Registry(entities, self.scheme_ids, document)

    def _schemes(self, data: YDict) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        raw = data.get("schemes")
        if raw is None:  # absent, or 'schemes:' with nothing under it
            return out
        # an empty list too is not a mapping of schemes: say so rather than accept it
        if not expect_mapping(self.problems, data, "schemes", raw, "'schemes'") or not raw:
            return out
        for sid, spec in raw.items():
            if not SLUG.match(sid):
                self.problems.add(
                    raw.key_at(sid), f"scheme id '{sid}' is not a slug", "use a-z, 0-9 and '-'"
                )
            if not expect_mapping(self.problems, raw, sid, spec, f"scheme '{sid}'"):
                continue
            check_keys(self.problems, spec, {"label", "definition"}, f"scheme '{sid}'")
            if spec.get("label") is None:
                self.problems.at(raw, sid, f"scheme '{sid}' has no label")
            entry = {"iri": self.iris.scheme(sid), "id": sid, "graph": self.iris.entities_graph}
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
        for index, record in enumerate(raw):
            if not expect_mapping(self.problems, raw, index, record, "an entity"):
                continue
            eid, etype = record.get("id"), record.get("type")
            if not isinstance(eid, str) or not SLUG.match(eid):
                self.problems.at(
                    record,
                    "id" if "id" in record else None,
                    f"entity id {eid!r} is missing or not a slug",
                    "use lowercase a-z, 0-9 and '-', e.g. 'ren-zhengfei'",
                )
            elif not isinstance(etype, str) or etype not in ENTITY_SEGMENTS:
                self.problems.at(
                    record,
                    "type" if "type" in record else None,
                    f"entity '{eid}' has unknown type {etype!r}",
                    did_you_mean(str(etype), ENTITY_SEGMENTS)
                    or "types: " + ", ".join(ENTITY_SEGMENTS),
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

    def _entity(self, record: YDict) -> dict[str, Any]:
        eid, etype = record["id"], record["type"]
        extra = TYPE_KEYS.get(etype, {})
        check_keys(self.problems, record, COMMON_KEYS | set(extra), f"entity '{eid}' ({etype})")
        doc: dict[str, Any] = {
            "iri": self.iris.entity(etype, eid),
            "id": eid,
            "graph": self.iris.entities_graph,
        }
        try:
            doc["label"] = parse_text(record.get("label"))
        except ValueError:
            where = "label" if "label" in record else None
            self.problems.at(record, where, f"entity '{eid}' needs a label")
            doc["label"] = eid
        aliases = record.get("aliases", [])
        if isinstance(aliases, list) and all(isinstance(a, str) and a for a in aliases):
            doc["aliases"] = list(aliases)
        else:
            self.problems.at(record, "aliases", f"aliases of '{eid}' must be a list of strings")
        _optional_text(self.problems, record, "description", f"entity '{eid}'", doc)
        if "wikidata" in record:
            qid = str(record["wikidata"])
            if _WIKIDATA.match(qid):
                doc["wikidata"] = WIKIDATA_ENTITY + qid
            else:
                self.problems.at(
                    record,
                    "wikidata",
                    f"'{qid}' is not a Wikidata item id",
                    "write it as Q followed by digits, or leave it out if unknown",
                )
        for key, allowed in extra.items():
            if key in record:
                self._link(record, key, allowed, doc)
        if etype == "Concept" and "scheme" not in record:
            self.problems.at(record, "id", f"concept '{eid}' has no scheme", "add 'scheme: <id>'")
        return doc

    def _link(self, record: YDict, key: str, allowed: frozenset[str], doc: dict[str, Any]) -> None:
        """A type-specific key: a scheme, a plain value, or a reference to another entity."""
        eid, value = record["id"], record[key]
        if key == "scheme":
            if isinstance(value, str) and value in self.scheme_ids:
                doc["scheme"] = self.iris.scheme(value)
            else:
                self.problems.at(
                    record,
                    key,
                    f"unknown scheme '{value}' for concept '{eid}'",
                    did_you_mean(str(value), self.scheme_ids) or "declare it under 'schemes'",
                )
        elif not allowed:  # a plain value such as member_type
            doc[key] = str(value)
        elif (target := self.declared.get(str(value))) is None:
            self.problems.at(
                record,
                key,
                f"'{key}' of '{eid}' names unknown entity '{value}'",
                did_you_mean(str(value), self.declared) or "declare that entity first",
            )
        elif target[1] not in allowed:
            self.problems.at(
                record,
                key,
                f"'{key}' of '{eid}' must be one of "
                f"{', '.join(sorted(allowed))}, but '{value}' is a {target[1]}",
            )
        else:
            doc[key] = self.iris.entity(target[1], str(value))


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
