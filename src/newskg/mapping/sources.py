"""The engine's input edge: a logical source's records read from files, one at a time.

JSON is streamed: the records an iterator selects (``$.meetings[*]``) are decoded one by one
(``json.JSONDecoder.raw_decode``, in C) while the structure above them is walked here, so a
file much larger than memory can be mapped and every iterator over one file is served by a
single pass. CSV is read row by row with the header naming the columns. Both may be UTF-8 or
UTF-16 and compressed (gzip, zip, tar.gz, tar.xz).

The in-memory form of the same protocol (documents already parsed) is
:class:`newskg.mapping.materialise.DocumentSources`; the materialiser never opens a file.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import itertools
import json
import re
import tarfile
import zipfile
from collections.abc import Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, overload

from newskg.errors import Location, MappingError
from newskg.mapping import jsonpath
from newskg.mapping.model import LogicalSource

COMPRESSIONS = ("gzip", "zip", "targz", "tarxz")
ENCODINGS = {"utf-8": "utf-8-sig", "utf-16": "utf-16"}  # utf-8-sig: a BOM is not data
_CHUNK = 1 << 20
_SEPARATOR = re.compile(r"[ \t\r\n]*([,\]])[ \t\r\n]*")


class FileSources:
    """Records of logical sources read from files. A relative path is resolved against
    ``data`` when given, else against the source's own ``root`` (the mapping's folder)."""

    def __init__(self, data: Path | None = None) -> None:
        self.data = data

    def path_of(self, source: LogicalSource) -> Path:
        path = Path(source.path)
        if path.is_absolute():
            return path
        root = self.data if self.data is not None else Path(source.root or ".")
        return root / path

    def batches(self, sources: Sequence[LogicalSource]) -> Iterator[tuple[int, list[Any]]]:
        """(index into ``sources``, records in a row), for every record of every source, in
        one pass over the file they share (document order)."""
        first = sources[0]
        path = self.path_of(first)
        if not path.is_file():
            raise MappingError(
                f"source file {str(path)!r} not found",
                location=first.location,
                hint="paths are relative to the mapping's folder, or to --data DIR",
            )
        with open_text(path, first) as text:
            if first.formulation != "csv":
                yield from batched(json_records(text, sources, str(path)))
                return
            for batch in csv_batches(text, first, str(path)):
                for i in range(len(sources)):
                    yield i, batch

    def records(self, sources: Sequence[LogicalSource]) -> Iterator[tuple[int, Any]]:
        """The same, one record at a time."""
        for i, batch in self.batches(sources):
            for rec in batch:
                yield i, rec


def batched(pairs: Iterator[tuple[int, Any]], size: int = 1024) -> Iterator[tuple[int, list[Any]]]:
    """(i, record) pairs as (i, records): consecutive records of one source together."""
    current, batch = -1, []
    for i, rec in pairs:
        if i != current or len(batch) >= size:
            if batch:
                yield current, batch
            current, batch = i, []
        batch.append(rec)
    if batch:
        yield current, batch


def compression_of(source: LogicalSource) -> str:
    if source.compression:
        return "" if source.compression == "none" else source.compression
    name = source.path.lower()
    for suffix, kind in ((".tar.gz", "targz"), (".tgz", "targz"), (".tar.xz", "tarxz")):
        if name.endswith(suffix):
            return kind
    if name.endswith(".gz"):
        return "gzip"
    if name.endswith(".zip"):
        return "zip"
    return ""


def open_text(path: Path, source: LogicalSource) -> IO[str]:
    """The decompressed, decoded text of a source file."""
    kind = compression_of(source)
    where = source.location
    try:
        raw: IO[bytes]
        if kind == "gzip":
            raw = gzip.open(path, "rb")  # noqa: SIM115 - returned, closed by the caller
        elif kind == "zip":
            raw = _zip_member(path, where)
        elif kind in ("targz", "tarxz"):
            raw = _tar_member(path, where)
        else:
            raw = path.open("rb")
        return io.TextIOWrapper(raw, encoding=ENCODINGS[source.encoding], newline="")
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        raise MappingError(f"cannot read source {str(path)!r}: {exc}", location=where) from None


def _only_member(names: list[str], path: Path, where: Location) -> str:
    if len(names) == 1:
        return names[0]
    inner = path.name.rsplit(".", 2 if path.name.lower().endswith((".tar.gz", ".tar.xz")) else 1)
    wanted = [n for n in names if Path(n).name == inner[0]]
    if len(wanted) == 1:
        return wanted[0]
    raise MappingError(
        f"archive {path.name!r} holds {len(names)} files ({', '.join(names[:5])}); "
        "newskg reads an archive with one file, or one named like the archive",
        location=where,
    )


def _zip_member(path: Path, where: Location) -> IO[bytes]:
    archive = zipfile.ZipFile(path)
    names = [i.filename for i in archive.infolist() if not i.is_dir()]
    return archive.open(_only_member(names, path, where))


def _tar_member(path: Path, where: Location) -> IO[bytes]:
    archive = tarfile.open(path, "r:*")  # noqa: SIM115 - its member outlives this call
    members = {m.name: m for m in archive.getmembers() if m.isfile()}
    handle = archive.extractfile(members[_only_member(list(members), path, where)])
    assert handle is not None  # a regular file always has content
    return handle


# --------------------------------------------------------------------------- CSV


class Rows(Sequence[dict[str, Any]]):
    """Records of a CSV file, a batch of them: each is ``{column: cell}`` (a cell that is one
    of the source's null values is None), made only when asked for. The columnar run reads
    a whole column of the rows instead (:meth:`column`), so the usual CSV run never makes
    a record."""

    __slots__ = ("header", "nulls", "rows")

    def __init__(self, header: list[str], rows: list[list[str]], nulls: frozenset[str]) -> None:
        self.header, self.rows, self.nulls = header, rows, nulls

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> Rows: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | Rows:
        if isinstance(i, slice):
            return Rows(self.header, self.rows[i], self.nulls)
        return self._records([self.rows[i]])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._records(self.rows))

    def __contains__(self, value: object) -> bool:
        return value is not None and any(value == r for r in self)

    def column(self, name: str) -> list[str | None] | None:
        """Every row's cell of one column (None for a null), or None if there is no such
        column."""
        try:
            cells = list(map(itemgetter(self.header.index(name)), self.rows))
        except ValueError:
            return None
        if self.nulls:
            return [None if v in self.nulls else v for v in cells]
        return cells  # type: ignore[return-value]

    def _records(self, rows: list[list[str]]) -> list[dict[str, Any]]:
        if self.nulls:
            nulls = self.nulls
            return [
                {k: (None if v in nulls else v) for k, v in zip(self.header, row, strict=True)}
                for row in rows
            ]
        return list(map(dict, map(functools.partial(zip, self.header), rows)))


def csv_records(text: IO[str], source: LogicalSource, name: str) -> Iterator[dict[str, Any]]:
    """Rows as ``{column: cell}`` (see :func:`csv_batches`)."""
    for batch in csv_batches(text, source, name):
        yield from batch


def csv_batches(text: IO[str], source: LogicalSource, name: str) -> Iterator[Rows]:
    """Rows as ``{column: cell}``, a thousand at a time. An empty cell is the empty string
    (a value), unless it is one of the source's null values; a row whose field count differs
    from the header's is an error, whether or not a mapping reads the missing column."""
    reader = csv.reader(text, delimiter=source.delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        if len(set(header)) != len(header):
            dupes = sorted({h for h in header if header.count(h) > 1})
            raise _data_error(name, 1, f"the header names column(s) {dupes} twice", source)
        width, nulls = len(header), frozenset(source.nulls)
        while True:
            line = reader.line_num
            rows = list(itertools.islice(reader, 1024))  # checked and made records in bulk
            if not rows:
                return
            if set(map(len, rows)) != {width}:
                rows = _full_rows(rows, width, line, name, source)
            yield Rows(header, rows, nulls)
    except csv.Error as exc:
        raise _data_error(name, reader.line_num, f"not valid CSV: {exc}", source) from None
    except UnicodeDecodeError as exc:
        raise _data_error(name, reader.line_num, _not_encoded(exc, source), source) from None


def _full_rows(
    rows: list[list[str]], width: int, line: int, name: str, source: LogicalSource
) -> list[list[str]]:
    """The rows without blank lines; a row of another width is an error (its line is
    counted from ``line``, the reader's line before the batch: quoted newlines aside)."""
    for k, row in enumerate(rows):
        if row and len(row) != width:
            raise _data_error(
                name,
                line + k + 1,
                f"this row has {len(row)} field(s) but the header has {width}",
                source,
            )
    return [row for row in rows if row]


def _data_error(name: str, line: int, why: str, source: LogicalSource) -> MappingError:
    return MappingError(
        f"{name}:{line}: {why}",
        location=source.location,
        hint="fix the data file; the location is where the mapping reads it",
    )


def _not_encoded(exc: UnicodeDecodeError, source: LogicalSource) -> str:
    return f"not valid {source.encoding.upper()} ({exc.reason})"


# --------------------------------------------------------------------------- JSON


def json_records(
    text: IO[str], sources: Sequence[LogicalSource], name: str
) -> Iterator[tuple[int, Any]]:
    """The records each source's iterator selects, in one pass over the document."""
    root = _Node()
    for i, source in enumerate(sources):
        steps = jsonpath.parse(source.iterator).steps  # checked by the front end
        node, k = root, 0
        while k < len(steps) and steps[k][0] == "key":
            node = node.keys.setdefault(steps[k][1], _Node())
            k += 1
        if k < len(steps) and steps[k][0] == "wild":
            node.items.append((i, _rest(steps[k + 1 :])))
        else:
            node.whole.append((i, _rest(steps[k:])))
    stream = _JsonStream(text, name, sources[0])
    stream.skip_ws()
    if stream.at_end():
        raise stream.error("the file is empty, not a JSON document")
    yield from stream.walk(root)
    stream.skip_ws()
    if not stream.at_end():
        raise stream.error("extra data after the JSON document")


def _rest(steps: tuple[jsonpath.Step, ...]) -> jsonpath.JsonPath | None:
    return jsonpath.JsonPath("$", tuple(steps)) if steps else None


class _Node:
    """What the iterators want at one position of the document: the whole value, each item
    of it (``[*]``), or something deeper under a member name."""

    __slots__ = ("items", "keys", "whole")

    def __init__(self) -> None:
        self.keys: dict[str, _Node] = {}
        self.items: list[tuple[int, jsonpath.JsonPath | None]] = []
        self.whole: list[tuple[int, jsonpath.JsonPath | None]] = []


def _select(value: Any, rest: jsonpath.JsonPath | None) -> list[Any]:
    return [value] if rest is None else jsonpath.multi_accessor(rest)(value)


def _in_memory(node: _Node, value: Any) -> Iterator[tuple[int, Any]]:
    """Serve a node's iterators from a value already decoded."""
    for i, rest in node.whole:
        for rec in _select(value, rest):
            yield i, rec
    if node.items:
        items = (
            value if type(value) is list else (list(value.values()) if type(value) is dict else [])
        )
        for i, rest in node.items:
            for item in items:
                for rec in _select(item, rest):
                    yield i, rec
    if node.keys and type(value) is dict:
        for key, child in node.keys.items():
            if key in value:
                yield from _in_memory(child, value[key])


class _JsonStream:
    """A JSON text read in chunks: structural characters are walked here, values are
    decoded by the C decoder. ``line`` counts the lines already dropped from the buffer."""

    def __init__(self, text: IO[str], name: str, source: LogicalSource) -> None:
        self.text, self.name, self.source = text, name, source
        self.buf, self.pos, self.eof, self.line = "", 0, False, 1
        self.decode = json.JSONDecoder().raw_decode

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            more = self.text.read(_CHUNK)
        except UnicodeDecodeError as exc:
            raise self.error(_not_encoded(exc, self.source)) from None
        if not more:
            self.eof = True
            return False
        self.line += self.buf.count("\n", 0, self.pos)
        self.buf, self.pos = self.buf[self.pos :] + more, 0
        return True

    def error(self, why: str) -> MappingError:
        line = self.line + self.buf.count("\n", 0, self.pos)
        return _data_error(self.name, line, why, self.source)

    def at_end(self) -> bool:
        return self.pos >= len(self.buf) and not self._fill()

    def skip_ws(self) -> None:
        while True:
            buf, pos, n = self.buf, self.pos, len(self.buf)
            while pos < n and buf[pos] in " \t\r\n":
                pos += 1
            self.pos = pos
            if pos < n or not self._fill():
                return

    def peek(self) -> str:
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            shown = repr(c) if c else "the end of the file"
            raise self.error(f"not valid JSON: expected {' or '.join(chars)}, found {shown}")
        self.pos += 1
        return c

    def value(self) -> Any:
        self.skip_ws()
        while True:
            try:
                value, end = self.decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise self.error(f"not valid JSON: {exc.msg}") from None
            except RecursionError:
                raise self.error("not valid JSON: nested too deeply") from None
            # A number at the very end of the buffer may go on in the next chunk.
            if end >= len(self.buf) and self._fill():
                continue
            self.pos = end
            return value

    def walk(self, node: _Node) -> Iterator[tuple[int, Any]]:
        if node.whole or not (node.keys or node.items):
            yield from _in_memory(node, self.value())
            return
        c = self.peek()
        if c == "[" and not node.keys:
            self.pos += 1
            if self.peek() == "]":
                self.pos += 1
                return
            decode, separator, items = self.decode, _SEPARATOR.match, node.items
            while True:
                # The usual case in one C call each: an item, then the comma after it.
                try:
                    item, end = decode(self.buf, self.pos)
                    if end >= len(self.buf):
                        raise ValueError("may go on in the next chunk")
                    self.pos = end
                except (ValueError, RecursionError):
                    item = self.value()
                for i, rest in items:
                    if rest is None:
                        yield i, item
                    else:
                        for rec in _select(item, rest):
                            yield i, rec
                m = separator(self.buf, self.pos)
                if m is not None and m.end() < len(self.buf):
                    self.pos = m.end()
                    if m.group(1) == "]":
                        return
                elif self.expect(",]") == "]":
                    return
                else:
                    self.skip_ws()
        if c != "{":
            yield from _in_memory(node, self.value())  # a scalar, or an array under keys
            return
        self.pos += 1
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.error("not valid JSON: expected a member name")
            key = self.value()
            self.expect(":")
            child = node.keys.get(key)
            if node.items:  # `.*` on an object: each member's value is an item
                value = self.value()
                for i, rest in node.items:
                    for rec in _select(value, rest):
                        yield i, rec
                if child is not None:
                    yield from _in_memory(child, value)
            elif child is not None:
                yield from self.walk(child)
            else:
                self.value()  # a member no iterator reads
            if self.expect(",}") == "}":
                return
