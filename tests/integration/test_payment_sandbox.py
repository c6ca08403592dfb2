"""The local shop pays without network: sandbox intent -> confirm -> signed webhook -> processor -> paid."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.order_events import OrderWorld, new_product, place, sqs_event_from, stored_order
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    guest_order,
    payment_request,
    payment_world_in,
    run_payment_processor,
)


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


def _pay(order_id: str, token: str, **extra: object) -> str:
    intent = call_payment_api(
        payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": token, **extra})
    )
    assert intent.status == 201, intent.body
    payment_id = str(intent.body["payment_intent_id"])
    confirm = call_payment_api(
        payment_request(
            "/payment/stripe/confirm",
            {"order_id": order_id, "access_token": token, "payment_id": payment_id},
        )
    )
    assert confirm.status == 202, confirm.body
    assert confirm.body["status"] == "confirming"
    return payment_id


def test_a_guest_pays_in_the_sandbox_end_to_end(world: OrderWorld) -> None:
    order_id, token = guest_order(price=2000)
    world.drain("order-processing")
    payment_id = _pay(order_id, token)
    assert stored_order(order_id).order_status == "pending"  # only the processor may mark it paid

    messages, response = run_payment_processor(world)
    assert len(messages) == 1
    assert response["batchItemFailures"] == []
    order = stored_order(order_id)
    assert order.order_status == "paid"
    assert order.payment_status == "paid"
    assert order.payment_id == payment_id
    assert order.payment_method == "sandbox"
    emails = world.bodies("email-notification")
    assert [email["template"] for email in emails] == ["payment_received"]
    assert emails[0]["to"] == "guest@example.com"


def test_the_intent_amount_is_the_stored_total_whatever_the_request_says(world: OrderWorld) -> None:
    order_id, token = guest_order(price=2000, quantity=2)
    total = stored_order(order_id).total
    intent = call_payment_api(
        payment_request(
            "/payment/stripe/intent", {"order_id": order_id, "access_token": token, "amount": 1, "total": 1}
        )
    )
    assert intent.status == 201
    assert intent.body["amount"] == total
    assert total > 4000


def test_a_wrong_token_gets_404_and_no_payment(world: OrderWorld) -> None:
    order_id, _token = guest_order()
    reply = call_payment_api(
        payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": "not-the-token"})
    )
    assert reply.status == 404
    assert world.drain(PAYMENT_QUEUE) == []


def test_the_owner_pays_signed_in_without_a_token(world: OrderWorld) -> None:
    order_id = place(new_product(), 1, user_id="alice").body["order_id"]
    reply = call_payment_api(
        payment_request("/payment/stripe/intent", {"order_id": order_id}, user_id="alice")
    )
    assert reply.status == 201
    other = call_payment_api(
        payment_request("/payment/stripe/intent", {"order_id": order_id}, user_id="mallory")
    )
    assert other.status == 404


def test_a_paid_order_cannot_be_paid_again(world: OrderWorld) -> None:
    order_id, token = guest_order()
    _pay(order_id, token)
    run_payment_processor(world)
    again = call_payment_api(
        payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": token})
    )
    assert again.status == 409


def test_the_same_payment_delivered_five_times_changes_the_order_once(world: OrderWorld) -> None:
    order_id, token = guest_order()
    _pay(order_id, token)
    (message,) = world.drain(PAYMENT_QUEUE)
    from payment_processor.handler import handler

    for _delivery in range(5):
        response = handler(sqs_event_from([message], PAYMENT_QUEUE), world.context)
        assert response["batchItemFailures"] == []
    order = stored_order(order_id)
    assert [entry.status for entry in order.history].count("paid") == 1
    assert [email["template"] for email in world.bodies("email-notification")] == ["payment_received"]
    assert json.loads(message["Body"])["provider"] == "sandbox"
