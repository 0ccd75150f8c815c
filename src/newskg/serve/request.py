"""One client's request, read within the proxy's limits; and the short answers the proxy
gives itself (refusals, 503s), framed by h11.

A request, headers and body, must arrive whole within :data:`REQUEST_TIMEOUT_S` of its first
byte (of the connection's opening, for the first on a connection), and an idle kept-alive
connection is closed after :data:`IDLE_TIMEOUT_S`: a limit on the whole request, not on
each read, so that a client sending a byte now and then cannot hold a connection.
"""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Protocol

import h11

from newskg.serve.policy import MAX_HEADER_BYTES, Limits, check_body, check_head

REQUEST_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 15.0
SEND_TIMEOUT_S = 30.0  # a client that reads nothing of its answer for this long is dropped
DRAIN_LIMIT = 8 << 20  # how much of a refused body we read, so that the client sees the 413
DRAIN_S = 2.0
READ_SIZE = 1 << 16

IDLE, READING, BUSY = "idle", "reading", "busy"
_STATUSES = {s.value for s in HTTPStatus}


@dataclass
class Client:
    """One client connection, and what it is doing (for the connection cap)."""

    sock: socket.socket
    state: str = IDLE
    since: float = field(default_factory=time.monotonic)
    evicted: bool = False


class Admission(Protocol):
    """What the reader needs of the proxy: its limits, and to say what a client does."""

    limits: Limits

    def set_state(self, client: Client, state: str) -> None: ...


@dataclass(frozen=True)
class Request:
    event: h11.Request
    body: bytes

    @property
    def repeatable(self) -> bool:
        """Safe to send twice: anything but an update or a Graph Store POST."""
        path = self.event.target.split(b"?", 1)[0]
        return self.event.method in (b"GET", b"HEAD", b"OPTIONS", b"PUT", b"DELETE") or (
            path.endswith(b"/query")
        )


ANSWERED = Request(h11.Request(method="GET", target="/", headers=[("Host", "x")]), b"")


class RequestReader:
    """Reads one request from a client connection, within the proxy's limits, and answers
    the refusals itself."""

    def __init__(self, proxy: Admission, client: Client, http: h11.Connection, first: bool) -> None:
        self.proxy, self.client, self.http = proxy, client, http
        self.limits = proxy.limits
        now = time.monotonic()
        # the first request of a connection must come within the request time; later ones
        # may wait while the connection idles
        self.deadline = now + (REQUEST_TIMEOUT_S if first else IDLE_TIMEOUT_S)
        self.started = False  # a byte of this request has arrived
        self.head = bytearray()  # the raw header section, up to the limits
        self.head_done = False
        self.received = 0

    def read(self) -> Request | None:
        """The next request; None when the connection is to be closed, or :data:`ANSWERED`
        when the request was refused and the connection goes on."""
        http, limits = self.http, self.limits
        event_head: h11.Request | None = None
        body = bytearray()
        continued = False
        while True:
            try:
                event = http.next_event()
            except h11.RemoteProtocolError as exc:
                self._refuse(*self._protocol_error(exc))
                return None
            if event is h11.NEED_DATA:
                if (
                    event_head is not None
                    and http.client_is_waiting_for_100_continue
                    and not continued
                ):
                    send(
                        self.client.sock,
                        http.send(h11.InformationalResponse(status_code=100, headers=[])),
                    )
                    continued = True
                data = self._receive()
                if data is None:
                    return None
                http.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                self.head_done = True
                refusal = check_head(event, bytes(self.head), limits)
                if refusal is not None:
                    self._refuse(
                        refusal.status, refusal.message, drain=refusal.drain, extra=refusal.headers
                    )
                    return None
                event_head = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > limits.max_request_bytes:
                    self._refuse(413, limits.too_large(), drain=DRAIN_LIMIT)
                    return None
            elif isinstance(event, h11.EndOfMessage):
                assert event_head is not None
                refusal = check_body(event_head, bytes(body), limits)
                if refusal is not None:
                    self._refuse(refusal.status, refusal.message, close=False)
                    return ANSWERED
                return Request(event_head, bytes(body))
            else:  # ConnectionClosed between requests
                return None

    def _receive(self) -> bytes | None:
        """The next bytes from the client, b"" at its end; None when time is up (answered
        408 if a request had begun) or the connection was closed to make room."""
        sock = self.client.sock
        left = self.deadline - time.monotonic()
        if left <= 0:
            if self.started:
                self._refuse(
                    408, f"the request did not arrive whole within {REQUEST_TIMEOUT_S:g} s"
                )
            return None
        sock.settimeout(left)
        try:
            data = sock.recv(READ_SIZE)
        except TimeoutError:
            return self._receive()
        except OSError:
            return None
        if self.client.evicted:
            return None
        if data and not self.started:
            self.started = True
            self.deadline = time.monotonic() + REQUEST_TIMEOUT_S
            self.proxy.set_state(self.client, READING)
        self.received += len(data)
        if not self.head_done:
            self.head += data
            if self._head_too_large():
                return None
        elif self.received > self.limits.max_received:
            self._refuse(413, self.limits.too_large(), drain=DRAIN_LIMIT)
            return None
        return data

    def _head_too_large(self) -> bool:
        head = self.head
        line_end = head.find(b"\n")
        if line_end < 0:
            if len(head) > self.limits.max_target + 64:
                self._refuse(414, self.limits.too_long())
                return True
            return False
        ends = [
            i
            for i in (head.find(b"\n\r\n", line_end - 1), head.find(b"\n\n", line_end - 1))
            if i >= 0
        ]
        section = (min(ends) if ends else len(head)) - line_end
        if section > MAX_HEADER_BYTES:
            self._refuse(431, f"header section larger than {MAX_HEADER_BYTES} bytes")
            return True
        return False

    def _protocol_error(self, exc: h11.RemoteProtocolError) -> tuple[int, str]:
        line = bytes(self.head.split(b"\n", 1)[0])
        version = line.rsplit(b" ", 1)[-1].strip()
        if version.startswith(b"HTTP/") and version[5:6].isdigit() and version[5:6] >= b"2":
            return 505, f"HTTP version {version.decode('latin-1')} is not supported"
        if exc.error_status_hint == 431 and b"\n" not in self.head:
            return 414, self.limits.too_long()
        return exc.error_status_hint, f"malformed request: {exc}"

    def _refuse(
        self,
        status: int,
        message: str,
        *,
        close: bool = True,
        drain: int = 0,
        extra: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        sock = self.client.sock
        with contextlib.suppress(OSError):
            send(sock, short_answer(self.http, status, message, close=close, extra=extra))
            if close:
                drain_refused(sock, drain)


def short_answer(
    http: h11.Connection,
    status: int,
    message: str,
    *,
    close: bool = False,
    extra: tuple[tuple[bytes, bytes], ...] = (),
) -> bytes:
    """A short plain-text answer, framed by h11 (empty when an answer has already begun)."""
    if http.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
        return b""
    body = (message + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)),
    ]
    headers += list(extra)
    if status == 503:
        headers.append((b"retry-after", b"1"))
    if close or http.their_state is h11.ERROR:
        headers.append((b"connection", b"close"))
    reason = HTTPStatus(status).phrase.encode() if status in _STATUSES else b""
    out = http.send(h11.Response(status_code=status, headers=headers, reason=reason))
    out += http.send(h11.Data(data=body))
    return out + http.send(h11.EndOfMessage())


def send(sock: socket.socket, data: bytes) -> None:
    if data:
        sock.settimeout(SEND_TIMEOUT_S)
        sock.sendall(data)


def drain_refused(sock: socket.socket, size: int) -> None:
    """Stop sending, then read and drop up to ``size`` bytes of a refused request, so that
    closing the connection does not reset it before the client has read our answer."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + DRAIN_S
        while size > 0 and (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            chunk = sock.recv(min(size, READ_SIZE))
            if not chunk:
                break
            size -= len(chunk)
