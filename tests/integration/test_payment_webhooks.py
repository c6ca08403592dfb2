"""Stripe-signed webhooks: verified on the raw body before anything is queued; bad ones are 400s."""

from __future__ import annotations

import json
import time

import pytest

from tests.integration.localstripe_world import CARD_OK, LocalStripe
from tests.integration.order_events import OrderWorld, metric_totals, stored_order
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    guest_order,
    payment_request,
    run_payment_processor,
    stripe_signature,
    stripe_webhook_event,
)


@pytest.fixture
def world(stripe_world: OrderWorld) -> OrderWorld:
    return stripe_world


@pytest.fixture
def secret(localstripe: LocalStripe) -> str:
    return localstripe.payments.stripe_webhook_secret


def _succeeded_event(order_id: str, user_id: str, payment_id: str, amount: int) -> str:
    # Indented and key-ordered unlike json.dumps' default: a verifier that re-serialized would fail.
    event = {
        "id": "evt_test_1",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": payment_id,
                "object": "payment_intent",
                "amount": amount,
                "currency": "usd",
                "status": "succeeded",
                "metadata": {"user_id": user_id, "order_id": order_id},
            }
        },
    }
    return json.dumps(event, indent=2)


def _intent(order_id: str, token: str, card_token: str | None = None) -> str:
    body = {"order_id": order_id, "access_token": token}
    if card_token:
        body["card_token"] = card_token
    reply = call_payment_api(payment_request("/payment/stripe/intent", body))
    assert reply.status == 201
    return str(reply.body["payment_intent_id"])


def test_only_the_valid_webhook_changes_the_order(
    world: OrderWorld, localstripe: LocalStripe, secret: str, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, token = guest_order()
    order = stored_order(order_id)
    payment_id = _intent(order_id, token, localstripe.card_token(CARD_OK))
    payload = _succeeded_event(order_id, order.user_id, payment_id, order.total)
    valid = stripe_signature(payload, secret)
    capsys.readouterr()

    tampered = payload.replace(f'"amount": {order.total}', '"amount": 1')
    refused = {
        "tampered body": stripe_webhook_event(tampered, valid),
        "wrong secret": stripe_webhook_event(payload, stripe_signature(payload, "whsec_someone_else")),
        "expired timestamp": stripe_webhook_event(
            payload, stripe_signature(payload, secret, timestamp=int(time.time()) - 600)
        ),
        "no signature": stripe_webhook_event(payload, None),
    }
    for name, event in refused.items():
        reply = call_payment_api(event)
        assert reply.status == 400, name
        assert reply.body["error"] == "webhook_rejected", name
    assert world.drain(PAYMENT_QUEUE) == []

    accepted = call_payment_api(stripe_webhook_event(payload, valid, base64_encoded=True))
    assert accepted.status == 202
    replayed = call_payment_api(stripe_webhook_event(payload, valid))
    assert replayed.status == 400

    assert metric_totals(capsys.readouterr().out).get("WebhookRejected") == 5
    messages, response = run_payment_processor(world)
    assert len(messages) == 1
    assert response["batchItemFailures"] == []
    paid = stored_order(order_id)
    assert paid.order_status == "paid"
    assert [entry.status for entry in paid.history].count("paid") == 1


def test_a_webhook_is_verified_with_the_provider_not_trusted(world: OrderWorld, secret: str) -> None:
    """A correctly signed event for a payment the provider has not taken leaves the order pending."""
    order_id, token = guest_order()
    order = stored_order(order_id)
    payment_id = _intent(order_id, token)  # no card: Stripe reports it still awaiting a payment method
    payload = _succeeded_event(order_id, order.user_id, payment_id, order.total)
    reply = call_payment_api(stripe_webhook_event(payload, stripe_signature(payload, secret)))
    assert reply.status == 202
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):  # the only record failed: SQS redelivers it after the backoff
        run_payment_processor(world)
    assert stored_order(order_id).order_status == "pending"


def test_an_event_that_settles_nothing_is_acknowledged_and_ignored(world: OrderWorld, secret: str) -> None:
    payload = json.dumps(
        {"id": "evt_2", "object": "event", "type": "customer.created", "data": {"object": {}}}
    )
    reply = call_payment_api(stripe_webhook_event(payload, stripe_signature(payload, secret)))
    assert reply.status == 200
    assert world.drain(PAYMENT_QUEUE) == []
