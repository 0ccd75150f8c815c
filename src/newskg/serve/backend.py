"""Keep-alive connections from the proxy to the Oxigraph it supervises, framed by h11.

Oxigraph listens on loopback only; every request to it is framed anew by h11 (always with
``Content-Length``), and its answers are read by h11 as well, so that no HTTP parsing is
written here. Each read waits at most until the request's deadline.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterable, Iterator

import h11

READ_SIZE = 1 << 16


class QueryTimeout(Exception):
    """The request outlived the server's query timeout."""


class BackendLost(Exception):
    """Oxigraph closed the connection, broke HTTP framing, or is not running."""

    def __init__(self, message: str, *, received: bool) -> None:
        super().__init__(message)
        self.received = received  # whether any of the answer had arrived


class BackendConnection:
    """One connection to Oxigraph on loopback, for one request at a time."""

    def __init__(self, port: int, generation: int) -> None:
        self.port = port
        self.generation = generation  # of the Oxigraph it reaches (see Supervisor)
        self.sock: socket.socket | None = None
        self.h11 = h11.Connection(h11.CLIENT)
        self.reused = False

    def request(
        self,
        method: bytes,
        target: bytes,
        headers: Iterable[tuple[bytes, bytes]],
        body: bytes,
        deadline: float | None,
    ) -> h11.Response:
        """Send a request and wait for the status line and headers of its answer."""
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), _left(deadline))
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            out = self.h11.send(h11.Request(method=method, target=target, headers=list(headers)))
            out += self.h11.send(h11.Data(data=body)) if body else b""
            out += self.h11.send(h11.EndOfMessage())
            self.sock.settimeout(_left(deadline))
            self.sock.sendall(out)
            while True:
                event = self._next(deadline, received=False)
                if isinstance(event, h11.Response):
                    return event
        except TimeoutError:
            raise QueryTimeout from None
        except (OSError, h11.LocalProtocolError) as exc:
            raise BackendLost(str(exc), received=False) from None

    def body(self, deadline: float | None) -> Iterator[bytes]:
        """The answer's body, piece by piece as it arrives, until it is complete."""
        try:
            while True:
                event = self._next(deadline, received=True)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    return
        except TimeoutError:
            raise QueryTimeout from None
        except OSError as exc:
            raise BackendLost(str(exc), received=True) from None

    def _next(self, deadline: float | None, *, received: bool) -> h11.Event:
        assert self.sock is not None
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise BackendLost(f"bad HTTP from Oxigraph: {exc}", received=received) from None
            if event is h11.NEED_DATA:
                self.sock.settimeout(_left(deadline))
                self.h11.receive_data(self.sock.recv(READ_SIZE))
                continue
            if isinstance(event, h11.ConnectionClosed):
                raise BackendLost("Oxigraph closed the connection", received=received)
            return event  # type: ignore[no-any-return]

    def reusable(self) -> bool:
        """Ready for the next request (the last answer was read whole, nobody said close)."""
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
            return True
        return False

    def still_open(self) -> bool:
        """False when Oxigraph has closed this idle connection (it reads as EOF)."""
        if self.sock is None or self.sock.fileno() < 0:
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable  # an idle connection has nothing to read, unless it was closed

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _left(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left
