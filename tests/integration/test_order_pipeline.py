"""The queue-driven pipeline end to end: order_api -> order_processor -> inventory_updater -> email_sender,
each consumer run on the messages the previous step really queued in moto."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shop.catalog.repository import ProductRepository
from shop.catalog.service import shared_catalog
from shop.contracts.tables import PRODUCTS
from shop.orders.inventory import Inventory
from tests.integration.conftest import LambdaContext
from tests.integration.events import shopper_claims
from tests.integration.order_events import (
    SENDER,
    OrderWorld,
    call_order_api,
    consumers,
    make_requests_atomic,
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


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    make_requests_atomic(monkeypatch)


def test_an_order_flows_through_every_step_once(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    reply = place(product_id, 3)
    order_id = reply.body["order_id"]
    assert reply.body["order_status"] == "pending"

    placed, _ = run_queue(order_world, "order-processing")
    assert len(placed) == 1
    reserved, _ = run_queue(order_world, "inventory-update")
    assert len(reserved) == 1
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


# -- 50 orders for 10 in stock ------------------------------------------------------------------


def _race_for_stock(world: OrderWorld, product_id: str, orders: int) -> list[str]:
    """Place `orders` orders of one unit, process them, then run every reservation concurrently."""
    order_ids = [place(product_id, 1, user_id=f"shopper-{n}").body["order_id"] for n in range(orders)]
    run_queue(world, "order-processing")
    world.drain("email-notification")  # the confirmations; this test counts what the race produces
    reservations = [json.loads(m["Body"]) for m in world.drain("inventory-update")]
    assert len(reservations) == orders

    # Each thread runs what one concurrent inventory_updater invocation runs (the handler object keeps
    # per-invocation state, so threads share the domain service instead).
    def reserve(message: dict[str, Any]) -> str:
        return Inventory().reserve(message["order_id"], message["user_id"]).outcome

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(reserve, reservations))
    assert len(outcomes) == orders
    return order_ids


def test_fifty_orders_for_ten_in_stock_sell_exactly_ten(
    order_world: OrderWorld, atomic_requests: None
) -> None:
    product_id = new_product(stock=10)
    order_ids = _race_for_stock(order_world, product_id, 50)

    orders = [stored_order(order_id) for order_id in order_ids]
    reserved = [order for order in orders if order.stock_reserved]
    failed = [order for order in orders if order.order_status == "failed"]
    assert len(reserved) == 10
    assert len(failed) == 40
    assert [order.failure_reason for order in failed] == ["out_of_stock"] * 40
    assert all(order.order_status == "pending" for order in reserved)
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (0, 10)

    notices = order_world.bodies("email-notification")
    failed_mails = {body["data"]["order_id"] for body in notices if body["template"] == "order_failed"}
    assert failed_mails == {order.order_id for order in failed}
    alerts = [body for body in notices if body["template"] == "low_stock_alert"]
    assert {(body["to"], body["dedupe_key"]) for body in alerts} == {(SENDER, alerts[0]["dedupe_key"])}
    # ...and the customers really get them.
    for body in notices:
        order_world_send(order_world, body)
    assert len(sent_emails()) == 41


def order_world_send(world: OrderWorld, body: dict[str, Any]) -> None:
    from email_sender.handler import handler

    response = handler({"Records": [sqs_record(json.dumps(body), queue="email-notification")]}, world.context)
    assert response["batchItemFailures"] == []


def test_the_race_oversells_with_a_read_modify_write(
    order_world: OrderWorld, atomic_requests: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test above would catch a read-modify-write: with one, more than 10 orders get stock."""

    def read_modify_write(
        _repository: ProductRepository, product: Any, lines: dict[str | None, int], sign: int
    ) -> dict[str, Any]:
        remaining = product.stock_quantity + sign * sum(lines.values())
        update = {
            "TableName": f"test-{PRODUCTS.logical_name}",
            "Key": {"product_id": product.product_id},
            "UpdateExpression": "SET stock_quantity = :remaining",
            "ExpressionAttributeValues": {":remaining": max(remaining, 0)},
        }
        if remaining < 0:  # the check is on the value read, not on the stored one
            update["ConditionExpression"] = "attribute_not_exists(product_id)"
        return {"Update": update}

    original_get_many = ProductRepository.get_many

    def slow_get_many(self: ProductRepository, *args: Any, **kwargs: Any) -> Any:
        found = original_get_many(self, *args, **kwargs)
        time.sleep(0.002)  # widen the window between the read and the write, as real latency does
        return found

    monkeypatch.setattr(ProductRepository, "stock_change", read_modify_write)
    monkeypatch.setattr(ProductRepository, "get_many", slow_get_many)
    product_id = new_product(stock=10)
    order_ids = _race_for_stock(order_world, product_id, 50)

    reserved = [order_id for order_id in order_ids if stored_order(order_id).stock_reserved]
    assert len(reserved) > 10


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
    reservations = order_world.drain("inventory-update")
    confirmations = order_world.drain("email-notification")
    assert (len(reservations), len(confirmations)) == (1, 1)

    for _delivery in range(2):
        response = consumers()["inventory-update"](
            sqs_event_from(reservations, "inventory-update"), order_world.context
        )
        assert response["batchItemFailures"] == []
    assert stored_stock(product_id) == 8
    assert order_world.drain("email-notification") == []

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
    assert len(order_world.drain("inventory-update")) == 2

    emitted = metric_totals(capsys.readouterr().out)
    assert (
        emitted["OrdersProcessed"] == 6
    )  # two good messages, three receives (repeats answer from the record)
    assert emitted["OrderProcessingFailed"] == 6


def test_poison_messages_fail_alone_in_the_other_consumers(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    place(product_id, 1)
    run_queue(order_world, "order-processing")
    reservation = order_world.drain("inventory-update")[0]
    confirmation = order_world.drain("email-notification")[0]

    bad_reservation = json.dumps({"kind": "reserve", "order_id": "ord_missing", "user_id": "nobody"})
    response = consumers()["inventory-update"](
        {
            "Records": [
                sqs_record(bad_reservation, message_id="bad"),
                sqs_record(reservation["Body"], message_id="ok"),
            ]
        },
        order_world.context,
    )
    assert response["batchItemFailures"] == [{"itemIdentifier": "bad"}]
    assert stored_stock(product_id) == 9

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
    # The same step order_processor runs has happened: stock requested and confirmation queued.
    run_queue(order_world, "inventory-update")
    run_queue(order_world, "email-notification")
    assert stored_stock(product_id) == 6
    assert len(sent_emails()) == 1

    set_flags(orders_inline=False, cache_bypass=False)
    place(product_id, 1)
    assert len(order_world.drain("order-processing")) == 1


def test_stock_changes_reach_the_catalog_cache(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    assert shared_catalog().product(product_id).stock_quantity == 10  # now cached in Redis
    place(product_id, 3)
    run_pipeline(order_world)
    assert shared_catalog().product(product_id).stock_quantity == 7
