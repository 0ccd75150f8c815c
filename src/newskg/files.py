"""The user's files: inputs read within limits, outputs written so that a failure never leaves
half a file behind."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from newskg.errors import InputError, location_of

# Facts, entities, mappings and ontology files are hand-written: a few hundred kilobytes at most.
MAX_INPUT_BYTES = 8 * 1024 * 1024


@contextmanager
def written_aside(target: Path) -> Iterator[TextIO]:
    """A text stream whose content replaces ``target`` only once the ``with`` block ends
    without an error; on any error the partial file is removed and ``target`` is untouched.
    A file that cannot be written is an :class:`InputError` naming it."""
    tmp = target.with_name(target.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            yield handle
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"cannot write {target}: {exc.strerror}",
            hint="check that the folder exists and that -o names a file, not a folder",
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def shared_copy(source: Path, target: Path) -> None:
    """``target`` with the content of ``source``: a second name for the same file (a hard
    link, no byte copied) where the file system allows it, else a copy. Only for files that
    are never written in place again, such as those of a build once written."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def line_blocks(path: Path, size: int) -> Iterator[bytes]:
    """The bytes of ``path`` in blocks of about ``size`` bytes, each cut after a newline, so
    that no line is split between two blocks; a last line without its newline gets one (a
    last line of nothing but white space is left out)."""
    with path.open("rb") as handle:
        rest = b""
        while block := handle.read(size):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if block:
                yield block
        if rest.strip():
            yield rest + b"\n"


def read_input(
    path: Path | str,
    *,
    max_bytes: int = MAX_INPUT_BYTES,
    name: str = "the file",
    missing: tuple[str, str] = ("file not found", "check the path"),
) -> bytes:
    """The bytes of one of the user's input files, refused with a located :class:`InputError`
    when it is missing, is not a regular file (a folder, a FIFO, a device such as /dev/zero),
    cannot be read, or holds more than ``max_bytes``.

    The size is checked while reading, not only from ``stat`` (a device reports 0 bytes and
    never ends), and a FIFO is opened without waiting for a writer, so that no input can make
    newskg hang or fill its memory. Every reader of hand-written input goes through here.
    ``missing`` is the message and hint for a file that does not exist."""
    try:
        # O_NONBLOCK: opening a FIFO would otherwise wait for a writer; for regular files it
        # changes nothing.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(missing[0], location=location_of(path), hint=missing[1]) from None
    except OSError as exc:  # no permission, a dangling or looping symlink, ...
        raise InputError(
            f"cannot read {name}: {exc.strerror}",
            location=location_of(path),
            hint="check the path",
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(
                f"cannot read {name}: Is a directory",
                location=location_of(path),
                hint="check the path",
            )
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"not a regular file (a {_file_kind(info.st_mode)})",
                location=location_of(path),
                hint="newskg reads its inputs from regular files only; copy the content "
                "into a file",
            )
        if info.st_size > max_bytes:
            raise _too_large(path, max_bytes, info.st_size)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # the file grew since fstat, or stat does not tell its size
                raise _too_large(path, max_bytes, None)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(
            f"cannot read {name}: {exc.strerror}",
            location=location_of(path),
            hint="check the path",
        ) from None
    finally:
        os.close(fd)


def read_bytes(path: Path, what: str, *, missing: str, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """:func:`read_input` for a file the project expects by name: a missing one is "``what``
    missing" with the hint ``missing`` (e.g. where it belongs) instead of "file not found"."""
    return read_input(
        path, max_bytes=max_bytes, name=f"the {what}", missing=(f"{what} missing", missing)
    )


def _too_large(path: Path | str, max_bytes: int, size: int | None) -> InputError:
    return InputError(
        f"file is {size} bytes, over the {max_bytes}-byte limit"
        if size is not None
        else f"file is over the {max_bytes}-byte limit",
        location=location_of(path),
        hint="split the file; facts and mappings are meant to be small",
    )


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"
