"""The providers' circuit breaker: five failures open it, then the API answers 503 without calling out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shop.payments.breakers import breaker_for
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import OrderWorld, metric_totals, sqs_record, stored_order
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    guest_order,
    payment_request,
    payment_world_in,
    recorded_stripe_client,
    use_stripe,
)


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


def guest_order_paid_through_stripe(monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, Any]:
    """A guest's order, its access token, and the recorded Stripe client that will answer for it."""
    order_id, token = guest_order()
    order = stored_order(order_id)
    stripe = recorded_stripe_client(
        {
            "amount": order.total,
            "order_id": order_id,
            "user_id": order.user_id,
            "order_number": order.order_number,
        }
    )
    use_stripe(monkeypatch, stripe)
    return order_id, token, stripe


def test_five_failures_open_the_circuit_and_a_trial_closes_it(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, token, stripe = guest_order_paid_through_stripe(monkeypatch)
    stripe.fail_with = 500
    intent = payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": token})
    capsys.readouterr()

    for _failure in range(5):
        reply = call_payment_api(intent)
        assert reply.status == 503
    assert len(stripe.sent) == 5
    assert metric_totals(capsys.readouterr().out).get("CircuitBreakerOpened") == 1

    refused = call_payment_api(intent)
    assert refused.status == 503
    assert refused.headers["Retry-After"] == "60"
    assert len(stripe.sent) == 5  # refused without reaching Stripe
    assert stored_order(order_id).order_status == "pending"

    stripe.fail_with = None
    breaker = breaker_for("stripe")
    monkeypatch.setattr(breaker, "_clock", lambda: time.time() + breaker.reset_timeout_seconds + 1)
    trial = call_payment_api(intent)
    assert trial.status == 201
    assert len(stripe.sent) == 6
    assert breaker.state() == "closed"
    assert stored_order(order_id).order_status == "pending"  # an intent is not a payment


def test_an_open_circuit_delays_settlement_and_leaves_the_order_pending(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
    from payment_processor.handler import backoff_seconds, handler

    order_id, token, stripe = guest_order_paid_through_stripe(monkeypatch)
    confirm = call_payment_api(
        payment_request(
            "/payment/stripe/confirm",
            {"order_id": order_id, "access_token": token, "payment_id": "pi_3QfA2bLkdIwHu7ix0x5Ze9Qm"},
        )
    )
    assert confirm.status == 202
    stripe.fail_with = 503
    # Received but not deleted, so the handler holds a real receipt handle whose visibility it can change.
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = world.queues[PAYMENT_QUEUE]
    (message,) = sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=1)["Messages"]
    record = sqs_record(message["Body"], message_id=message["MessageId"], queue=PAYMENT_QUEUE)
    record["receiptHandle"] = message["ReceiptHandle"]
    with pytest.raises(BatchProcessingError):
        handler({"Records": [record]}, world.context)
    assert stored_order(order_id).order_status == "pending"
    time.sleep(1.5)
    # Still hidden after the queue's 1 s: the handler pushed it back by 2^1 x 30 s.
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0).get("Messages", []) == []
    assert [backoff_seconds(count) for count in (1, 2, 3, 10)] == [60, 120, 240, 900]


def test_refusals_are_502s_and_never_open_the_circuit(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, token, stripe = guest_order_paid_through_stripe(monkeypatch)
    stripe.fail_with = 400
    intent = payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": token})
    for _attempt in range(6):
        reply = call_payment_api(intent)
        assert reply.status == 502
        assert reply.body["error"] == "payment_provider_refused"
    assert len(stripe.sent) == 6  # every one reached Stripe: a refusal is not an outage
    assert breaker_for("stripe").state() == "closed"


def test_stripe_rate_limits_tell_the_shopper_to_retry_and_never_open_the_circuit(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stripe's 429s (a burst above its rate) reach the shopper as "busy, try again in a few
    seconds", not as a 500 or a minute-long refusal: every attempt still reaches Stripe."""
    order_id, token, stripe = guest_order_paid_through_stripe(monkeypatch)
    stripe.fail_with = 429
    intent = payment_request("/payment/stripe/intent", {"order_id": order_id, "access_token": token})
    capsys.readouterr()
    for _attempt in range(8):
        reply = call_payment_api(intent)
        assert reply.status == 503
        assert reply.headers["Retry-After"] == "2"
        assert reply.body["error"] == "service_unavailable"
        assert reply.body["reason"] == "payment_provider_busy"
        assert "busy" in reply.body["message"]
    assert len(stripe.sent) == 8  # none refused by an open circuit
    assert breaker_for("stripe").state() == "closed"
    assert "CircuitBreakerOpened" not in metric_totals(capsys.readouterr().out)

    stripe.fail_with = None
    assert call_payment_api(intent).status == 201


def test_a_rate_limited_settlement_is_queued_again_not_dead_lettered(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """payment_processor meeting Stripe's 429 puts the message back with a delay and reports no
    failure: its receives (three, then the DLQ) are not used up and the breaker stays closed."""
    from payment_processor.handler import handler

    order_id, token, stripe = guest_order_paid_through_stripe(monkeypatch)
    confirm = call_payment_api(
        payment_request(
            "/payment/stripe/confirm",
            {"order_id": order_id, "access_token": token, "payment_id": "pi_3QfA2bLkdIwHu7ix0x5Ze9Qm"},
        )
    )
    assert confirm.status == 202
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = world.queues[PAYMENT_QUEUE]
    (message,) = sqs.receive_message(QueueUrl=queue_url)["Messages"]
    stripe.fail_with = 429
    for _throttle in range(6):  # twice the queue's receives
        record = sqs_record(message["Body"], message_id=message["MessageId"], queue=PAYMENT_QUEUE)
        assert handler({"Records": [record]}, world.context)["batchItemFailures"] == []
    counts = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert counts["ApproximateNumberOfMessagesDelayed"] == "6"
    assert breaker_for("stripe").state() == "closed"
    assert stored_order(order_id).order_status == "pending"

    stripe.fail_with = None
    assert handler({"Records": [record]}, world.context)["batchItemFailures"] == []
    assert stored_order(order_id).payment_status == "paid"
