"""Lean HTTP/1.1 message reading for the proxy in ``newskg.serve.server``, without the ``email``
package.

``http.client`` and ``http.server`` parse every header section with the ``email`` package,
and ``http.client`` builds each request header by header; profiled, that was most of what
the proxy cost per request (it doubled Oxigraph's own latency for a small query). This module
has the two pieces the proxy needs instead:

* :func:`read_headers`, for requests from clients (the proxy's request-line checks and
  limits stay in ``newskg.serve.server``);
* :class:`BackendConnection`, a keep-alive connection to the Oxigraph that the proxy started
  on loopback. The proxy frames every request to it itself (always ``Content-Length``, never
  chunked), so a reader of status lines, headers and the three kinds of body framing
  (RFC 9112 6.3) is the whole job.
"""

from __future__ import annotations

import io
import select
import socket
from collections.abc import Iterable
from typing import BinaryIO

MAX_LINE = 1 << 16  # as http.client: a status or header line longer than this is refused
MAX_HEADERS = 100  # as http.client


class HeaderError(ValueError):
    """A header section that breaks HTTP/1.1 (RFC 9112 5), or one past our limits."""

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large  # the answer to a client is then 431, not 400


class Headers:
    """Header fields in the order they came, looked up without regard to case (the part of
    ``email.message.Message`` that the proxy used)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields

    def get(self, name: str, default: str | None = None) -> str | None:
        name = name.lower()
        for key, value in self._fields:
            if key.lower() == name:
                return value
        return default

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)


def read_headers(rfile: BinaryIO) -> list[tuple[str, str]]:
    """Header fields up to the empty line that ends them. A line folded onto the previous one
    (obsolete, but still sent by a few clients) is joined to it with a space, as RFC 9112 5.2
    allows a proxy to do."""
    fields: list[tuple[str, str]] = []
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if line in (b"\r\n", b"\n"):
            return fields
        if not line:
            raise HeaderError("connection closed in the middle of the headers")
        if len(line) > MAX_LINE:
            raise HeaderError(f"header line longer than {MAX_LINE} bytes", too_large=True)
        if len(fields) >= MAX_HEADERS:
            raise HeaderError(f"more than {MAX_HEADERS} header lines", too_large=True)
        text = line.decode("latin-1").rstrip("\r\n")
        if text[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, f"{value} {text.strip()}")
            continue
        name, sep, value = text.partition(":")
        if not sep or not name or name != name.strip():
            raise HeaderError(f"malformed header line {text[:60]!r}")
        fields.append((name, value.strip()))


class BadResponse(ConnectionError):
    """Oxigraph's answer broke HTTP framing, or the connection ended in the middle of one."""


class BackendResponse:
    """Status, headers and a body to read piece by piece with :meth:`read1`."""

    def __init__(
        self,
        conn: BackendConnection,
        version: str,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        *,
        head_request: bool,
    ) -> None:
        self.conn = conn
        self.status = status
        self.reason = reason
        self.headers = Headers(headers)
        self._chunked = False
        self._left: int | None = None  # bytes of the body (or current chunk) still to read
        self.done = False
        # how the body is framed (RFC 9112 6.3), and whether the connection ends with it
        connection = (self.headers.get("Connection") or "").lower()
        self.will_close = "close" in connection or (
            version == "HTTP/1.0" and "keep-alive" not in connection
        )
        if head_request or status in (204, 304) or 100 <= status < 200:
            self._left, self.done = 0, True
        elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._chunked, self._left = True, 0
        elif (length := self.headers.get("Content-Length")) is not None:
            if not length.strip().isdigit():
                raise BadResponse(f"bad Content-Length {length!r} from Oxigraph")
            self._left = int(length)
            self.done = self._left == 0
        else:
            self.will_close = True  # the body ends when Oxigraph closes the connection

    def read1(self, size: int) -> bytes:
        """The next piece of the body, at most ``size`` bytes; ``b""`` once the body is
        complete. Waits for the network only until there is something to return."""
        if self.done:
            return b""
        if self._chunked:
            return self._read_chunks(size)
        rfile = self.conn.rfile
        if self._left is None:  # until EOF
            data = rfile.read1(size)
            self.done = not data
            return data
        data = rfile.read1(min(size, self._left))
        if not data:
            raise BadResponse("Oxigraph closed the connection in the middle of an answer")
        self._left -= len(data)
        self.done = self._left == 0
        return data

    def _read_chunks(self, size: int) -> bytes:
        """Oxigraph streams results in chunks of about 1 KB. Every chunk that has already
        arrived goes into one piece (up to ``size``), so that the proxy makes one write, and
        the client one read, for many chunks; the last chunk, once here, ends the body at
        once, so a small answer goes out whole, in one write."""
        rfile = self.conn.rfile
        parts: list[bytes] = []
        total = 0
        while total < size and (not parts or self._arrived()):
            if self._left == 0:
                line = rfile.readline(MAX_LINE + 1)
                if not line:
                    raise BadResponse("Oxigraph closed the connection in the middle of an answer")
                try:
                    self._left = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BadResponse(f"bad chunk size line {line[:40]!r} from Oxigraph") from None
                if self._left == 0:
                    self.conn.read_headers()  # trailers, dropped
                    self.done = True
                    break
            data = rfile.read1(min(size - total, self._left))
            if not data:
                raise BadResponse("Oxigraph closed the connection in the middle of an answer")
            parts.append(data)
            total += len(data)
            self._left -= len(data)
            if self._left == 0 and rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n"):
                raise BadResponse("a chunk from Oxigraph did not end with CRLF")
        return b"".join(parts)

    def _arrived(self) -> bool:
        """Whether more of the answer can be read without waiting for the network."""
        sock, rfile = self.conn.sock, self.conn.rfile
        assert sock is not None
        timeout = sock.gettimeout()
        sock.settimeout(0.0)  # peek() reads the socket when its buffer is empty: never wait
        try:
            return bool(rfile.peek(1))
        except OSError:
            return False
        finally:
            sock.settimeout(timeout)

    def read(self) -> bytes:
        """The rest of the body."""
        parts = []
        while piece := self.read1(1 << 16):
            parts.append(piece)
        return b"".join(parts)


class BackendConnection:
    """One keep-alive connection to Oxigraph on loopback. Not thread-safe: the proxy's pool
    hands each connection to one request at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None  # connected by the first request
        self.rfile: io.BufferedReader

    def _connect(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        # each request goes out in one write, so Nagle would only hold the next one back
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.rfile = sock, sock.makefile("rb")
        return sock

    def request(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        timeout: float | None,
    ) -> BackendResponse:
        """Send a request in one write and read the status line and headers of its answer
        (interim ``1xx`` answers skipped)."""
        sock = self.sock or self._connect(timeout)
        sock.settimeout(timeout)
        lines = [f"{method} {target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in headers]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if len(body) < 1 << 16:
            sock.sendall(head + body)  # one segment for a query: no round trip lost to Nagle
        else:
            sock.sendall(head)
            sock.sendall(body)
        while True:
            version, status, reason = self._status_line()
            headers_in = self.read_headers()
            if not 100 <= status < 200 or status == 101:
                break
        return BackendResponse(
            self, version, status, reason, headers_in, head_request=method == "HEAD"
        )

    def _status_line(self) -> tuple[str, int, str]:
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            raise BadResponse("Oxigraph closed the connection without answering")
        if len(line) > MAX_LINE:
            raise BadResponse("status line from Oxigraph too long")
        version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/") or len(code) != 3 or not code.isdigit():
            raise BadResponse(f"bad status line {line[:60]!r} from Oxigraph")
        return version, int(code), reason

    def read_headers(self) -> list[tuple[str, str]]:
        try:
            return read_headers(self.rfile)
        except HeaderError as exc:
            raise BadResponse(f"{exc} from Oxigraph") from None

    def settimeout(self, seconds: float | None) -> None:
        """The time the next read may wait (None: no limit)."""
        assert self.sock is not None, "not connected: send a request first"
        self.sock.settimeout(seconds)

    def still_open(self) -> bool:
        """False when Oxigraph has closed this idle connection (it reads as EOF)."""
        if self.sock is None or self.sock.fileno() < 0:
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        return not readable  # an idle connection has nothing to read, unless it was closed

    def close(self) -> None:
        if self.sock is not None:
            self.rfile.close()
            self.sock.close()
            self.sock = None
