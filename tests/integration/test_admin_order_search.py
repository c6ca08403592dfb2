"""The admin page's order tools through order_api's real handler: the search (`q`) by order id, order
number or email without scanning Orders, each order's allowed actions, and shipping a paid order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.client import BaseClient

from shop.platform.pagination import encode_cursor
from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_action_event,
    order_body,
    order_world_in,
    place,
    stored_order,
)

ADMIN = admin_claims()
TRACKING = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every DynamoDB operation the code makes from here on, by name."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def search(q: str, **query: str) -> Any:
    return call_order_api(api_event("GET", "/orders/admin/list", query={"q": q, **query}, claims=ADMIN))


def found(q: str, **query: str) -> list[str]:
    reply = search(q, **query)
    assert reply.status == 200, reply.body
    return [order["order_id"] for order in reply.body["orders"]]


def status(order_id: str, target: str) -> Any:
    return call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, ADMIN, body={"status": target})
    )


def ship(order_id: str) -> Any:
    return call_order_api(order_action_event("PUT", "/orders/{id}/tracking", order_id, ADMIN, body=TRACKING))


def test_orders_are_found_by_id_number_or_email_in_any_case_without_a_scan(
    order_world: OrderWorld, dynamodb_calls: list[str]
) -> None:
    product_id = new_product(stock=20)
    first = place(product_id, 1, user_id="ruth").body
    second = place(product_id, 1, user_id="ruth").body
    guest = place(product_id, 1, user_id=None, email="Naomi.Ward@Example.com").body
    # A signed-in shopper's address comes from Cognito unchecked: a reserved domain must be found too.
    local = call_order_api(
        api_event(
            "POST",
            "/orders/create",
            body=order_body(product_id, 1),
            claims=shopper_claims("local-shopper", email="Shopper@Shop.Local"),
        )
    )
    assert local.status == 202, local.body
    status(second["order_id"], "paid")
    dynamodb_calls.clear()

    assert found(first["order_id"].upper()) == [first["order_id"]]
    assert found(f"  {second['order_number'].lower()} ") == [second["order_id"]]
    assert found("RUTH@example.COM") == [second["order_id"], first["order_id"]]  # newest first
    assert found("naomi.ward@example.com") == [guest["order_id"]]
    assert found("shopper@shop.local") == [local.body["order_id"]]
    # The other filters apply to the matches.
    assert found("ruth@example.com", status="paid") == [second["order_id"]]
    # Unknown: an empty page, not a 404.
    assert found("ord_" + "0" * 24) == []
    assert found("SO-20200101-ABCDEF12") == []
    assert found("nobody@example.com") == []
    assert "Scan" not in dynamodb_calls
    assert set(dynamodb_calls) <= {"Query", "BatchGetItem", "GetItem", "UpdateItem", "PutItem"}


def test_an_email_with_many_orders_pages_through_them(order_world: OrderWorld) -> None:
    product_id = new_product(stock=20)
    placed = [place(product_id, 1, user_id="boaz").body["order_id"] for _ in range(3)]

    first = search("boaz@example.com", limit="2")
    rest = search("boaz@example.com", limit="2", cursor=first.body["next_cursor"])

    assert first.body["count"] == 2
    assert first.body["next_cursor"]
    assert [o["order_id"] for o in first.body["orders"] + rest.body["orders"]] == list(reversed(placed))
    other = search("ruth@example.com", cursor=first.body["next_cursor"])
    assert (other.status, other.body["field"]) == (400, "cursor")
    # Cursors are not signed: a made-up start key is a 400, not DynamoDB's error as a 500.
    forged = encode_cursor({"q": "boaz@example.com", "k": {"user_email": "boaz@example.com"}})
    refused = search("boaz@example.com", cursor=forged)
    assert (refused.status, refused.body["field"]) == (400, "cursor")


@pytest.mark.parametrize(
    "q", ["", "   ", "12345", "ord_123", "SO-2026-ABC", "not an email@", "a@b", "a b@c.d", "x" * 300]
)
def test_a_malformed_search_is_400_naming_q(order_world: OrderWorld, q: str) -> None:
    reply = search(q)

    assert reply.status in (400, 422), reply.body
    assert "q" in reply.body["field"]


def test_a_paid_order_ships_with_tracking_through_processing(order_world: OrderWorld) -> None:
    order_id = place(new_product(), 1).body["order_id"]
    status(order_id, "paid")
    order_world.drain("email-notification")

    reply = ship(order_id)

    assert reply.status == 200, reply.body
    assert (reply.body["order_status"], reply.body["tracking_number"]) == (
        "shipped",
        TRACKING["tracking_number"],
    )
    history = stored_order(order_id).history
    assert [(entry.previous_status, entry.status) for entry in history][-2:] == [
        ("paid", "processing"),
        ("processing", "shipped"),
    ]
    assert [mail["template"] for mail in order_world.bodies("email-notification")] == ["order_shipped"]
    assert reply.body["allowed_actions"] == ["update_tracking", "deliver", "refund"]
    assert reply.body["next_statuses"] == ["delivered", "refunded"]


def test_allowed_actions_follow_the_state_and_the_payment(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    order_id = place(product_id, 1).body["order_id"]

    def actions() -> list[str]:
        [order] = search(order_id).body["orders"]
        assert [order["order_id"]] == [order_id]
        listed: list[str] = order["allowed_actions"]
        return listed

    assert actions() == ["cancel"]  # pending: nothing to ship or refund yet
    assert ship(order_id).status == 409
    status(order_id, "paid")
    assert actions() == ["ship", "cancel", "refund"]
    refund = call_order_api(order_action_event("POST", "/orders/{id}/refund", order_id, ADMIN, body={}))
    assert refund.status == 202, refund.body
    assert refund.body["allowed_actions"] == ["cancel"]  # a refund is on its way: no second, no shipping
    refused = ship(order_id)
    assert (refused.status, refused.body["field"]) == (409, "payment_status")
    assert stored_order(order_id).order_status == "paid"
