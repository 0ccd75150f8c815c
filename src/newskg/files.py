"""Writing the user's output files so that a failure never leaves half a file behind."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from newskg.errors import InputError, location_of


def read_bytes(path: Path, what: str, *, missing: str, unreadable: str) -> bytes:
    """The bytes of an input file, or an :class:`InputError` naming it: ``what`` (e.g.
    "article text") is missing, with the hint ``missing``, or cannot be read (a directory, no
    permission), with the hint ``unreadable``."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} missing", location=location_of(path), hint=missing) from None
    except OSError as exc:
        raise InputError(
            f"cannot read the {what}: {exc.strerror}", location=location_of(path), hint=unreadable
        ) from None


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
