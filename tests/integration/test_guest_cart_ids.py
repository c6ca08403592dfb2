"""Guest cart ids are issued and signed by cart_api: made-up, unsigned and tampered ids are refused by
every guest cart route, by the merge at sign-in and by a guest order from the cart, and write nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from shop.cart.guest_ids import issue_guest_cart_id
from shop.contracts.cart_ids import valid_cart_id
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import api_event, shopper_claims
from tests.integration.order_events import (
    ADDRESS,
    OrderWorld,
    call_order_api,
    create_order_event,
    order_world_in,
)

CreateProduct = Callable[..., dict[str, Any]]

GUEST_ROUTES = [
    ("GET", "/guest/cart", None),
    ("POST", "/guest/cart/add", {"product_id": "p", "quantity": 1}),
    ("PUT", "/guest/cart/update", {"product_id": "p", "quantity": 2}),
    ("DELETE", "/guest/cart/remove", {"product_id": "p"}),
    ("DELETE", "/guest/cart/clear", None),
]


def carts_stored() -> int:
    return int(boto3.client("dynamodb").scan(TableName="test-Cart", Select="COUNT")["Count"])


def made_up_cart_id() -> str:
    """An id of the issued shape whose signature was made up: what a client can invent on its own."""
    return f"cart_{secrets.token_hex(16)}.{secrets.token_urlsafe(32)[:43]}"


def guest_call(cart_api: Call, method: str, resource: str, cart_id: str | None, body: Any = None) -> Any:
    headers = {"X-Cart-Id": cart_id} if cart_id is not None else None
    return cart_api(api_event(method, resource, headers=headers, body=body))


def test_the_first_add_issues_a_signed_id_that_later_calls_use(
    cart_api: Call, create_product: CreateProduct
) -> None:
    product_id = create_product(stock_quantity=5)["product_id"]

    added = guest_call(cart_api, "POST", "/guest/cart/add", None, {"product_id": product_id})
    cart_id = added.body["cart_id"]
    again = guest_call(cart_api, "POST", "/guest/cart/add", cart_id, {"product_id": product_id})

    assert added.status == 200
    assert valid_cart_id(cart_id)
    assert again.body["cart_id"] == cart_id
    assert again.body["items"][0]["quantity"] == 2
    assert carts_stored() == 1


@pytest.mark.parametrize(("method", "resource", "body"), GUEST_ROUTES)
def test_every_guest_route_refuses_a_made_up_id_with_403_naming_the_header(
    cart_api: Call, method: str, resource: str, body: Any
) -> None:
    response = guest_call(cart_api, method, resource, made_up_cart_id(), body)

    assert response.status == 403
    assert response.body["field"] == "X-Cart-Id"
    assert "not issued by this shop" in response.body["message"]
    assert carts_stored() == 0


@pytest.mark.parametrize("unsigned", [f"cart_{'ab' * 16}", secrets.token_urlsafe(24), "x" * 200])
def test_an_unsigned_id_is_a_400_naming_the_header(cart_api: Call, unsigned: str) -> None:
    response = guest_call(cart_api, "POST", "/guest/cart/add", unsigned, {"product_id": "p"})

    assert response.status == 400
    assert response.body["field"] == "X-Cart-Id"
    assert carts_stored() == 0


def test_a_signature_moved_to_another_id_is_refused(cart_api: Call, create_product: CreateProduct) -> None:
    product_id = create_product(stock_quantity=5)["product_id"]
    issued = guest_call(cart_api, "POST", "/guest/cart/add", None, {"product_id": product_id}).body["cart_id"]
    cart_key, signature = issued.rsplit(".", 1)
    other_key = issue_guest_cart_id().rsplit(".", 1)[0]

    stolen_signature = guest_call(cart_api, "GET", "/guest/cart", f"{other_key}.{signature}")
    own = guest_call(cart_api, "GET", "/guest/cart", f"{cart_key}.{signature}")

    assert stolen_signature.status == 403
    assert own.body["items"][0]["product_id"] == product_id


def test_150_adds_with_made_up_ids_write_no_cart(cart_api: Call, create_product: CreateProduct) -> None:
    product_id = create_product(stock_quantity=50)["product_id"]

    statuses = [
        guest_call(cart_api, "POST", "/guest/cart/add", made_up_cart_id(), {"product_id": product_id}).status
        for _ in range(150)
    ]

    assert set(statuses) == {403}
    assert carts_stored() == 0


def test_merging_at_sign_in_needs_an_issued_id(cart_api: Call, create_product: CreateProduct) -> None:
    product_id = create_product(stock_quantity=5)["product_id"]
    issued = guest_call(cart_api, "POST", "/guest/cart/add", None, {"product_id": product_id}).body["cart_id"]
    claims = shopper_claims("u-merge")

    forged = cart_api(api_event("POST", "/cart/merge", claims=claims, body={"cart_id": made_up_cart_id()}))
    merged = cart_api(api_event("POST", "/cart/merge", claims=claims, body={"cart_id": issued}))

    assert forged.status == 403
    assert forged.body["field"] == "cart_id"
    assert merged.status == 200
    assert merged.body["items"][0]["product_id"] == product_id
    assert carts_stored() == 1  # the guest cart became the shopper's


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def test_a_guest_order_from_a_made_up_cart_id_is_refused(order_world: OrderWorld) -> None:
    body = {"shipping_address": ADDRESS, "email": "guest@example.com"}

    response = call_order_api(create_order_event(body, user_id=None, cart_id=made_up_cart_id()))

    assert response.status == 403
    assert response.body["field"] == "X-Cart-Id"
