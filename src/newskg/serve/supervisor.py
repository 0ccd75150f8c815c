"""What Oxigraph cannot do for itself: staying up, within its time and memory limits.

The supervisor owns the Oxigraph processes behind ``newskg serve``. It starts one on an
internal loopback port and

* **restarts it when it dies**, for any reason: a watchdog notices within a fraction of a
  second, and a request that was running learns why (:meth:`Supervisor.lost`);
* **caps its memory** (``max_memory``, see :func:`newskg.serve.oxigraph.child_setup`): a
  query that grows past the cap makes Oxigraph abort, and it is restarted;
* **stops an over-long query** by starting a fresh Oxigraph and killing the old one once
  the other requests it had are done (:meth:`Supervisor.timed_out`): Oxigraph's own
  timeout cannot interrupt every evaluation;
* **switches to a new build** (:meth:`Supervisor.restart`) by starting a fresh Oxigraph before
  retiring the old one, so that requests in flight finish.

Every Oxigraph it starts has a new *generation* number; connections to it carry that number,
so that one to an Oxigraph that is gone is never reused.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import IO

from newskg.errors import ServerError
from newskg.serve.oxigraph import child_setup, end_process, free_port, memory_exhausted

READY_TIMEOUT_S = 30.0
WATCH_INTERVAL_S = 0.1
# How long an Oxigraph replaced after a rebuild keeps answering the requests it had, when no
# timeout bounds them.
RETIRE_GRACE_S = 30.0
# Beyond its timeout, how long a request on an Oxigraph stopped for another's timeout may go
# on: each keeps its own deadline, so none is cut short by another query's timeout.
TIMEOUT_GRACE_S = 1.0

# Why an Oxigraph went away, as a request that was running on it is told (HTTP 503).
TIMEOUT = "timeout"
MEMORY = "memory"
DIED = "died"


class Stopped(Exception):
    """The server is stopping: no Oxigraph will answer."""


class Supervisor:
    """Runs ``command(port)`` as Oxigraph and keeps one running until :meth:`stop`."""

    def __init__(
        self,
        command: Callable[[int], list[str]],
        *,
        max_memory: int | None,
        timeout: float | None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.command = command
        self.max_memory = max_memory
        self.timeout = timeout
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.generation = 0
        self.restarts = {TIMEOUT: 0, MEMORY: 0, DIED: 0}
        self.failure: ServerError | None = None  # set when a restart failed: serve stops
        self._stderr: IO[bytes] | None = None
        self._ended: dict[int, str] = {}  # generation -> why its Oxigraph went away
        self._lock = threading.RLock()  # held while Oxigraph (re)starts
        self._stopping = threading.Event()
        self._retiring: list[tuple[threading.Timer, subprocess.Popen[bytes], IO[bytes] | None]] = []
        self._spawner: concurrent.futures.ThreadPoolExecutor | None = None
        self._watchdog: threading.Thread | None = None

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._start()
        self._watchdog = threading.Thread(target=self._watch, name="newskg-watchdog", daemon=True)
        self._watchdog.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=10)
        with self._lock:
            self._end_current(kill=False, why=None)
            retiring, self._retiring = self._retiring, []
        for timer, process, stderr in retiring:
            timer.cancel()
            self._retire(process, stderr, now=True)
        spawner, self._spawner = self._spawner, None
        if spawner is not None:
            spawner.shutdown(wait=True)

    def current(self) -> tuple[int, int]:
        """(generation, port) of the running Oxigraph; waits while one (re)starts."""
        with self._lock:
            if self.process is None or self._stopping.is_set():
                raise Stopped
            return self.generation, self.port

    @property
    def running(self) -> bool:
        with self._lock:
            return self.process is not None and self.process.poll() is None

    def restart(self) -> None:
        """Switch to a fresh Oxigraph (after a rebuild) without failing a request: the new
        one starts first, new requests go to it, and the old one is stopped once the
        requests it is answering have had time to finish."""
        with self._lock:
            old = (self.process, self._stderr)
            self.process, self._stderr = None, None  # a failed start must not stop the old one
            try:
                self._start()
            except BaseException:
                self.process, self._stderr = old
                raise
            if old[0] is not None:
                grace = (self.timeout or RETIRE_GRACE_S) + 1
                timer = threading.Timer(grace, self._retire, args=old)
                timer.daemon = True
                self._retiring.append((timer, old[0], old[1]))
                timer.start()

    def timed_out(self, generation: int, busy: Callable[[int], int] | None = None) -> None:
        """Stop the Oxigraph that runs an over-long query: a fresh one starts and takes the
        new requests, and the old one is killed as soon as ``busy(generation)`` says the
        other requests it had are done: each within its own timeout (the over-long query
        burns a core meanwhile, a timeout at most)."""
        with self._lock:
            if generation != self.generation or self.process is None or self._stopping.is_set():
                return  # another request replaced it already, or the server is stopping
            old = (self.process, self._stderr)
            self._ended[generation] = TIMEOUT
            self.restarts[TIMEOUT] += 1
            self.process, self._stderr = None, None
            timer = threading.Timer(
                self._timeout_grace(), self._retire, args=old, kwargs={"now": True}
            )
            timer.daemon = True
            self._retiring.append((timer, old[0], old[1]))
            timer.start()
            try:
                self._start()
            except ServerError as exc:
                self.failure = exc
                return
        if busy is not None:
            threading.Thread(
                target=self._retire_when_idle, args=(old, generation, busy), daemon=True
            ).start()
        if self.log is not None:
            self.log(_RESTART_MESSAGES[TIMEOUT].format(timeout=self.timeout or 0, detail=""))

    def _timeout_grace(self) -> float:
        return (self.timeout or 0) + TIMEOUT_GRACE_S

    def _retire_when_idle(
        self,
        old: tuple[subprocess.Popen[bytes], IO[bytes] | None],
        generation: int,
        busy: Callable[[int], int],
    ) -> None:
        deadline = time.monotonic() + self._timeout_grace()
        while busy(generation) > 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            if not any(r[1] is old[0] for r in self._retiring):
                return  # the grace timer, or stop(), got there first
        self._retire(old[0], old[1], now=True)

    def lost(self, generation: int) -> str | None:
        """Why the Oxigraph of ``generation`` stopped answering (:data:`TIMEOUT`,
        :data:`MEMORY`, :data:`DIED`), once the watchdog has seen it go (a second at most);
        None if it is still running."""
        deadline = time.monotonic() + 1.0
        while True:
            with self._lock:
                if generation in self._ended:
                    return self._ended[generation]
                if generation != self.generation:
                    return DIED  # replaced after a rebuild, and since stopped
                if self.process is not None and self.process.poll() is not None:
                    self._replace(generation, None, kill=False)
                    continue
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)

    # -- inside -----------------------------------------------------------------------------

    def _start(self) -> None:
        last_error = ""
        # A port picked by free_port() can be taken by someone else before oxigraph binds it;
        # retrying with a new port makes that race harmless.
        for _ in range(3):
            self.port = free_port("127.0.0.1")
            self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _end_current)
            try:
                self.process = self._spawn(self.command(self.port), self._stderr)
            except (OSError, subprocess.SubprocessError) as exc:
                last_error = str(exc)
                self._end_current(kill=True, why=None)
                continue
            error = self._wait_ready()
            if error is None:
                self.generation += 1
                return
            last_error = error
            self._end_current(kill=True, why=None)
        raise ServerError(
            f"the SPARQL server did not start: {last_error}",
            hint="check that no other process holds the store, and that --max-memory is "
            "not too small",
        )

    def _spawn(self, command: list[str], stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        """Start Oxigraph so that it dies with us, even when we are SIGKILLed (no handler
        runs then). Linux delivers the parent-death signal when the *thread* that forked
        the child ends, and restarts happen on short-lived request threads, so every
        Oxigraph is forked by one thread that lives as long as the server."""
        if self._spawner is None:
            self._spawner = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="newskg-oxigraph"
            )
        return self._spawner.submit(
            subprocess.Popen,
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=functools.partial(child_setup, os.getpid(), self.max_memory),
        ).result()

    def _wait_ready(self) -> str | None:
        """None once Oxigraph answers; its own message if it exits."""
        assert self.process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        probe = f"http://127.0.0.1:{self.port}/query?" + urllib.parse.urlencode({"query": "ASK {}"})
        request = urllib.request.Request(
            probe, headers={"Accept": "application/sparql-results+json"}
        )
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return self._last_words() or f"exit {self.process.returncode}"
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200 and self.process.poll() is None:
                        return None
            except (OSError, urllib.error.URLError):
                time.sleep(0.02)
        return f"no answer on port {self.port} after {READY_TIMEOUT_S:.0f}s"

    def _last_words(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, self._stderr.tell() - 4096))
        return self._stderr.read().decode("utf-8", "replace").strip()

    def _end_current(self, *, kill: bool, why: str | None) -> None:
        """Stop the running Oxigraph (lock held), recording why its requests failed."""
        process, self.process = self.process, None
        if why is not None:
            self._ended[self.generation] = why
            if len(self._ended) > 1000:  # old generations: no request can still ask
                self._ended.pop(min(self._ended))
        if process is not None:
            end_process(process, kill=kill)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _replace(self, generation: int, why: str | None, *, kill: bool) -> None:
        """Replace the Oxigraph of ``generation`` if it is still the current one. ``why`` None:
        it died, and its last words say whether of the memory cap."""
        with self._lock:
            if generation != self.generation or self.process is None or self._stopping.is_set():
                return  # another request (or the watchdog) replaced it already
            detail = ""
            if why is None:
                why = MEMORY if memory_exhausted(self._last_words().encode()) else DIED
                detail = _exit_status(self.process)
            self._end_current(kill=kill, why=why)
            self.restarts[why] += 1
            try:
                self._start()
            except ServerError as exc:
                self.failure = exc
                return
        if self.log is not None:
            self.log(_RESTART_MESSAGES[why].format(timeout=self.timeout or 0, detail=detail))

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_INTERVAL_S):
            with self._lock:
                process, generation = self.process, self.generation
            if process is not None and process.poll() is not None:
                self._replace(generation, None, kill=False)

    def _retire(
        self, process: subprocess.Popen[bytes], stderr: IO[bytes] | None, *, now: bool = False
    ) -> None:
        """Stop an Oxigraph that a restart replaced (after its grace period, or ``now``)."""
        with self._lock:
            for timer, retired, _ in self._retiring:
                if retired is process:
                    timer.cancel()
            self._retiring = [r for r in self._retiring if r[1] is not process]
        end_process(process, kill=now)
        if stderr is not None:
            stderr.close()


_RESTART_MESSAGES = {
    TIMEOUT: "a request ran longer than {timeout:g}s; Oxigraph was restarted",
    MEMORY: "a request reached the memory cap (--max-memory); Oxigraph was restarted",
    DIED: "Oxigraph stopped unexpectedly ({detail}); it was restarted",
}


def _exit_status(process: subprocess.Popen[bytes]) -> str:
    code = process.returncode
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit {code}"
