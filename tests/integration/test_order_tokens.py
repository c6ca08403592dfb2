"""A guest's order token travels in the X-Order-Token header, never the URL query: order_api reads the
header on every guest order route and refuses `?token=` with a 400 naming the header, even when the
token is right. The orders page's download tokens open one line of one order for minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shop.orders.access import DOWNLOAD_TOKEN_SECONDS, download_token, download_token_opens
from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event
from tests.integration.order_events import OrderWorld, call_order_api, new_product, order_world_in, place

GUEST_ORDER_ROUTES = ("/guest/orders/{id}", "/guest/orders/{id}/invoice", "/guest/orders/{id}/credit-note")
GUEST_DOWNLOAD = "/guest/orders/{id}/downloads/{product_id}"


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


@pytest.fixture
def guest_order(order_world: OrderWorld) -> dict[str, str]:
    placed = place(new_product(), user_id=None, email="token.holder@example.com").body
    return {"order_id": placed["order_id"], "token": placed["access_token"]}


def guest_get(
    resource: str,
    order_id: str,
    *,
    headers: dict[str, str] | None = None,
    query: dict[str, Any] | None = None,
) -> Any:
    parameters = {"id": order_id, "product_id": "prod_any"}
    return call_order_api(
        api_event("GET", resource, path_parameters=parameters, headers=headers, query=query)
    )


def test_the_header_opens_a_guest_order(guest_order: dict[str, str]) -> None:
    opened = guest_get(
        "/guest/orders/{id}", guest_order["order_id"], headers={"X-Order-Token": guest_order["token"]}
    )
    lower_case = guest_get(
        "/guest/orders/{id}", guest_order["order_id"], headers={"x-order-token": guest_order["token"]}
    )

    assert opened.status == 200
    assert opened.body["order_id"] == guest_order["order_id"]
    assert lower_case.status == 200  # HTTP header names are case-insensitive (HTTP/2 sends lower case)


@pytest.mark.parametrize("resource", [*GUEST_ORDER_ROUTES, GUEST_DOWNLOAD])
def test_a_token_in_the_query_is_a_400_naming_the_header_even_when_it_is_right(
    guest_order: dict[str, str], resource: str
) -> None:
    refused = guest_get(resource, guest_order["order_id"], query={"token": guest_order["token"]})
    refused_with_header_too = guest_get(
        resource,
        guest_order["order_id"],
        headers={"X-Order-Token": guest_order["token"]},
        query={"token": guest_order["token"]},
    )

    for reply in (refused, refused_with_header_too):
        assert reply.status == 400
        assert reply.body["field"] == "token"
        assert reply.body["header"] == "X-Order-Token"
        assert "X-Order-Token header" in reply.body["message"]


def test_a_made_up_download_token_downloads_nothing(guest_order: dict[str, str]) -> None:
    future = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    reply = guest_get(
        GUEST_DOWNLOAD, guest_order["order_id"], query={"download_token": f"{future}.{'A' * 43}"}
    )

    assert reply.status == 404


def test_a_download_token_opens_its_line_of_its_order_until_it_expires(shop_env: dict[str, str]) -> None:
    now = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    expires = now + timedelta(seconds=DOWNLOAD_TOKEN_SECONDS)
    token = download_token("ord_1", "prod_a", expires=expires)

    assert download_token_opens("ord_1", "prod_a", token, now=now)
    assert download_token_opens("ord_1", "prod_a", token, now=expires)
    assert not download_token_opens("ord_1", "prod_a", token, now=expires + timedelta(seconds=1))
    assert not download_token_opens("ord_1", "prod_b", token, now=now)  # another line
    assert not download_token_opens("ord_2", "prod_a", token, now=now)  # another order
    later = str(int(expires.timestamp()) + 3600)
    assert not download_token_opens("ord_1", "prod_a", f"{later}.{token.split('.')[1]}", now=now)
    for malformed in ("", "no-dot", ".sig", "soon.sig", token.split(".")[0] + "."):
        assert not download_token_opens("ord_1", "prod_a", malformed, now=now)
