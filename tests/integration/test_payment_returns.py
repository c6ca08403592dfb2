"""Money taken for an order that cannot keep it goes back, once: a payment that lands after the order was
cancelled, and a second payment of a paid order (two tabs). Stripe is a real localstripe."""

from __future__ import annotations

import pytest

from tests.integration.events import shopper_claims
from tests.integration.localstripe_world import CARD_OK, LocalStripe
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_action_event,
    place,
    sqs_event_from,
    stored_order,
    stored_stock,
)
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    payment_request,
    run_payment_processor,
    stripe_webhook_event,
)


@pytest.fixture
def world(stripe_world: OrderWorld) -> OrderWorld:
    return stripe_world


def _pay(localstripe: LocalStripe, order_id: str) -> str:
    """alice pays her order by card; returns the PaymentIntent id (its webhook not yet delivered)."""
    reply = call_payment_api(
        payment_request(
            "/payment/stripe/intent",
            {"order_id": order_id, "card_token": localstripe.card_token(CARD_OK)},
            user_id="alice",
        )
    )
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "succeeded"
    return str(reply.body["payment_intent_id"])


def _webhook(localstripe: LocalStripe, payment_id: str) -> None:
    body, signature = localstripe.inbox.wait_for("payment_intent.succeeded", payment_id)
    assert call_payment_api(stripe_webhook_event(body, signature)).status == 202


def _refunds(localstripe: LocalStripe, payment_id: str) -> list[int]:
    return [
        int(item["amount"]) for item in localstripe.get(f"/v1/refunds?payment_intent={payment_id}")["data"]
    ]


def _templates(world: OrderWorld) -> list[str]:
    return [email["template"] for email in world.bodies("email-notification")]


def test_a_payment_that_lands_after_the_order_was_cancelled_is_refunded_at_once(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    product = new_product(stock=3, price=2500)
    order_id = place(product, 1, user_id="alice").body["order_id"]
    payment_id = _pay(localstripe, order_id)
    cancelled = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", order_id, shopper_claims("alice"))
    )
    assert cancelled.status == 200, cancelled.body
    world.bodies("email-notification")  # the cancellation's own email

    _webhook(localstripe, payment_id)
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    returned = stored_order(order_id)
    assert (returned.order_status, returned.payment_status) == ("cancelled", "refunded")
    assert returned.refund_amount == returned.total
    assert _refunds(localstripe, payment_id) == [returned.total]
    assert _templates(world) == ["order_refunded"]


def test_a_second_payment_of_a_paid_order_is_refunded_once_however_often_it_is_delivered(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    product = new_product(stock=3, price=1800)
    order_id = place(product, 1, user_id="alice").body["order_id"]
    first = _pay(localstripe, order_id)
    second = _pay(localstripe, order_id)  # another tab, before the first webhook arrived
    _webhook(localstripe, first)
    run_payment_processor(world)
    assert stored_order(order_id).payment_id == first
    world.bodies("email-notification")

    _webhook(localstripe, second)
    (message,) = world.drain(PAYMENT_QUEUE)
    from payment_processor.handler import handler

    for _delivery in range(3):
        assert handler(sqs_event_from([message], PAYMENT_QUEUE), world.context)["batchItemFailures"] == []
    order = stored_order(order_id)
    assert (order.order_status, order.payment_status, order.payment_id) == ("paid", "paid", first)
    assert _refunds(localstripe, second) == [order.total]
    assert _refunds(localstripe, first) == []
    assert "payment_received" not in _templates(world)
    assert stored_stock(product) == 2  # the paid order keeps its one unit
