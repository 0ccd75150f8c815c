"""A store bulk-loaded from N-Quads in memory that does not grow with the input.

Three things would make a load's memory grow with what it loads, and each is bounded here:

- Oxigraph's bulk loader holds about a kilobyte per quad it has been handed and not yet
  written, and pyoxigraph exposes no setting for it: the input is handed to it a
  :class:`Part` of :data:`LOAD_PART` bytes at a time, each a load of its own;
- each load adds files to the store's RocksDB, which keeps every open file's index in
  memory, and Oxigraph sizes RocksDB's cache of open files from the process's limit on open
  files (no setting either): the store is opened under a lower limit
  (:func:`_open_for_load`), so that it keeps only the files it works on open;
- what a part's load freed stays with the C allocator, scattered among what the rest of the
  process allocated meanwhile: it is handed back to the system after each part
  (:func:`_release_freed_memory`).

The figures are in docs/performance.md ("What bounds the 100k build's memory").
"""

from __future__ import annotations

import ctypes
import functools
import io
import os
import resource
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyoxigraph as ox

_READ_SIZE = 1 << 20  # bytes the bulk load is handed at a time
# N-Quads bytes per bulk load: fewer quads than one batch of Oxigraph's loader, which it
# holds in memory until the batch is written
LOAD_PART = 1 << 27
# RocksDB files a loading store keeps open (and their indexes in memory); Oxigraph gives
# RocksDB the open-file limit less the descriptors it leaves the rest of the process
_OPEN_TABLES = 64
_OXIGRAPH_RESERVE = 48
# descriptors left free above those the process holds while the store opens under the
# lowered limit: for RocksDB's own files, and for other threads opening files meanwhile
_HEADROOM = 64


def load_parts(store_dir: Path, source: io.RawIOBase) -> None:
    """Bulk-load the N-Quads of ``source`` into a new store at ``store_dir`` a part at a
    time, then compact it (queries on a compacted store are faster)."""
    store = _open_for_load(store_dir)
    try:
        with io.BufferedReader(source, _READ_SIZE) as stream:
            while True:
                part = Part(stream, LOAD_PART)
                store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
                _release_freed_memory()
                if part.ended:
                    break
        store.flush()
        store.optimize()
    finally:
        del store


def _open_for_load(store_dir: Path) -> ox.Store:
    """A store opened while the process's soft limit on open files is low, so that RocksDB
    keeps about :data:`_OPEN_TABLES` files open (more if the process already holds many
    descriptors: :data:`_HEADROOM` stay free besides them, as a new descriptor takes the
    lowest free number); the limit is put back at once (it is read when the store opens).
    Where it cannot be read or lowered, as it is."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        held = len(os.listdir("/dev/fd"))
    except OSError:
        return ox.Store(str(store_dir))
    low = max(_OXIGRAPH_RESERVE + _OPEN_TABLES, held + _HEADROOM)
    if soft != resource.RLIM_INFINITY and soft <= low:
        return ox.Store(str(store_dir))
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    except (OSError, ValueError):
        return ox.Store(str(store_dir))
    try:
        return ox.Store(str(store_dir))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _release_freed_memory() -> None:
    """Hand the memory the C allocator holds free back to the system (glibc's
    ``malloc_trim``); nothing where the C library has no such call."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, found among the symbols the process already has (looked up
    on first use: finding the C library by name runs ``ldconfig``, a cost every build,
    even one with nothing to do, would pay at import)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


class Concatenated(io.RawIOBase):
    """The bytes of several files, one after the other, each ending in a newline (so that
    a file without a final one does not run its last line into the next file's first)."""

    def __init__(self, files: Iterable[Path]) -> None:
        self._files = list(files)
        self._handle: BinaryIO | None = None
        self._ends_line = True  # whether the bytes given so far end in a newline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._handle is None:
                if not self._files:
                    return 0
                self._handle = open(self._files.pop(0), "rb")  # noqa: SIM115 - closed at its end
            count = self._handle.readinto(buffer)
            if count:
                self._ends_line = bytes(buffer[count - 1 : count]) == b"\n"
                return count
            self._handle.close()
            self._handle = None
            if not self._ends_line:
                buffer[0:1] = b"\n"
                self._ends_line = True
                return 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        super().close()


class Waitable(Protocol):
    """What :class:`threading.Event` and :class:`multiprocessing.Event` both are."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class LoadCancelled(Exception):
    """A growing load told to stop: the build failed while its store was loading."""


class Growing(io.RawIOBase):
    """Whole lines of files that other processes are appending to, each byte once.

    A worker appends an article's lines in one write, so what a reader finds in a file is
    whole lines and perhaps the beginning of the next one, which is kept back until its
    newline comes. Files that appear in the folder later are read too. When nothing new is
    there, the reader waits a little; once ``done`` is set, it reads every file to its end
    (the last line of each given a newline if it lacks one) and then ends. ``cancel`` makes
    it raise :class:`LoadCancelled`, which ends the load."""

    _WAIT = 0.05  # seconds between looks while the workers are still writing

    def __init__(
        self, first: Path, folder: Path, pattern: str, done: Waitable, cancel: Waitable
    ) -> None:
        self._first, self._folder, self._pattern = first, folder, pattern
        self._done, self._cancel = done, cancel
        self._files: dict[Path, BinaryIO] = {}
        self._held: dict[Path, bytes] = {}  # a line still being written, per file
        self._ready = bytearray()
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready and not self._ended:
            if self._cancel.is_set():
                raise LoadCancelled("the build stopped before its store was loaded")
            final = self._done.is_set()
            if not self._gather(final):
                if final:
                    self._ended = True
                else:
                    self._done.wait(self._WAIT)
        count = min(len(buffer), len(self._ready))
        buffer[:count] = self._ready[:count]
        del self._ready[:count]
        return count

    def _gather(self, final: bool) -> bool:
        """Move what the files hold now into the ready bytes; whether anything came."""
        found = False
        for path in [self._first, *sorted(self._folder.glob(self._pattern))]:
            handle = self._files.get(path)
            if handle is None:
                handle = self._files[path] = open(path, "rb")  # noqa: SIM115 - see close()
            while chunk := handle.read(_READ_SIZE):
                found = True
                text = self._held.pop(path, b"") + chunk
                cut = text.rfind(b"\n") + 1
                self._ready += text[:cut]
                if cut < len(text):
                    self._held[path] = text[cut:]
                if len(self._ready) >= _READ_SIZE:
                    return True
            if final and path in self._held:  # the file's last line had no newline
                self._ready += self._held.pop(path) + b"\n"
                found = True
        return found

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        super().close()


class Part(io.RawIOBase):
    """The next part of ``source``: about ``size`` bytes, then the rest of the line they end
    in. ``ended`` says whether ``source`` ended within it."""

    def __init__(self, source: io.BufferedReader, size: int) -> None:
        self._source, self._left = source, size
        self._line_ended = True  # the bytes given so far end a line
        self._over = False
        self.ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._over:
            return 0
        if self._left > 0:
            data = self._source.read1(min(len(buffer), self._left))
            self._left -= len(data)
        elif self._line_ended:
            data = b""
        else:  # the size fell within a line: give the rest of it
            data = self._source.readline(len(buffer))
        if not data:
            self.ended = self._left > 0 or not self._line_ended
            self._over = True
            return 0
        self._line_ended = data.endswith(b"\n")
        buffer[: len(data)] = data
        return len(data)


__all__ = [
    "LOAD_PART",
    "Concatenated",
    "Growing",
    "LoadCancelled",
    "Part",
    "Waitable",
    "load_parts",
]
