"""Saved SPARQL queries (``queries/*.rq``): lookup by name and their header comments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from newskg.errors import (
    Diagnostic,
    InputError,
    NotFoundError,
    QueryError,
    did_you_mean,
    location_of,
)
from newskg.files import read_input
from newskg.query.graph import KnowledgeGraph
from newskg.query.terms import Edge, Solutions

SUFFIX = ".rq"
MAX_QUERY_BYTES = 1 << 20  # a saved query is a page of SPARQL


_REQUIRED = re.compile(r"\?(\w+) \([^)]*\brequired\b")
# ``# search: ?fragment in ?s`` (optionally ``(any case)``): see SavedQuery.search
_SEARCH = re.compile(r"\?(\w+) in \?(\w+)( \(any case\))?")
_WHERE = re.compile(r"(?i)\bWHERE\s*\{")


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    text: str
    title: str
    answers: str
    parameters: str
    search: str = ""

    @property
    def required(self) -> list[str]:
        """Parameters the header marks ``(…, required)``: without them the query is empty."""
        return _REQUIRED.findall(self.parameters)

    def run(self, kg: KnowledgeGraph, **bindings: Any) -> Solutions | bool | list[Edge]:
        """Run the query over ``kg`` with ``bindings`` (as :meth:`KnowledgeGraph.query`
        binds them); an error in the query is located in its file."""
        self.check_bindings(set(bindings))
        try:
            return kg.query(self._narrowed(kg, bindings), **bindings)
        except QueryError as exc:
            raise _in_file(exc, self.path) from None

    def _narrowed(self, kg: KnowledgeGraph, bindings: dict[str, Any]) -> str:
        """The query text, narrowed by the build's text index where its header asks.

        ``# search: ?fragment in ?s`` says that ?s only ever names a sentence or quote
        whose text contains the value bound to ?fragment (``(any case)``: in any case).
        The text index then names the candidates, and a ``VALUES ?s`` block of their IRIs
        opens the WHERE clause, so that the query joins from them instead of reading every
        text in the graph. The query keeps its own filter, so the answer is the same as
        without the index, which is also what runs when the index cannot tell (no index,
        a fragment shorter than three characters, too many candidates). The IRIs come from
        the index and pass through pyoxigraph (which refuses any that could end the
        ``<…>``); the user's value is still only ever bound."""
        match = _SEARCH.fullmatch(self.search)
        where = _WHERE.search(self.text)
        index = kg.text_index
        fragment = bindings.get(match[1]) if match else None
        if not match or not where or index is None or not isinstance(fragment, str):
            return self.text
        nodes = index.nodes_containing(fragment, any_case=bool(match[3]))
        if nodes is None:
            return self.text
        values = " ".join(str(ox.NamedNode(iri)) for iri in nodes)
        # Inside a sub-select with a LIMIT, which Oxigraph plans apart: a bare VALUES block
        # of many rows makes it join the rest of the query first, many times slower. On the
        # line of WHERE, so that an error's line is the file's.
        target = match[2]
        block = (
            f"{{ SELECT ?{target} WHERE {{ VALUES ?{target} {{ {values} }} }} LIMIT {len(nodes)} }}"
        )
        cut = where.end()
        return f"{self.text[:cut]} {block}{self.text[cut:]}"

    def check_bindings(self, names: set[str]) -> None:
        missing = [n for n in self.required if n not in names]
        if missing:
            example = " ".join(f"--bind {n}=..." for n in missing)
            raise QueryError(
                f"query '{self.name}' needs {', '.join('?' + n for n in missing)}",
                location=location_of(self.path),
                hint=f"{self.parameters} ({example})",
            )


def _in_file(exc: QueryError, path: Path) -> QueryError:
    """The error located in the query file: Oxigraph says "error at LINE:COLUMN: ..."."""
    first = exc.diagnostics[0]
    match = re.search(r"error at (\d+):(\d+): ", first.message)
    line, column = (int(match[1]), int(match[2])) if match else (0, 0)
    message = first.message.replace(match[0], "") if match else first.message
    located = Diagnostic(message, first.location or location_of(path, line, column), first.hint)
    return QueryError(diagnostics=[located, *exc.diagnostics[1:]])


def _header(text: str) -> dict[str, str]:
    """``# key: value`` lines at the top; indented ``#`` lines continue the previous value."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        head, sep, rest = body.partition(":")
        if sep and head.isidentifier() and not line.startswith("#   "):
            key = head
            fields[key] = rest.strip()
        elif key and body:
            fields[key] += " " + body
    return fields


def read_query(path: Path) -> SavedQuery:
    try:
        raw = read_input(path, max_bytes=MAX_QUERY_BYTES, name="the query file")
    except InputError as exc:
        if exc.message == "file not found":
            raise NotFoundError("query file not found", location=exc.location) from None
        raise QueryError(exc.message, location=exc.location, hint=exc.hint) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("query file is not UTF-8", location=location_of(path)) from None
    fields = _header(text)
    return SavedQuery(
        path.stem,
        path,
        text,
        fields.get("title", path.stem),
        fields.get("answers", ""),
        fields.get("parameters", ""),
        fields.get("search", ""),
    )


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise NotFoundError(
            "saved queries folder not found",
            location=location_of(folder),
            hint="run from the project root or pass --queries DIR",
        )


def list_queries(folder: Path = Path("queries")) -> list[SavedQuery]:
    """Every saved query of ``folder``, by name."""
    _check_folder(folder)
    return [read_query(p) for p in sorted(folder.glob(f"*{SUFFIX}"))]


def find_query(name_or_path: str, folder: Path = Path("queries")) -> SavedQuery:
    """A saved query by name (``meetings``) or a path to any ``.rq`` file."""
    path = Path(name_or_path)
    if path.suffix == SUFFIX or path.exists():
        return read_query(path)
    candidate = folder / f"{name_or_path}{SUFFIX}"
    if candidate.exists():
        return read_query(candidate)
    _check_folder(folder)
    names = [q.stem for q in folder.glob(f"*{SUFFIX}")]
    raise NotFoundError(
        f"no saved query '{name_or_path}' in {location_of(folder)}",
        hint=did_you_mean(name_or_path, names) or "saved queries: " + ", ".join(sorted(names)),
    )
