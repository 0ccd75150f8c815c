"""The Oxigraph server program: finding it, a free port for it, starting it so that it dies
with newskg and within its memory cap, and stopping it.

``newskg serve`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package
``oxigraph``) as a subprocess rather than a SPARQL server of our own, so that users get a
complete SPARQL 1.1 Protocol implementation (content negotiation, GET/POST, Graph Store
Protocol) and the YASGUI query page, maintained upstream.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from newskg.errors import InputError, ServerError

BINARY = "oxigraph"
MIN_MEMORY = 64 << 20  # Oxigraph and RocksDB need some 60 MB of data before any query
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]i?B?|B)?", re.IGNORECASE)


def find_oxigraph() -> str:
    """The ``oxigraph`` executable: next to this Python first (the venv that has newskg also
    has the ``oxigraph`` dependency, even when the venv is not activated), then on PATH."""
    beside = Path(sys.executable).parent / BINARY
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(BINARY)
    if found:
        return found
    raise ServerError(
        "the 'oxigraph' server program is not installed",
        hint="install it into this environment: pip install oxigraph",
    )


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free now (the OS picks it); the caller binds it soon after."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _libc_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # looked up before any fork: the child only calls it
_PR_SET_PDEATHSIG = 1


def child_setup(parent: int, max_memory: int | None) -> None:
    """In the forked child, before exec (``preexec_fn``):

    * SIGKILL when the forking thread (see :meth:`Supervisor._spawn`) or the whole newskg
      process goes away (Linux's parent-death signal). Elsewhere than Linux a killed
      ``newskg serve`` can still leave Oxigraph running; SIGTERM and Ctrl-C stop it anyway.
    * the memory cap: ``RLIMIT_DATA`` (on Linux, every private writable mapping: heap and
      anonymous memory, not the store's files), so that an allocation past ``max_memory``
      fails and Oxigraph aborts at once, however fast a query grows; the supervisor then
      answers 503 and starts a fresh one."""
    if max_memory is not None:  # the soft limit is enforced; a lower hard one is kept
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        cap = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)


def default_max_memory() -> int:
    """The memory cap when none is given: a quarter of this machine's physical memory."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    return max(MIN_MEMORY, total // 4)


def parse_memory(value: int | str | None) -> int | None:
    """``--max-memory``: bytes, or a number with K, M, G or T (powers of 1024); ``0`` or None
    for no cap. Raises :class:`InputError` naming the flag."""
    if value is None:
        return None
    text = str(value).strip()
    match = _MEMORY.fullmatch(text)
    if match is None:
        raise InputError(
            f"--max-memory {text!r} is not an amount of memory",
            hint="write bytes or a number with K, M, G or T, e.g. --max-memory 4G (0: no cap)",
        )
    amount = float(match[1]) * 1024 ** "BKMGT".index((match[2] or "B")[0].upper())
    if amount == 0:
        return None
    if amount < MIN_MEMORY:
        raise InputError(
            f"--max-memory {text} is too small for Oxigraph to start",
            hint=f"give at least {MIN_MEMORY >> 20}M, or 0 for no cap",
        )
    return int(amount)


def memory_exhausted(stderr: bytes) -> bool:
    """Whether Oxigraph's last words say an allocation failed (it hit the memory cap)."""
    return b"memory allocation of" in stderr


def end_process(process: subprocess.Popen[bytes], *, kill: bool) -> None:
    """Stop ``process`` if it still runs: SIGTERM (or SIGKILL), then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    if kill:
        process.kill()
    else:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
