"""The address an order is confirmed to is checked when the order is placed (issue #19, item 9): a
guest's bad address is a 422 naming `email` and stores nothing; a good one is stored normalized; a
signed-in shopper's address is the token's, Cognito's to check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event, shopper_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_body,
    order_world_in,
    stored_order,
    stored_stock,
)

SCRIPT_ADDRESS = "u<script>alert(1)</script>@example.com"


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def stored_orders(shop_env: dict[str, str]) -> list[dict[str, Any]]:
    items = boto3.resource("dynamodb").Table(shop_env["ORDERS_TABLE"]).scan()["Items"]
    return [item for item in items if str(item.get("order_id", "")).startswith("ord_")]


@pytest.mark.parametrize("address", [SCRIPT_ADDRESS, "guest@example", "ü@example.com", "a@b@example.com"])
def test_a_guest_order_with_a_bad_address_is_a_422_naming_email_and_stores_nothing(
    order_world: OrderWorld, shop_env: dict[str, str], address: str
) -> None:
    product_id = new_product(stock=5)
    event = api_event("POST", "/guest/orders/create", body=order_body(product_id, 1, email=address))
    reply = call_order_api(event)

    assert reply.status == 422, reply.body
    assert reply.body["field"] == "email"
    assert "not a valid email address" in reply.body["message"]
    assert stored_orders(shop_env) == []
    assert stored_stock(product_id) == 5
    assert order_world.bodies("order-processing") == []


def test_a_guest_address_is_stored_in_its_normalized_form(order_world: OrderWorld) -> None:
    event = api_event(
        "POST", "/guest/orders/create", body=order_body(new_product(), 1, email="  Ada@Exämple.COM ")
    )
    reply = call_order_api(event)
    assert reply.status == 202, reply.body
    order = stored_order(reply.body["order_id"])
    assert order.user_email == "ada@xn--exmple-cua.com"
    assert order.user_id == "guest#ada@xn--exmple-cua.com"


def test_a_signed_in_shoppers_token_address_is_cognitos_and_not_checked_again(
    order_world: OrderWorld,
) -> None:
    """Cognito confirmed it with a code; the local shop's seeded shoppers are @shop.local, a special-use
    domain email-validator refuses, and must still order."""
    claims = shopper_claims("sam", email="Shopper@Shop.Local")
    reply = call_order_api(
        api_event("POST", "/orders/create", body=order_body(new_product(), 1), claims=claims)
    )
    assert reply.status == 202, reply.body
    assert stored_order(reply.body["order_id"]).user_email == "shopper@shop.local"
