"""Talking to another triple store over HTTP: credentials, authentication, retries, errors.

requests does the HTTP: one :class:`requests.Session` keeps its connection open across
requests, urllib3's ``Retry`` sends a request again after a 503 or a dropped connection
(``Retry-After`` respected, the file body rewound), and requests' Basic and Digest auth
answer the server's challenge. What is newskg's own: where credentials come from, which
scheme to use, and error messages that say what happened in the user's words.
"""

from __future__ import annotations

import html.parser
import os
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import requests.auth
import requests.utils
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from newskg.errors import InputError, ServerError

USER_ENV = "NEWSKG_PUSH_USER"
PASSWORD_ENV = "NEWSKG_PUSH_PASSWORD"
_DETAIL_MAX = 300  # characters of a server's error text worth showing


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    source: str  # where they came from, for messages: "--user", "the URL", ...


def split_credentials(endpoint: str) -> tuple[str, Credentials | None]:
    """The endpoint without any ``user:password@`` in it, and those credentials."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.username is None:
        return endpoint, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    bare = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    user = urllib.parse.unquote(parts.username)
    return bare, Credentials(user, urllib.parse.unquote(parts.password or ""), "the URL")


def find_credentials(
    endpoint: str, user: str | None, in_url: Credentials | None
) -> Credentials | None:
    """Credentials from, in this order: ``user`` (``NAME`` or ``NAME:PASSWORD``; a missing
    password is read from $NEWSKG_PUSH_PASSWORD), the URL, $NEWSKG_PUSH_USER with
    $NEWSKG_PUSH_PASSWORD, then the netrc file (``~/.netrc`` or $NETRC)."""
    if user is not None:
        name, colon, password = user.partition(":")
        if not colon:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise InputError(
                    f"--user {name} has no password",
                    hint=f"set {PASSWORD_ENV}, or pass --user NAME:PASSWORD "
                    "(the environment keeps it out of your shell history)",
                )
        if not name:
            raise InputError("--user has no user name", hint="pass --user NAME[:PASSWORD]")
        return Credentials(name, password, "--user")
    if in_url is not None:
        return in_url
    if os.environ.get(USER_ENV):
        return Credentials(os.environ[USER_ENV], os.environ.get(PASSWORD_ENV, ""), f"${USER_ENV}")
    netrc = requests.utils.get_netrc_auth(endpoint)
    if netrc is not None:
        return Credentials(netrc[0], netrc[1], "the netrc file")
    return None


def session(credentials: Credentials | None, retries: int) -> requests.Session:
    """A session that reuses its connection and retries 503s and dropped connections.

    With credentials it starts with Digest, which sends no password until the server's
    challenge says how (:func:`switch_to_basic` follows a Basic challenge instead)."""
    http = requests.Session()
    http.trust_env = False  # no proxies from the environment; netrc is read explicitly
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        status_forcelist=(503,),
        allowed_methods=None,  # every request here replaces or deletes a whole graph
        backoff_factor=0.5,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = requests.adapters.HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=1)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    if credentials is not None:
        http.auth = requests.auth.HTTPDigestAuth(credentials.user, credentials.password)
    return http


def challenge(response: requests.Response) -> str:
    """The scheme a 401 asks for, lower-case ("basic", "digest", "bearer", or "")."""
    scheme = response.headers.get("WWW-Authenticate", "").strip().split(" ", 1)[0]
    return scheme.lower()


def switch_to_basic(http: requests.Session, credentials: Credentials) -> bool:
    """Answer Basic challenges from now on; False if the session already does."""
    if isinstance(http.auth, requests.auth.HTTPBasicAuth):
        return False
    http.auth = requests.auth.HTTPBasicAuth(credentials.user, credentials.password)
    return True


def detail(response: requests.Response) -> str:
    """The server's explanation, as plain text: HTML pages (Virtuoso's errors) stripped to
    their text, whitespace collapsed, cut short."""
    try:
        text = response.text
    except (requests.RequestException, UnicodeError):
        return ""
    if "<" in text and re.search(r"<\s*(html|body|h1|title|!doctype)\b", text, re.I):
        parser = _TextOf()
        parser.feed(text)
        parser.close()
        text = " ".join(parser.parts)
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def transport_error(exc: requests.RequestException, shown: str, timeout: float) -> ServerError:
    """A request that got no HTTP answer, told apart: no connection, or no answer in time."""
    if isinstance(exc, requests.ConnectTimeout):
        return ServerError(
            f"cannot connect to {shown}: no connection within {timeout:g} s",
            hint="check the host and port, and that no firewall drops the connection",
        )
    if isinstance(exc, requests.ReadTimeout) or _caused_by(exc, ReadTimeoutError):
        return ServerError(
            f"{shown} gave no answer in {timeout:g} s",
            hint="the store may be busy or the graph large: raise --timeout, or check the "
            "store's load and log",
        )
    if isinstance(exc, requests.ConnectionError):
        reason = _root_cause(exc)
        return ServerError(
            f"cannot connect to {shown}: {reason}",
            hint="check that the triple store is running and the host and port are right",
        )
    return ServerError(f"request to {shown} failed: {_root_cause(exc)}")


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the errors under it (urllib3 wraps them in ``reason``)."""
    chain: list[BaseException] = []
    seen: Any = exc
    while isinstance(seen, BaseException) and seen not in chain:
        chain.append(seen)
        seen = getattr(seen, "reason", None) or seen.__context__ or seen.__cause__
    return chain


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    # requests reports a read timeout that used up its retries as a ConnectionError.
    return any(isinstance(e, kind) for e in _causes(exc))


def _root_cause(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the wrappers' repetition."""
    text = str(_causes(exc)[-1])
    # urllib3 spells "<HTTPConnection object at 0x...>: Failed to establish ...": keep the end.
    return text.split(">: ", 1)[-1] if ">: " in text else text


class _TextOf(html.parser.HTMLParser):
    """The text of an HTML page, without its markup."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(data.strip())
