"""The queue-driven pipeline end to end: order_api (stock taken with the order) -> order_processor ->
email_sender, and back through inventory_updater when an order closes; each consumer run on the
messages the previous step really queued in moto. The race for stock at placement is in
test_order_stock_hold.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shop.catalog.service import shared_catalog
from tests.integration.conftest import LambdaContext
from tests.integration.events import shopper_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    consumers,
    metric_totals,
    new_product,
    order_action_event,
    order_world_in,
    place,
    run_pipeline,
    run_queue,
    sent_emails,
    set_flags,
    sqs_event_from,
    sqs_record,
    stored_order,
    stored_stock,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def test_an_order_flows_through_every_step_once(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    reply = place(product_id, 3)
    order_id = reply.body["order_id"]
    assert reply.body["order_status"] == "pending"
    # The stock is held from the moment the order exists, before any consumer ran.
    assert stored_stock(product_id) == 7
    assert stored_order(order_id).stock_reserved is True

    placed, _ = run_queue(order_world, "order-processing")
    assert len(placed) == 1
    assert order_world.drain("inventory-update") == []  # nothing left to reserve
    mails, _ = run_queue(order_world, "email-notification")
    assert len(mails) == 1

    assert stored_stock(product_id) == 7
    order = stored_order(order_id)
    assert order.order_status == "pending"
    assert order.stock_reserved is True
    emails = sent_emails()
    assert len(emails) == 1
    assert emails[0].destinations["ToAddresses"] == ["alice@example.com"]
    assert reply.body["order_number"] in emails[0].subject


# -- duplicates and poison -----------------------------------------------------------------------


def test_each_consumer_given_the_same_message_twice_has_one_effect(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    place(product_id, 2)

    placed = order_world.drain("order-processing")
    for _delivery in range(2):
        response = consumers()["order-processing"](
            sqs_event_from(placed, "order-processing"), order_world.context
        )
        assert response["batchItemFailures"] == []
    confirmations = order_world.drain("email-notification")
    assert len(confirmations) == 1
    assert stored_stock(product_id) == 8

    for _delivery in range(2):
        response = consumers()["email-notification"](
            sqs_event_from(confirmations, "email-notification"), order_world.context
        )
        assert response["batchItemFailures"] == []
    assert len(sent_emails()) == 1


def test_a_poison_message_fails_alone_on_every_receive(
    order_world: OrderWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    product_id = new_product(stock=10)
    place(product_id, 1, user_id="first")
    place(product_id, 1, user_id="second")
    good = order_world.drain("order-processing")
    poison_body = json.dumps({"kind": "order_placed", "order_id": "ord_missing", "user_id": "nobody"})
    records = [
        sqs_record(good[0]["Body"], message_id=good[0]["MessageId"]),
        sqs_record(poison_body, message_id="poison-1"),
        sqs_record("not json at all", message_id="poison-2"),
        sqs_record(good[1]["Body"], message_id=good[1]["MessageId"]),
    ]
    for _receive in range(3):  # SQS moves it to the DLQ after the third receive (maxReceiveCount 3)
        response = consumers()["order-processing"]({"Records": records}, order_world.context)
        assert response["batchItemFailures"] == [
            {"itemIdentifier": "poison-1"},
            {"itemIdentifier": "poison-2"},
        ]
    confirmations = order_world.bodies("email-notification")
    assert sorted(body["template"] for body in confirmations) == ["order_confirmation"] * 2

    emitted = metric_totals(capsys.readouterr().out)
    assert (
        emitted["OrdersProcessed"] == 6
    )  # two good messages, three receives (repeats answer from the record)
    assert emitted["OrderProcessingFailed"] == 6


def test_poison_messages_fail_alone_in_the_other_consumers(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    order_id = place(product_id, 1).body["order_id"]
    run_queue(order_world, "order-processing")
    confirmation = order_world.drain("email-notification")[0]
    cancelled = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", order_id, shopper_claims("alice"))
    )
    assert cancelled.status == 200, cancelled.body
    run_queue(order_world, "order-processing")  # order_closed: asks for the stock back
    restore = order_world.drain("inventory-update")[0]
    order_world.drain("email-notification")  # the cancellation email; this test sends the confirmation

    unknown_order = json.dumps({"kind": "restore", "order_id": "ord_missing", "user_id": "nobody"})
    retired_kind = json.dumps({"kind": "reserve", "order_id": order_id, "user_id": "alice"})
    response = consumers()["inventory-update"](
        {
            "Records": [
                sqs_record(unknown_order, message_id="bad"),
                sqs_record(retired_kind, message_id="retired"),
                sqs_record(restore["Body"], message_id="ok"),
            ]
        },
        order_world.context,
    )
    assert response["batchItemFailures"] == [{"itemIdentifier": "bad"}, {"itemIdentifier": "retired"}]
    assert stored_stock(product_id) == 10

    bad_email = json.dumps({"template": "no_such_template", "to": "a@example.com"})
    response = consumers()["email-notification"](
        {
            "Records": [
                sqs_record(bad_email, message_id="bad"),
                sqs_record(confirmation["Body"], message_id="ok"),
            ]
        },
        order_world.context,
    )
    assert response["batchItemFailures"] == [{"itemIdentifier": "bad"}]
    assert len(sent_emails()) == 1


# -- cancel and the kill switch --------------------------------------------------------------------


def test_a_cancelled_order_gets_its_stock_back_once(order_world: OrderWorld) -> None:
    product_id = new_product(stock=20)
    order_id = place(product_id, 2).body["order_id"]
    assert stored_stock(product_id) == 18
    run_pipeline(order_world)
    assert stored_stock(product_id) == 18

    reply = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", order_id, shopper_claims("alice"))
    )
    assert reply.status == 200, reply.body
    closing = order_world.drain("order-processing")
    assert len(closing) == 1
    for _delivery in range(2):
        consumers()["order-processing"](sqs_event_from(closing, "order-processing"), order_world.context)
    restores = order_world.drain("inventory-update")
    for _delivery in range(2):
        consumers()["inventory-update"](sqs_event_from(restores, "inventory-update"), order_world.context)
    assert stored_stock(product_id) == 20
    order = stored_order(order_id)
    assert (order.order_status, order.stock_reserved, order.stock_restored) == ("cancelled", False, True)
    run_pipeline(order_world)
    subjects = sorted(mail.subject for mail in sent_emails())
    assert len(subjects) == 2
    assert any("cancelled" in subject for subject in subjects)


def test_orders_inline_processes_in_the_request_without_the_order_queue(order_world: OrderWorld) -> None:
    set_flags(orders_inline=True, cache_bypass=False)
    product_id = new_product(stock=10)
    order_id = place(product_id, 4).body["order_id"]

    assert order_world.drain("order-processing") == []
    assert stored_order(order_id).processing_queue_id == "inline"
    assert stored_stock(product_id) == 6  # taken with the order, as on the queued path
    # The same step order_processor runs has happened: the confirmation is queued.
    assert order_world.drain("inventory-update") == []
    run_queue(order_world, "email-notification")
    assert len(sent_emails()) == 1

    set_flags(orders_inline=False, cache_bypass=False)
    place(product_id, 1)
    assert len(order_world.drain("order-processing")) == 1


def test_stock_changes_reach_the_catalog_cache(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    assert shared_catalog().product(product_id).stock_quantity == 10  # now cached in Redis
    order_id = place(product_id, 3).body["order_id"]
    assert shared_catalog().product(product_id).stock_quantity == 7  # order_api refreshed it
    cancelled = call_order_api(
        order_action_event("POST", "/orders/{id}/cancel", order_id, shopper_claims("alice"))
    )
    assert cancelled.status == 200, cancelled.body
    run_pipeline(order_world)
    assert shared_catalog().product(product_id).stock_quantity == 10  # inventory_updater refreshed it
