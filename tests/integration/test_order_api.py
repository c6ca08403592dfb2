"""order_api through its real handler: placing (users, guests, carts, retries), reading, the state
machine over HTTP, refunds, tracking, the admin listing, and refusals that leave nothing behind."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shop.orders.state import ALLOWED_TRANSITIONS, OrderStatus
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.order_events import (
    ADDRESS,
    OrderWorld,
    call_order_api,
    create_order_event,
    get_order_event,
    new_product,
    order_action_event,
    order_body,
    order_world_in,
    place,
    stored_order,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


ADMIN = admin_claims()


def orders_in_table() -> int:
    return int(boto3.client("dynamodb").scan(TableName="test-Orders", Select="COUNT")["Count"])


def status(order_id: str, target: str, claims: dict[str, str] = ADMIN) -> Any:
    return call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, claims, body={"status": target})
    )


# -- placing ---------------------------------------------------------------------------------------


def test_an_order_is_priced_from_the_catalog_and_queued(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10, price=1500)
    body = order_body(product_id, 2, discount_code="SAVE10")
    body["items"][0]["unit_price"] = 1  # a client cannot choose its price: extra fields are refused
    assert call_order_api(create_order_event(body)).status == 422

    reply = place(product_id, 2, discount_code="SAVE10")
    assert reply.body["order_number"].startswith("SO-")
    order = stored_order(reply.body["order_id"])
    # 3000 subtotal, 10 % off, 8.25 % tax on 2700, shipping 599 below the 5000 threshold.
    assert (order.subtotal, order.discount, order.tax, order.shipping) == (3000, 300, 223, 599)
    assert order.total == 3000 - 300 + 223 + 599
    assert order.user_id == "alice"
    assert order.order_status == "pending"
    assert order.shipping_address is not None
    assert order.billing_address.model_dump() == order.shipping_address.model_dump()
    assert [entry.status for entry in order.history] == ["pending"]
    assert [m["order_id"] for m in order_world.bodies("order-processing")] == [order.order_id]
    assert order.processing_queue_id is not None


def test_a_guest_orders_with_an_email_and_reads_it_with_the_token(order_world: OrderWorld) -> None:
    product_id = new_product()
    reply = place(product_id, 1, user_id=None, email="Guest.Buyer@Example.com")
    order_id, token = reply.body["order_id"], reply.body["access_token"]
    order = stored_order(order_id)
    assert order.user_id == "guest#guest.buyer@example.com"
    assert order.guest
    assert order.access_token_hash
    assert token not in order.access_token_hash

    def guest_get(token: str | None) -> Any:
        headers = {"X-Order-Token": token} if token is not None else None
        return call_order_api(
            api_event("GET", "/guest/orders/{id}", path_parameters={"id": order_id}, headers=headers)
        )

    found = guest_get(token)
    assert found.status == 200
    assert found.body["order_id"] == order_id
    assert "access_token_hash" not in found.body
    assert guest_get("wrong-token").status == 404
    assert guest_get(None).status == 404
    # Without an email a guest cannot order at all.
    no_email = call_order_api(create_order_event(order_body(product_id), user_id=None))
    assert no_email.status == 400
    assert no_email.body["field"] == "email"


def test_an_order_from_the_cart_empties_it(order_world: OrderWorld, cart_api: Call) -> None:
    product_id = new_product(stock=10)
    added = cart_api(
        api_event(
            "POST",
            "/cart/add",
            body={"product_id": product_id, "quantity": 3},
            claims=shopper_claims("alice"),
        )
    )
    assert added.status == 200, added.body
    reply = call_order_api(create_order_event({"shipping_address": ADDRESS}))
    assert reply.status == 202, reply.body
    assert [line.quantity for line in stored_order(reply.body["order_id"]).items] == [3]
    cart = cart_api(api_event("GET", "/cart", claims=shopper_claims("alice")))
    assert cart.body["items"] == []
    # Now the cart is empty: nothing to order.
    empty = call_order_api(create_order_event({"shipping_address": ADDRESS}))
    assert empty.status == 400
    assert empty.body["field"] == "items"


def test_a_retried_create_never_makes_a_second_order(order_world: OrderWorld) -> None:
    product_id = new_product()
    event = create_order_event(order_body(product_id, 1), idempotency_key="checkout-attempt-0001")
    first, second = call_order_api(event), call_order_api(event)
    assert first.status == second.status == 202
    assert first.body["order_id"] == second.body["order_id"]
    assert (first.body["replayed"], second.body["replayed"]) == (False, True)
    assert orders_in_table() == 1
    assert len(order_world.drain("order-processing")) == 1

    changed = call_order_api(
        create_order_event(order_body(product_id, 2), idempotency_key="checkout-attempt-0001")
    )
    assert changed.status == 409
    assert changed.body["field"] == "Idempotency-Key"

    guest_event = create_order_event(
        order_body(product_id, 1, email="g@example.com"), user_id=None, idempotency_key="guest-attempt-0001"
    )
    guest_first, guest_again = call_order_api(guest_event), call_order_api(guest_event)
    assert guest_first.body["access_token"] == guest_again.body["access_token"]
    assert orders_in_table() == 2


@pytest.mark.parametrize(
    ("body", "expected_status"),
    [
        # No shipping address for goods that ship: order_api decides (a digital-only order needs none).
        ({"items": [{"product_id": "X", "quantity": 1}]}, 400),
        ({"shipping_address": {**ADDRESS, "line1": ""}, "items": [{"product_id": "X", "quantity": 1}]}, 422),
        ({"shipping_address": ADDRESS, "items": [{"product_id": "X", "quantity": -1}]}, 422),
        ({"shipping_address": ADDRESS, "items": [{"product_id": "X", "quantity": 0}]}, 422),
        ({"shipping_address": ADDRESS, "items": []}, 422),
        ({"shipping_address": ADDRESS, "items": [{"product_id": "prod_unknown", "quantity": 1}]}, 404),
        ({"shipping_address": ADDRESS}, 400),  # empty cart
        (
            {
                "shipping_address": ADDRESS,
                "items": [{"product_id": "X", "quantity": 1}],
                "discount_code": "NOPE",
            },
            400,
        ),
        ({"shipping_address": ADDRESS, "items": [{"product_id": "X", "quantity": 11}]}, 409),  # over stock
    ],
)
def test_bad_input_writes_and_queues_nothing(
    order_world: OrderWorld, body: dict[str, Any], expected_status: int
) -> None:
    product_id = new_product(stock=10)
    for line in body.get("items", []):
        if line["product_id"] == "X":
            line["product_id"] = product_id
    reply = call_order_api(create_order_event(body))
    assert reply.status == expected_status, reply.body
    assert orders_in_table() == 0
    for queue in order_world.queues:
        assert order_world.drain(queue) == []


# -- reading ---------------------------------------------------------------------------------------


def test_customers_read_only_their_own_orders(order_world: OrderWorld) -> None:
    order_id = place(new_product(), 1, user_id="alice").body["order_id"]
    assert call_order_api(get_order_event(order_id, shopper_claims("alice"))).status == 200
    stranger = call_order_api(get_order_event(order_id, shopper_claims("mallory")))
    missing = call_order_api(get_order_event("ord_missing", shopper_claims("mallory")))
    assert stranger.status == missing.status == 404
    assert stranger.body["message"] == f"no order {order_id}"
    assert call_order_api(get_order_event(order_id, ADMIN)).status == 200


def test_my_orders_are_listed_newest_first_in_pages(order_world: OrderWorld) -> None:
    product_id = new_product(stock=50)
    placed = [place(product_id, 1, user_id="alice").body["order_id"] for _ in range(5)]
    place(product_id, 1, user_id="bob")
    seen: list[str] = []
    cursor = None
    for _page in range(5):
        query: dict[str, str | list[str]] = {"limit": "2"}
        if cursor:
            query["cursor"] = cursor
        reply = call_order_api(api_event("GET", "/orders", query=query, claims=shopper_claims("alice")))
        assert reply.status == 200, reply.body
        seen.extend(order["order_id"] for order in reply.body["orders"])
        cursor = reply.body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(placed))


# -- the state machine over HTTP ----------------------------------------------------------------------


def test_every_illegal_move_is_a_409_naming_both_states(order_world: OrderWorld) -> None:
    product_id = new_product(stock=50)
    path = {
        OrderStatus.PENDING: [],
        OrderStatus.PAID: ["paid"],
        OrderStatus.PROCESSING: ["paid", "processing"],
        OrderStatus.SHIPPED: ["paid", "processing", "shipped"],
        OrderStatus.DELIVERED: ["paid", "processing", "shipped", "delivered"],
        OrderStatus.CANCELLED: ["cancelled"],
        OrderStatus.FAILED: ["failed"],
        OrderStatus.REFUNDED: ["paid", "refunded"],
    }
    for current, steps in path.items():
        # One administrator per order keeps each below the 50 requests/min admin limit.
        admin = admin_claims(f"admin-{current.value}")
        order_id = place(product_id, 1).body["order_id"]
        for step in steps:
            assert status(order_id, step, admin).status == 200
        for target in OrderStatus:
            if target in ALLOWED_TRANSITIONS[current]:
                continue
            reply = status(order_id, target.value, admin)
            assert reply.status == 409, (current, target, reply.body)
            assert current.value in reply.body["message"]
            assert target.value in reply.body["message"]
            assert (reply.body["current_status"], reply.body["requested_status"]) == (
                current.value,
                target.value,
            )
        order = stored_order(order_id)
        assert order.order_status == current
        assert [entry.status for entry in order.history] == ["pending", *steps]
        assert all(entry.actor == f"admin-{current.value}" for entry in order.history[1:])


def test_the_owner_cancels_before_shipping_but_not_after(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    first = place(product_id, 1).body["order_id"]
    mallory = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", first, shopper_claims("mallory"))
    )
    assert mallory.status == 404
    cancelled = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", first, shopper_claims("alice"))
    )
    assert cancelled.status == 200
    assert cancelled.body["order_status"] == "cancelled"

    second = place(product_id, 1).body["order_id"]
    for step in ("paid", "processing", "shipped"):
        assert status(second, step).status == 200
    late = call_order_api(order_action_event("POST", "/orders/{id}/cancel", second, shopper_claims("alice")))
    assert late.status == 409
    assert "shipped" in late.body["message"]
    assert "cancelled" in late.body["message"]


def test_tracking_marks_shipped_and_emails_the_customer(order_world: OrderWorld) -> None:
    order_id = place(new_product(), 1).body["order_id"]
    tracking = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    early = call_order_api(order_action_event("PUT", "/orders/{id}/tracking", order_id, ADMIN, body=tracking))
    assert early.status == 409  # pending cannot ship
    status(order_id, "paid")
    status(order_id, "processing")
    order_world.drain("email-notification")
    reply = call_order_api(order_action_event("PUT", "/orders/{id}/tracking", order_id, ADMIN, body=tracking))
    assert reply.status == 200, reply.body
    assert (reply.body["order_status"], reply.body["carrier"]) == ("shipped", "UPS")
    assert reply.body["shipped_date"]
    mails = order_world.bodies("email-notification")
    assert [(m["template"], m["data"]["tracking_number"]) for m in mails] == [
        ("order_shipped", "1Z999AA10123456784")
    ]
    shopper = call_order_api(
        order_action_event("PUT", "/orders/{id}/tracking", order_id, shopper_claims("alice"), body=tracking)
    )
    assert shopper.status == 403


def test_a_refund_is_requested_once_through_the_payment_queue(order_world: OrderWorld) -> None:
    order_id = place(new_product(), 1).body["order_id"]

    def refund(body: dict[str, Any]) -> Any:
        return call_order_api(order_action_event("POST", "/orders/{id}/refund", order_id, ADMIN, body=body))

    unpaid = refund({})
    assert unpaid.status == 409
    assert unpaid.body["payment_status"] == "unpaid"
    status(order_id, "paid")
    assert refund({"amount": 10**7}).status == 400  # more than the order's total
    beyond_bound = refund({"amount": 10**9})  # more than any refund may be (admin_limits)
    assert (beyond_bound.status, beyond_bound.body["field"]) == (422, "amount")
    accepted = refund({"reason": "damaged"})
    assert accepted.status == 202, accepted.body
    assert (accepted.body["order_status"], accepted.body["payment_status"]) == ("paid", "refund_requested")
    assert accepted.body["refund_requested"] is True
    messages = order_world.bodies("payment-processing")
    assert [(m["kind"], m["order_id"], m["amount"], m["reason"]) for m in messages] == [
        ("refund_requested", order_id, stored_order(order_id).total, "damaged")
    ]
    again = refund({})
    assert again.status == 409
    assert order_world.drain("payment-processing") == []


# -- the admin listing -------------------------------------------------------------------------------


def test_admins_filter_orders_by_status_payment_and_date_and_export_csv(order_world: OrderWorld) -> None:
    product_id = new_product(stock=50)
    pending = [place(product_id, 1, user_id=f"u{n}").body["order_id"] for n in range(3)]
    paid = place(product_id, 1, user_id="payer").body["order_id"]
    status(paid, "paid")

    def admin_list(query: dict[str, str | list[str]], claims: dict[str, str] = ADMIN) -> Any:
        return call_order_api(api_event("GET", "/orders/admin/list", query=query, claims=claims))

    assert admin_list({}, shopper_claims("alice")).status == 403
    by_status = admin_list({"status": "pending"})
    assert [o["order_id"] for o in by_status.body["orders"]] == list(reversed(pending))
    assert [o["order_id"] for o in admin_list({"payment_status": "paid"}).body["orders"]] == [paid]
    everything = admin_list({"limit": "3"})
    assert everything.body["count"] == 3
    assert everything.body["next_cursor"]
    rest = admin_list({"limit": "3", "cursor": everything.body["next_cursor"]})
    listed = [o["order_id"] for o in everything.body["orders"] + rest.body["orders"]]
    assert sorted(listed) == sorted([*pending, paid])
    assert len(set(listed)) == 4
    today = stored_order(paid).order_date[:10]
    assert admin_list({"status": "pending", "from": today, "to": today}).body["count"] == 3
    assert admin_list({"status": "pending", "to": "2000-01-01"}).body["count"] == 0
    assert admin_list({"status": "bogus"}).status == 400

    exported = admin_list({"format": "csv"})
    assert exported.status == 200
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.body)))
    assert sorted(row["order_id"] for row in rows) == sorted([*pending, paid])
    assert {row["order_status"] for row in rows} == {"pending", "paid"}
