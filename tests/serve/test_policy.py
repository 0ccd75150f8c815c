"""`newskg.serve.policy`: the checks of each request's head and body, as pure functions."""

from __future__ import annotations

import base64

import h11
import pytest

from newskg.serve.policy import (
    Limits,
    allowed_hosts,
    check_body,
    check_head,
    is_write,
    sparql_texts,
)


def limits(host: str = "127.0.0.1", port: int = 7878, **kwargs) -> Limits:
    hosts, any_ip = allowed_hosts(host, port)
    return Limits(1 << 20, 64, hosts, any_ip, port, **kwargs)


def request(method: str = "GET", target: str = "/query?query=ASK{}", **headers: str) -> h11.Request:
    fields = [(k.replace("_", "-"), v) for k, v in headers.items()]
    if not any(k.lower() == "host" for k, _ in fields):
        fields.append(("Host", "127.0.0.1:7878"))
    return h11.Request(method=method, target=target, headers=fields)


def status(event: h11.Request, lim: Limits | None = None, raw: bytes = b"") -> int | None:
    refusal = check_head(event, raw, lim or limits())
    return None if refusal is None else refusal.status


@pytest.mark.parametrize(
    ("host", "port", "accepted", "refused"),
    [
        ("127.0.0.1", 7878, ["127.0.0.1:7878", "localhost:7878", "[::1]:7878", "LOCALHOST:7878"],
         ["evil.example:7878", "127.0.0.1:80", "127.0.0.1", "localhost.evil.example:7878"]),
        ("localhost", 7878, ["localhost:7878", "127.0.0.1:7878"], ["evil.example:7878"]),
        ("::1", 7878, ["[::1]:7878", "localhost:7878"], ["[::2]:7878"]),
        ("0.0.0.0", 7878, ["192.168.1.10:7878", "[fe80::1]:7878", "localhost:7878"],
         ["evil.example:7878", "192.168.1.10:7879"]),
        ("kg.example.org", 80, ["kg.example.org", "kg.example.org:80"], ["evil.example"]),
    ],
)  # fmt: skip
def test_only_the_served_address_is_accepted_as_host(host, port, accepted, refused):
    lim = limits(host, port)
    for value in accepted:
        assert status(request(Host=value), lim) is None, value
    for value in refused:
        assert status(request(Host=value), lim) == 403, value


def test_other_origins_may_only_read():
    evil = {"Origin": "https://evil.example"}
    assert status(request("GET", **evil)) is None
    assert status(request("HEAD", **evil)) is None
    form = {"Content_Type": "application/x-www-form-urlencoded", **evil}
    assert status(request("POST", "/update", **form)) == 403
    assert status(request("POST", "/query", **form)) == 403
    assert status(request("PUT", "/store?default", **evil)) == 403
    assert status(request("POST", "/update", Origin="null")) == 403
    assert status(request("POST", "/update", Origin="http://127.0.0.1:7878")) is None
    assert status(request("POST", "/update", Origin="http://localhost:7878")) == 403


def test_writes_need_the_token_when_there_is_one():
    lim = limits(auth_token="a-token-of-sixteen-chars")
    assert status(request("POST", "/update"), lim) == 401
    assert status(request("DELETE", "/store?default"), lim) == 401
    assert status(request("POST", "/update", Authorization="Bearer wrong"), lim) == 401
    good = "Bearer a-token-of-sixteen-chars"
    assert status(request("POST", "/update", Authorization=good), lim) is None
    basic = "Basic " + base64.b64encode(b"anyone:a-token-of-sixteen-chars").decode()
    assert status(request("PUT", "/store?default", Authorization=basic), lim) is None
    assert status(request("GET"), lim) is None  # reads need none
    assert status(request("POST", "/query"), lim) is None


def test_what_counts_as_a_write():
    assert not is_write(request("GET", "/update"))
    assert not is_write(request("POST", "/query"))
    assert is_write(request("POST", "/update"))
    assert is_write(request("POST", "/store"))
    assert is_write(request("PATCH", "/anything"))


def test_framing_limits_in_the_head():
    many = {f"X_{i}": "v" for i in range(101)}
    assert status(request(**many)) == 431
    raw = b"POST /query HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n"
    assert status(request("POST", Content_Length="5"), raw=raw) == 400
    assert status(request("GET", "/query?q=" + "x" * (1 << 20))) == 414
    assert status(request("POST", "/query", Content_Length=str(2 << 20))) == 413
    http2 = h11.Request(method="GET", target="/", headers=[], http_version="1.0")
    assert status(http2) is None  # HTTP/1.0 without Host: no browser sends that


def test_every_query_text_of_a_request_is_checked():
    url = "http://127.0.0.1:9/"
    service = f"SELECT * WHERE {{ SERVICE <{url}> {{}} }}"
    encoded = "query=" + service.replace(" ", "+").replace("{", "%7B").replace("}", "%7D")
    cases = [
        (request("GET", "/query?" + encoded), b""),
        (request("GET", "/anything?" + encoded), b""),
        (request("POST", "/query", Content_Type="application/sparql-query; charset=utf-8"),
         service.encode()),
        (request("POST", "/query", Content_Type="Application/X-WWW-Form-Urlencoded"),
         encoded.encode()),
        (request("POST", "/update", Content_Type="application/sparql-update"),
         f"LOAD <{url}x>".encode()),
        (request("POST", "/update", Content_Type="application/x-www-form-urlencoded"),
         b"update=LOAD+%3Chttp%3A%2F%2F127.0.0.1%3A9%2Fx%3E"),
    ]  # fmt: skip
    for event, body in cases:
        assert sparql_texts(event, body), event
        refusal = check_body(event, body, limits())
        assert refusal is not None and refusal.status == 400, event
        assert check_body(event, body, limits(allow_service=(url,))) is None
    plain = request("POST", "/query", Content_Type="application/sparql-query")
    assert check_body(plain, b"SELECT ?service WHERE { ?service ?p ?o }", limits()) is None
