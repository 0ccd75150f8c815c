"""Run folders of mapping test cases: the W3C RML-Core and RML-IO cases, or YARRRML ones.

A case passes when the engine's quads are isomorphic to the expected N-Quads (blank nodes
matched by structure, named graphs kept apart), or, for a case that expects an error, when
loading or materialising raises :class:`MappingError`. Sources are read from the case folder
by :class:`newskg.mapping.sources.FileSources`.
"""

from __future__ import annotations

import csv
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from newskg.errors import MappingError, NotFoundError, location_of
from newskg.mapping.loader import load_mappings
from newskg.mapping.sources import FileSources
from newskg.rdf import XSD_STRING, unescape

DEFAULT_CASE_BASE = "http://example.com/"


@dataclass(frozen=True, slots=True)
class CaseFailure:
    case: str
    reason: str


@dataclass(slots=True)
class ConformanceReport:
    """``total`` counts every case; the unsupported ones (XML, SPARQL-queried and database
    sources) are neither passed nor failed."""

    total: int = 0
    passed: int = 0
    failures: list[CaseFailure] = field(default_factory=list)
    unsupported: list[CaseFailure] = field(default_factory=list)

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


def run_case(case: Case) -> str | None:
    """None if the case passes, else why it failed."""
    try:
        ms = load_mappings([case.mapping], base=case.base)
        quads = list(ms.materialise(FileSources(case.mapping.parent)))
    except MappingError as exc:
        if case.expect_error:
            return None
        return f"unexpected error: {exc.render()}"
    except Exception:
        return "engine crashed:\n" + traceback.format_exc(limit=6)
    actual = "".join(_nquad(q) for q in quads)
    if case.expect_error:
        also = f" (the case also ships {case.output.name})" if case.output else ""
        return f"expected an error{also}, got {len(quads)} quads:\n{actual}"
    assert case.output is not None
    expected = case.output.read_text(encoding="utf-8")
    try:
        same = isomorphic_nquads(actual, expected)
    except ValueError as exc:
        return f"output does not parse: {exc}\n{actual}"
    if same:
        return None
    return f"output differs.\n--- expected\n{expected.strip()}\n--- actual\n{actual.strip()}"


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
    for case in _cases(directory):
        report.total += 1
        why = _unsupported(case)
        if why:
            report.unsupported.append(CaseFailure(case.name, why))
            continue
        reason = run_case(case)
        if reason is None:
            report.passed += 1
        else:
            report.failures.append(CaseFailure(case.name, reason))
    return report


def _unsupported(case: Case) -> str | None:
    text = case.mapping.read_text(encoding="utf-8", errors="replace")
    for pattern, what in UNSUPPORTED:
        if pattern.search(text):
            return f"{what} are not supported"
    return None


def _cases(directory: Path) -> list[Case]:
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
        if mapping is None:
            continue
        output = next((folder / o for o in OUTPUT_FILES if (folder / o).is_file()), None)
        readme = folder / "README.md"
        said = (
            _ERROR_EXPECTED.search(readme.read_text(encoding="utf-8")) if readme.exists() else None
        )
        expect_error = said.group(1).lower() == "yes" if said else output is None
        cases.append(Case(name, mapping, base, expect_error, output))
    return cases
