"""Run the RML-Core conformance cases (``metadata.csv`` + one folder per case).

A case passes when the engine's quads are isomorphic to ``output.nq`` (blank nodes matched
by structure, named graphs kept apart), or, for a case without ``output.nq``, when loading or
materialising raises :class:`MappingError`. This module and :func:`directory_resolver` are
the engine's only file I/O.
"""

from __future__ import annotations

import csv
import json
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from newskg.errors import MappingError, NotFoundError, location_of
from newskg.mapping.loader import load_mappings
from newskg.rdf import XSD_STRING, unescape

DEFAULT_CASE_BASE = "http://example.com/"


@dataclass(frozen=True, slots=True)
class CaseFailure:
    case: str
    reason: str


@dataclass(slots=True)
class ConformanceReport:
    total: int = 0
    passed: int = 0
    failures: list[CaseFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.total > 0 and self.passed == self.total


def directory_resolver(root: Path) -> Callable[[str], Any]:
    """Resolve source names as JSON files relative to ``root`` (the mapping directory)."""

    def resolve(name: str) -> Any:
        path = root / name
        with path.open(encoding="utf-8") as fh:  # FileNotFoundError -> MappingError upstream
            return json.load(fh)

    return resolve


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


def run_case(case_dir: Path, base: str, expect_error: bool) -> str | None:
    """None if the case passes, else why it failed."""
    mapping = case_dir / "mapping.ttl"
    try:
        ms = load_mappings([mapping], base=base)
        quads = list(ms.materialise(directory_resolver(case_dir)))
    except MappingError as exc:
        if expect_error:
            return None
        return f"unexpected error: {exc.render()}"
    except Exception:
        return "engine crashed:\n" + traceback.format_exc(limit=6)
    actual = "".join(_nquad(q) for q in quads)
    if expect_error:
        return f"expected an error, got {len(quads)} quads:\n{actual}"
    expected = (case_dir / "output.nq").read_text(encoding="utf-8")
    try:
        same = isomorphic_nquads(actual, expected)
    except ValueError as exc:
        return f"output does not parse: {exc}\n{actual}"
    if same:
        return None
    return f"output differs.\n--- expected\n{expected.strip()}\n--- actual\n{actual.strip()}"


def run_conformance(directory: Path) -> ConformanceReport:
    """Run every case of a conformance folder (``metadata.csv`` and one folder per case)."""
    if not directory.is_dir():
        raise NotFoundError(
            "conformance cases folder not found",
            location=location_of(directory),
            hint="pass the folder of the W3C RML-Core test cases (one subfolder per case)",
        )
    report = ConformanceReport()
    rows = _cases(directory)
    for case_id, base in rows:
        case_dir = directory / case_id
        report.total += 1
        expect_error = not (case_dir / "output.nq").exists()
        reason = run_case(case_dir, base, expect_error)
        if reason is None:
            report.passed += 1
        else:
            report.failures.append(CaseFailure(case_id, reason))
    return report


def _cases(directory: Path) -> list[tuple[str, str]]:
    meta = directory / "metadata.csv"
    if meta.exists():
        with meta.open(encoding="utf-8", newline="") as fh:
            return [(row["ID"], _base_of(row)) for row in csv.DictReader(fh) if row.get("ID")]
    return [
        (p.name, DEFAULT_CASE_BASE)
        for p in sorted(directory.iterdir())
        if (p / "mapping.ttl").exists()
    ]
