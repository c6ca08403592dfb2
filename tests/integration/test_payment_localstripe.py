"""Production's Stripe code against a real localstripe process: token -> intent confirmed -> signed
webhook through the real verification -> processor -> paid; declines, 3-D Secure, refunds, cancels."""

from __future__ import annotations

import json

import pytest

from shop.payments.model import ProviderRejected
from tests.integration.events import admin_claims
from tests.integration.localstripe_world import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    LocalStripe,
)
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_action_event,
    place,
    sqs_event_from,
    stored_order,
)
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    guest_order,
    payment_request,
    run_payment_processor,
    stripe_webhook_event,
)


@pytest.fixture
def world(stripe_world: OrderWorld) -> OrderWorld:
    return stripe_world


def _intent(order_id: str, token: str, card_token: str | None) -> tuple[int, dict[str, object]]:
    body: dict[str, object] = {"order_id": order_id, "access_token": token}
    if card_token is not None:
        body["card_token"] = card_token
    reply = call_payment_api(payment_request("/payment/stripe/intent", body))
    return reply.status, reply.body


def _deliver_webhook(localstripe: LocalStripe, event_type: str, payment_id: str) -> int:
    body, signature = localstripe.inbox.wait_for(event_type, payment_id)
    return call_payment_api(stripe_webhook_event(body, signature)).status


def test_a_card_payment_is_confirmed_at_once_and_its_signed_webhook_marks_the_order_paid(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    order_id, token = guest_order(price=2000, quantity=2)
    total = stored_order(order_id).total
    status, intent = _intent(order_id, token, localstripe.card_token(CARD_OK))
    assert status == 201, intent
    assert intent["status"] == "succeeded"
    assert intent["amount"] == total
    payment_id = str(intent["payment_intent_id"])
    charged = localstripe.get(f"/v1/payment_intents/{payment_id}")
    assert charged["amount"] == total
    assert charged["metadata"]["order_id"] == order_id
    assert stored_order(order_id).payment_status == "unpaid"  # only the processor marks it paid

    assert _deliver_webhook(localstripe, "payment_intent.succeeded", payment_id) == 202
    messages, response = run_payment_processor(world)
    assert [json.loads(message["Body"])["event_id"][:4] for message in messages] == ["evt_"]
    assert response["batchItemFailures"] == []
    order = stored_order(order_id)
    assert (order.order_status, order.payment_status) == ("paid", "paid")
    assert order.payment_id == payment_id
    assert order.payment_method == "stripe"
    assert [(a.provider, a.payment_id) for a in order.payment_attempts] == [("stripe", payment_id)]
    assert [email["template"] for email in world.bodies("email-notification")] == ["payment_received"]


def test_a_webhook_signed_with_another_secret_is_refused(world: OrderWorld, localstripe: LocalStripe) -> None:
    order_id, token = guest_order()
    _status, intent = _intent(order_id, token, localstripe.card_token(CARD_OK))
    body, signature = localstripe.inbox.wait_for("payment_intent.succeeded", str(intent["payment_intent_id"]))
    tampered = body.replace(order_id, "another-order")
    assert call_payment_api(stripe_webhook_event(tampered, signature)).status == 400
    assert world.drain(PAYMENT_QUEUE) == []


def test_a_declined_card_gets_402_in_stripes_words_and_the_order_waits_for_another(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    order_id, token = guest_order()
    status, body = _intent(order_id, token, localstripe.card_token(CARD_DECLINED))
    assert status == 402
    assert body["error"] == "payment_declined"
    assert body["message"] == "Your card was declined."
    assert body["decline_code"] == "card_declined"
    order = stored_order(order_id)
    assert (order.order_status, order.payment_status) == ("pending", "unpaid")

    status, retried = _intent(order_id, token, localstripe.card_token(CARD_OK))
    assert (status, retried["status"]) == (201, "succeeded")


def test_3d_secure_completed_in_the_page_pays_and_failed_leaves_the_order_pending(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    order_id, token = guest_order()
    status, intent = _intent(order_id, token, localstripe.card_token(CARD_3DS))
    assert (status, intent["status"]) == (201, "requires_action")
    failed = localstripe.authenticate(str(intent["client_secret"]), success=False)
    assert failed["status"] == "requires_payment_method"
    # The page tells payment_api what it saw; the processor asks Stripe and finds the attempt failed.
    confirm = call_payment_api(
        payment_request(
            "/payment/stripe/confirm",
            {"order_id": order_id, "access_token": token, "payment_id": intent["payment_intent_id"]},
        )
    )
    assert confirm.status == 202
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    assert (stored_order(order_id).order_status, stored_order(order_id).payment_status) == (
        "pending",
        "unpaid",
    )

    status, second = _intent(order_id, token, localstripe.card_token(CARD_3DS))
    passed = localstripe.authenticate(str(second["client_secret"]), success=True)
    assert passed["status"] == "succeeded"
    assert _deliver_webhook(localstripe, "payment_intent.succeeded", str(second["payment_intent_id"])) == 202
    run_payment_processor(world)
    order = stored_order(order_id)
    assert (order.order_status, order.payment_id) == ("paid", second["payment_intent_id"])
    assert len(order.payment_attempts) == 2


def test_an_administrators_refund_reaches_localstripe_once(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    order_id = place(new_product(price=3000), 1, user_id="alice").body["order_id"]
    reply = call_payment_api(
        payment_request(
            "/payment/stripe/intent",
            {"order_id": order_id, "card_token": localstripe.card_token(CARD_OK)},
            user_id="alice",
        )
    )
    payment_id = str(reply.body["payment_intent_id"])
    _deliver_webhook(localstripe, "payment_intent.succeeded", payment_id)
    run_payment_processor(world)
    refund = call_order_api(
        order_action_event("POST", "/orders/{id}/refund", order_id, admin_claims(), {"amount": 1000})
    )
    assert refund.status == 202, refund.body  # accepted: payment_processor refunds
    (message,) = world.drain(PAYMENT_QUEUE)
    from payment_processor.handler import handler

    for _delivery in range(2):  # a redelivery must not refund twice
        assert handler(sqs_event_from([message], PAYMENT_QUEUE), world.context)["batchItemFailures"] == []
    refunds = localstripe.get(f"/v1/refunds?payment_intent={payment_id}")["data"]
    assert [item["amount"] for item in refunds] == [1000]
    assert stored_order(order_id).payment_status == "refunded"


def test_cancel_gives_up_an_unpaid_intent_and_refuses_a_paid_one(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    from shop.payments.providers import provider_named

    order_id, token = guest_order()
    _status, waiting = _intent(order_id, token, localstripe.card_token(CARD_3DS))
    stripe = provider_named("stripe")
    stripe.cancel(str(waiting["payment_intent_id"]))
    assert localstripe.get(f"/v1/payment_intents/{waiting['payment_intent_id']}")["status"] == "canceled"
    assert stripe.retrieve(str(waiting["payment_intent_id"])).status == "failed"

    _status, paid = _intent(order_id, token, localstripe.card_token(CARD_OK))
    with pytest.raises(ProviderRejected):
        stripe.cancel(str(paid["payment_intent_id"]))
