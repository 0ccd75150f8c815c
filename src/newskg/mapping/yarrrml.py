"""YARRRML (the documented newskg subset, see docs/mapping-language.md) -> mapping model.

Every problem is collected with the file:line:column of the YAML node it concerns and the
whole file is reported at once. Anything outside the subset is refused, never ignored.

Why this module is long: it is one reader of one format. Every method shares the reader's
state (the file's prefixes, its base and the problems collected so far), and the methods
follow the YARRRML document from sources to terms; split across modules, one grammar would
be read in several places.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from newskg import located_yaml
from newskg.errors import Location, did_you_mean, location_of
from newskg.located_yaml import YDict, YList
from newskg.mapping import jsonpath, terms
from newskg.mapping.jsonpath import column_path, relative_jsonpath
from newskg.mapping.model import (
    Diagnostics,
    Join,
    LogicalSource,
    ObjectMap,
    PredicateObjectMap,
    Reference,
    RefObjectMap,
    TemplatePart,
    TermMap,
    TermType,
    TriplesMap,
)
from newskg.mapping.prefixes import YARRRML_PREDEFINED
from newskg.mapping.templates import TemplateError, parse_yarrrml
from newskg.rdf import PREFIXES, RDF_TYPE

# Only the W3C namespaces whose IRIs never vary. A missing `schema:` or `foaf:` declaration
# is an error rather than a silent guess (http vs https schema.org is a real trap).
BUILTIN_PREFIXES: dict[str, str] = {p: PREFIXES[p] for p in ("rdf", "rdfs", "xsd", "owl")}
# Schemes that make `x:...` an absolute IRI rather than a CURIE with an undeclared prefix.
KNOWN_SCHEMES = frozenset(
    {"http", "https", "urn", "mailto", "tag", "file", "ftp", "data", "did", "geo", "tel"}
)

TOP_KEYS = ("prefixes", "base", "sources", "mappings", "authors", "external")
MAPPING_KEYS = ("sources", "s", "subject", "subjects", "po", "predicateobjects", "graphs", "g")
PO_KEYS = ("p", "predicates", "o", "objects", "graphs", "g")
OBJECT_KEYS = ("value", "type", "datatype", "language", "mapping", "condition")
SUBJECT_KEYS = ("value", "type", "graphs", "g")
SOURCE_KEYS = ("access", "referenceFormulation", "iterator", "encoding", "delimiter", "null")
FORMULATIONS = {"jsonpath": "jsonpath", "csv": "csv"}
CONDITION_KEYS = ("function", "parameters")
AUTHOR_KEYS = ("name", "email", "website")
# The singular spellings the reference processor (yarrrml-parser) reads as the plural keys:
# the same meaning, so read as those.
MAPPING_ALIASES = {"source": "sources", "graph": "graphs"}
PO_ALIASES = {"predicate": "predicates", "object": "objects", "graph": "graphs"}
# Known YARRRML features outside the subset: named so the message says "not supported"
# rather than "unknown".
UNSUPPORTED = {
    "targets": "targets (output destinations) are not supported; newskg writes the store",
    "functions": "functions (FnO) are not supported; compute values in the fact loader",
    "fn": "functions (FnO) are not supported; compute values in the fact loader",
    "f": "functions (FnO) are not supported; compute values in the fact loader",
    "parameters": "functions (FnO) are not supported; compute values in the fact loader",
    "condition": "a condition is only supported inside a mapping reference "
    "({mapping: ..., condition: ...})",
    "query": "queries are not supported; only JSON and CSV files",
    "inversepredicates": "inverse predicates are not supported; write the triples from the "
    "other mapping",
}
_PREFIX = re.compile(r"([A-Za-z_][\w.\-]*)?:")


# YARRRML keys of their own meaning, outside the subset: never "corrected" to a subset key
# (`inversepredicates` is not a misspelt `predicates`: it would reverse every triple).
OTHER_KEYS = (
    "inversepredicates",
    "inverse",
    "i",
    "templates",
    "template",
    "language",
    "datatype",
    "quoted",
    "quotedNonAsserted",
    "conditions",
    "security",
    "compression",
)


def _keys_hint(key: str, allowed: tuple[str, ...]) -> str:
    close = did_you_mean(key, [a for a in allowed if a != key], other_words=OTHER_KEYS)
    known = ", ".join(allowed)
    return f"{close} allowed keys: {known}" if close else f"allowed: {known}"


class YarrrmlReader:
    """Reads one YARRRML file into triples maps, collecting diagnostics."""

    def __init__(self, path: Path, default_base: str, diags: Diagnostics) -> None:
        self.path = path
        self.d = diags
        self.base = default_base
        self.prefixes = dict(BUILTIN_PREFIXES)
        self.sources: dict[str, list[LogicalSource]] = {}
        self.formulations: dict[str, str] = {}  # mapping name -> jsonpath or csv
        self.formulation = "jsonpath"  # of the mapping being read
        self.file_location = location_of(path)
        self.external: dict[str, str] = {}  # YARRRML external references: name -> value

    # ------------------------------------------------------------------ top level

    def read(self) -> list[TriplesMap]:
        doc = located_yaml.load(self.path)
        if not isinstance(doc, YDict):
            where = getattr(doc, "location", None) or self.file_location
            self.d.add("a mapping file must be a YAML mapping with a 'mappings' key", where)
            return []
        self.file_location = doc.location
        for key in doc:
            if key not in TOP_KEYS:
                self._bad_key(doc, key, TOP_KEYS, "at the top level")
        if "base" in doc:
            self._read_base(doc)
        if "prefixes" in doc:
            self._read_prefixes(doc)
        if "external" in doc:
            self._read_external(doc)
        if "authors" in doc:
            self._read_authors(doc.get("authors"), doc.value_at("authors"))
        if "sources" in doc:
            self._read_named_sources(doc)
        mappings = doc.get("mappings")
        if not isinstance(mappings, YDict) or not mappings:
            self.d.add(
                "'mappings' must be a non-empty mapping of name -> mapping",
                doc.value_at("mappings") if "mappings" in doc else doc.location,
            )
            return []
        for name, body in mappings.items():
            if isinstance(body, YDict):
                mappings[name] = self._unaliased(body, MAPPING_ALIASES, f"in mapping '{name}'")
        self._read_formulations(mappings)
        out = []
        for name, body in mappings.items():
            tm = self._mapping(name, body, mappings.key_at(name))
            if tm is not None:
                out.append(tm)
        return out

    def _read_formulations(self, mappings: YDict) -> None:
        """Each mapping's reference formulation, known before any mapping is read: a join
        reads the other mapping's records with that mapping's references."""
        problems, self.d = self.d, Diagnostics()  # reported when the mapping itself is read
        for name, body in mappings.items():
            if isinstance(body, YDict) and "sources" in body:
                found = self._mapping_sources(body["sources"], body.value_at("sources"))
                if found:
                    self.formulations[name] = found[0].formulation
        self.d = problems

    def _function(self, node: YDict) -> bool:
        """A term given by a function (FnO) is refused as that, not as an unknown key."""
        if "function" not in node:
            return False
        self.d.add(UNSUPPORTED["functions"], node.key_at("function"), "remove it")
        return True

    def _bad_key(self, node: YDict, key: str, allowed: tuple[str, ...], where: str) -> None:
        if key in UNSUPPORTED:
            self.d.add(UNSUPPORTED[key], node.key_at(key), "remove it")
        else:
            self.d.add(f"unknown key '{key}' {where}", node.key_at(key), _keys_hint(key, allowed))

    def _unaliased(self, node: YDict, aliases: dict[str, str], where: str) -> YDict:
        """``node`` with its singular keys (``source``) read as the plural ones."""
        if not any(k in node for k in aliases):
            return node
        out = YDict()
        out.location, out.key_locations, out.value_locations = node.location, {}, {}
        for key, value in node.items():
            new = aliases.get(key, key)
            if new != key and new in node:
                self.d.add(
                    f"'{new}' and '{key}' are the same key {where}; give only one",
                    node.key_at(key),
                )
                continue
            out[new] = value
            out.key_locations[new] = node.key_at(key)
            out.value_locations[new] = node.value_at(key)
        return out

    def _top_map(self, doc: YDict, key: str, message: str) -> YDict | None:
        """A top-level key that maps names to values, or None (reported) if it does not."""
        value = doc[key]
        if isinstance(value, YDict):
            return value
        self.d.add(message, doc.value_at(key))
        return None

    def _read_external(self, doc: YDict) -> None:
        external = self._top_map(doc, "external", "'external' must map name -> value")
        if external is None:
            return
        for name, value in external.items():
            if type(value) is bool:
                self.external[name] = "true" if value else "false"
            elif isinstance(value, str | int | Decimal):
                self.external[name] = str(value)
            else:
                self.d.add(
                    f"external reference '{name}' must be a text value, not {value!r}",
                    external.value_at(name),
                )

    def _read_authors(self, authors: Any, loc: Location) -> None:
        """Authors describe the mapping, not the data: checked, and nothing is produced."""
        if isinstance(authors, str):
            return
        if not isinstance(authors, YList):
            self.d.add(
                "'authors' must be a list of authors, each a text or "
                "{name: ..., email: ..., website: ...}",
                loc,
            )
            return
        for i, author in enumerate(authors):
            if isinstance(author, YDict):
                for key in author:
                    if key not in AUTHOR_KEYS:
                        self._bad_key(author, key, AUTHOR_KEYS, "in an author")
            elif not isinstance(author, str):
                self.d.add(
                    "an author is a text ('Name <email> (website)', a WebID) or "
                    "{name: ..., email: ..., website: ...}",
                    authors.item_at(i),
                )

    def _read_base(self, doc: YDict) -> None:
        base = doc["base"]
        if not isinstance(base, str) or terms.iri_problem(base):
            self.d.add(
                f"base must be an absolute IRI, not {base!r}",
                doc.value_at("base"),
                "for example https://w3id.org/newskg/",
            )
            return
        self.base = base

    def _read_prefixes(self, doc: YDict) -> None:
        prefixes = self._top_map(doc, "prefixes", "'prefixes' must map prefix -> namespace IRI")
        if prefixes is None:
            return
        for name, iri in prefixes.items():
            if not re.fullmatch(r"([A-Za-z_][\w.\-]*)?", name):
                self.d.add(f"{name!r} is not a valid prefix name", prefixes.key_at(name))
            elif not isinstance(iri, str) or terms.iri_problem(iri):
                self.d.add(
                    f"prefix '{name}' must map to an absolute IRI, not {iri!r}",
                    prefixes.value_at(name),
                )
            else:
                self.prefixes[name] = iri  # user prefixes override the built-in ones

    def _read_named_sources(self, doc: YDict) -> None:
        sources = self._top_map(doc, "sources", "top-level 'sources' must map name -> source")
        if sources is None:
            return
        for name, spec in sources.items():
            src = self._source(spec, sources.value_at(name))
            if src is not None:
                self.sources[name] = [src]

    # ------------------------------------------------------------------ sources

    def _mapping_sources(self, spec: Any, loc: Location) -> list[LogicalSource]:
        if isinstance(spec, str):
            if spec in self.sources:
                return self.sources[spec]
            if "~" in spec or _implied_formulation(spec):
                src = self._source([spec], loc)
                return [src] if src else []
            hint = (
                f"declared sources: {', '.join(self.sources)}"
                if self.sources
                else "declare it under top-level 'sources:' or write [file.json~jsonpath, $.x[*]]"
            )
            self.d.add(f"unknown source '{spec}'", loc, hint)
            return []
        if isinstance(spec, list) and spec and all(isinstance(x, str) for x in spec):
            first = spec[0]
            if first not in self.sources and len(spec) <= 2:
                src = self._source(spec, loc)
                return [src] if src else []
        if isinstance(spec, list) and spec:
            return [
                src for item, iloc in _each(spec, loc) for src in self._mapping_sources(item, iloc)
            ]
        if isinstance(spec, YDict):
            src = self._source(spec, loc)
            return [src] if src else []
        self.d.add(
            "'sources' must be a source name, [file~jsonpath, iterator] or "
            "{access, referenceFormulation, iterator}",
            loc,
        )
        return []

    def _source(self, spec: Any, loc: Location) -> LogicalSource | None:
        if isinstance(spec, list) and 1 <= len(spec) <= 2 and all(isinstance(x, str) for x in spec):
            access, _, formulation = spec[0].partition("~")
            iterator = spec[1] if len(spec) == 2 else "$"
            formulation = formulation or _implied_formulation(access)
            if not formulation:
                self.d.add(
                    f"source '{spec[0]}' does not say its reference formulation",
                    loc,
                    f"write '{spec[0]}~jsonpath' or '{spec[0]}~csv'",
                )
                return None
            is_ylist = isinstance(spec, YList)
            return self._make_source(
                access,
                formulation,
                iterator,
                loc,
                spec.item_at(1) if is_ylist and len(spec) == 2 else loc,
                spec.item_at(0) if is_ylist else loc,
            )
        if isinstance(spec, YDict):
            ok = True
            for key in spec:
                if key not in SOURCE_KEYS:
                    self._bad_key(spec, key, SOURCE_KEYS, "in a source")
                    ok = False
            access = spec.get("access")
            if not isinstance(access, str) or not access:
                self.d.add("a source needs 'access: <file name>'", spec.location)
                return None
            formulation = spec.get("referenceFormulation", _implied_formulation(access))
            iterator = spec.get("iterator", "$")
            if not isinstance(iterator, str):
                self.d.add("'iterator' must be a JSONPath string", spec.value_at("iterator"))
                return None
            if not isinstance(formulation, str):
                formulation = repr(formulation)
            src = self._make_source(
                access,
                formulation,
                iterator,
                spec.location,
                spec.value_at("iterator") if "iterator" in spec else spec.location,
                spec.value_at("referenceFormulation") if "referenceFormulation" in spec else None,
            )
            if src is not None:
                src = self._source_options(spec, src)
            return src if ok else None
        self.d.add(
            "a source must be [file~jsonpath, iterator] or {access, referenceFormulation, "
            "iterator}",
            loc,
        )
        return None

    def _make_source(
        self,
        access: str,
        formulation: str,
        iterator: str,
        loc: Location,
        iterator_loc: Location,
        formulation_loc: Location | None = None,
    ) -> LogicalSource | None:
        found = FORMULATIONS.get(formulation.lower())
        if found is None:
            self.d.add(
                f"reference formulation '{formulation}' is not supported; only jsonpath and csv",
                formulation_loc or loc,
                "newskg maps JSON and CSV files; convert other data to one of them first",
            )
            return None
        root = str(self.path.parent)
        if found == "csv":
            if iterator != "$":
                self.d.add("a CSV source has no iterator: every row is a record", iterator_loc)
                return None
            return LogicalSource(access, "$", loc, "csv", root=root)
        try:
            jsonpath.parse(iterator)
        except jsonpath.JsonPathError as exc:
            self.d.add(f"invalid iterator {iterator!r}: {exc}", iterator_loc)
            return None
        return LogicalSource(access, iterator, loc, root=root)

    def _source_options(self, spec: YDict, src: LogicalSource) -> LogicalSource | None:
        """encoding (utf-8, utf-16), and for CSV delimiter and null (a value or a list)."""
        encoding = spec.get("encoding", "utf-8")
        if not isinstance(encoding, str) or encoding.lower() not in ("utf-8", "utf-16"):
            self.d.add(
                f"encoding must be utf-8 or utf-16, not {encoding!r}", spec.value_at("encoding")
            )
            return None
        delimiter = spec.get("delimiter", ",")
        nulls = [v for v, _ in _each(spec["null"], spec.value_at("null"))] if "null" in spec else []
        if src.formulation != "csv" and ("delimiter" in spec or nulls):
            key = "delimiter" if "delimiter" in spec else "null"
            self.d.add(f"'{key}' is only for CSV sources", spec.key_at(key))
            return None
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            tab = 'a tab is "\\t" in double quotes' if delimiter == "\\t" else None
            self.d.add("delimiter must be one character", spec.value_at("delimiter"), tab)
            return None
        if not all(isinstance(v, str) for v in nulls):
            self.d.add("null values must be strings, such as '' or 'NULL'", spec.value_at("null"))
            return None
        return LogicalSource(
            src.path,
            src.iterator,
            src.location,
            src.formulation,
            encoding.lower(),
            src.compression,
            tuple(nulls),
            delimiter,
            src.root,
        )

    # ------------------------------------------------------------------ mappings

    def _mapping(self, name: str, body: Any, loc: Location) -> TriplesMap | None:
        if not isinstance(body, YDict):
            self.d.add(f"mapping '{name}' must be a YAML mapping", loc)
            return None
        where = f"in mapping '{name}'"
        for key in body:
            if key not in MAPPING_KEYS:
                self._bad_key(body, key, MAPPING_KEYS, where)
        self._one_of(body, ("s", "subject", "subjects"), where)
        self._one_of(body, ("po", "predicateobjects"), where)
        self._one_of(body, ("graphs", "g"), where)
        if "sources" not in body:
            self.d.add(f"mapping '{name}' has no 'sources'", loc, "add sources: [...]")
            sources: list[LogicalSource] = []
        else:
            sources = self._mapping_sources(body["sources"], body.value_at("sources"))
        kinds = {s.formulation for s in sources}
        if len(kinds) > 1:
            self.d.add(
                f"mapping '{name}' reads JSON and CSV sources; a reference means something "
                "else in each",
                body.value_at("sources"),
                "split it into one mapping per kind of source",
            )
        self.formulation = sources[0].formulation if sources else "jsonpath"
        graphs: list[TermMap] = []
        for key in ("graphs", "g"):
            if key in body:
                graphs.extend(self._graphs(body[key], body.value_at(key)))
        subjects: list[TermMap] = []
        subject_key = next((k for k in ("s", "subject", "subjects") if k in body), None)
        if subject_key is None or body[subject_key] is None:
            # YARRRML: no subject means a fresh blank node per record.
            subjects.append(TermMap(loc, "blank", base=self.base, what="subject"))
        else:
            subjects.extend(self._subjects(body[subject_key], body.value_at(subject_key), graphs))
        poms: list[PredicateObjectMap] = []
        po_key = next((k for k in ("po", "predicateobjects") if k in body), None)
        if po_key is not None:
            items = body[po_key]
            if not isinstance(items, YList):
                self.d.add("'po' must be a list", body.value_at(po_key))
            else:
                for i, item in enumerate(items):
                    pom = self._pom(item, items.item_at(i))
                    if pom is not None:
                        poms.append(pom)
        return TriplesMap(
            name=name,
            location=loc,
            sources=tuple(s for s in sources if s is not None),
            subjects=tuple(subjects),
            classes=(),
            graphs=tuple(graphs),
            predicate_objects=tuple(poms),
            flatten_arrays=True,
        )

    def _one_of(self, node: YDict, keys: tuple[str, ...], where: str) -> None:
        present = [k for k in keys if k in node]
        if len(present) > 1:
            self.d.add(
                f"'{present[0]}' and '{present[1]}' are the same key {where}; give only one",
                node.key_at(present[1]),
            )

    # ------------------------------------------------------------------ subjects, graphs

    def _subjects(self, spec: Any, loc: Location, graphs: list[TermMap]) -> list[TermMap]:
        if isinstance(spec, YList):
            if not spec:
                self.d.add("the subject list is empty", loc, "give a subject such as $(iri)")
            out = []
            for i, item in enumerate(spec):
                out.extend(self._subjects(item, spec.item_at(i), graphs))
            return out
        if isinstance(spec, YDict):
            if self._function(spec):
                return []
            for key in spec:
                if key not in SUBJECT_KEYS:
                    self._bad_key(spec, key, SUBJECT_KEYS, "in a subject")
            for key in ("graphs", "g"):
                if key in spec:
                    graphs.extend(self._graphs(spec[key], spec.value_at(key)))
            kind = spec.get("type", "iri")
            value = spec.get("value")
            vloc = spec.value_at("value") if "value" in spec else spec.location
            if kind == "blank":
                if value is None:
                    return [TermMap(vloc, "blank", base=self.base, what="subject")]
                tm = self._literal_like(value, vloc, "blank", "subject")
                return [tm] if tm else []
            if kind != "iri":
                self.d.add(
                    f"a subject's type must be iri or blank, not {kind!r}",
                    spec.value_at("type"),
                    "a subject cannot be a literal",
                )
                return []
            if value is None:
                self.d.add("a subject needs a 'value'", spec.location)
                return []
            tm = self._iri(value, vloc, "subject")
            return [tm] if tm else []
        if isinstance(spec, str):
            tm = self._iri(_strip(spec, "~iri"), loc, "subject")
            return [tm] if tm else []
        self.d.add(f"a subject must be a string or {{value, type}}, not {spec!r}", loc)
        return []

    def _graphs(self, spec: Any, loc: Location) -> list[TermMap]:
        return self._iri_list(spec, loc, "graph")

    def _iri_list(self, spec: Any, loc: Location, what: str) -> list[TermMap]:
        """One IRI string or a list of them (graphs, predicates), each with optional ~iri."""
        out = []
        for item, iloc in _each(spec, loc):
            if isinstance(item, YDict) and self._function(item):
                continue
            if not isinstance(item, str):
                self.d.add(f"a {what} must be an IRI string, not {item!r}", iloc)
                continue
            tm = self._iri(_strip(item, "~iri"), iloc, what)
            if tm:
                out.append(tm)
        return out

    # ------------------------------------------------------------------ predicate-objects

    def _pom(self, item: Any, loc: Location) -> PredicateObjectMap | None:
        if isinstance(item, YList):
            return self._pom_short(item, loc)
        if not isinstance(item, YDict):
            self.d.add("a 'po' entry must be [predicate, object] or {p: ..., o: ...}", loc)
            return None
        item = self._unaliased(item, PO_ALIASES, "in a predicate-object entry")
        for key in item:
            if key not in PO_KEYS:
                self._bad_key(item, key, PO_KEYS, "in a predicate-object entry")
        self._one_of(item, ("p", "predicates"), "in a predicate-object entry")
        self._one_of(item, ("o", "objects"), "in a predicate-object entry")
        self._one_of(item, ("graphs", "g"), "in a predicate-object entry")
        pkey = next((k for k in ("p", "predicates") if k in item), None)
        okey = next((k for k in ("o", "objects") if k in item), None)
        if pkey is None or okey is None:
            self.d.add("a predicate-object entry needs 'p' and 'o'", item.location)
            return None
        predicates = self._predicates(item[pkey], item.value_at(pkey))
        is_type = any(p.constant == RDF_TYPE for p in predicates)
        objects = self._objects(item[okey], item.value_at(okey), is_type)
        graphs: list[TermMap] = []
        for key in ("graphs", "g"):
            if key in item:
                graphs.extend(self._graphs(item[key], item.value_at(key)))
        return PredicateObjectMap(tuple(predicates), tuple(objects), tuple(graphs), loc)

    def _pom_short(self, item: YList, loc: Location) -> PredicateObjectMap | None:
        if len(item) not in (2, 3):
            self.d.add(
                "a shorthand 'po' entry is [predicate, object] or "
                "[predicate, object, datatype-or-language~lang]",
                loc,
            )
            return None
        predicates = self._predicates(item[0], item.item_at(0))
        is_type = any(p.constant == RDF_TYPE for p in predicates)
        extra = item[2] if len(item) == 3 else None
        objects: list[ObjectMap] = []
        for value, vloc in _each(item[1], item.item_at(1)):
            om = self._object_value(value, vloc, is_type, extra, item.item_at(2))
            if om is not None:
                objects.append(om)
        return PredicateObjectMap(tuple(predicates), tuple(objects), (), loc)

    def _predicates(self, spec: Any, loc: Location) -> list[TermMap]:
        return self._iri_list(spec, loc, "predicate")

    def _objects(self, spec: Any, loc: Location, is_type: bool) -> list[ObjectMap]:
        out = []
        for item, iloc in _each(spec, loc):
            if isinstance(item, YList):
                if len(item) != 2:
                    self.d.add("an object list entry is [value, datatype-or-language~lang]", iloc)
                    continue
                om = self._object_value(item[0], item.item_at(0), is_type, item[1], item.item_at(1))
            elif isinstance(item, YDict):
                om = self._object_long(item, is_type)
            else:
                om = self._object_value(item, iloc, is_type, None, iloc)
            if om is not None:
                out.append(om)
        return out

    def _object_value(
        self, value: Any, loc: Location, is_type: bool, extra: Any, extra_loc: Location
    ) -> ObjectMap | None:
        """A shorthand object: `$(x)`, `ex:$(x)~iri`, a constant, with an optional
        datatype or `lang~lang` given separately."""
        if isinstance(value, YDict):
            return self._object_long(value, is_type)
        datatype = language = None
        if extra is not None:
            if not isinstance(extra, str):
                self.d.add(f"expected a datatype or 'tag~lang', not {extra!r}", extra_loc)
            elif extra.endswith("~lang"):
                language = extra[: -len("~lang")]
            else:
                datatype = extra
        kind: TermType = "literal"
        if isinstance(value, str) and value.endswith("~iri"):
            value, kind = value[: -len("~iri")], "iri"
        elif is_type and isinstance(value, str):
            kind = "iri"  # [a, schema:Person]: a class, not a string
        if kind == "iri":
            if datatype is not None or language is not None:
                self.d.add("an IRI object cannot have a datatype or language", extra_loc)
                return None
            return self._iri(value, loc, "object")
        return self._literal(value, loc, datatype, extra_loc, language, extra_loc)

    def _object_long(self, node: YDict, is_type: bool) -> ObjectMap | None:
        if self._function(node):
            return None
        for key in node:
            if key not in OBJECT_KEYS:
                self._bad_key(node, key, OBJECT_KEYS, "in an object")
        if "mapping" in node:
            for key in ("value", "type", "datatype", "language"):
                if key in node:
                    self.d.add(
                        f"'{key}' cannot be combined with 'mapping'",
                        node.key_at(key),
                        "a mapping reference's object is the other mapping's subject",
                    )
            return self._ref(node)
        if "condition" in node:
            self.d.add(
                "'condition' is only allowed with 'mapping'",
                node.key_at("condition"),
            )
        if "value" not in node:
            if node.get("type") == "blank":  # a fresh blank node per record, as for subjects
                return TermMap(node.location, "blank", base=self.base, what="object")
            self.d.add("an object needs 'value' (or 'mapping')", node.location)
            return None
        value, vloc = node["value"], node.value_at("value")
        kind = node.get("type", "iri" if is_type else "literal")
        if kind not in ("iri", "literal", "blank"):
            self.d.add(
                f"an object's type must be iri, literal or blank, not {kind!r}",
                node.value_at("type"),
            )
            return None
        has_extra = "datatype" in node or "language" in node
        if kind != "literal" and has_extra:
            self.d.add(
                f"a {kind} object cannot have a datatype or language",
                node.key_at("datatype" if "datatype" in node else "language"),
                "remove it, or use type: literal",
            )
            return None
        if kind == "iri":
            return self._iri(
                _strip(value, "~iri") if isinstance(value, str) else value, vloc, "object"
            )
        if kind == "blank":
            return self._literal_like(value, vloc, "blank", "object")
        return self._literal(
            value,
            vloc,
            node.get("datatype"),
            node.value_at("datatype"),
            node.get("language"),
            node.value_at("language"),
            typed="type" in node,
        )

    def _ref(self, node: YDict) -> RefObjectMap | None:
        target = node["mapping"]
        loc = node.value_at("mapping")
        if not isinstance(target, str):
            self.d.add(f"'mapping' must name a mapping, not {target!r}", loc)
            return None
        joins: list[Join] = []
        if "condition" in node:
            for cond, cloc in _each(node["condition"], node.value_at("condition")):
                join = self._condition(cond, cloc, self.formulations.get(target, ""))
                if join is None:
                    return None  # reported; not also as a reference without a condition
                joins.append(join)
        return RefObjectMap(target, tuple(joins), loc)

    def _condition(self, cond: Any, loc: Location, parent_formulation: str) -> Join | None:
        if not isinstance(cond, YDict):
            self.d.add("a condition must be {function: equal, parameters: [...]}", loc)
            return None
        for key in cond:
            if key not in CONDITION_KEYS:
                self._bad_key(cond, key, CONDITION_KEYS, "in a condition")
        fn = cond.get("function")
        if fn != "equal":
            self.d.add(
                f"function {fn!r} is not supported in a join condition; only 'equal'",
                cond.value_at("function") if "function" in cond else cond.location,
                "write function: equal with parameters [[str1, $(child)], [str2, $(parent)]]",
            )
            return None
        params = cond.get("parameters")
        ploc = cond.value_at("parameters") if "parameters" in cond else cond.location
        if not isinstance(params, YList) or len(params) != 2:
            self.d.add("'equal' takes two parameters: [[str1, $(child)], [str2, $(parent)]]", ploc)
            return None
        sides: dict[str, TermMap] = {}
        for i, param in enumerate(params):
            iloc = params.item_at(i)
            value = param.get("value") if isinstance(param, YDict) else None
            if isinstance(value, YDict) and self._function(value):  # {value: {function: ..}}
                return None
            if (
                not isinstance(param, YList)
                or len(param) not in (2, 3)
                or not all(isinstance(x, str) for x in param)
            ):
                self.d.add(
                    "a parameter is [str1, $(ref)] (optionally with a third element s or o)",
                    iloc,
                )
                return None
            name, value = param[0], param[1]
            if name not in ("str1", "str2"):
                self.d.add(f"parameter name must be str1 or str2, not {name!r}", iloc)
                return None
            side = param[2] if len(param) == 3 else ("s" if name == "str1" else "o")
            if side not in ("s", "o"):
                self.d.add(f"the third element must be s or o, not {side!r}", param.item_at(2))
                return None
            if side in sides:
                self.d.add("both parameters refer to the same side of the join", iloc)
                return None
            tm = self._literal_like(
                value,
                param.item_at(1),
                "literal",
                "join value",
                parent_formulation if side == "o" else "",
            )
            if tm is None:
                return None
            sides[side] = tm
        return Join(child=sides["s"], parent=sides["o"])

    # ------------------------------------------------------------------ values

    def _parts(
        self, text: str, loc: Location, formulation: str = ""
    ) -> tuple[TemplatePart, ...] | None:
        csv = (formulation or self.formulation) == "csv"
        try:
            parts = parse_yarrrml(
                text, loc, column_path if csv else relative_jsonpath, self.external
            )
        except TemplateError as exc:
            self.d.add(f"malformed template: {exc}", loc, "write references as $(name)")
            return None
        ok = True
        for part in parts:
            if isinstance(part, Reference):
                try:
                    jsonpath.parse(part.path)
                except jsonpath.JsonPathError as exc:
                    self.d.add(f"invalid reference in {text!r}: {exc}", loc)
                    ok = False
        return parts if ok else None

    def _expand(self, text: str, loc: Location, whole: str) -> str | None:
        """Expand a leading CURIE prefix; keep absolute IRIs and relative ones as they are."""
        m = _PREFIX.match(text)
        if not m:
            return text
        prefix = m.group(1) or ""
        rest = text[m.end() :]
        if prefix in self.prefixes:
            return self.prefixes[prefix] + rest
        if rest.startswith("//") or prefix.lower() in KNOWN_SCHEMES:
            return text
        close = did_you_mean(prefix, list(self.prefixes))
        hint = f"{close} " if close else ""
        if prefix in YARRRML_PREDEFINED:
            how = (
                f"YARRRML's default is {prefix}: {YARRRML_PREDEFINED[prefix]}; "
                "newskg assumes only rdf, rdfs, xsd, owl"
            )
        else:
            how = f"{prefix}: https://..."
        self.d.add(
            f"unknown prefix '{prefix}' in {whole!r}",
            loc,
            hint + f"declare it under 'prefixes:' ({how})",
        )
        return None

    def _iri(self, value: Any, loc: Location, what: str) -> TermMap | None:
        if not isinstance(value, str) or not value:
            self.d.add(f"a {what} must be an IRI string, not {value!r}", loc)
            return None
        if what == "predicate" and value == "a":
            return TermMap(loc, "iri", constant=RDF_TYPE, what=what)
        parts = self._parts(value, loc)
        if parts is None:
            return None
        # Only a colon written as such makes a prefixed name: `ex\:o` stays as it is.
        if parts and isinstance(parts[0], str) and _PREFIX.match(value):
            first = self._expand(parts[0], loc, value)
            if first is None:
                return None
            parts = (first, *parts[1:])
        refs = [p for p in parts if isinstance(p, Reference)]
        if not refs:
            iri = "".join(parts)  # type: ignore[arg-type]
            if not terms.is_absolute_iri(iri):
                iri = self.base + iri
            problem = terms.iri_problem(iri)
            if problem:
                self.d.add(f"{value!r} is not a valid IRI: {problem}", loc)
                return None
            return TermMap(loc, "iri", constant=iri, base=self.base, what=what)
        sample = "".join(p if isinstance(p, str) else "x" for p in parts)
        if isinstance(parts[0], str) and not terms.is_absolute_iri(sample):
            sample = self.base + sample
        problem = terms.iri_problem(sample) if isinstance(parts[0], str) else None
        if problem:
            self.d.add(f"template {value!r} cannot give a valid IRI: {problem}", loc)
            return None
        if len(parts) == 1:
            return TermMap(loc, "iri", reference=refs[0], base=self.base, what=what)
        return TermMap(loc, "iri", template=parts, base=self.base, what=what)

    def _literal_like(
        self, value: Any, loc: Location, kind: TermType, what: str, formulation: str = ""
    ) -> TermMap | None:
        """A literal, blank node name or join value: a template, reference or constant."""
        if isinstance(value, bool | int | Decimal):
            pair = terms.natural(value)
            assert pair is not None
            return TermMap(loc, kind, constant=pair[0], base=self.base, what=what)
        if not isinstance(value, str):
            self.d.add(f"expected a string value for the {what}, not {value!r}", loc)
            return None
        parts = self._parts(value, loc, formulation)
        if parts is None:
            return None
        if not parts:
            return TermMap(loc, kind, constant="", base=self.base, what=what)
        if len(parts) == 1 and isinstance(parts[0], Reference):
            return TermMap(loc, kind, reference=parts[0], base=self.base, what=what)
        if all(isinstance(p, str) for p in parts):
            return TermMap(loc, kind, constant="".join(parts), base=self.base, what=what)  # type: ignore[arg-type]
        return TermMap(loc, kind, template=parts, base=self.base, what=what)

    def _prefixed_literal(self, value: Any, loc: Location) -> bool:
        """`[ex:p, ex:o]`: a declared prefix in a literal object is almost always an IRI
        without its `~iri`; engines disagree on it, so it is refused, not guessed."""
        m = _PREFIX.match(value) if isinstance(value, str) else None
        if m is None or (m.group(1) or "") not in self.prefixes or re.search(r"\s", value):
            return False
        escaped = value.replace(":", "\\:", 1)
        self.d.add(
            f"object {value!r} is written like a prefixed name, but an object is a literal "
            "unless it says otherwise",
            loc,
            f"write '{value}~iri' for the IRI, or '{escaped}' for the text {value!r}",
        )
        return True

    def _literal(
        self,
        value: Any,
        loc: Location,
        datatype: Any,
        dt_loc: Location,
        language: Any,
        lang_loc: Location,
        typed: bool = False,
    ) -> TermMap | None:
        if not typed and self._prefixed_literal(value, loc):
            return None
        tm = self._literal_like(value, loc, "literal", "object")
        if tm is None:
            return None
        dt_map = lang_map = None
        if datatype is not None:
            if not isinstance(datatype, str):
                self.d.add(f"a datatype must be an IRI string, not {datatype!r}", dt_loc)
                return None
            dt_map = self._iri(_strip(datatype, "~iri"), dt_loc, "datatype")
            if dt_map is None:
                return None
        elif isinstance(value, bool | int | Decimal):
            # A YAML number or boolean keeps its natural datatype, as a JSON value would.
            pair = terms.natural(value)
            assert pair is not None
            dt_map = TermMap(loc, "iri", constant=pair[1], what="datatype")
        if language is not None:
            if not isinstance(language, str):
                self.d.add(f"a language must be a string such as 'en', not {language!r}", lang_loc)
                return None
            lang_map = self._literal_like(language, lang_loc, "literal", "language")
            if lang_map is None:
                return None
        return TermMap(
            tm.location,
            "literal",
            constant=tm.constant,
            reference=tm.reference,
            template=tm.template,
            datatype=dt_map,
            language=lang_map,
            base=self.base,
            what="object",
        )


def _each(spec: Any, loc: Location) -> list[tuple[Any, Location]]:
    """A value or a list of values (YARRRML allows either almost everywhere), each with
    its location; ``loc`` is the location of a single value."""
    if isinstance(spec, YList):
        return [(item, spec.item_at(i)) for i, item in enumerate(spec)]
    return [(spec, loc)]


def _implied_formulation(name: str) -> str:
    """jsonpath or csv when the file name says it (``data.json``, ``data.csv.gz``)."""
    bare = name.lower()
    for suffix in (".gz", ".zip", ".tar.gz", ".tar.xz"):
        bare = bare.removesuffix(suffix)
    return "jsonpath" if bare.endswith(".json") else "csv" if bare.endswith(".csv") else ""


def _strip(text: Any, suffix: str) -> Any:
    if isinstance(text, str) and text.endswith(suffix):
        return text[: -len(suffix)]
    return text


def read_yarrrml(path: Path, default_base: str, diags: Diagnostics) -> list[TriplesMap]:
    return YarrrmlReader(path, default_base, diags).read()
