"""Run folders of mapping test cases: the W3C RML-Core and RML-IO cases, or YARRRML ones.

A case passes when the engine's quads are isomorphic to the expected N-Quads (blank nodes
matched by structure, named graphs kept apart), or, for a case that expects an error, when
loading or materialising raises :class:`MappingError`. Sources are read from the case folder
by :class:`newskg.mapping.sources.FileSources`.

A YARRRML case with a reference (``reference.rml.ttl``: the RML that yarrrml-parser, the
reference YARRRML processor, writes from the case's YARRRML) expects the quads newskg's
RML-Core reader gives for that RML (:func:`reference_quads`). Such a case is *refused
clearly* when newskg refuses the YARRRML with exactly the error its ``refused.txt`` holds
(each line located in the mapping, naming what is outside the documented subset), and fails
on any other error or on other quads.
"""

from __future__ import annotations

import contextlib
import csv
import re
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from newskg.errors import Diagnostic, Location, MappingError, NotFoundError, location_of
from newskg.mapping.loader import load_mappings
from newskg.mapping.sources import FileSources
from newskg.mapping.terms import is_valid_iri
from newskg.rdf import XSD_STRING, unescape

DEFAULT_CASE_BASE = "http://example.com/"


@dataclass(frozen=True, slots=True)
class CaseFailure:
    case: str
    reason: str


@dataclass(slots=True)
class ConformanceReport:
    """``total`` counts every case; the unsupported ones (XML, SPARQL-queried and database
    sources) and the ones refused clearly (YARRRML cases, see the module) are neither passed
    nor failed."""

    total: int = 0
    passed: int = 0
    failures: list[CaseFailure] = field(default_factory=list)
    unsupported: list[CaseFailure] = field(default_factory=list)
    refused: list[CaseFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.total > len(self.unsupported) and not self.failures

    @property
    def run(self) -> int:
        return self.total - len(self.unsupported)


# --------------------------------------------------------------------------- N-Quads reading

# Tolerant on purpose: expected outputs contain IRIs with spaces (rml:UnsafeIRI) and
# statements without a space before the final dot.
_TERM = re.compile(
    r'\s*(?:<(?P<iri>[^>]*)>|_:(?P<bnode>[A-Za-z0-9_\-.]+)|"(?P<lex>(?:[^"\\]|\\.)*)"'
    r"(?:@(?P<lang>[A-Za-z0-9\-]+)|\^\^<(?P<dt>[^>]*)>)?)"
)


def parse_nquads(text: str) -> list[tuple[Any, ...]]:
    """Quads as rdflib terms (graph None for the default graph)."""
    quads = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pos, found = 0, []
        while True:
            m = _TERM.match(line, pos)
            if not m or m.end() == pos:
                break
            found.append(_term(m))
            pos = m.end()
        rest = line[pos:].strip()
        if rest != "." or len(found) not in (3, 4):
            raise ValueError(f"line {lineno}: cannot read N-Quad {line!r}")
        quads.append(tuple(found) if len(found) == 4 else (*found, None))
    return quads


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(text: str) -> URIRef:
    # rdflib refuses to hash IRIs with spaces (rml:UnsafeIRI output); replace such characters
    # by a marker, the same way on both sides of the comparison.
    return URIRef(_IRI_UNSAFE.sub(lambda m: f"%u{ord(m.group()):04X}", unescape(text)))


def _term(m: re.Match[str]) -> Any:
    if m.group("iri") is not None:
        return _iri(m.group("iri"))
    if m.group("bnode") is not None:
        return BNode(m.group("bnode"))
    lex = unescape(m.group("lex"))
    if m.group("lang"):
        return Literal(lex, lang=m.group("lang"))
    dt = m.group("dt")
    if dt and dt != XSD_STRING:
        return Literal(lex, datatype=_iri(dt))
    return Literal(lex)


def _as_graph(quads: list[tuple[Any, ...]]) -> Graph:
    """Fold the graph name into the predicate so that rdflib's graph isomorphism (which
    handles blank nodes) also distinguishes named graphs."""
    g = Graph()
    for s, p, o, graph in quads:
        pred = p if graph is None else URIRef(f"{p}#in-graph={graph}")
        g.add((s, pred, o))
    return g


def isomorphic_nquads(actual: str, expected: str) -> bool:
    from rdflib.compare import isomorphic

    a, e = set(parse_nquads(actual)), set(parse_nquads(expected))
    if len(a) != len(e):
        return False
    if not any(isinstance(t, BNode) for q in (*a, *e) for t in q):
        return a == e
    return isomorphic(_as_graph(list(a)), _as_graph(list(e)))


def _nquad(q: tuple[str, str, str, str]) -> str:
    s, p, o, g = q
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


# --------------------------------------------------------------------------- runner


def _base_of(row: dict[str, str]) -> str:
    return (row.get("base_iri") or "").strip() or DEFAULT_CASE_BASE


MAPPING_FILES = ("mapping.ttl", "mapping.yml", "mapping.yaml")
OUTPUT_FILES = ("output.nq", "default.nq")
REFERENCE_FILE = "reference.rml.ttl"
REFUSAL_FILE = "refused.txt"
# Sources newskg does not read, recognised in a case's mapping: reported, not failed.
UNSUPPORTED = (
    (re.compile(r"XPath|~xpath|\.xml\b", re.IGNORECASE), "XML sources (XPath)"),
    (re.compile(r"SPARQL_Results|~sparql", re.IGNORECASE), "SPARQL-queried sources"),
    (re.compile(r"SQL2008|d2rq|sqlQuery|tableName|~sql", re.IGNORECASE), "database sources"),
)
_ERROR_EXPECTED = re.compile(r"\*\*Error expected\?\*\*\s*(Yes|No)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    mapping: Path
    base: str
    expect_error: bool
    output: Path | None
    mappings: tuple[Path, ...] = ()  # every mapping file (mapping-1.yml, mapping-2.yml, ...)
    reference: Path | None = None
    refusal: Path | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # "passed", "refused" or "failed"
    reason: str = ""


def run_case(case: Case) -> Outcome:
    """Run one case: passed, refused clearly (a YARRRML case), or failed and why."""
    if case.reference is not None:
        return _run_with_reference(case)
    try:
        ms = load_mappings([case.mapping], base=case.base)
        quads = list(ms.materialise(FileSources(case.mapping.parent)))
    except MappingError as exc:
        if case.expect_error:
            return Outcome("passed")
        return Outcome("failed", f"unexpected error: {exc.render()}")
    except Exception:
        return Outcome("failed", "engine crashed:\n" + traceback.format_exc(limit=6))
    actual = "".join(_nquad(q) for q in quads)
    if case.expect_error:
        also = f" (the case also ships {case.output.name})" if case.output else ""
        return Outcome("failed", f"expected an error{also}, got {len(quads)} quads:\n{actual}")
    assert case.output is not None
    return _compare(actual, case.output.read_text(encoding="utf-8"))


def _compare(actual: str, expected: str) -> Outcome:
    try:
        same = isomorphic_nquads(actual, expected)
    except ValueError as exc:
        return Outcome("failed", f"output does not parse: {exc}\n{actual}")
    if same:
        return Outcome("passed")
    return Outcome(
        "failed", f"output differs.\n--- expected\n{expected.strip()}\n--- actual\n{actual.strip()}"
    )


def _run_with_reference(case: Case) -> Outcome:
    folder = case.mapping.parent
    expected_refusal = (
        case.refusal.read_text(encoding="utf-8").strip() if case.refusal is not None else None
    )
    try:
        ms = load_mappings(case.mappings, base=case.base)
        quads = list(ms.materialise(FileSources(folder)))
    except MappingError as exc:
        said = located_in(exc, folder)
        if said == expected_refusal:
            return Outcome("refused", said.splitlines()[0])
        if expected_refusal is None:
            return Outcome("failed", f"unexpected error:\n{said}")
        return Outcome("failed", f"refused otherwise than {REFUSAL_FILE} says:\n{said}")
    except Exception:
        return Outcome("failed", "engine crashed:\n" + traceback.format_exc(limit=6))
    actual = "".join(_nquad(q) for q in quads)
    if expected_refusal is not None:
        return Outcome("failed", f"expected the refusal in {REFUSAL_FILE}, got {len(quads)} quads")
    if case.output is not None:  # read off the reference by hand, where newskg cannot read it
        return _compare(actual, case.output.read_text(encoding="utf-8"))
    expected, why = reference_quads(case)
    if expected is None:
        return Outcome(
            "failed", f"newskg gave {len(quads)} quads; the reference RML gives none: {why}"
        )
    return _compare(actual, expected)


def located_in(exc: MappingError, folder: Path) -> str:
    """The error as rendered, its locations relative to the case folder."""
    lines = []
    for d in exc.diagnostics:
        where = d.location
        if where is not None:
            shown = Path(where.file)
            with contextlib.suppress(ValueError, OSError):
                shown = shown.resolve().relative_to(folder.resolve())
            where = Location(shown.as_posix(), where.line, where.column)
        lines.append(str(Diagnostic(d.message, where, d.hint)))
    return "\n".join(lines)


# The legacy RML vocabulary yarrrml-parser writes, and RML-Core's.
_LEGACY = (
    "http://semweb.mmlab.be/ns/rml#",
    "http://semweb.mmlab.be/ns/ql#",
    "http://www.w3.org/ns/r2rml#",
)
_RML = "http://w3id.org/rml/"


def reference_quads(case: Case) -> tuple[str | None, str]:
    """The N-Quads of the case's reference RML on its data (read by newskg's RML-Core reader
    after :func:`rml_core_from_legacy`), or None and why it cannot be read."""
    assert case.reference is not None
    try:
        converted = rml_core_from_legacy(case.reference.read_text(encoding="utf-8"))
    except (SyntaxError, ValueError) as exc:  # rdflib's Turtle errors
        return None, f"{REFERENCE_FILE} does not parse: {exc}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reference.ttl"
        path.write_text(converted, encoding="utf-8")
        try:
            ms = load_mappings([path], base=case.base)
            quads = list(ms.materialise(FileSources(case.mapping.parent)))
        except MappingError as exc:
            return None, exc.diagnostics[0].message
    return "".join(_nquad(q) for q in quads), ""


def rml_core_from_legacy(text: str) -> str:
    """RML as yarrrml-parser writes it, in RML-Core: the legacy ``rml:``, ``ql:`` and ``rr:``
    namespaces become ``http://w3id.org/rml/`` (the documented one-line conversion), and a
    string constant where the term is an IRI (a subject, predicate or graph map, or a map
    of term type IRI) becomes that IRI, as RMLMapper reads it."""

    def new(term: Any) -> Any:
        if isinstance(term, URIRef):
            for ns in _LEGACY:
                if term.startswith(ns):
                    return URIRef(_RML + term[len(ns) :])
        return term

    legacy = Graph()
    legacy.parse(data=text, format="turtle")
    g = Graph()
    for s, p, o in legacy:
        g.add((new(s), new(p), new(o)))
    rml = {name: URIRef(_RML + name) for name in ("subjectMap", "predicateMap", "graphMap")}
    iri_maps = {m for prop in rml.values() for m in g.objects(None, prop)}
    iri_maps |= set(g.subjects(URIRef(_RML + "termType"), URIRef(_RML + "IRI")))
    constant = URIRef(_RML + "constant")
    for m in iri_maps:
        for c in list(g.objects(m, constant)):
            if isinstance(c, Literal) and is_valid_iri(str(c)):
                g.remove((m, constant, c))
                g.add((m, constant, URIRef(str(c))))
    return g.serialize(format="turtle")


def run_conformance(directory: Path) -> ConformanceReport:
    """Run every case of a conformance folder: one subfolder per case with a mapping (RML
    Turtle ``mapping.ttl`` or YARRRML ``mapping.yml``), its data, and the expected quads
    (``output.nq`` or ``default.nq``); no expected quads, or a README saying "Error
    expected? Yes", means the case expects an error. ``metadata.csv``, when present, lists
    the cases and their base IRIs."""
    if not directory.is_dir():
        raise NotFoundError(
            "conformance cases folder not found",
            location=location_of(directory),
            hint="pass a folder of test cases (one subfolder per case), such as the W3C "
            "RML-Core or RML-IO cases",
        )
    report = ConformanceReport()
    for case in read_cases(directory):
        report.total += 1
        why = _unsupported(case) if case.reference is None else None
        if why:
            report.unsupported.append(CaseFailure(case.name, why))
            continue
        outcome = run_case(case)
        if outcome.kind == "passed":
            report.passed += 1
        elif outcome.kind == "refused":
            report.refused.append(CaseFailure(case.name, outcome.reason))
        else:
            report.failures.append(CaseFailure(case.name, outcome.reason))
    return report


def _unsupported(case: Case) -> str | None:
    text = case.mapping.read_text(encoding="utf-8", errors="replace")
    for pattern, what in UNSUPPORTED:
        if pattern.search(text):
            return f"{what} are not supported"
    return None


def read_cases(directory: Path) -> list[Case]:
    meta = directory / "metadata.csv"
    if meta.exists():
        with meta.open(encoding="utf-8", newline="") as fh:
            rows = [(row["ID"], _base_of(row)) for row in csv.DictReader(fh) if row.get("ID")]
    else:
        rows = [(p.name, DEFAULT_CASE_BASE) for p in sorted(directory.iterdir()) if p.is_dir()]
    cases = []
    for name, base in rows:
        folder = directory / name
        mapping = next((folder / m for m in MAPPING_FILES if (folder / m).is_file()), None)
        several = tuple(sorted(folder.glob("mapping-*.yml")))
        if mapping is None and several:
            mapping = several[0]
        if mapping is None:
            continue
        output = next((folder / o for o in OUTPUT_FILES if (folder / o).is_file()), None)
        readme = folder / "README.md"
        said = (
            _ERROR_EXPECTED.search(readme.read_text(encoding="utf-8")) if readme.exists() else None
        )
        expect_error = said.group(1).lower() == "yes" if said else output is None
        reference = folder / REFERENCE_FILE
        refusal = folder / REFUSAL_FILE
        cases.append(
            Case(
                name,
                mapping,
                base,
                expect_error,
                output,
                mappings=several or (mapping,),
                reference=reference if reference.is_file() else None,
                refusal=refusal if refusal.is_file() else None,
            )
        )
    return cases
