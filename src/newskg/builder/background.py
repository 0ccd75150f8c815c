"""A step of a build run in another process beside the main one: a full build's indexes,
written while its store loads."""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class Background:
    """``function(*args)`` run in another process while the caller goes on.

    :meth:`wait` returns what it returned or raises what it raised (an ``OSError`` stays an
    ``OSError``, so a full disk is reported as in the main process); :meth:`stop` ends it
    when the caller fails first, before the folder it writes into is removed. A process,
    not a thread: what it holds (the indexes' arrays) stays out of the main process, whose
    peak is the store's load, and the two add to each other's peak in no process.

    Never for work with Oxigraph's disk store: a forked copy of a process that had opened
    one waits forever for that store's background threads, which it does not have."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        context = multiprocessing.get_context("fork")
        self._answer, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_background, args=(send, function, args), daemon=True
        )
        self._process.start()
        send.close()  # the child's end: recv() sees EOF if the child dies without answering

    def wait(self) -> Any:
        try:
            ok, value = self._answer.recv()
        except EOFError:  # killed (out of memory, a signal) before it could answer
            ok, value = False, None
        finally:
            self._process.join()
            self._answer.close()
        if ok:
            return value
        if value is None:
            value = RuntimeError(f"a build process ended with code {self._process.exitcode}")
        raise value

    def stop(self) -> None:
        """End the process if it still runs (a second call, or one after :meth:`wait`, does
        nothing)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._answer.close()


def _background(send: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except BaseException as exc:  # handed to the main process, which decides
        exc.add_note("in a background process:\n" + traceback.format_exc())
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception:  # the value does not pickle: its text still says what happened
        send.send((False, RuntimeError(repr(outcome[1]))))
    finally:
        send.close()
