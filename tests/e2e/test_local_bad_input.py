"""The local shop answers bad requests the way API Gateway does, over raw sockets: a JSON 403 for a
method no route has, a 413 over 10 MB without reading the body, a 4xx for a body that cannot be framed
or parsed, and never a dropped connection (issue #19, item 9).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cdk_app.local.runner import LocalShop, LocalShopOptions
from tests.e2e.conftest import running_shop

DEEP_JSON = b"[" * 1000 + b"]" * 1000
MISSING_TOKEN = {"message": "Missing Authentication Token"}
ADDRESS = {
    "name": "Ada",
    "line1": "1 Test Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


@pytest.fixture(scope="module")
def shop(
    local_templates: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalShop]:
    web_root: Path = tmp_path_factory.mktemp("web")
    with running_shop(
        LocalShopOptions(
            port=0, web_root=web_root, run_schedules=False, seed=False, templates=local_templates
        )
    ) as running:
        yield running


class Answer:
    """One HTTP response read off a raw socket."""

    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {
            name.lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)
        }

    def json(self) -> Any:
        return json.loads(self.body)


def _address(shop: LocalShop) -> tuple[str, int]:
    assert shop.server is not None
    netloc = urlsplit(shop.server.url).netloc
    host, _, port = netloc.rpartition(":")
    return host, int(port)


def _read_answer(connection: socket.socket) -> Answer:
    """One response: headers, then exactly Content-Length bytes (the connection may stay open)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed without an answer; got {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(Answer(head + b"\r\n\r\n").headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Answer(head + b"\r\n\r\n" + rest[:length])


def send(shop: LocalShop, *requests: bytes, timeout: float = 10) -> list[Answer]:
    """Send raw requests on one connection, one after the other, and read an answer to each."""
    with socket.create_connection(_address(shop), timeout=timeout) as connection:
        answers = []
        for request in requests:
            connection.sendall(request)
            answers.append(_read_answer(connection))
        return answers


def request(method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: localhost",
        *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
    ]
    if body and "Content_Length" not in headers and "Transfer_Encoding" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def still_serving(shop: LocalShop) -> None:
    [answer] = send(shop, request("GET", "/api/no/such/route"))
    assert answer.status == 403
    assert answer.json() == MISSING_TOKEN


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT", "MKCOL"])
def test_a_method_no_route_has_is_api_gateways_json_403(shop: LocalShop, method: str) -> None:
    [answer] = send(shop, request(method, "/api/products"))
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == MISSING_TOKEN
    still_serving(shop)


def test_a_body_over_10_mb_is_refused_from_its_declared_length_without_reading_it(shop: LocalShop) -> None:
    started = time.monotonic()
    # Declares 20 MB and sends two bytes: an answer before the body timeout proves nothing was awaited.
    [answer] = send(
        shop,
        request(
            "POST", "/api/guest/cart/add", b"{}", Content_Type="application/json", Content_Length="20000000"
        ),
    )
    assert answer.status == 413
    assert answer.json() == {"message": "Request Too Long"}
    assert answer.headers["connection"] == "close"
    assert time.monotonic() - started < 5
    still_serving(shop)


def test_an_upload_over_10_mb_asking_to_continue_is_refused_before_it_is_sent(shop: LocalShop) -> None:
    upload = request(
        "POST",
        "/api/guest/cart/add",
        Content_Type="application/json",
        Content_Length=str(11 * 1024 * 1024),
        Expect="100-continue",
    )
    [answer] = send(shop, upload)
    assert answer.status == 413
    assert answer.json() == {"message": "Request Too Long"}


def test_a_chunked_body_over_10_mb_is_refused_once_it_passes_the_limit(shop: LocalShop) -> None:
    chunk_size = 11 * 1024 * 1024
    head = request(
        "POST", "/api/guest/cart/add", Content_Type="application/json", Transfer_Encoding="chunked"
    )
    [answer] = send(shop, head + f"{chunk_size:x}\r\n".encode())
    assert answer.status == 413
    assert answer.json() == {"message": "Request Too Long"}


def test_a_chunked_body_is_read_and_the_connection_serves_the_next_request(shop: LocalShop) -> None:
    body = b'{"product_id": "p1", "quantity": 1}'
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    first, second = send(
        shop,
        request("POST", "/api/payment/webhook/stripe", chunked, Transfer_Encoding="chunked"),
        request("GET", "/api/no/such/route"),
    )
    # Unread, the chunks were taken for the next request line and answered with http.server's HTML 400.
    assert first.status == 400
    assert first.headers["content-type"] == "application/json"
    assert second.status == 403
    assert second.json() == MISSING_TOKEN


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "12, 13"])
def test_a_content_length_that_is_not_a_number_is_a_400(shop: LocalShop, length: str) -> None:
    [answer] = send(shop, request("POST", "/api/guest/cart/add", b"{}", Content_Length=length))
    assert answer.status == 400
    assert answer.json() == {"message": "Invalid Content-Length"}
    assert answer.headers["connection"] == "close"
    still_serving(shop)


def test_a_body_shorter_than_its_content_length_is_a_408_after_the_body_timeout(shop: LocalShop) -> None:
    assert shop.server is not None
    shop.server.body_timeout_seconds = 1
    try:
        started = time.monotonic()
        [answer] = send(shop, request("POST", "/api/guest/cart/add", b"{}", Content_Length="50"))
    finally:
        shop.server.body_timeout_seconds = 10
    assert answer.status == 408
    assert "fewer bytes" in answer.json()["message"]
    assert time.monotonic() - started < 5
    still_serving(shop)


@pytest.mark.parametrize(
    "path",
    [
        "/api/guest/cart/add",  # the method's request validator refuses it
        "/api/guest/orders/create",
        "/api/payment/webhook/stripe",  # no validator: the function reads it
    ],
)
def test_json_nested_a_thousand_deep_is_a_4xx_not_a_dropped_connection(shop: LocalShop, path: str) -> None:
    [answer] = send(shop, request("POST", path, DEEP_JSON, Content_Type="application/json"))
    assert 400 <= answer.status < 500, answer.body
    assert "message" in answer.json()
    still_serving(shop)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"product_id=p1"),  # no boundary
        ("application/json", b'\xff\xfe{"product_id": "p1"}'),  # not UTF-8
        ("text/plain", b"\x00\x01\x02"),
    ],
)
def test_bodies_no_route_can_read_are_a_4xx(shop: LocalShop, content_type: str, body: bytes) -> None:
    for path in ("/api/guest/cart/add", "/api/payment/webhook/stripe"):
        [answer] = send(shop, request("POST", path, body, Content_Type=content_type))
        assert 400 <= answer.status < 500, (path, answer.status, answer.body)
    still_serving(shop)


def test_a_guest_order_with_a_script_in_its_email_is_a_422_naming_the_field(shop: LocalShop) -> None:
    order = {
        "email": "u<script>alert(1)</script>@example.com",
        "items": [{"product_id": "p1", "quantity": 1}],
        "shipping_address": ADDRESS,
    }
    [answer] = send(
        shop,
        request(
            "POST",
            "/api/guest/orders/create",
            json.dumps(order).encode(),
            Content_Type="application/json",
            Idempotency_Key="bad-email-0001",
        ),
    )
    assert answer.status == 422, answer.body
    assert answer.json()["field"] == "email"
    assert "not a valid email address" in answer.json()["message"]
