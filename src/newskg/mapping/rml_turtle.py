"""RML-Core mappings in Turtle (http://w3id.org/rml/) -> mapping model.

rdflib parses the Turtle; this module walks the graph. rdflib forgets where terms came from,
so :class:`_Locator` finds each term's first textual occurrence to give every diagnostic a
file:line:column.

Why this module is long: it is one reader of one format. Every method shares the reader's
state (the parsed graph, the locator and the problems collected so far), and the methods
follow RML-Core from triples maps to term maps; split across modules, one vocabulary would
be read in several places.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from newskg import located_yaml
from newskg.errors import InputError, Location, did_you_mean, location_of
from newskg.mapping import jsonpath, terms
from newskg.mapping.jsonpath import column_path, relative_jsonpath
from newskg.mapping.model import (
    RML,
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
    check,
)
from newskg.mapping.templates import TemplateError, parse_rml
from newskg.rdf import XSD_STRING

SUPPORTED = frozenset(
    RML + name
    for name in [
        "logicalSource",
        "source",
        "path",
        "root",
        "iterator",
        "referenceFormulation",
        "subjectMap",
        "subject",
        "predicateObjectMap",
        "predicate",
        "predicateMap",
        "object",
        "objectMap",
        "graph",
        "graphMap",
        "constant",
        "reference",
        "template",
        "termType",
        "datatype",
        "datatypeMap",
        "language",
        "languageMap",
        "class",
        "parentTriplesMap",
        "joinCondition",
        "child",
        "parent",
        "childMap",
        "parentMap",
        "baseIRI",
        "encoding",
        "compression",
        "null",
    ]
)
R2RML = "http://www.w3.org/ns/r2rml#"
# R2RML terms that RML-Core took over unchanged: read as their rml: twins. rr:column names a
# column as rml:reference does.
R2RML_ALIASES: dict[str, str] = {
    R2RML + name: RML + name
    for name in [
        *(n[len(RML) :] for n in SUPPORTED if n != RML + "baseIRI"),
        "TriplesMap",
        "SubjectMap",
        "PredicateMap",
        "ObjectMap",
        "GraphMap",
        "PredicateObjectMap",
        "RefObjectMap",
        "Join",
        "IRI",
        "BlankNode",
        "Literal",
        "defaultGraph",
    ]
} | {R2RML + "column": RML + "reference"}
# R2RML terms with no RML-Core equivalent here: refused by name, never ignored.
R2RML_REFUSED = {
    "logicalTable": "R2RML's database table; newskg reads files: use rml:logicalSource",
    "tableName": "R2RML's database table; newskg reads files: use rml:logicalSource",
    "sqlQuery": "R2RML's SQL query; newskg reads files: use rml:logicalSource",
    "sqlVersion": "R2RML's SQL version; newskg reads files: use rml:logicalSource",
    "inverseExpression": "R2RML's inverse expression is not supported",
}
LEGACY = {
    "http://semweb.mmlab.be/ns/rml#": "legacy RML",
    "http://semweb.mmlab.be/ns/ql#": "legacy RML query language",
}
CONVERT = (
    "convert it to RML-Core with: sed -i -e 's|http://semweb.mmlab.be/ns/rml#|"
    "http://w3id.org/rml/|g' -e 's|http://semweb.mmlab.be/ns/ql#|http://w3id.org/rml/|g' "
    "-e 's|http://www.w3.org/ns/r2rml#|http://w3id.org/rml/|g' FILE"
)
# Properties outside RML that say nothing about the output (labels, comments, provenance).
ANNOTATION_NAMESPACES = (
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "http://www.w3.org/2004/02/skos/core#",
)
FORMULATIONS = {RML + "JSONPath": "jsonpath", RML + "CSV": "csv"}
ENCODING_TERMS = {RML + "UTF-8": "utf-8", RML + "UTF-16": "utf-16"}
COMPRESSION_TERMS = {
    RML + "none": "none",
    RML + "gzip": "gzip",
    RML + "zip": "zip",
    RML + "targz": "targz",
    RML + "tarxz": "tarxz",
}
TERM_TYPES: dict[str, TermType] = {
    RML + "IRI": "iri",
    RML + "URI": "uri",
    RML + "UnsafeIRI": "unsafe_iri",
    RML + "BlankNode": "blank",
    RML + "Literal": "literal",
}
_R = {name: URIRef(RML + name) for name in (n[len(RML) :] for n in SUPPORTED)}
_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([\w.\-]*):\s*<([^>]*)>", re.IGNORECASE)
_BASE_DECL = re.compile(r"(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)


class _Locator:
    """First textual occurrence of a term in the Turtle source, as a Location."""

    def __init__(self, text: str, file: str, base: str = "") -> None:
        self.text = text
        self.file = file
        self.prefixes = [(p, ns) for p, ns in _PREFIX_DECL.findall(text)]
        # Relative IRIs (<#Map>) resolve against @base, or the base the file is parsed with.
        self.bases = [b for b in [*_BASE_DECL.findall(text), base] if b]

    def at(self, index: int) -> Location:
        line = self.text.count("\n", 0, index) + 1
        col = index - self.text.rfind("\n", 0, index)
        return Location(self.file, line, col)

    def _find(self, needles: list[str], definition: bool = False) -> Location | None:
        for needle in needles:
            if definition:  # a subject at the start of a line: where a resource is defined
                m = re.search(rf"^[ \t]*{re.escape(needle)}", self.text, re.MULTILINE)
                if m:
                    return self.at(m.end() - len(needle))
                continue
            i = self.text.find(needle)
            if i >= 0:
                return self.at(i)
        return None

    def iri_needles(self, iri: str) -> list[str]:
        out = self._spellings(iri)
        if iri.startswith(RML):  # a term read through its R2RML alias is written that way
            name = iri[len(RML) :]
            out += self._spellings(R2RML + ("column" if name == "reference" else name))
            if name == "reference":
                out += self._spellings(R2RML + "reference")
        return out

    def _spellings(self, iri: str) -> list[str]:
        out = [f"<{iri}>"]
        for base in self.bases:
            if iri.startswith(base) and len(iri) > len(base):
                out.append(f"<{iri[len(base) :]}>")
        for prefix, ns in self.prefixes:
            if ns and iri.startswith(ns):
                out.append(f"{prefix}:{iri[len(ns) :]}")
        return out

    def term(self, term: Node, definition: bool = False) -> Location | None:
        if isinstance(term, URIRef):
            needles = self.iri_needles(str(term))
            if definition:
                return self._find(needles, True) or self._find(needles)
            return self._find(needles)
        if isinstance(term, Literal):
            lex = str(term)
            escaped = lex.replace("\\", "\\\\").replace('"', '\\"')
            return self._find([f'"{escaped}"', f'"{lex}"', lex])
        return None


class RmlTurtleReader:
    def __init__(self, path: Path, default_base: str, diags: Diagnostics) -> None:
        self.path = path
        self.d = diags
        self.default_base = default_base
        self.file_location = location_of(path)
        self.g = Graph()
        self.loc = _Locator("", self.file_location.file)
        self.names: dict[Node, str] = {}
        self.formulation = "jsonpath"  # of the triples map being read

    # ------------------------------------------------------------------ entry

    def read(self) -> list[TriplesMap]:
        try:
            text = located_yaml.read_text(self.path)
        except InputError as exc:  # missing, unreadable, not UTF-8 or oversized
            self.d.items.extend(exc.diagnostics)
            return []
        self.loc = _Locator(text, self.file_location.file, self.default_base)
        try:
            self.g.parse(data=text, format="turtle", publicID=self.default_base)
        except Exception as exc:  # rdflib raises several unrelated types for bad syntax
            self.d.add(f"Turtle syntax error: {_why(exc)}", self._syntax_location(exc, text))
            return []
        if self._legacy(text):
            return []
        self._read_aliases()
        self._check_vocabulary()
        nodes = set(self.g.subjects(RDF.type, URIRef(RML + "TriplesMap")))
        nodes |= set(self.g.subjects(_R["logicalSource"], None))
        nodes |= {o for o in self.g.objects(None, _R["parentTriplesMap"])}
        ordered = sorted(nodes, key=self._order)
        for i, node in enumerate(ordered):
            self.names[node] = str(node) if isinstance(node, URIRef) else f"_:triplesmap{i + 1}"
        out = []
        for node in ordered:
            tm = self._triples_map(node)
            if tm is not None:
                out.append(tm)
        if not ordered:
            self.d.add("no rml:TriplesMap found", self.file_location)
        return out

    def _syntax_location(self, exc: Exception, text: str) -> Location:
        raw, index = getattr(exc, "_str", None), getattr(exc, "_i", None)
        if isinstance(raw, bytes) and isinstance(index, int):
            if index < 0:  # rdflib's "end of input"
                index = len(raw)
            line = raw.count(b"\n", 0, index) + 1
            col = index - raw.rfind(b"\n", 0, index)
            return Location(self.file_location.file, line, col)
        m = re.search(r"line (\d+)", str(exc))
        return Location(self.file_location.file, int(m.group(1)) if m else 0, 1 if m else 0)

    def _order(self, node: Node) -> tuple[int, int, str]:
        where = self._where(node)
        return (where.line, where.column, str(node))

    def _where(self, node: Node, fallback: Location | None = None) -> Location:
        """Location of a resource: an IRI's defining occurrence, or for a blank node the
        first of its values that can be found in the text."""
        return self._find_where(node, set()) or fallback or self.file_location

    def _find_where(self, node: Node, seen: set[Node]) -> Location | None:
        found = self.loc.term(node, definition=True)
        if found:
            return found
        if isinstance(node, BNode):
            seen.add(node)  # blank nodes can form a cycle (_:a ex:p _:b . _:b ex:q _:a)
            for pred in (
                "template",
                "reference",
                "constant",
                "path",
                "iterator",
                "parentTriplesMap",
                "child",
                "parent",
                "predicate",
                "class",
                "termType",
                "language",
                "datatype",
                "object",
                "subject",
            ):
                for value in self.g.objects(node, _R[pred]):
                    hit = self.loc.term(value)
                    if hit:
                        return hit
            for value in self.g.objects(node, None):
                if isinstance(value, BNode) and value not in seen:
                    hit = self._find_where(value, seen)
                    if hit:
                        return hit
        return None

    def _legacy(self, text: str) -> bool:
        """A mapping in the legacy RML vocabulary is named as such, with how to convert it:
        read as RML-Core it would find nothing, or half of it."""
        for ns, what in LEGACY.items():
            if any(ns in str(t) for triple in self.g for t in triple):
                needles = [f"<{ns}"] + [f"{p}:" for p, n in self.loc.prefixes if n == ns]
                where = next((self.loc.at(text.index(x)) for x in needles if x in text), None)
                self.d.add(
                    f"this mapping uses the {what} vocabulary <{ns}>; newskg reads RML-Core "
                    f"<{RML}>",
                    where or self.file_location,
                    CONVERT,
                )
                return True
        return False

    def _read_aliases(self) -> None:
        """R2RML terms that RML-Core kept are read as their rml: twins; the others are
        refused by name."""
        renamed = []
        for triple in self.g:
            new = tuple(
                URIRef(R2RML_ALIASES[str(t)]) if str(t) in R2RML_ALIASES else t for t in triple
            )
            if new != triple:
                renamed.append((triple, new))
            pred = str(triple[1])
            if pred.startswith(R2RML) and pred not in R2RML_ALIASES:
                name = pred[len(R2RML) :]
                self.d.add(
                    f"rr:{name} is not supported: "
                    + R2RML_REFUSED.get(name, "it has no RML-Core equivalent"),
                    self.loc.term(triple[1]) or self.file_location,
                    "newskg reads RML-Core (http://w3id.org/rml/) and the R2RML terms it kept",
                )
        for old, new in renamed:
            self.g.remove(old)
            self.g.add(new)  # type: ignore[arg-type]

    def _check_vocabulary(self) -> None:
        """Every property of a mapping resource is understood: an rml: term newskg reads, or
        rdf:type, or an annotation. Anything else would be dropped without a word."""
        seen: set[Node] = set()
        mapping_nodes = {s for s, p, _ in self.g if str(p).startswith(RML)}
        for subj, pred, _ in self.g:
            iri = str(pred)
            if pred in seen or iri.startswith(R2RML):
                continue
            if iri.startswith(RML):
                if iri in SUPPORTED:
                    continue
                seen.add(pred)
                self.d.add(
                    f"rml:{iri[len(RML) :]} is not supported",
                    self.loc.term(pred) or self.file_location,
                    "newskg supports the RML-Core features listed in docs/mapping-language.md",
                )
                continue
            if subj not in mapping_nodes or pred == RDF.type:
                continue
            if iri.startswith(ANNOTATION_NAMESPACES):
                continue
            seen.add(pred)
            local = re.split(r"[/#]", iri)[-1]
            close = did_you_mean(local, [n[len(RML) :] for n in SUPPORTED])
            hint = (
                close.replace("'", "'rml:", 1) if close else None
            ) or "use the rml: terms listed in docs/mapping-language.md"
            self.d.add(
                f"<{iri}> is not an RML-Core property; newskg does not know what it means "
                "on a mapping",
                self.loc.term(pred) or self.file_location,
                hint,
            )

    # ------------------------------------------------------------------ helpers

    def _one(self, node: Node, name: str, where: Location) -> Node | None:
        values = sorted(self.g.objects(node, _R[name]), key=str)
        if len(values) > 1:
            self.d.add(f"more than one rml:{name}", self.loc.term(values[1]) or where)
        return values[0] if values else None

    def _string(self, node: Node, name: str, where: Location) -> tuple[str, Location] | None:
        value = self._one(node, name, where)
        if value is None:
            return None
        loc = self.loc.term(value) or where
        if not isinstance(value, Literal):
            self.d.add(f"rml:{name} must be a string", loc)
            return None
        return str(value), loc

    # ------------------------------------------------------------------ triples maps

    def _triples_map(self, node: Node) -> TriplesMap | None:
        where = self._where(node)
        name = self.names[node]
        base = self.default_base
        base_node = self._one(node, "baseIRI", where)
        if base_node is not None:
            if terms.iri_problem(str(base_node)):
                self.d.add(f"rml:baseIRI {str(base_node)!r} is not an absolute IRI", where)
            else:
                base = str(base_node)
        self.formulation = self._formulation_of(node)
        source = self._logical_source(node, where)
        subject_nodes = sorted(self.g.objects(node, _R["subjectMap"]), key=self._order)
        subject_consts = sorted(self.g.objects(node, _R["subject"]), key=str)
        count = len(subject_nodes) + len(subject_consts)
        subjects: list[TermMap] = []
        classes: list[str] = []
        graphs: list[TermMap] = []
        if count == 0:
            self.d.add(
                f"triples map {_show(name)} has no rml:subjectMap",
                where,
                "every triples map needs exactly one subject map",
            )
        elif count > 1:
            self.d.add(
                f"triples map {_show(name)} has {count} subject maps",
                self._where(subject_nodes[1], where) if len(subject_nodes) > 1 else where,
                "every triples map needs exactly one subject map",
            )
        else:
            if subject_consts:
                subjects.append(self._constant(subject_consts[0], where, "subject", base))
            else:
                smap = subject_nodes[0]
                swhere = self._where(smap, where)
                tm = self._term_map(smap, "subject", base, swhere)
                if tm is not None:
                    subjects.append(tm)
                for cls in sorted(self.g.objects(smap, _R["class"]), key=str):
                    if not isinstance(cls, URIRef):
                        self.d.add("rml:class must be an IRI", self.loc.term(cls) or swhere)
                    else:
                        classes.append(str(cls))
                graphs = self._graphs(smap, base, swhere)
        poms = []
        for pnode in sorted(self.g.objects(node, _R["predicateObjectMap"]), key=self._order):
            pom = self._pom(pnode, base, self._where(pnode, where))
            if pom is not None:
                poms.append(pom)
        if source is None or not subjects:
            # Reported already; still check what the map's other parts say, so that every
            # problem of the file comes out in one pass (joins need a whole map: skipped).
            partial = [
                PredicateObjectMap(
                    pom.predicates,
                    tuple(o for o in pom.objects if isinstance(o, TermMap)),
                    pom.graphs,
                    pom.location,
                )
                for pom in poms
            ]
            check(
                [TriplesMap(name, where, (), (), (), tuple(graphs), tuple(partial), False)],
                self.d,
            )
            return None
        return TriplesMap(
            name=name,
            location=where,
            sources=(source,),
            subjects=tuple(subjects),
            classes=tuple(classes),
            graphs=tuple(graphs),
            predicate_objects=tuple(poms),
            flatten_arrays=False,
        )

    def _logical_source(self, node: Node, where: Location) -> LogicalSource | None:
        ls = self._one(node, "logicalSource", where)
        if ls is None:
            self.d.add(f"triples map {_show(self.names[node])} has no rml:logicalSource", where)
            return None
        lwhere = self._where(ls, where)
        src = self._one(ls, "source", lwhere)
        path: str | None = None
        root = str(self.path.parent)
        encoding, compression, nulls = "utf-8", "", ()
        if isinstance(src, Literal):
            path = str(src)
        elif src is not None:
            found = self._string(src, "path", lwhere)
            root_node = self._one(src, "root", lwhere)
            if root_node == URIRef(RML + "CurrentWorkingDirectory"):
                root = "."
            elif root_node is not None and root_node != URIRef(RML + "MappingDirectory"):
                self.d.add(
                    "rml:root must be rml:MappingDirectory or rml:CurrentWorkingDirectory",
                    self.loc.term(root_node) or lwhere,
                )
            if found is not None:
                path = found[0]
            encoding = self._choice(src, "encoding", ENCODING_TERMS, "utf-8", lwhere)
            compression = self._choice(src, "compression", COMPRESSION_TERMS, "", lwhere)
            nulls = tuple(str(v) for v in sorted(self.g.objects(src, _R["null"]), key=str))
        if path is None:
            self.d.add("the logical source has no rml:source path", lwhere)
            return None
        formulation = self._formulation(ls, lwhere)
        if formulation is None:
            return None
        if formulation == "csv":
            if (ls, _R["iterator"], None) in self.g:
                self.d.add(
                    "a CSV source has no rml:iterator: every row is a record",
                    self._where(ls, lwhere),
                    "remove rml:iterator",
                )
                return None
            return LogicalSource(path, "$", lwhere, "csv", encoding, compression, nulls, root=root)
        if nulls:
            self.d.add("rml:null is only for CSV sources", lwhere, "remove it")
        found_it = self._string(ls, "iterator", lwhere)
        iterator, iloc = found_it if found_it else ("$", lwhere)
        try:
            jsonpath.parse(iterator)
        except jsonpath.JsonPathError as exc:
            self.d.add(f"invalid JSONPath iterator {iterator!r}: {exc}", iloc)
            return None
        return LogicalSource(path, iterator, lwhere, "jsonpath", encoding, compression, root=root)

    def _formulation(self, ls: Node, where: Location) -> str | None:
        """jsonpath or csv: said by rml:referenceFormulation, or by a .json/.csv name."""
        formulation = self._one(ls, "referenceFormulation", where)
        if formulation is not None:
            found = FORMULATIONS.get(str(formulation))
            if found is None:
                self.d.add(
                    f"reference formulation {formulation.n3()} is not supported; "
                    "only rml:JSONPath and rml:CSV",
                    self.loc.term(formulation) or where,
                )
            return found
        src = self._one(ls, "source", where)
        path = str(src) if isinstance(src, Literal) else ""
        if src is not None and not isinstance(src, Literal):
            found_path = self._one(src, "path", where)
            path = str(found_path) if found_path is not None else ""
        bare = path.lower()
        for suffix in (".gz", ".zip", ".tar.gz", ".tar.xz"):
            bare = bare.removesuffix(suffix)
        if bare.endswith(".json"):
            return "jsonpath"
        if bare.endswith(".csv"):
            return "csv"
        self.d.add(
            "the logical source needs rml:referenceFormulation (rml:JSONPath or rml:CSV)",
            where,
        )
        return None

    def _choice(
        self, node: Node, name: str, allowed: dict[str, str], default: str, where: Location
    ) -> str:
        value = self._one(node, name, where)
        if value is None:
            return default
        found = allowed.get(str(value))
        if found is None:
            names = ", ".join("rml:" + k[len(RML) :] for k in allowed)
            self.d.add(
                f"rml:{name} {value.n3()} is not supported",
                self.loc.term(value) or where,
                f"use one of {names}",
            )
            return default
        return found

    def _formulation_of(self, tm_node: Node) -> str:
        """The reference formulation a triples map's references are read with."""
        ls = next(iter(self.g.objects(tm_node, _R["logicalSource"])), None)
        if ls is None:
            return "jsonpath"
        before = len(self.d.items)
        found = self._formulation(ls, self.file_location)
        del self.d.items[before:]  # reported where the logical source is read
        return found or "jsonpath"

    def _term_maps(self, node: Node, what: str, base: str, where: Location) -> list[TermMap]:
        """The constant shortcuts (rml:graph, rml:predicate) then the term maps
        (rml:graphMap, rml:predicateMap) of ``node``; those that failed are reported."""
        out = [
            self._constant(c, where, what, base)
            for c in sorted(self.g.objects(node, _R[what]), key=str)
        ]
        for mnode in sorted(self.g.objects(node, _R[what + "Map"]), key=self._order):
            tm = self._term_map(mnode, what, base, self._where(mnode, where))
            if tm is not None:
                out.append(tm)
        return out

    def _graphs(self, node: Node, base: str, where: Location) -> list[TermMap]:
        return self._term_maps(node, "graph", base, where)

    def _pom(self, node: Node, base: str, where: Location) -> PredicateObjectMap | None:
        predicates = self._term_maps(node, "predicate", base, where)
        objects: list[ObjectMap] = [
            self._constant(o, where, "object", base)
            for o in sorted(self.g.objects(node, _R["object"]), key=str)
        ]
        for onode in sorted(self.g.objects(node, _R["objectMap"]), key=self._order):
            owhere = self._where(onode, where)
            if (onode, _R["joinCondition"], None) in self.g and (
                onode,
                _R["parentTriplesMap"],
                None,
            ) not in self.g:
                self.d.add(
                    "a join condition without rml:parentTriplesMap",
                    owhere,
                    "name the triples map to join with: rml:parentTriplesMap <#Map>",
                )
            elif (onode, _R["parentTriplesMap"], None) in self.g:
                ref = self._ref_object(onode, owhere)
                if ref is not None:
                    objects.append(ref)
            else:
                tm = self._term_map(onode, "object", base, owhere)
                if tm is not None:
                    objects.append(tm)
        # Only when none was written: a map that failed to compile has been reported.
        if not any(self.g.objects(node, _R["predicate"])) and not any(
            self.g.objects(node, _R["predicateMap"])
        ):
            self.d.add("a predicate-object map has no predicate", where)
        if not any(self.g.objects(node, _R["object"])) and not any(
            self.g.objects(node, _R["objectMap"])
        ):
            self.d.add("a predicate-object map has no object", where)
        return PredicateObjectMap(
            tuple(predicates), tuple(objects), tuple(self._graphs(node, base, where)), where
        )

    def _ref_object(self, node: Node, where: Location) -> RefObjectMap | None:
        parent = self._one(node, "parentTriplesMap", where)
        if parent is None or parent not in self.names:
            self.d.add("rml:parentTriplesMap does not name a triples map", where)
            return None
        joins = []
        for jnode in sorted(self.g.objects(node, _R["joinCondition"]), key=self._order):
            jwhere = self._where(jnode, where)
            child = self._join_side(jnode, "child", jwhere, self.formulation)
            par = self._join_side(jnode, "parent", jwhere, self._formulation_of(parent))
            if child is not None and par is not None:
                joins.append(Join(child, par))
        return RefObjectMap(self.names[parent], tuple(joins), where)

    def _join_side(
        self, node: Node, side: str, where: Location, formulation: str
    ) -> TermMap | None:
        found = self._string(node, side, where)
        map_node = self._one(node, side + "Map", where)
        if (found is None) == (map_node is None):
            self.d.add(f"a join condition needs exactly one of rml:{side} and rml:{side}Map", where)
            return None
        if found is not None:
            ref = self._reference(found[0], found[1], formulation)
            return TermMap(found[1], "literal", reference=ref, what="join value") if ref else None
        assert map_node is not None
        return self._term_map(map_node, "join value", "", self._where(map_node, where), formulation)

    # ------------------------------------------------------------------ term maps

    def _reference(self, path: str, loc: Location, formulation: str = "") -> Reference | None:
        """A reference as a JSONPath: a CSV column name becomes ``$['name']``; a JSONPath
        without ``$`` (``name``, ``a.b``) is relative to the record, as ``$.name``."""
        if (formulation or self.formulation) == "csv":
            return Reference(column_path(path), loc)
        absolute = path if path.startswith("$") else relative_jsonpath(path)
        try:
            jsonpath.parse(absolute)
        except jsonpath.JsonPathError as exc:
            self.d.add(f"invalid JSONPath reference {path!r}: {exc}", loc)
            return None
        return Reference(absolute, loc)

    def _constant(self, value: Node, where: Location, what: str, base: str) -> TermMap:
        """A constant shortcut (rml:subject, rml:predicate, rml:object, rml:graph)."""
        loc = self.loc.term(value) or where
        if isinstance(value, URIRef):
            return TermMap(loc, "iri", constant=str(value), base=base, what=what)
        if isinstance(value, Literal):
            return self._literal_constant(value, loc, what, base)
        self.d.add(f"a constant {what} cannot be a blank node", loc)
        return TermMap(loc, "iri", constant="urn:invalid", base=base, what=what)

    def _literal_constant(self, value: Literal, loc: Location, what: str, base: str) -> TermMap:
        dt = lang = None
        if value.language:
            lang = TermMap(loc, "literal", constant=value.language, what="language")
        elif value.datatype is not None and str(value.datatype) != XSD_STRING:
            dt = TermMap(loc, "iri", constant=str(value.datatype), what="datatype")
        return TermMap(
            loc, "literal", constant=str(value), datatype=dt, language=lang, base=base, what=what
        )

    def _term_map(
        self, node: Node, what: str, base: str, where: Location, formulation: str = ""
    ) -> TermMap | None:
        if isinstance(node, Literal):
            self.d.add(f"{_a(what)} map must be a resource, not a literal", where)
            return None
        constant = self._one(node, "constant", where)
        reference = self._string(node, "reference", where)
        template = self._string(node, "template", where)
        kinds = sum(x is not None for x in (constant, reference, template))
        term_type = self._term_type(node, where)
        if kinds > 1:
            self.d.add(
                f"{_a(what)} map has more than one of rml:constant, rml:reference, rml:template",
                where,
            )
            return None
        extra = self._literal_extras(node, where, base)
        if extra is None:
            return None
        datatype, language = extra
        if constant is not None:
            tm = self._constant(constant, where, what, base)
            wanted = term_type
            natural = "literal" if isinstance(constant, Literal) else "iri"
            if natural == "literal" and what == "datatype":
                self.d.add(
                    f"a datatype must be an IRI, not the literal {constant.n3()}",
                    tm.location,
                    "write the datatype as an IRI, e.g. xsd:date",
                )
                return None
            if wanted is not None and not (
                wanted == natural or (natural == "iri" and wanted in ("iri", "uri", "unsafe_iri"))
            ):
                self.d.add(
                    f"constant {constant.n3()} cannot have rml:termType {_TERM_TYPE_NAMES[wanted]}",
                    tm.location,
                    "a constant is already an RDF term; remove rml:termType or use a template",
                )
                return None
            if datatype is not None or language is not None:
                if natural != "literal":
                    self.d.add("a constant IRI cannot have a datatype or language", where)
                    return None
                return TermMap(
                    tm.location,
                    "literal",
                    constant=tm.constant,
                    datatype=datatype or tm.datatype,
                    language=language or tm.language,
                    base=base,
                    what=what,
                )
            return tm
        ref = tmpl = None
        loc = where
        if reference is not None:
            loc = reference[1]
            ref = self._reference(reference[0], loc, formulation)
            if ref is None:
                return None
        elif template is not None:
            loc = template[1]
            try:
                tmpl = parse_rml(template[0], loc)
            except TemplateError as exc:
                self.d.add(f"invalid template: {exc}", loc)
                return None
            converted: list[TemplatePart] = []
            for part in tmpl:
                if isinstance(part, Reference):
                    found_ref = self._reference(part.path, loc, formulation)
                    if found_ref is None:
                        return None
                    converted.append(found_ref)
                else:
                    converted.append(part)
            tmpl = tuple(converted)
        if term_type is None:
            if (what == "object" and (ref is not None or datatype or language)) or what in (
                "join value",
                "language",
            ):
                term_type = "literal"
            else:
                term_type = "iri"
        if kinds == 0 and not (term_type == "blank" and what in ("subject", "object")):
            # A fresh blank node only when asked for: an empty map is a mistake.
            fresh = " (or rml:termType rml:BlankNode for a fresh blank node)"
            self.d.add(
                f"{_a(what)} map needs rml:constant, rml:reference or rml:template",
                where,
                "give one of them" + (fresh if what in ("subject", "object") else ""),
            )
            return None
        if tmpl is not None and term_type == "iri" and tmpl and isinstance(tmpl[0], str):
            sample = "".join(p if isinstance(p, str) else "x" for p in tmpl)
            candidate = sample if terms.is_absolute_iri(sample) else base + sample
            problem = terms.iri_problem(candidate)
            if problem:
                self.d.add(f"template {template[0]!r} cannot give a valid IRI: {problem}", loc)  # type: ignore[index]
                return None
        return TermMap(
            loc,
            term_type,
            reference=ref,
            template=tmpl,
            datatype=datatype,
            language=language,
            base=base,
            what=what,
        )

    def _term_type(self, node: Node, where: Location) -> TermType | None:
        value = self._one(node, "termType", where)
        if value is None:
            return None
        tt = TERM_TYPES.get(str(value))
        if tt is None:
            self.d.add(
                f"unknown rml:termType {value.n3()}",
                self.loc.term(value) or where,
                "use rml:IRI, rml:BlankNode or rml:Literal",
            )
        return tt

    def _literal_extras(
        self, node: Node, where: Location, base: str
    ) -> tuple[TermMap | None, TermMap | None] | None:
        datatype = language = None
        dt = self._one(node, "datatype", where)
        if dt is not None:
            if not isinstance(dt, URIRef):
                self.d.add("rml:datatype must be an IRI", self.loc.term(dt) or where)
                return None
            datatype = TermMap(self.loc.term(dt) or where, "iri", constant=str(dt), what="datatype")
        dt_map = self._one(node, "datatypeMap", where)
        if dt_map is not None:
            datatype = self._term_map(dt_map, "datatype", base, self._where(dt_map, where))
            if datatype is None:
                return None
        lang = self._string(node, "language", where)
        if lang is not None:
            language = TermMap(lang[1], "literal", constant=lang[0], what="language")
        lang_map = self._one(node, "languageMap", where)
        if lang_map is not None:
            language = self._term_map(lang_map, "language", base, self._where(lang_map, where))
            if language is None:
                return None
        return datatype, language


_TERM_TYPE_NAMES = {v: "rml:" + k[len(RML) :] for k, v in TERM_TYPES.items()}


def _a(what: str) -> str:
    return ("an " if what[0] in "aeiou" else "a ") + what


def _show(name: str) -> str:
    return name if name.startswith("_:") else f"<{name}>"


def _why(exc: Exception) -> str:
    why = getattr(exc, "_why", None)
    if isinstance(why, str):
        return why
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__


def read_rml_turtle(path: Path, default_base: str, diags: Diagnostics) -> list[TriplesMap]:
    return RmlTurtleReader(path, default_base, diags).read()
