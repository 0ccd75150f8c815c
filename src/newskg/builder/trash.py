"""Old build directories deleted off the build's path: moved into ``kg/.trash`` at once, and
deleted there by a process that outlives the build (see :mod:`newskg.store` for the layout)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from newskg.store import KgLayout


def discard(layout: KgLayout, entries: list[Path]) -> None:
    """Delete ``entries`` (store directories of ``kg/.stores``) off the build's path.

    Deleting a full build's store and indexes takes long, and the build need not wait for
    it: each entry is renamed into ``kg/.trash`` (at once, and out of ``kg/.stores``, which
    then holds only the builds kept) and deleted there by a process that outlives the
    build. What such a process did not finish (it was killed) is handed on again by
    :func:`empty_trash` at the start of the next build."""
    moved = []
    for entry in entries:
        try:
            layout.trash.mkdir(exist_ok=True)
            os.rename(entry, layout.trash / entry.name)
            moved.append(layout.trash / entry.name)
        except OSError:  # another file system, a name already taken: delete it here
            shutil.rmtree(entry, ignore_errors=True)
    _delete_aside(moved)


def empty_trash(layout: KgLayout) -> None:
    """Start deleting whatever ``kg/.trash`` holds (a deleter that was stopped left it, or
    one still at work: a second ``rm`` of the same files does no harm)."""
    try:
        with os.scandir(layout.trash) as found:
            _delete_aside([Path(entry.path) for entry in found])
    except OSError:  # no trash
        pass


def _delete_aside(paths: list[Path]) -> None:
    """Delete ``paths`` in a process of its own, which this one neither waits for nor reaps."""
    if not paths:
        return
    # A process that is its own system's init (pid 1 in a container) would have to reap
    # the deleter itself; it deletes here instead.
    if os.getpid() != 1:
        try:
            # The shell starts rm in the background and exits at once: waited for here, it
            # leaves no zombie and no running child behind, and rm, in a session of its own
            # and holding none of this process's files, outlives the build.
            subprocess.run(
                ["sh", "-c", 'rm -rf -- "$@" &', "sh", *map(str, paths)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                check=True,
            )
            return
        except (OSError, subprocess.CalledProcessError):  # no sh: delete here
            pass
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
