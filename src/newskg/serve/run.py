"""Running a server in the foreground, as ``newskg serve`` does: announce it, follow rebuilds,
stop cleanly on Ctrl-C or SIGTERM, and warn when it listens beyond this machine."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator

from newskg.errors import NewskgError
from newskg.serve.server import Server, is_loopback, resolve_store
from newskg.store import store_path


def exposure_warning(host: str, read_write: bool) -> str | None:
    """What ``newskg serve`` prints when it listens beyond this machine (None on loopback)."""
    if is_loopback(host):
        return None
    if read_write:
        return (
            f"warning: serving READ-WRITE on {host}: anyone who can reach this address can "
            "query the graph, and anyone who has the token can change or delete the served store"
        )
    return (
        f"warning: serving on {host}: anyone who can reach this address can query the graph; "
        "there is no authentication for reads"
    )


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (``kill``, service managers) stops ``newskg serve`` as Ctrl-C does, so that
    Oxigraph and a read-write copy are cleaned up rather than left behind. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_forever(
    server: Server,
    announce: Callable[[str], None],
    poll_s: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Run ``server`` until Ctrl-C (or ``stop()``), restarting Oxigraph when a new build is
    swapped in under ``kg/store``: the read-only server holds the build it opened, and the
    build after next deletes that directory, so following the symlink keeps answers current.
    A read-write server serves its own copy and does not follow rebuilds."""
    if server.log is None:
        server.log = announce
    try:
        server.start()
        mode = "read-only" if server.read_only else f"READ-WRITE on {server.store_dir or 'memory'}"
        announce(
            f"SPARQL endpoint {server.query_url}  ({mode}; query page {server.url}; Ctrl-C stops)"
        )
        if server.pages_url is not None:
            announce(f"pages of the graph's nodes: {server.pages_url}")
        while not stop():
            time.sleep(poll_s)
            if server.failure is not None:  # Oxigraph died and could not be started again
                raise server.failure
            # Opening the store is what checks it, and costs far more than following the
            # symlink: only a changed target is worth it.
            if (
                server.kg is not None
                and server.read_only
                and store_path(server.kg) != server.store_dir
            ):
                try:
                    current = resolve_store(server.kg)
                except NewskgError:
                    continue  # mid-swap or removed: keep serving what we have
                if current != server.store_dir:
                    server.restart()
                    announce(f"new build detected; now serving {current}")
    finally:
        server.stop()


# -- push -----------------------------------------------------------------------------------
