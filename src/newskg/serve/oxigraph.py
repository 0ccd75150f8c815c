"""The Oxigraph server program: finding it, a free port for it, starting it so that it dies
with newskg, and stopping it.

``newskg serve`` runs the real Oxigraph server (the ``oxigraph`` binary of the PyPI package
``oxigraph``) as a subprocess rather than a SPARQL server of our own, so that users get a
complete SPARQL 1.1 Protocol implementation (content negotiation, GET/POST, Graph Store
Protocol) and the YASGUI query page, maintained upstream.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from newskg.errors import ServerError

BINARY = "oxigraph"


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


def die_with_parent(parent: int) -> None:
    """In the forked child, before exec: SIGKILL when the forking thread (see
    Server._spawn) or the whole newskg process goes away. Elsewhere than Linux a killed
    ``newskg serve`` can still leave Oxigraph running; SIGTERM and Ctrl-C stop it anyway."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)


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
