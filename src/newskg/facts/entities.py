"""Load and check the shared entity registry, ``seeds/entities.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg import located_yaml
from newskg.facts.checks import Problems, check_keys, did_you_mean, expect_list, expect_mapping
from newskg.facts.values import parse_text
from newskg.iris import ENTITY_SEGMENTS, SLUG, WIKIDATA_ENTITY, IriPolicy
from newskg.located_yaml import YDict

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
    sha256: str


def load_registry(path: Path, iris: IriPolicy) -> Registry:
    """Read ``entities.yaml``; raise :class:`FactError` listing every problem found."""
    import hashlib

    raw = path.read_bytes()
    data = located_yaml.load(path)
    problems = Problems(str(path))
    if not isinstance(data, YDict):
        problems.add(None, "entities file must be a mapping with 'schemes' and 'entities'")
        problems.raise_if_any()
    check_keys(problems, data, {"schemes", "entities"}, "the entities file")

    schemes_doc: list[dict[str, Any]] = []
    schemes_raw = data.get("schemes") or YDict()
    if expect_mapping(problems, data, "schemes", schemes_raw, "'schemes'") and schemes_raw:
        for sid, spec in schemes_raw.items():
            if not SLUG.match(sid):
                problems.add(
                    schemes_raw.key_at(sid),
                    f"scheme id '{sid}' is not a slug",
                    "use a-z, 0-9 and '-'",
                )
            if not expect_mapping(problems, schemes_raw, sid, spec, f"scheme '{sid}'"):
                continue
            check_keys(problems, spec, {"label", "definition"}, f"scheme '{sid}'")
            entry = {"iri": iris.scheme(sid), "id": sid, "graph": iris.entities_graph}
            for key in ("label", "definition"):
                if key in spec:
                    entry[key] = str(spec[key])
            if "label" not in spec:
                problems.at(schemes_raw, sid, f"scheme '{sid}' has no label")
            schemes_doc.append(entry)
    scheme_ids = frozenset(s["id"] for s in schemes_doc)

    entities_raw = data.get("entities")
    first_pass: dict[str, tuple[YDict, str]] = {}
    records: list[YDict] = []
    if entities_raw is None:
        problems.at(data, None, "missing 'entities' list")
    elif expect_list(problems, data, "entities", entities_raw, "'entities'"):
        for index, record in enumerate(entities_raw):
            if not expect_mapping(problems, entities_raw, index, record, "an entity"):
                continue
            eid, etype = record.get("id"), record.get("type")
            if not isinstance(eid, str) or not SLUG.match(eid):
                problems.at(
                    record,
                    "id" if "id" in record else None,
                    f"entity id {eid!r} is missing or not a slug",
                    "use lowercase a-z, 0-9 and '-', e.g. 'ren-zhengfei'",
                )
                continue
            if etype not in ENTITY_SEGMENTS:
                problems.at(
                    record,
                    "type" if "type" in record else None,
                    f"entity '{eid}' has unknown type {etype!r}",
                    did_you_mean(str(etype), ENTITY_SEGMENTS)
                    or "types: " + ", ".join(ENTITY_SEGMENTS),
                )
                continue
            if eid in first_pass:
                first = first_pass[eid][0].value_at("id")
                problems.at(
                    record,
                    "id",
                    f"duplicate entity id '{eid}' (first defined at line {first.line})",
                    "entity ids must be unique; merge the two entries",
                )
                continue
            first_pass[eid] = (record, etype)
            records.append(record)

    entities: dict[str, Entity] = {}
    by_type: dict[str, list[dict[str, Any]]] = {t: [] for t in ENTITY_SEGMENTS}
    for record in records:
        eid, etype = record["id"], record["type"]
        extra = TYPE_KEYS.get(etype, {})
        check_keys(problems, record, COMMON_KEYS | set(extra), f"entity '{eid}' ({etype})")
        iri = iris.entity(etype, eid)
        doc: dict[str, Any] = {"iri": iri, "id": eid, "graph": iris.entities_graph}
        try:
            doc["label"] = parse_text(record.get("label"))
        except ValueError:
            problems.at(
                record, "label" if "label" in record else None, f"entity '{eid}' needs a label"
            )
            doc["label"] = eid
        aliases = record.get("aliases", [])
        if isinstance(aliases, list) and all(isinstance(a, str) and a for a in aliases):
            doc["aliases"] = list(aliases)
        else:
            problems.at(record, "aliases", f"aliases of '{eid}' must be a list of strings")
        if "description" in record:
            doc["description"] = str(record["description"])
        if "wikidata" in record:
            qid = str(record["wikidata"])
            if _WIKIDATA.match(qid):
                doc["wikidata"] = WIKIDATA_ENTITY + qid
            else:
                problems.at(
                    record,
                    "wikidata",
                    f"'{qid}' is not a Wikidata item id",
                    "write it as Q followed by digits, or leave it out if unknown",
                )
        scheme = None
        for key, allowed in extra.items():
            if key not in record:
                continue
            value = record[key]
            if key == "scheme":
                if value not in scheme_ids:
                    problems.at(
                        record,
                        key,
                        f"unknown scheme '{value}' for concept '{eid}'",
                        did_you_mean(str(value), scheme_ids) or "declare it under 'schemes'",
                    )
                else:
                    scheme = value
                    doc["scheme"] = iris.scheme(value)
            elif key == "member_type":
                doc[key] = str(value)
            else:
                target = first_pass.get(str(value))
                if target is None:
                    problems.at(
                        record,
                        key,
                        f"'{key}' of '{eid}' names unknown entity '{value}'",
                        did_you_mean(str(value), first_pass) or "declare that entity first",
                    )
                elif target[1] not in allowed:
                    problems.at(
                        record,
                        key,
                        f"'{key}' of '{eid}' must be one of "
                        f"{', '.join(sorted(allowed))}, but '{value}' is a {target[1]}",
                    )
                else:
                    doc[key] = iris.entity(target[1], str(value))
        if etype == "Concept" and scheme is None and "scheme" not in record:
            problems.at(record, "id", f"concept '{eid}' has no scheme", "add 'scheme: <scheme id>'")
        entities[eid] = Entity(eid, etype, iri, doc["label"], scheme)
        by_type[etype].append(doc)

    problems.raise_if_any()
    everything = [doc for docs in by_type.values() for doc in docs]
    document: dict[str, Any] = {
        "graph": iris.entities_graph,
        "schemes": schemes_doc,
        "entities": everything,  # labels, aliases, Wikidata links: the same for every type
        **by_type,  # one list per type, for the type-specific triples maps
    }
    return Registry(entities, scheme_ids, document, hashlib.sha256(raw).hexdigest())
