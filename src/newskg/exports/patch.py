"""Patch a sorted export instead of rewriting it: what makes a one-article rebuild cheap.

Both exports written by :mod:`newskg.exports.rdf_text` are a header of ``@prefix`` lines, a blank
line, then top-level blocks in a total order, separated by one blank line, with a final
line break:

- Turtle: one block per subject, in :func:`~newskg.exports.rdf_text.subject_key` order; the first
  line of a block is the (compacted) subject;
- TriG: one block per named graph, in the same order of graph names; the first line is
  ``<graph> {`` and the last is ``}``.

Literals never hold a raw line break (terms are N-Triples), so a blank line only ever
separates top-level Turtle blocks; in TriG, subject blocks inside a graph are separated by
blank lines too, but only a graph block ends with a line holding just ``}`` (``{`` and ``}``
cannot occur in an IRI or blank node label). A block can therefore be found by binary search
over byte offsets, and a new export is the old one with a few blocks replaced, inserted or
deleted: the unchanged byte ranges are copied by the kernel (``os.copy_file_range``), a
small fraction of what a full k-way merge of the per-article runs costs
(docs/performance.md).

The result is byte for byte what the full writers produce for the new set of statements,
provided the caller passes the new header and every block whose content changed;
``tests/test_export_patch.py`` checks this against the writers on random graphs.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newskg.exports.rdf_text import subject_key
from newskg.rdf import expand as expand_name


class NotPatchable(Exception):
    """The old export is not in the shape this module writes; rewrite it instead."""


def expand(token: str) -> str:
    """The N-Triples form of a term as the writers print it (inverse of their compaction)."""
    if token.startswith(("<", "_:")):
        return token
    iri = expand_name(token)
    if iri is None:
        raise NotPatchable(f"not a term the writers print: {token!r}")
    return f"<{iri}>"


@dataclass(frozen=True)
class BlockFormat:
    terminator: bytes  # ends every block but the last; the next block starts right after it
    key: Callable[[str], str]  # the sort key of a block, from its first line


def _turtle_key(line: str) -> str:
    return subject_key(expand(line))


def _trig_key(line: str) -> str:
    if not line.endswith(" {"):
        raise NotPatchable(f"not a named graph block: {line[:80]!r}")
    return subject_key(expand(line[:-2]))


TURTLE = BlockFormat(b"\n\n", _turtle_key)
TRIG = BlockFormat(b"\n}\n\n", _trig_key)


class SortedExport:
    """Read access to the blocks of an export by key (binary search over an mmap)."""

    def __init__(self, handle: BinaryIO, fmt: BlockFormat) -> None:
        self.fmt = fmt
        self.fd = handle.fileno()
        self.size = os.fstat(self.fd).st_size
        self.data: mmap.mmap | bytes = (
            mmap.mmap(self.fd, 0, access=mmap.ACCESS_READ) if self.size else b""
        )
        end = 0
        while self.data[end : end + 8] == b"@prefix ":
            end = self.data.find(b"\n", end) + 1
            if end == 0:
                raise NotPatchable("the header does not end with a line break")
        self.header_end = end
        self.body_start = min(end + 1, self.size)

    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            self.data.close()

    def next_start(self, pos: int) -> int:
        """The first block start at or after byte ``pos`` (the file size if none)."""
        if pos <= self.body_start:
            return self.body_start
        width = len(self.fmt.terminator)
        # never a negative start: find() would count it from the end of the file (an export
        # with no @prefix lines has its first block at byte 1)
        found = self.data.find(self.fmt.terminator, max(pos - width, 0))
        return self.size if found < 0 else found + width

    def key_at(self, start: int) -> str:
        end = self.data.find(b"\n", start)
        if end < 0:
            raise NotPatchable("a block without a line break")
        return self.fmt.key(self.data[start:end].decode("utf-8"))

    def lower_bound(self, key: str) -> int:
        """The start of the first block whose key is >= ``key`` (the file size if none)."""
        lo, hi = self.body_start, self.size
        while lo < hi:
            mid = (lo + hi) // 2
            start = self.next_start(mid)
            if start >= self.size or self.key_at(start) >= key:
                hi = mid
            else:
                lo = mid + 1
        return self.next_start(lo)


def patch_export(
    old: Path, new: Path, header: str, changes: Mapping[str, str | None], fmt: BlockFormat
) -> None:
    """Write ``new``: ``old`` with a new ``header`` and the blocks in ``changes`` (sort key ->
    block text, or None to drop the block) replaced, inserted or deleted."""
    with old.open("rb") as source, new.open("wb", buffering=0) as out:
        export = SortedExport(source, fmt)
        try:
            _patch(export, out, header, changes)
        finally:
            export.close()


def _patch(
    export: SortedExport, out: BinaryIO, header: str, changes: Mapping[str, str | None]
) -> None:
    out.write(header.encode("utf-8"))
    # Every block is written followed by a blank line (the last one by a lone line break in
    # the old file: one is added); the extra line break is cut off at the end.
    wrote = False

    def copy(start: int, end: int) -> None:
        nonlocal wrote
        if start >= end:
            return
        if not wrote:
            out.write(b"\n")
            wrote = True
        _copy_range(export.fd, out, start, end - start)
        if end == export.size:
            out.write(b"\n")

    def write(block: str) -> None:
        nonlocal wrote
        if not wrote:
            out.write(b"\n")
            wrote = True
        out.write(block.encode("utf-8") + b"\n\n")

    cursor = export.body_start
    for key in sorted(changes):
        start = export.lower_bound(key)
        if start < cursor:  # keys sorted and lower_bound monotone: only a corrupt file does this
            raise NotPatchable("the export's blocks are not in order")
        copy(cursor, start)
        cursor = start
        if start < export.size and export.key_at(start) == key:
            cursor = export.next_start(start + 1)
        block = changes[key]
        if block is not None:
            write(block)
    copy(cursor, export.size)
    if wrote:
        out.truncate(out.tell() - 1)


def _copy_range(fd: int, out: BinaryIO, offset: int, length: int) -> None:
    """Copy bytes in the kernel when it can (no trip through Python buffers)."""
    target = out.fileno()
    while length:
        try:
            done = os.copy_file_range(fd, target, length, offset)
        except OSError:  # e.g. across file systems on older kernels
            done = 0
        if done <= 0:
            os.lseek(fd, offset, os.SEEK_SET)
            chunk = os.read(fd, min(length, 1 << 20))
            if not chunk:
                raise NotPatchable("the export is shorter than it was")
            out.write(chunk)
            done = len(chunk)
        offset += done
        length -= done


__all__ = [
    "TRIG",
    "TURTLE",
    "BlockFormat",
    "NotPatchable",
    "SortedExport",
    "expand",
    "patch_export",
]
