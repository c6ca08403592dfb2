"""Over HTTP against the local shop: guest cart ids are the server's signed ones (made-up ids are
refused and write nothing), and a guest's order token travels in the X-Order-Token header, the old
`?token=` query being refused with a 4xx naming the header (issue #19, item 9)."""

from __future__ import annotations

import secrets
import uuid

import pytest
import requests

from cdk_app.local.runner import LocalShop

ADDRESS = {
    "name": "Token Tester",
    "line1": "1 Test Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


@pytest.fixture(scope="module")
def shop(seeded_shop: LocalShop) -> LocalShop:
    return seeded_shop


def _api(shop: LocalShop, path: str) -> str:
    assert shop.server is not None
    return f"{shop.server.url}/api{path}"


def _carts_stored(shop: LocalShop) -> int:
    assert shop.aws is not None
    assert shop.model is not None
    table = next(table.name for table in shop.model.tables if table.name.endswith("-Cart"))
    return int(shop.aws.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def _a_product(shop: LocalShop) -> str:
    items = requests.get(_api(shop, "/products"), params={"limit": 50}, timeout=10).json()["items"]
    return str(
        next(
            item["product_id"]
            for item in items
            if item.get("availability") == "in_stock" and not item.get("variants")
        )
    )


def test_guest_carts_use_the_servers_signed_ids_and_made_up_ones_write_nothing(shop: LocalShop) -> None:
    product_id = _a_product(shop)
    before = _carts_stored(shop)

    issued = requests.post(
        _api(shop, "/guest/cart/add"), json={"product_id": product_id, "quantity": 1}, timeout=10
    )
    assert issued.status_code == 200, issued.text
    cart_id = issued.json()["cart_id"]
    cart_key, signature = cart_id.rsplit(".", 1)
    read = requests.get(_api(shop, "/guest/cart"), headers={"X-Cart-Id": cart_id}, timeout=10)
    tampered_signature = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    forged = requests.get(
        _api(shop, "/guest/cart"), headers={"X-Cart-Id": f"{cart_key}.{tampered_signature}"}, timeout=10
    )
    assert read.json()["items"][0]["product_id"] == product_id
    assert forged.status_code == 403
    assert forged.json()["field"] == "X-Cart-Id"
    assert _carts_stored(shop) == before + 1

    # Made-up ids (of the old shape, and of the issued shape with an invented signature) are refused,
    # then the client's IP runs into the cart limit: 4xx every one, and not one Cart item more.
    made_up = [
        requests.post(
            _api(shop, "/guest/cart/add"),
            headers={"X-Cart-Id": f"cart_{secrets.token_hex(16)}" + (f".{'A' * 43}" if odd else "")},
            json={"product_id": product_id, "quantity": 1},
            timeout=10,
        )
        for odd in (index % 2 for index in range(150))
    ]
    assert {response.status_code // 100 for response in made_up} == {4}
    assert {response.status_code for response in made_up} <= {400, 403, 429}
    assert _carts_stored(shop) == before + 1


def test_a_guest_order_opens_with_the_header_and_never_with_a_query_token(shop: LocalShop) -> None:
    created = requests.post(
        _api(shop, "/guest/orders/create"),
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "email": "header.only@example.com",
            "shipping_address": ADDRESS,
            "items": [{"product_id": _a_product(shop), "quantity": 1}],
        },
        timeout=30,
    )
    assert created.status_code == 202, created.text
    order_id, token = created.json()["order_id"], created.json()["access_token"]
    url = _api(shop, f"/guest/orders/{order_id}")

    by_header = requests.get(url, headers={"X-Order-Token": token}, timeout=10)
    by_query = requests.get(url, params={"token": token}, timeout=10)
    by_both = requests.get(url, headers={"X-Order-Token": token}, params={"token": token}, timeout=10)

    assert by_header.status_code == 200, by_header.text
    assert by_header.json()["order_id"] == order_id
    # API Gateway's validator refuses a request without the header; the function one with the query.
    assert by_query.status_code == 400
    assert "X-Order-Token" in by_query.text
    assert by_both.status_code == 400
    assert by_both.json()["header"] == "X-Order-Token"


def test_the_preflight_lets_the_site_send_the_order_token_header(shop: LocalShop) -> None:
    preflight = requests.options(
        _api(shop, "/guest/orders/ord_any"),
        headers={
            "Origin": "http://localhost",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-order-token",
        },
        timeout=10,
    )

    assert preflight.status_code in (200, 204)
    allowed = preflight.headers["Access-Control-Allow-Headers"].lower().split(",")
    assert "x-order-token" in [name.strip() for name in allowed]
