"""Load one article folder (``article.txt`` + ``facts.yaml``) into a normalised document.

The document is plain JSON-able data (see docs/data-model.md): every reference is resolved to
an absolute IRI, every evidence quote to code-point offsets, every value to its canonical
lexical form. The mappings then only have to say which RDF terms to emit.

Why this module is long: one loader walks one facts file, section by section, with the
article's text, the registry and the problems collected so far as shared state. What the
fields may hold is declared in :mod:`newskg.model.schema`, and the quote search lives in
:mod:`newskg.inputs.evidence`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from newskg import located_yaml
from newskg.errors import InputError, Location, did_you_mean, location_of
from newskg.inputs import values
from newskg.inputs.checks import (
    Problems,
    check_keys,
    expect_list,
    expect_mapping,
    type_name,
)
from newskg.inputs.entities import Registry
from newskg.inputs.evidence import Sentence, find_quote, sentences_overlapping, split_sentences
from newskg.located_yaml import YDict, YList
from newskg.model.iris import ARTICLE_ID, SLUG, IriPolicy
from newskg.model.schema import (
    ARTICLE_FIELDS,
    COMMON,
    EVIDENCE_FIELD,
    SECTIONS,
    SOURCE_FIELDS,
    TOP_LEVEL_KEYS,
    Field,
    Kind,
    Section,
)

ARTICLE_FILE = "article.txt"
FACTS_FILE = "facts.yaml"

# The two keys of a meeting participant, checked like any other reference.
_PARTICIPANT = Field(Kind.REF, True, frozenset({"Person"}))
_CAPACITY = Field(Kind.REF, False, frozenset({"Post"}))


class _Quote(NamedTuple):
    """An evidence quote as written, with where to report a problem with it."""

    parent: Any
    key: str | int
    text: Any
    occurrence: Any


@dataclass(frozen=True)
class ArticleDocument:
    id: str
    document: dict[str, Any]
    locations: dict[str, Location]  # fact IRI -> where the fact is written, for SHACL reports


def read_article_text(folder: Path) -> str:
    path = folder / ARTICLE_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "article text missing",
            location=location_of(path),
            hint=f"each article folder needs {ARTICLE_FILE} beside {FACTS_FILE}",
        ) from None
    except OSError as exc:  # a directory, no permission, ...
        raise InputError(
            f"cannot read the article text: {exc.strerror}",
            location=location_of(path),
            hint=f"{ARTICLE_FILE} must be a readable file",
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"article text is not UTF-8 (byte {exc.start})",
            location=location_of(path),
            hint="convert the file to UTF-8; keep the text otherwise unchanged",
        ) from None


def load_article(folder: Path, registry: Registry, iris: IriPolicy) -> ArticleDocument:
    """Read, check and normalise one article; raise :class:`FactError` with every problem."""
    article_id = folder.name
    facts_path = folder / FACTS_FILE
    if not ARTICLE_ID.match(article_id):
        raise InputError(
            f"article folder name '{article_id}' cannot be an article id",
            location=location_of(folder),
            hint="use letters, digits, '_', '-' and '.'",
        )
    text = read_article_text(folder)
    data = located_yaml.load(facts_path)
    # The parsed mapping already carries the file as shown to the user; location_of resolves
    # two paths, which is worth skipping once per article. Anything else is an error anyway.
    file = data.location.file if isinstance(data, YDict) else location_of(facts_path).file
    loader = _ArticleLoader(article_id, text, data, registry, iris, file)
    document = loader.run()
    return ArticleDocument(article_id, document, loader.locations)


class _ArticleLoader:
    def __init__(
        self, article_id: str, text: str, data: Any, registry: Registry, iris: IriPolicy, file: str
    ) -> None:
        self.id = article_id
        self.text = text
        self.data = data
        self.registry = registry
        self.iris = iris
        self.problems = Problems(file)
        self.article_iri = iris.article(article_id)
        self.graph = iris.article_graph(article_id)
        self.sentences: list[Sentence] = split_sentences(text)
        self.evidence: dict[tuple[int, int], dict[str, Any]] = {}
        self.fact_ids: dict[str, tuple[str, YDict]] = {}  # id -> (section, record)
        self.source_ids: dict[str, str] = {}
        self.locations: dict[str, Location] = {}

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        data = self.data
        if not isinstance(data, YDict):
            self.problems.add(
                None,
                f"facts file must be a mapping, not {type_name(data)}",
                "start with 'article:' followed by the sections",
            )
            self.problems.raise_if_any()
        check_keys(self.problems, data, TOP_LEVEL_KEYS, "the facts file")
        doc: dict[str, Any] = {"article": self._article(data.get("article"))}
        # figures default their as-of date to the article's, already checked above
        self.article_date: str | None = doc["article"].get("date")
        doc["sources"] = self._sources(data.get("sources"))
        self._collect_fact_ids(data)
        doc["participations"] = []
        for section in SECTIONS.values():
            doc[section.name] = self._section(section, data.get(section.name), doc)
        doc["evidence"] = [self.evidence[key] for key in sorted(self.evidence)]
        doc["sentences"] = self._anchored_sentences()
        self.problems.raise_if_any()
        return doc

    # -- article metadata -------------------------------------------------------------------

    def _article(self, meta: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
            "iri": self.article_iri,
            "graph": self.graph,
            "id": self.id,
            "text": self.text,
            "sha256": hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            "synthetic": False,
        }
        if meta is None:
            self.problems.at(
                self.data,
                None,
                "missing 'article' metadata",
                "add 'article:' with title, date and language",
            )
            return out
        if not expect_mapping(self.problems, self.data, "article", meta, "'article'"):
            return out
        check_keys(self.problems, meta, ARTICLE_FIELDS, "'article'")
        for name, spec in ARTICLE_FIELDS.items():
            self._field(meta, name, spec, out, "the article")
        return out

    def _sources(self, raw: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if raw is None or not expect_list(self.problems, self.data, "sources", raw, "'sources'"):
            return out
        for index, record in enumerate(raw):
            if not expect_mapping(self.problems, raw, index, record, "a source"):
                continue
            check_keys(self.problems, record, SOURCE_FIELDS, "a source")
            sid = self._id(record)
            if sid is None:
                continue
            if sid in self.source_ids:
                self.problems.at(record, "id", f"duplicate source id '{sid}'")
                continue
            iri = self.iris.fact("source", self.id, sid)
            self.source_ids[sid] = iri
            entry: dict[str, Any] = {
                "iri": iri,
                "id": sid,
                "graph": self.graph,
                "article": self.article_iri,
            }
            for name, spec in SOURCE_FIELDS.items():
                if name != "id":
                    self._field(record, name, spec, entry, f"source '{sid}'")
            out.append(entry)
        return out

    # -- facts --------------------------------------------------------------------------------

    def _collect_fact_ids(self, data: YDict) -> None:
        """First pass, so that a fact may refer to one defined further down."""
        for section in SECTIONS.values():
            records = data.get(section.name)
            if not isinstance(records, YList):
                continue
            for record in records:
                if not isinstance(record, YDict):
                    continue
                fid = record.get("id")
                if not isinstance(fid, str) or not SLUG.match(fid):
                    continue
                if fid in self.fact_ids:
                    first = self.fact_ids[fid][1].value_at("id")
                    self.problems.at(
                        record,
                        "id",
                        f"duplicate fact id '{fid}' (first defined at line {first.line})",
                        "fact ids must be unique within an article",
                    )
                    continue
                if fid in self.registry.entities:
                    self.problems.at(
                        record,
                        "id",
                        f"fact id '{fid}' is also an entity id",
                        "rename the fact so that references are unambiguous",
                    )
                self.fact_ids[fid] = (section.name, record)

    def _section(self, section: Section, raw: Any, doc: dict[str, Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if raw is None:
            return out
        if not expect_list(self.problems, self.data, section.name, raw, f"'{section.name}'"):
            return out
        allowed = set(section.fields) | set(COMMON)
        for index, record in enumerate(raw):
            if not expect_mapping(
                self.problems, raw, index, record, f"an entry of '{section.name}'"
            ):
                continue
            check_keys(self.problems, record, allowed, f"a {section.segment}")
            fid = self._id(record)
            if fid is None or self.fact_ids.get(fid, (None, None))[1] is not record:
                continue
            what = f"{section.segment} '{fid}'"
            iri = self.iris.fact(section.segment, self.id, fid)
            entry: dict[str, Any] = {
                "iri": iri,
                "id": fid,
                "graph": self.graph,
                "article": self.article_iri,
            }
            self.locations[iri] = record.location
            for name, spec in section.fields.items():
                if spec.kind is Kind.PARTICIPANTS:
                    self._participants(record, name, spec, entry, doc, what)
                elif spec.kind is not Kind.OCCURRENCE:  # used by _evidence, not a graph value
                    self._field(record, name, spec, entry, what)
            self._field(record, "according_to", COMMON["according_to"], entry, what)
            self._field(record, "note", COMMON["note"], entry, what)
            entry["evidence"] = self._evidence(record, section, entry, what)
            for participation in entry.pop("_participations", []):
                participation["evidence"] = entry["evidence"]
                doc["participations"].append(participation)
            out.append(entry)
        return out

    def _id(self, record: YDict) -> str | None:
        fid = record.get("id")
        if fid is None:
            self.problems.at(record, None, "entry has no 'id'", "add 'id: some-slug'")
            return None
        if not isinstance(fid, str) or not SLUG.match(fid):
            self.problems.at(
                record, "id", f"id {fid!r} is not a slug", "use lowercase a-z, 0-9 and '-'"
            )
            return None
        return fid

    # -- fields -------------------------------------------------------------------------------

    def _field(self, record: YDict, name: str, spec: Field, out: dict[str, Any], what: str) -> None:
        if name not in record or record[name] is None:
            if spec.required:
                self.problems.at(
                    record,
                    None if name not in record else name,
                    f"{what} is missing '{name}'",
                    spec.help or None,
                )
            elif name == "as_of" and (article_date := self.article_date):
                out[name] = article_date
            return
        value = record[name]
        try:
            if spec.kind is Kind.TEXT:
                out[name] = values.parse_text(value)
            elif spec.kind is Kind.DATE:
                out[name] = values.parse_date(value)
            elif spec.kind is Kind.YEAR_OR_DATE:
                lexical, datatype = values.parse_year_or_date(value)
                out["year" if datatype.endswith("gYear") else "date"] = lexical
            elif spec.kind is Kind.NUMBER:
                lexical, datatype = values.parse_number(value)
                key = "integer" if datatype.endswith("integer") else "decimal"
                out[f"{name}_{key}"] = lexical
            elif spec.kind is Kind.LANGUAGE:
                out[name] = values.parse_language(value)
            elif spec.kind is Kind.URL:
                out[name] = values.parse_url(value)
            elif spec.kind is Kind.BOOL:
                if not isinstance(value, bool):
                    raise ValueError(f"expected true or false, not {type_name(value)}")
                out[name] = value
            elif spec.kind is Kind.ENUM:
                # a list or mapping here is a mistake too, and cannot be looked up (unhashable)
                if not isinstance(value, str) or value not in spec.values:
                    hint = did_you_mean(str(value), spec.values) or "allowed: " + ", ".join(
                        spec.values
                    )
                    self.problems.at(record, name, f"'{name}' of {what} cannot be {value!r}", hint)
                    return
                out[name] = spec.values[value]
            elif spec.kind is Kind.SOURCE:
                if not isinstance(value, str) or value not in self.source_ids:
                    hint = did_you_mean(str(value), self.source_ids) or "declare it under 'sources'"
                    self.problems.at(record, name, f"{what} cites unknown source '{value}'", hint)
                    return
                out[name] = self.source_ids[value]
            elif spec.kind is Kind.REF:
                iri = self._reference(record, name, value, spec, what)
                if iri:
                    out[name] = iri
            elif spec.kind is Kind.REFS:
                if isinstance(value, str):  # a single id is accepted where a list is expected
                    refs = [self._reference(record, name, value, spec, what)]
                elif expect_list(self.problems, record, name, value, f"'{name}' of {what}"):
                    refs = [
                        self._reference(value, i, v, spec, what, name) for i, v in enumerate(value)
                    ]
                    if spec.required and not value:
                        self.problems.at(record, name, f"'{name}' of {what} is empty")
                else:
                    return
                out[name] = [r for r in refs if r]
        except ValueError as exc:
            self.problems.at(record, name, f"bad '{name}' in {what}: {exc}")

    def _reference(
        self,
        parent: Any,
        key: str | int,
        value: Any,
        spec: Field,
        what: str,
        field_name: str | None = None,
    ) -> str | None:
        field_name = field_name or str(key)
        if not isinstance(value, str):
            self.problems.at(
                parent, key, f"'{field_name}' of {what} must name an id, not {type_name(value)}"
            )
            return None
        entity = self.registry.entities.get(value)
        if entity is not None:
            if entity.type not in spec.types:
                allowed = sorted(spec.types) + [f"a fact in '{s}'" for s in sorted(spec.sections)]
                self.problems.at(
                    parent,
                    key,
                    f"'{field_name}' of {what} must be {' or '.join(allowed)}, "
                    f"but '{value}' is a {entity.type}",
                )
                return None
            if spec.scheme and entity.scheme != spec.scheme:
                self.problems.at(
                    parent,
                    key,
                    f"'{field_name}' of {what}: concept '{value}' is in scheme "
                    f"'{entity.scheme}', expected '{spec.scheme}'",
                    f"use a concept of '{spec.scheme}' or add one to seeds/entities.yaml",
                )
                return None
            return entity.iri
        fact = self.fact_ids.get(value)
        if fact is not None and fact[0] in spec.sections:
            return self.iris.fact(SECTIONS[fact[0]].segment, self.id, value)
        candidates = list(self.registry.entities) + list(self.fact_ids)
        hint = (
            did_you_mean(value, candidates)
            or "declare it in seeds/entities.yaml (entities) or in this file (facts)"
        )
        kinds = "entity" if not spec.sections else "entity or fact"
        self.problems.at(
            parent, key, f"'{field_name}' of {what} names unknown {kinds} '{value}'", hint
        )
        return None

    def _participants(
        self,
        record: YDict,
        name: str,
        spec: Field,
        entry: dict[str, Any],
        doc: dict[str, Any],
        what: str,
    ) -> None:
        raw = record.get(name)
        if raw is None:
            self.problems.at(record, None, f"{what} is missing '{name}'")
            return
        if not expect_list(self.problems, record, name, raw, f"'{name}' of {what}"):
            return
        attendees: list[str] = []
        participations: list[dict[str, Any]] = []
        for index, item in enumerate(raw):
            if not expect_mapping(self.problems, raw, index, item, f"a participant of {what}"):
                continue
            check_keys(self.problems, item, {"person", "capacity"}, f"a participant of {what}")
            person = (
                self._reference(item, "person", item.get("person"), _PARTICIPANT, what)
                if "person" in item
                else None
            )
            if "person" not in item:
                self.problems.at(raw, index, f"a participant of {what} has no 'person'")
            if person is None:
                continue
            attendees.append(person)
            pid = item["person"]
            part: dict[str, Any] = {
                "iri": f"{entry['iri']}/participant/{pid}",
                "meeting": entry["iri"],
                "person": person,
                "graph": self.graph,
                "article": self.article_iri,
            }
            if "capacity" in item:
                post = self._reference(item, "capacity", item["capacity"], _CAPACITY, what)
                if post:
                    part["post"] = post
            participations.append(part)
        entry["attendees"] = attendees
        entry["_participations"] = participations

    # -- evidence -----------------------------------------------------------------------------

    def _evidence(
        self, record: YDict, section: Section, entry: dict[str, Any], what: str
    ) -> list[str]:
        quotes: list[_Quote] = []
        if section.name == "quotes" and "text" in entry:
            quotes.append(_Quote(record, "text", entry["text"], record.get("occurrence")))
        raw = record.get(EVIDENCE_FIELD)
        if raw is None:
            if section.needs_evidence:
                self.problems.at(
                    record,
                    None,
                    f"{what} has no evidence",
                    "add 'evidence:' with at least one exact quote from the article",
                )
        elif expect_list(self.problems, record, EVIDENCE_FIELD, raw, f"evidence of {what}"):
            if not raw and section.needs_evidence:
                self.problems.at(record, EVIDENCE_FIELD, f"{what} has an empty evidence list")
            for index, item in enumerate(raw):
                if isinstance(item, str):
                    quotes.append(_Quote(raw, index, item, None))
                elif isinstance(item, YDict):
                    check_keys(self.problems, item, {"quote", "occurrence"}, "an evidence entry")
                    occurrence = item.get("occurrence")
                    if not isinstance(item.get("quote"), str):
                        self.problems.at(
                            item,
                            "quote" if "quote" in item else None,
                            "evidence entry needs a 'quote' string",
                        )
                        continue
                    quotes.append(_Quote(item, "quote", item["quote"], occurrence))
                else:
                    self.problems.at(
                        raw,
                        index,
                        f"an evidence entry must be a quote string, not {type_name(item)}",
                    )
        iris: list[str] = []
        for parent, key, quote, occurrence in quotes:
            if occurrence is not None and (
                isinstance(occurrence, bool) or not isinstance(occurrence, int)
            ):
                self.problems.at(parent, key, "'occurrence' must be a whole number (1 = first)")
                continue
            try:
                span = find_quote(self.text, quote, occurrence)
            except ValueError as exc:
                self.problems.at(
                    parent,
                    key,
                    f"evidence of {what}: {exc}",
                    "copy the quote exactly from article.txt (typos included)",
                )
                continue
            iri = self._anchor(span.start, span.end, span.exact, span.prefix, span.suffix)
            if iri not in iris:
                iris.append(iri)
        return iris

    def _anchor(self, start: int, end: int, exact: str, prefix: str, suffix: str) -> str:
        key = (start, end)
        if key not in self.evidence:
            iri = self.iris.evidence(self.id, start, end)
            self.evidence[key] = {
                "iri": iri,
                "quote_selector": f"{iri}/quote",
                "position_selector": f"{iri}/position",
                "exact": exact,
                "prefix": prefix,
                "suffix": suffix,
                "start": start,
                "end": end,
                "sentences": [
                    self.iris.sentence(self.id, s.number)
                    for s in sentences_overlapping(self.sentences, start, end)
                ],
                "article": self.article_iri,
                "graph": self.graph,
            }
        return self.evidence[key]["iri"]

    def _anchored_sentences(self) -> list[dict[str, Any]]:
        used = {iri for ev in self.evidence.values() for iri in ev["sentences"]}
        return [
            {
                "iri": iri,
                "number": s.number,
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "article": self.article_iri,
                "graph": self.graph,
            }
            for s in self.sentences
            if (iri := self.iris.sentence(self.id, s.number)) in used
        ]
