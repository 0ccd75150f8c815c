"""Who may ask ``newskg serve`` what: the checks the proxy makes of each request before it
reaches Oxigraph, as pure functions of the request (no I/O, tested on their own).

* **Host** (DNS rebinding): a web page on another site can point its own name at this
  machine's address; the browser then sends that name as ``Host``. Only the served address
  (and, on loopback, ``localhost``) is accepted.
* **Origin** (cross-site request forgery): a page of another origin may read (GET, HEAD,
  OPTIONS), never send anything else, a form POST of ``update=DROP ALL`` included.
* **Token**: with ``auth_token`` set, writes (updates, Graph Store writes) must carry it as
  ``Authorization: Bearer TOKEN`` (or as the password of Basic authentication).
* **No outbound requests**: a query or update that would make Oxigraph fetch a URL
  (``SERVICE``, ``LOAD``) is refused unless the URL is allowed
  (:mod:`newskg.query.outbound`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import urllib.parse
from dataclasses import dataclass

import h11

from newskg.errors import QueryError
from newskg.query.outbound import check_outbound

SAFE_METHODS = frozenset({b"GET", b"HEAD", b"OPTIONS"})
MAX_HEADERS = 100
# A header section may hold this much besides the request line (a long GET query string).
MAX_HEADER_BYTES = 64 * 1024
# Chunk-size lines and trailers around a body of the maximum size.
FRAMING_SLACK = 64 * 1024


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str
    drain: int = 0  # bytes of the body to read and drop, so that the client sees the answer
    headers: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True)
class Limits:
    """What a server accepts (see :class:`newskg.serve.server.Server`)."""

    max_request_bytes: int
    max_connections: int
    hosts: frozenset[str]  # accepted Host values, lowercased, with their port
    any_ip_host: bool  # serving on every address: any IP literal with the port is accepted
    port: int
    auth_token: str | None = None
    allow_service: tuple[str, ...] = ()

    @property
    def max_target(self) -> int:
        """Longest request target (path and query string)."""
        return self.max_request_bytes

    @property
    def max_head(self) -> int:
        """Longest request line and header section."""
        return self.max_target + 64 + MAX_HEADER_BYTES

    @property
    def max_received(self) -> int:
        """Most bytes one request may take, framing and trailers included."""
        return self.max_head + self.max_request_bytes + FRAMING_SLACK

    def too_large(self) -> str:
        return (
            f"request body larger than {self.max_request_bytes} bytes (newskg serve "
            "--max-request-bytes); load large data with 'newskg build', or 'newskg push' to "
            "another store"
        )

    def too_long(self) -> str:
        return (
            f"request target longer than {self.max_target} bytes; send long queries by POST "
            "(the limit is newskg serve --max-request-bytes)"
        )


def allowed_hosts(host: str, port: int) -> tuple[frozenset[str], bool]:
    """The ``Host`` values a server on ``host``:``port`` answers, and whether any IP literal
    is accepted (when it listens on every address)."""
    bare = host.strip("[]").lower().rstrip(".")
    names = {bare}
    wildcard = False
    try:
        address = ipaddress.ip_address(bare)
        wildcard = address.is_unspecified
        if address.is_loopback or wildcard:
            names |= {"localhost", "127.0.0.1", "::1"}
    except ValueError:
        if bare == "localhost":
            names |= {"127.0.0.1", "::1"}
    hosts = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        hosts.add(f"{shown}:{port}")
        if port == 80:
            hosts.add(shown)
    return frozenset(hosts), wildcard


def check_head(event: h11.Request, raw_head: bytes, limits: Limits) -> Refusal | None:
    """A refusal for a request whose head alone says it must not reach Oxigraph."""
    headers = event.headers
    if event.http_version not in (b"1.0", b"1.1"):
        return Refusal(505, f"HTTP version {event.http_version.decode()} is not supported")
    if len(headers) > MAX_HEADERS:
        return Refusal(431, f"more than {MAX_HEADERS} header fields")
    head_lines = raw_head.split(b"\r\n\r\n", 1)[0].lower().split(b"\n")
    if sum(line.lstrip().startswith(b"content-length:") for line in head_lines[1:]) > 1:
        return Refusal(400, "more than one Content-Length header field")
    fields: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        fields.setdefault(name.lower(), []).append(value)
    hosts = fields.get(b"host", [])
    if len(hosts) > 1:
        return Refusal(400, "more than one Host header field")
    if hosts and not _host_allowed(hosts[0].decode("latin-1"), limits):
        return Refusal(
            403,
            f"Host {hosts[0].decode('latin-1')!r} is not this server's address; a server on "
            "this machine only answers requests addressed to it (DNS rebinding)",
        )
    method = event.method.upper()
    if method not in SAFE_METHODS:
        origin = fields.get(b"origin", [None])[0]
        if origin is not None and (not hosts or origin.lower() != b"http://" + hosts[0].lower()):
            return Refusal(
                403,
                f"a page from {origin.decode('latin-1')} may not send {method.decode()} "
                "requests to this server (cross-origin); only reads (GET) are allowed from "
                "other origins",
            )
    token = limits.auth_token
    if (
        token is not None
        and is_write(event)
        and not _authorised(fields.get(b"authorization", []), token)
    ):
        return Refusal(
            401,
            "this server accepts writes only with its token "
            "(Authorization: Bearer TOKEN; newskg serve --auth-token)",
            headers=((b"www-authenticate", b'Bearer realm="newskg"'),),
        )
    if len(event.target) > limits.max_target:
        return Refusal(414, limits.too_long())
    lengths = fields.get(b"content-length", [])
    if lengths and int(lengths[0]) > limits.max_request_bytes:
        return Refusal(413, limits.too_large(), drain=min(int(lengths[0]), 8 << 20))
    return None


def check_body(event: h11.Request, body: bytes, limits: Limits) -> Refusal | None:
    """A refusal for a query or update that would make Oxigraph send a request elsewhere."""
    for text, update in sparql_texts(event, body):
        try:
            check_outbound(text, limits.allow_service, update=update)
        except QueryError as exc:
            return Refusal(400, str(exc))
    return None


def is_write(event: h11.Request) -> bool:
    """Whether a request may change the store: anything but a read or a query."""
    method = event.method.upper()
    if method in SAFE_METHODS:
        return False
    path = event.target.split(b"?", 1)[0]
    return not (method in (b"POST", b"QUERY") and path == b"/query")


def sparql_texts(event: h11.Request, body: bytes) -> list[tuple[str, bool]]:
    """Every query and update text Oxigraph could take from this request, as (text, is an
    update): the ``query`` and ``update`` parameters of the URL (whatever the path), and the
    body when it is a query, an update or a form."""
    texts: list[tuple[str, bool]] = []
    _, _, query_string = event.target.partition(b"?")
    texts += _form_texts(query_string)
    types = [v for k, v in event.headers if k.lower() == b"content-type"]
    media = {t.split(b";", 1)[0].strip().lower() for t in types}
    if body and b"application/sparql-query" in media:
        texts.append((body.decode("utf-8", "replace"), False))
    if body and b"application/sparql-update" in media:
        texts.append((body.decode("utf-8", "replace"), True))
    if body and b"application/x-www-form-urlencoded" in media:
        texts += _form_texts(body)
    return texts


def _form_texts(data: bytes) -> list[tuple[str, bool]]:
    pairs = urllib.parse.parse_qsl(
        data.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace"
    )
    return [(value, name == "update") for name, value in pairs if name in ("query", "update")]


def _host_allowed(value: str, limits: Limits) -> bool:
    host = value.strip().lower()
    if host.rstrip(".") in limits.hosts or host in limits.hosts:
        return True
    if not limits.any_ip_host:
        return False
    name, _, port = host.rpartition(":")
    if port != str(limits.port) and not (limits.port == 80 and not port):
        return False
    try:
        ipaddress.ip_address((name if port else host).strip("[]"))
    except ValueError:
        return False
    return True


def _authorised(values: list[bytes], token: str) -> bool:
    for value in values:
        scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
        given = credentials.strip()
        if scheme.lower() == "basic":
            try:
                given = base64.b64decode(given, validate=True).decode("utf-8").partition(":")[2]
            except (binascii.Error, UnicodeDecodeError):
                continue
        elif scheme.lower() != "bearer":
            continue
        if hmac.compare_digest(given.encode(), token.encode()):
            return True
    return False
