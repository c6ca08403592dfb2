"""Money taken for an order that cannot keep it goes back, once: the stock ran out while the shopper
paid, or after the payment settled (the load test of issue 9 found orders `failed` with payments kept)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    OrderWorld,
    new_product,
    place,
    run_pipeline,
    stored_order,
    stored_stock,
)
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    payment_request,
    payment_world_in,
    run_payment_processor,
)


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


def _guest_order(product_id: str) -> tuple[str, str]:
    reply = place(product_id, 1, user_id=None, email="guest@example.com")
    assert reply.status == 202, reply.body  # accepted: the pipeline takes it from here
    return reply.body["order_id"], reply.body["access_token"]


def _pay(order_id: str, token: str) -> str:
    body = {"order_id": order_id, "access_token": token}
    intent = call_payment_api(payment_request("/payment/stripe/intent", body))
    assert intent.status == 201, intent.body
    payment_id = str(intent.body["payment_intent_id"])
    confirm = call_payment_api(payment_request("/payment/stripe/confirm", {**body, "payment_id": payment_id}))
    assert confirm.status == 202, confirm.body
    return payment_id


def _sandbox_payment(payment_id: str) -> dict[str, Any]:
    from shop.contracts.tables import IDEMPOTENCY
    from shop.payments.sandbox_provider import RECORD_PREFIX
    from shop.platform.dynamodb import table

    item: dict[str, Any] = table(IDEMPOTENCY.logical_name).get_item(Key={"id": RECORD_PREFIX + payment_id})[
        "Item"
    ]
    return item


def _templates(world: OrderWorld) -> list[str]:
    return [email["template"] for email in world.bodies("email-notification")]


def test_a_payment_that_lands_after_the_stock_ran_out_is_refunded(world: OrderWorld) -> None:
    product = new_product(stock=1, price=2500)
    first, first_token = _guest_order(product)
    second, second_token = _guest_order(product)  # both placed while one unit was left
    _pay(first, first_token)
    second_payment = _pay(second, second_token)
    run_pipeline(world)  # the first order reserves the unit; the second fails for stock
    assert stored_order(second).order_status == "failed"

    messages, response = run_payment_processor(world)
    assert len(messages) == 2
    assert response["batchItemFailures"] == []
    assert stored_order(first).order_status == "paid"
    returned = stored_order(second)
    assert (returned.order_status, returned.payment_status) == ("refunded", "refunded")
    assert returned.payment_id == second_payment
    assert returned.refund_amount == returned.total
    sandbox = _sandbox_payment(second_payment)
    assert sandbox["refund_id"].startswith("sbx_re_")
    assert int(sandbox["refunded"]) == returned.total
    assert "order_refunded" in _templates(world)
    assert stored_stock(product) == 0  # the stock the second order never had is not given back


def test_a_redelivered_payment_of_a_returned_order_is_not_refunded_or_confirmed_twice(
    world: OrderWorld,
) -> None:
    product = new_product(stock=1)
    first, first_token = _guest_order(product)
    second, second_token = _guest_order(product)
    _pay(first, first_token)
    second_payment = _pay(second, second_token)
    run_pipeline(world)
    messages = world.drain(PAYMENT_QUEUE)
    from payment_processor.handler import handler

    from tests.integration.order_events import sqs_event_from

    second_message = [m for m in messages if second_payment in m["Body"]]
    handler(sqs_event_from(messages, PAYMENT_QUEUE), world.context)
    refund_id = _sandbox_payment(second_payment)["refund_id"]
    world.bodies("email-notification")  # emails of the first delivery

    for _delivery in range(2):
        response = handler(sqs_event_from(second_message, PAYMENT_QUEUE), world.context)
        assert response["batchItemFailures"] == []
    assert _sandbox_payment(second_payment)["refund_id"] == refund_id
    assert "payment_received" not in _templates(world)
    assert [entry.status for entry in stored_order(second).history].count("refunded") == 1


def test_an_order_paid_before_its_stock_ran_out_is_failed_and_refunded(world: OrderWorld) -> None:
    product = new_product(stock=1, price=1800)
    first, first_token = _guest_order(product)
    second, second_token = _guest_order(product)
    _pay(first, first_token)
    second_payment = _pay(second, second_token)
    run_payment_processor(world)
    assert stored_order(second).payment_status == "paid"

    run_pipeline(world)  # now the second order is out of stock, after its payment settled
    failed = stored_order(second)
    assert (failed.order_status, failed.payment_status) == ("failed", "refund_requested")
    messages, response = run_payment_processor(world)
    assert [m for m in messages if '"refund_requested"' in m["Body"]], messages
    assert response["batchItemFailures"] == []
    refunded = stored_order(second)
    assert (refunded.order_status, refunded.payment_status) == ("refunded", "refunded")
    assert int(_sandbox_payment(second_payment)["refunded"]) == refunded.total
    assert stored_order(first).order_status == "paid"
    run_pipeline(world)  # the refund's stock restore must not give back what was never reserved
    assert stored_stock(product) == 0
