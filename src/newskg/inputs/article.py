"""Load one article folder (``article.txt`` + ``facts.yaml``) into a normalised document.

The document is plain JSON-able data (see docs/data-model.md): every reference is resolved to
the key of the node it names, every evidence quote to code-point offsets, every value to its
canonical lexical form, every vocabulary word to its ontology term. The mappings then say
which RDF terms to emit, and form every IRI from those keys.

What each section and field may hold is the model's (:mod:`newskg.model.schema`); this module
walks a facts file with it, collecting every problem of the file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from newskg import located_yaml
from newskg.errors import InputError, Location, did_you_mean, location_of
from newskg.files import read_bytes
from newskg.inputs.checks import Problems, check_keys, expect_list, expect_mapping, type_name
from newskg.inputs.entities import Registry
from newskg.inputs.evidence import (
    DEFAULT_LANGUAGE,
    Sentence,
    find_quote,
    quote_hint,
    sentences_overlapping,
    split_sentences,
)
from newskg.inputs.fields import FieldReader, LocalFact, Names, is_slug
from newskg.inputs.review import DRAFT, DRAFT_SECTIONS, refuse_drafts
from newskg.located_yaml import YDict, YList
from newskg.model.iris import ARTICLE_ID, ARTICLE_ID_MAX, fact_key
from newskg.model.schema import FactKind, Field, Model

ARTICLE_FILE = "article.txt"
FACTS_FILE = "facts.yaml"
EVIDENCE = "evidence"
# Keys every fact may have besides its kind's fields (``draft``: not reviewed yet, refused).
COMMON_KEYS = frozenset({"id", EVIDENCE, "according_to", "note", DRAFT})
# The document key of an article's own label for a shared fact (emitted as skos:altLabel).
ALT_LABEL = "alt_label"
MAX_ARTICLE_BYTES = 8 * 1024 * 1024  # a news article is tens of kilobytes


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
    locations: dict[str, Location]  # node key -> where the fact is written, for SHACL reports


def read_article_text(folder: Path) -> str:
    path = folder / ARTICLE_FILE
    raw = read_bytes(
        path,
        "article text",
        missing=f"each article folder needs {ARTICLE_FILE} beside {FACTS_FILE}",
        max_bytes=MAX_ARTICLE_BYTES,
    )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"article text is not UTF-8 (byte {exc.start})",
            location=location_of(path),
            hint="convert the file to UTF-8; keep the text otherwise unchanged",
        ) from None


def check_article_id(folder: Path, registry: Registry, rename: str = "rename the folder") -> str:
    """The article's id (its folder name), refused when it cannot name a node; ``rename``
    says how to choose another."""
    article_id = folder.name
    if not ARTICLE_ID.match(article_id) or len(article_id) > ARTICLE_ID_MAX:
        raise InputError(
            f"article folder name '{article_id[:80]}' cannot be an article id",
            location=location_of(folder),
            hint=f"use up to {ARTICLE_ID_MAX} letters, digits, '_', '-' and '.'",
        )
    if article_id in registry.names.entities or article_id in registry.names.shared:
        raise InputError(
            f"article id '{article_id}' is also an id in the registry",
            location=location_of(folder),
            hint=f"articles and registry entries share one namespace: {rename}",
        )
    return article_id


def load_article(folder: Path, registry: Registry, model: Model) -> ArticleDocument:
    """Read, check and normalise one article; raise :class:`FactError` with every problem."""
    article_id = check_article_id(folder, registry)
    text = read_article_text(folder)
    facts_path = folder / FACTS_FILE
    data = located_yaml.load(facts_path)
    # The parsed mapping already carries the file as shown to the user; location_of resolves
    # two paths, which is worth skipping once per article. Anything else is an error anyway.
    file = data.location.file if isinstance(data, YDict) else location_of(facts_path).file
    loader = _ArticleLoader(article_id, text, data, registry, model, file)
    document = loader.run()
    return ArticleDocument(article_id, document, loader.locations)


class _ArticleLoader:
    def __init__(
        self, article_id: str, text: str, data: Any, registry: Registry, model: Model, file: str
    ) -> None:
        self.id = article_id
        self.text = text
        self.data = data
        self.model = model
        self.registry = registry
        self.problems = Problems(file)
        self.names = Names(
            entities=registry.names.entities,
            schemes=registry.names.schemes,
            shared=registry.names.shared,
            aliases=registry.names.aliases,
        )
        self.reader = FieldReader(model, self.names, self.problems)
        self.sentences: list[Sentence] = []  # split once the article's language is read
        self.evidence: dict[tuple[int, int], dict[str, Any]] = {}
        self.records: dict[str, tuple[str, YDict]] = {}  # fact id -> (section, record)
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
        renamed = {old: k.section for k in self.model.fact_kinds.values() for old in k.formerly}
        check_keys(
            self.problems,
            data,
            {"article", "sources", *self.model.fact_kinds, *DRAFT_SECTIONS},
            "the facts file",
            renamed,
        )
        doc: dict[str, Any] = {"article": self._article(data.get("article"))}
        self.article_date: str | None = doc["article"].get("date")
        language = doc["article"].get("language") or DEFAULT_LANGUAGE
        self.sentences = split_sentences(self.text, language)
        doc["sources"] = self._sources(data.get("sources"))
        self._declare_facts(data)
        doc["roles"] = []
        for kind in self.model.fact_kinds.values():
            doc[kind.section] = self._section(kind, data.get(kind.section), doc["roles"])
        doc[EVIDENCE] = [self.evidence[key] for key in sorted(self.evidence)]
        doc["sentences"] = self._anchored_sentences()
        records = {k.section: k.record for k in self.model.fact_kinds.values()}
        refuse_drafts(self.problems, data, {"sources": "source", **records})
        self.problems.raise_if_any()
        return doc

    # -- article metadata and sources -----------------------------------------------------

    def _article(self, meta: Any) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        fields = self.model.article_fields
        check_keys(self.problems, meta, {*fields, DRAFT}, "'article'")
        for spec in fields.values():
            self.reader.read(meta, spec, out, "the article")
        return out

    def _sources(self, raw: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if raw is None or not expect_list(self.problems, self.data, "sources", raw, "'sources'"):
            return out
        fields = self.model.source_fields
        for index, record in enumerate(raw):
            if not expect_mapping(self.problems, raw, index, record, "a source"):
                continue
            check_keys(self.problems, record, {"id", DRAFT, *fields}, "a source")
            sid = self._id(record)
            if sid is None:
                continue
            if sid in self.names.sources:
                self.problems.at(record, "id", f"duplicate source id '{sid}'")
                continue
            key = fact_key(self.id, sid)
            self.names.sources[sid] = key
            entry: dict[str, Any] = {"article": self.id, "id": sid, "key": key}
            for spec in fields.values():
                self.reader.read(record, spec, entry, f"source '{sid}'")
            out.append(entry)
        return out

    # -- facts ----------------------------------------------------------------------------

    def _declare_facts(self, data: YDict) -> None:
        """First pass, so that a fact may refer to one defined further down."""
        for kind in self.model.fact_kinds.values():
            records = data.get(kind.section)
            if not isinstance(records, YList):
                continue
            for record in records:
                if not isinstance(record, YDict):
                    continue
                fid = record.get("id")
                if not is_slug(fid):
                    continue
                if fid in self.records:
                    first = self.records[fid][1].value_at("id")
                    self.problems.at(
                        record,
                        "id",
                        f"duplicate fact id '{fid}' (first defined at line {first.line})",
                        "fact ids must be unique within an article",
                    )
                    continue
                if fid in self.names.sources:
                    self.problems.at(record, "id", f"fact id '{fid}' is also a source id")
                    continue
                shared = self._shared_id(kind, record)
                key = shared or fact_key(self.id, fid)
                self.records[fid] = (kind.section, record)
                self.names.facts[fid] = LocalFact(kind.section, kind.record, key)

    def _shared_id(self, kind: FactKind, record: YDict) -> str | None:
        """The registry id a record reports on (``shared: <id>``), when it names one."""
        shared = record.get("shared")
        if shared is None:
            return None
        if not kind.shared:
            return None  # reported as an unknown key by _section
        found = self.names.shared.get(shared) if isinstance(shared, str) else None
        if found is None or found[0] != kind.section:
            same = [i for i, (s, _) in self.names.shared.items() if s == kind.section]
            self.problems.at(
                record,
                "shared",
                f"'{shared}' is not a shared {kind.record} of seeds/shared-facts.yaml",
                f"shared {kind.record}s: " + (", ".join(same) or "none declared"),
            )
            return None
        return shared

    def _section(self, kind: FactKind, raw: Any, roles: list[dict[str, Any]]) -> list[Any]:
        out: list[dict[str, Any]] = []
        if raw is None:
            return out
        if not expect_list(self.problems, self.data, kind.section, raw, f"'{kind.section}'"):
            return out
        allowed = {*COMMON_KEYS, *kind.fields}
        if kind.kinds:
            allowed.add("kind")
        if kind.shared:
            allowed.add("shared")
        for index, record in enumerate(raw):
            if not expect_mapping(
                self.problems, raw, index, record, f"an entry of '{kind.section}'"
            ):
                continue
            check_keys(self.problems, record, allowed, f"a {kind.record}", kind.renamed)
            fid = self._id(record)
            if fid is None or self.records.get(fid, (None, None))[1] is not record:
                continue
            key = self.names.facts[fid].key
            what = f"{kind.record} '{fid}'"
            entry: dict[str, Any] = {"article": self.id, "id": fid, "key": key}
            self.locations[key] = record.location
            shared = key if key in self.names.shared else None
            kind_word = self._kind(kind, record, entry, what, shared)
            mine: list[dict[str, Any]] = []  # the record's roles: they share its evidence
            for spec in kind.fields.values():
                self._field(kind, record, spec, entry, what, kind_word, shared, mine)
            if "according_to" in record:
                self._according_to(record, entry, what)
            # A curator's note is not emitted, but it is still checked to be text.
            self.reader.read(record, Field("note", "text", record.location), {}, what)
            entry[EVIDENCE] = self._evidence(record, kind, entry, what)
            for role in mine:
                role[EVIDENCE] = entry[EVIDENCE]
            roles += mine
            out.append(entry)
        return out

    def _kind(
        self, kind: FactKind, record: YDict, entry: dict[str, Any], what: str, shared: str | None
    ) -> str | None:
        """The record's kind word, its class written to ``entry["kind"]``."""
        if not kind.kinds:
            return None
        vocabulary = self.model.vocabularies[kind.kinds]
        registered = self.names.shared[shared][1] if shared else None
        word = record.get("kind")
        if word is None:
            if registered is not None:
                entry["kind"] = registered
                return next(w for w, t in vocabulary.terms.items() if t == registered)
            word = kind.default_kind
        if word is None:
            self.problems.at(
                record, None, f"{what} is missing 'kind'", "kinds: " + ", ".join(vocabulary.terms)
            )
            return None
        spec = Field("kind", "word", record.location, vocabulary=kind.kinds)
        term = self.reader.word(record, "kind", word, spec, what)
        if term is None:
            return None
        if registered is not None and term != registered:
            self.problems.at(
                record, "kind", f"{what} is a {word}, but the shared record says otherwise"
            )
        entry["kind"] = term
        return vocabulary.synonyms.get(word, word)

    def _field(
        self,
        kind: FactKind,
        record: YDict,
        spec: Field,
        entry: dict[str, Any],
        what: str,
        kind_word: str | None,
        shared: str | None,
        roles: list[dict[str, Any]],
    ) -> None:
        if spec.type == "occurrence":
            return  # read with the evidence
        present = record.get(spec.name) is not None
        if spec.only_kinds and present and kind_word and kind_word not in spec.only_kinds:
            self.problems.at(
                record,
                spec.name,
                f"'{spec.name}' is for a {' or '.join(spec.only_kinds)} {kind.record}, "
                f"and {what} is {kind_word}",
                f"write 'kind: {spec.only_kinds[0]}' or leave '{spec.name}' out",
            )
            return
        if spec.type == "roles":
            for role in self.reader.roles(record, spec, what):
                roles.append(
                    {
                        "article": self.id,
                        "fact": entry["id"],
                        "target": entry["key"],
                        "role": self.model.vocabularies["role"].terms[str(spec.role)],
                        "role_word": spec.role,
                        "agent": role.agent,
                        **({"capacity": role.capacity} if role.capacity else {}),
                    }
                )
                entry.setdefault(spec.name, []).append(role.agent)
            return
        # A shared record's label is its registry label: the article's own wording of it, if
        # any, becomes an alternative label, so that the one node has one rdfs:label.
        if shared and spec.name == "label":
            self.reader.read(record, _required(spec, False), entry, what)
            if "label" in entry:
                entry[ALT_LABEL] = entry.pop("label")
            return
        default = self.article_date if spec.default == "article-date" else None
        self.reader.read(record, spec, entry, what, default)

    def _according_to(self, record: YDict, entry: dict[str, Any], what: str) -> None:
        value = record["according_to"]
        key = self.names.sources.get(value) if isinstance(value, str) else None
        if key is None:
            hint = did_you_mean(str(value), self.names.sources) or "declare it under 'sources'"
            self.problems.at(record, "according_to", f"{what} cites unknown source '{value}'", hint)
            return
        entry["according_to"] = key

    def _id(self, record: YDict) -> str | None:
        fid = record.get("id")
        if fid is None:
            self.problems.at(record, None, "entry has no 'id'", "add 'id: some-slug'")
            return None
        if not is_slug(fid):
            self.problems.at(
                record, "id", f"id {fid!r} is not a slug", "use lowercase a-z, 0-9 and '-'"
            )
            return None
        return fid

    # -- evidence -----------------------------------------------------------------------------

    def _evidence(
        self, record: YDict, kind: FactKind, entry: dict[str, Any], what: str
    ) -> list[str]:
        quotes: list[_Quote] = []
        if kind.own_text_evidence and "text" in entry:
            quotes.append(_Quote(record, "text", entry["text"], record.get("occurrence")))
        raw = record.get(EVIDENCE)
        needed = not kind.own_text_evidence
        if raw is None:
            if needed:
                self.problems.at(
                    record,
                    None,
                    f"{what} has no evidence",
                    "add 'evidence:' with at least one exact quote from the article",
                )
        elif expect_list(self.problems, record, EVIDENCE, raw, f"evidence of {what}"):
            if not raw and needed:
                self.problems.at(record, EVIDENCE, f"{what} has an empty evidence list")
            for index, item in enumerate(raw):
                if isinstance(item, str):
                    quotes.append(_Quote(raw, index, item, None))
                elif isinstance(item, YDict):
                    check_keys(self.problems, item, {"quote", "occurrence"}, "an evidence entry")
                    if not isinstance(item.get("quote"), str):
                        self.problems.at(
                            item,
                            "quote" if "quote" in item else None,
                            "evidence entry needs a 'quote' string",
                        )
                        continue
                    quotes.append(_Quote(item, "quote", item["quote"], item.get("occurrence")))
                else:
                    self.problems.at(
                        raw,
                        index,
                        f"an evidence entry must be a quote string, not {type_name(item)}",
                    )
        spans: list[str] = []
        for parent, key, quote, occurrence in quotes:
            if occurrence is not None and (
                isinstance(occurrence, bool) or not isinstance(occurrence, int)
            ):
                self.problems.at(parent, key, "'occurrence' must be a whole number (1 = first)")
                continue
            try:
                span = find_quote(self.text, quote, occurrence)
            except ValueError as exc:
                hint = quote_hint(
                    self.text, quote, Path(self.problems.file).with_name(ARTICLE_FILE)
                )
                self.problems.at(parent, key, f"evidence of {what}: {exc}", hint)
                continue
            anchor = self._anchor(span.start, span.end, span.exact, span.prefix, span.suffix)
            if anchor not in spans:
                spans.append(anchor)
        return spans

    def _anchor(self, start: int, end: int, exact: str, prefix: str, suffix: str) -> str:
        key = (start, end)
        if key not in self.evidence:
            self.evidence[key] = {
                "article": self.id,
                "span": f"{start}-{end}",
                "exact": exact,
                "prefix": prefix,
                "suffix": suffix,
                "start": start,
                "end": end,
                "sentences": [s.number for s in sentences_overlapping(self.sentences, start, end)],
            }
        return str(self.evidence[key]["span"])

    def _anchored_sentences(self) -> list[dict[str, Any]]:
        used = {n for ev in self.evidence.values() for n in ev["sentences"]}
        return [
            {
                "article": self.id,
                "number": s.number,
                "text": s.text,
                "start": s.start,
                "end": s.end,
            }
            for s in self.sentences
            if s.number in used
        ]


def _required(spec: Field, required: bool) -> Field:
    return spec if spec.required == required else replace(spec, required=required)
