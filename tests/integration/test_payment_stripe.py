"""Stripe through its real SDK, answered by recorded API responses: amounts, idempotency keys, refunds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    metric_totals,
    order_action_event,
    stored_order,
)
from tests.integration.payment_events import (
    STRIPE_SECRETS,
    call_payment_api,
    guest_order,
    payment_request,
    payment_world_in,
    recorded_stripe_client,
    run_payment_processor,
    stripe_signature,
    stripe_webhook_event,
    use_stripe,
)

PAYMENT_ID = "pi_3QfA2bLkdIwHu7ix0x5Ze9Qm"


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


def _stripe_for(monkeypatch: pytest.MonkeyPatch, order_id: str) -> Any:
    order = stored_order(order_id)
    client = recorded_stripe_client(
        {
            "amount": order.total,
            "order_id": order.order_id,
            "user_id": order.user_id,
            "order_number": order.order_number,
        }
    )
    use_stripe(monkeypatch, client)
    return client


def test_a_stripe_payment_and_its_refund_carry_idempotency_keys(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, token = guest_order(price=2500, quantity=2)
    stripe = _stripe_for(monkeypatch, order_id)
    total = stored_order(order_id).total

    intent = call_payment_api(
        payment_request(
            "/payment/stripe/intent", {"order_id": order_id, "access_token": token, "amount": 100}
        )
    )
    assert intent.status == 201, intent.body
    assert intent.body["payment_intent_id"] == PAYMENT_ID
    assert intent.body["amount"] == total
    (create,) = stripe.sent
    assert (create.method, create.path) == ("POST", "/v1/payment_intents")
    assert create.form["amount"] == [str(total)]  # the stored total, not the 100 of the request
    assert create.form["metadata[order_id]"] == [order_id]
    assert create.headers["Idempotency-Key"] == f"shop-intent-{order_id}"
    assert create.headers["Authorization"] == f"Bearer {STRIPE_SECRETS['stripe_secret_key']}"

    confirm = call_payment_api(
        payment_request(
            "/payment/stripe/confirm",
            {"order_id": order_id, "access_token": token, "payment_id": PAYMENT_ID},
        )
    )
    assert confirm.status == 202
    assert stored_order(order_id).order_status == "pending"
    capsys.readouterr()
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    assert (stripe.sent[-1].method, stripe.sent[-1].path) == ("GET", f"/v1/payment_intents/{PAYMENT_ID}")
    paid = stored_order(order_id)
    assert (paid.order_status, paid.payment_status, paid.payment_id) == ("paid", "paid", PAYMENT_ID)
    assert metric_totals(capsys.readouterr().out).get("PaymentSucceeded") == 1
    assert [mail["template"] for mail in world.bodies("email-notification")] == ["payment_received"]

    refund = call_order_api(
        order_action_event(
            "POST", "/orders/{id}/refund", order_id, admin_claims(), body={"reason": "damaged"}
        )
    )
    assert refund.status == 202, refund.body
    for _delivery in range(2):  # a redelivered refund message must not refund twice
        run_payment_processor(world)
    refunds = [sent for sent in stripe.sent if sent.path == "/v1/refunds"]
    assert len(refunds) == 1
    assert refunds[0].form == {"payment_intent": [PAYMENT_ID], "amount": [str(total)]}
    assert refunds[0].headers["Idempotency-Key"] == f"shop-refund-{order_id}"
    refunded = stored_order(order_id)
    assert (refunded.order_status, refunded.payment_status) == ("refunded", "refunded")
    assert world.bodies("inventory-update") == [
        {"kind": "restore", "order_id": order_id, "user_id": refunded.user_id}
    ]
    assert [mail["template"] for mail in world.bodies("email-notification")] == ["order_refunded"]


def test_a_stripe_webhook_is_verified_with_the_secret_from_secrets_manager(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, _token = guest_order()
    _stripe_for(monkeypatch, order_id)
    order = stored_order(order_id)
    payload = json.dumps(
        {
            "id": "evt_1QfA3cLkdIwHu7ixSucceeded",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": PAYMENT_ID,
                    "object": "payment_intent",
                    "metadata": {"order_id": order_id, "user_id": order.user_id},
                }
            },
        }
    )
    signed = stripe_signature(payload, STRIPE_SECRETS["stripe_webhook_secret"])
    assert call_payment_api(stripe_webhook_event(payload, signed)).status == 202
    foreign = stripe_signature(payload, "whsec_of_another_account")
    assert call_payment_api(stripe_webhook_event(payload, foreign)).status == 400
    run_payment_processor(world)
    assert stored_order(order_id).order_status == "paid"
