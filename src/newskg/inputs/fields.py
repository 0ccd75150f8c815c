"""One field of a record checked against the model and written to the normalised document.

The same reader serves the entity registry, the shared facts and each article: what differs
is what an id may name (:class:`Names`), which each loader fills in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from newskg.errors import did_you_mean
from newskg.inputs import values
from newskg.inputs.checks import Problems, check_keys, expect_list, expect_mapping, type_name
from newskg.located_yaml import YDict
from newskg.model.iris import SLUG
from newskg.model.schema import Field, Model, typed_key

# The allowed words of a vocabulary are suggested only for a near-certain typo: two words of
# opposite meaning ('more-than', 'less-than') are otherwise close enough to be proposed.
VOCABULARY_CUTOFF = 0.8
_WIKIDATA_ID = re.compile(r"Q[1-9][0-9]*\Z")


@dataclass
class LocalFact:
    """A fact of the article being read, as references see it."""

    section: str
    record: str  # "event", for messages
    key: str  # its node key: the shared id, or <article>.<id>


@dataclass
class Names:
    """Everything an id in the file being read may name."""

    entities: dict[str, tuple[str, str | None]]  # id -> (type, concept scheme)
    schemes: frozenset[str] = frozenset()
    shared: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (section, kind)
    facts: dict[str, LocalFact] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # id -> key
    # An entity's label and aliases as ids would write them ("ren" for the alias "Ren"),
    # for hints: slug -> (entity id, the label or alias).
    aliases: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class Role:
    """One {person, capacity} item of a roles field, before it becomes a role record."""

    agent: str
    capacity: str | None


class FieldReader:
    """Reads the fields of one file's records into document entries, collecting problems."""

    def __init__(self, model: Model, names: Names, problems: Problems) -> None:
        self.model = model
        self.names = names
        self.problems = problems

    def read(
        self, record: YDict, spec: Field, out: dict[str, Any], what: str, default: Any = None
    ) -> None:
        """``record[spec.name]``, checked and converted into ``out``; a missing required
        field, or a value of the wrong shape, is reported against the record."""
        name = spec.name
        if name not in record or record[name] is None:
            if default is not None:
                out[name] = default
            elif spec.required:
                self.problems.at(
                    record, None if name not in record else name, f"{what} is missing '{name}'"
                )
            return
        value = record[name]
        if spec.many:
            if isinstance(value, str):  # a single id is accepted where a list is expected
                converted = [self._one(record, name, value, spec, what)]
            elif expect_list(self.problems, record, name, value, f"'{name}' of {what}"):
                # Items are located in the list itself, so a bad one is pointed at exactly.
                converted = [self._one(value, i, v, spec, what) for i, v in enumerate(value)]
                if spec.required and not value:
                    self.problems.at(record, name, f"'{name}' of {what} is empty")
            else:
                return
            out[name] = [c for c in converted if c is not None]
            return
        self._store(record, name, value, spec, what, out)

    def _store(
        self, parent: Any, key: str, value: Any, spec: Field, what: str, out: dict[str, Any]
    ) -> None:
        if spec.type in ("partial-date", "number"):
            try:
                parse = (
                    values.parse_partial_date
                    if spec.type == "partial-date"
                    else values.parse_number
                )
                lexical, datatype = parse(value)
                out[typed_key(spec.name, datatype)] = lexical
            except ValueError as exc:
                self.problems.at(parent, key, f"bad '{spec.name}' in {what}: {exc}")
            return
        converted = self._one(parent, key, value, spec, what)
        if converted is not None:
            out[spec.name] = converted

    def _one(self, parent: Any, key: str | int, value: Any, spec: Field, what: str) -> Any:
        """One value of a field; None (after reporting why) when it cannot be used."""
        name = spec.name
        if spec.type == "wikidata":
            if _WIKIDATA_ID.match(str(value)):
                return str(value)
            self.problems.at(
                parent,
                key,
                f"'{value}' is not a Wikidata item id",
                "write it as Q followed by digits, or leave it out if unknown",
            )
            return None
        try:
            if spec.type == "text":
                return values.parse_text(value)
            if spec.type == "date":
                return self._date(value, spec)
            if spec.type == "language":
                return values.parse_language(value)
            if spec.type == "url":
                return values.parse_url(value)
            if spec.type == "bool":
                if not isinstance(value, bool):
                    raise ValueError(f"expected true or false, not {type_name(value)}")
                return value
        except ValueError as exc:
            self.problems.at(parent, key, f"bad '{name}' in {what}: {exc}")
            return None
        if spec.type == "word":
            return self.word(parent, key, value, spec, what)
        if spec.type == "scheme":
            if isinstance(value, str) and value in self.names.schemes:
                return value
            hint = did_you_mean(str(value), self.names.schemes) or "declare it under 'schemes'"
            self.problems.at(parent, key, f"'{name}' of {what}: unknown scheme '{value}'", hint)
            return None
        if spec.type == "ref":
            return self.reference(parent, key, value, spec, what)
        raise AssertionError(f"{spec.type} is read by the loader")  # roles, occurrence

    def _date(self, value: Any, spec: Field) -> str:
        try:
            return values.parse_date(value)
        except ValueError:
            if re.fullmatch(r"[0-9]{4}(-[0-9]{2})?", str(value)):
                raise ValueError(
                    f"'{value}' is only a year or a month, and '{spec.name}' needs a full date "
                    "(YYYY-MM-DD); a year or month is accepted in: "
                    + ", ".join(_partial_date_fields(self.model))
                ) from None
            raise

    def word(self, parent: Any, key: str | int, value: Any, spec: Field, what: str) -> str | None:
        """The term a vocabulary word names (or the word itself, for a literal)."""
        vocabulary = self.model.vocabularies[str(spec.vocabulary)]
        term = vocabulary.term(value) if isinstance(value, str) else None
        if term is None:
            accepted = [*vocabulary.terms, *vocabulary.synonyms]
            close = did_you_mean(str(value), accepted, cutoff=VOCABULARY_CUTOFF)
            hint = close or "allowed: " + ", ".join(vocabulary.terms)
            if vocabulary.synonyms and not close:
                hint += " (or " + ", ".join(vocabulary.synonyms) + ")"
            self.problems.at(parent, key, f"'{spec.name}' of {what} cannot be {value!r}", hint)
            return None
        return term

    def reference(
        self, parent: Any, key: str | int, value: Any, spec: Field, what: str
    ) -> str | None:
        """The key of the node an id names, if the field may name it."""
        name = spec.name
        if not isinstance(value, str):
            self.problems.at(
                parent, key, f"'{name}' of {what} must name an id, not {type_name(value)}"
            )
            return None
        types = self.model.entity_targets(spec.to)
        sections = self.model.fact_targets(spec.to)
        allowed = _allowed_words(self.model, types, sections)
        local = self.names.facts.get(value)
        if local is not None:
            if local.section in sections:
                return local.key
            return self._wrong(parent, key, name, what, allowed, value, f"{_a(local.record)} here")
        entity = self.names.entities.get(value)
        if entity is not None:
            etype, scheme = entity
            if etype not in types:
                return self._wrong(parent, key, name, what, allowed, value, _a(etype))
            if spec.scheme and scheme != spec.scheme:
                self.problems.at(
                    parent,
                    key,
                    f"'{name}' of {what}: concept '{value}' is in scheme '{scheme}', "
                    f"expected '{spec.scheme}'",
                    f"use a concept of '{spec.scheme}' or add one to seeds/entities.yaml",
                )
                return None
            return value
        shared = self.names.shared.get(value)
        if shared is not None:
            section, _ = shared
            if section in sections:
                return value
            record = self.model.fact_kinds[section].record
            return self._wrong(parent, key, name, what, allowed, value, f"a shared {record}")
        candidates = [i for i, (t, _) in self.names.entities.items() if t in types]
        candidates += [i for i, f in self.names.facts.items() if f.section in sections]
        candidates += [i for i, (s, _) in self.names.shared.items() if s in sections]
        hint = (
            did_you_mean(value, candidates)
            or self._by_label(value, types)
            or (
                "declare it in seeds/entities.yaml"
                + (", seeds/shared-facts.yaml or this file" if sections else "")
            )
        )
        kinds = "entity or fact" if sections else "entity"
        self.problems.at(parent, key, f"'{name}' of {what} names unknown {kinds} '{value}'", hint)
        return None

    def _by_label(self, value: str, types: frozenset[str]) -> str | None:
        """A hint naming the entity whose label or alias ``value`` spells (``ren`` for Ren
        Zhengfei, alias 'Ren'). Only an exact spelling: a near one may be another entity."""
        fitting = {
            slug: found
            for slug, found in self.names.aliases.items()
            if self.names.entities[found[0]][0] in types
        }
        close = fitting.get(value)
        return f"did you mean '{close[0]}' ({close[1]})?" if close else None

    def _wrong(
        self,
        parent: Any,
        key: str | int,
        name: str,
        what: str,
        allowed: str,
        value: str,
        actual: str,
    ) -> None:
        # Never a "did you mean" here: the id exists, it is only of the wrong kind.
        self.problems.at(
            parent, key, f"'{name}' of {what} must name {allowed}, but '{value}' is {actual}"
        )

    def roles(self, record: YDict, spec: Field, what: str) -> list[Role]:
        """The items of a roles field: who took the role, and in which capacity."""
        raw = record.get(spec.name)
        if raw is None:
            if spec.required:
                self.problems.at(record, None, f"{what} is missing '{spec.name}'")
            return []
        if not expect_list(self.problems, record, spec.name, raw, f"'{spec.name}' of {what}"):
            return []
        agent = Field("", "ref", spec.location, to=spec.to)
        capacity = Field("", "ref", spec.location, to=("Post",))
        out: list[Role] = []
        for index, item in enumerate(raw):
            each = f"an entry of '{spec.name}' of {what}"
            if not expect_mapping(self.problems, raw, index, item, each):
                continue
            check_keys(self.problems, item, {spec.agent, "capacity"}, each)
            if spec.agent not in item:
                self.problems.at(raw, index, f"{each} has no '{spec.agent}'")
                continue
            who = self.reference(
                item, spec.agent, item[spec.agent], _named(agent, spec.agent), what
            )
            post = None
            if item.get("capacity") is not None:
                post = self.reference(
                    item, "capacity", item["capacity"], _named(capacity, "capacity"), what
                )
            if who is not None:
                out.append(Role(who, post))
        return out


def slug_of(name: str) -> str:
    """How an id would spell a label: lowercase words joined by '-' ("Thai PM" -> thai-pm)."""
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))


def _named(spec: Field, name: str) -> Field:
    return Field(name, spec.type, spec.location, to=spec.to)


def _allowed_words(model: Model, types: frozenset[str], sections: frozenset[str]) -> str:
    """'a Person or an Organization or a goal of this article', for messages."""
    words = [_a(t) for t in sorted(types)] if len(types) < len(model.entity_types) else []
    words = words or (["an entity"] if types else [])
    words += [_a(model.fact_kinds[s].record) for s in sorted(sections)]
    return " or ".join(words) if words else "nothing"


def _a(noun: str) -> str:
    return ("an " if noun[0].lower() in "aeiou" else "a ") + noun


def _partial_date_fields(model: Model) -> list[str]:
    found = []
    for section, kind in model.fact_kinds.items():
        for spec in kind.fields.values():
            if spec.type == "partial-date":
                found.append(f"{section}.{spec.name}")
    return found


def is_slug(value: Any) -> bool:
    return isinstance(value, str) and SLUG.match(value) is not None
