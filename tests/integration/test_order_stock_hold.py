"""Stock is held when the order is placed, in the one transaction that stores it: 50 shoppers racing for
10 units get 10 orders and 40 refusals that leave nothing behind (no order, so no payment can start)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from shop.api.http import http_status_of
from shop.catalog.repository import ProductRepository
from shop.contracts.tables import PRODUCTS
from shop.orders import inventory
from shop.orders.model import CreateOrderRequest
from shop.orders.repository import OrderRepository
from shop.orders.service import OrderService
from shop.platform.errors import ShopError
from shop.platform.identity import Caller
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    ADDRESS,
    SENDER,
    OrderWorld,
    call_order_api,
    create_order_event,
    make_requests_atomic,
    new_product,
    order_body,
    order_world_in,
    stored_order,
    stored_stock,
)

SHOPPERS = 50
IN_STOCK = 10
GUEST = Caller(user_id=None, email=None, groups=frozenset())


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    make_requests_atomic(monkeypatch)


def orders_in_table() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = boto3.client("dynamodb").scan(TableName="test-Orders")["Items"]
    return items


def _checkout_race(product_id: str) -> list[tuple[int, dict[str, Any]]]:
    """SHOPPERS guest checkouts of one unit each, 12 at a time, as order_api answers them.

    Each thread runs what one concurrent order_api invocation runs: the service, with the domain
    errors mapped to statuses as the resolver maps them (the resolver object keeps per-request state,
    so threads cannot share the handler itself)."""
    service = OrderService()

    def checkout(shopper: int) -> tuple[int, dict[str, Any]]:
        request = CreateOrderRequest.model_validate(
            {**order_body(product_id, 1), "email": f"shopper-{shopper}@example.com"}
        )
        try:
            placed = service.place(request, GUEST, cart_id=None, idempotency_key=None)
        except ShopError as error:
            return int(http_status_of(error)), error.body()
        return 202, placed.body()

    with ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(checkout, range(SHOPPERS)))


def test_fifty_guest_checkouts_for_ten_in_stock_accept_exactly_ten(
    order_world: OrderWorld, atomic_requests: None
) -> None:
    product_id = new_product(stock=IN_STOCK)
    started = time.monotonic()
    answers = _checkout_race(product_id)
    elapsed = time.monotonic() - started

    accepted = [body for status, body in answers if status == 202]
    refused = [body for status, body in answers if status == 409]
    assert (len(accepted), len(refused)) == (IN_STOCK, SHOPPERS - IN_STOCK), answers
    for body in refused:
        assert body["product_id"] == product_id
        assert body["available"] == 0
        assert product_id in body["message"]
        assert "order_id" not in body
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (0, IN_STOCK)

    # Only the accepted orders exist, each holding its unit: a refused shopper has no order to pay for.
    stored = orders_in_table()
    assert sorted(item["order_id"]["S"] for item in stored) == sorted(body["order_id"] for body in accepted)
    assert all(item["stock_reserved"]["BOOL"] for item in stored)
    assert order_world.drain("payment-processing") == []
    assert len(order_world.drain("order-processing")) == IN_STOCK
    # The administrators hear about the low stock (one alert a day, by its dedupe key).
    alerts = [
        body for body in order_world.bodies("email-notification") if body["template"] == "low_stock_alert"
    ]
    assert alerts
    assert {(body["to"], body["dedupe_key"]) for body in alerts} == {(SENDER, alerts[0]["dedupe_key"])}
    assert elapsed < 10, f"the race took {elapsed:.1f} s"


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
    product_id = new_product(stock=IN_STOCK)
    answers = _checkout_race(product_id)

    assert len([status for status, _ in answers if status == 202]) > IN_STOCK


def test_stock_taken_between_the_read_and_the_write_refuses_the_whole_order(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A concurrent order takes the last units after order_api read the stock: the transaction's
    conditions refuse this order, and none of its lines nor the order itself is written."""
    plenty, scarce = new_product(stock=50), new_product(stock=3)
    real_transact = inventory._transact
    calls: list[int] = []

    def competitor_first(items: list[dict[str, Any]]) -> None:
        if not calls:
            boto3.client("dynamodb").update_item(
                TableName=f"test-{PRODUCTS.logical_name}",
                Key={"product_id": {"S": scarce}},
                UpdateExpression="SET stock_quantity = :left",
                ExpressionAttributeValues={":left": {"N": "1"}},
            )
        calls.append(len(items))
        real_transact(items)

    monkeypatch.setattr(inventory, "_transact", competitor_first)
    reply = call_order_api(
        create_order_event(
            {
                "shipping_address": ADDRESS,
                "items": [{"product_id": plenty, "quantity": 5}, {"product_id": scarce, "quantity": 2}],
            }
        )
    )

    assert reply.status == 409, reply.body
    assert (reply.body["product_id"], reply.body["available"]) == (scarce, 1)
    assert calls == [3]  # one transaction (order + two products), cancelled; the re-read refused it
    assert (stored_stock(plenty), stored_stock(scarce)) == (50, 1)
    assert orders_in_table() == []
    for queue in order_world.queues:
        assert order_world.drain(queue) == []


def test_a_retry_that_loses_the_race_to_store_the_order_gets_the_stored_one(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_id = new_product(stock=10)
    event = create_order_event(order_body(product_id, 2), idempotency_key="checkout-attempt-0042")
    first = call_order_api(event)
    assert first.status == 202, first.body

    # The retry's first look finds nothing (the two requests ran side by side), so it goes on to
    # the transaction, whose condition on the order fails: it answers with the stored order.
    real_get = OrderRepository.get
    looks: list[str] = []

    def first_look_misses(self: OrderRepository, order_id: str, user_id: str | None = None) -> Any:
        looks.append(order_id)
        return None if len(looks) == 1 else real_get(self, order_id, user_id)

    monkeypatch.setattr(OrderRepository, "get", first_look_misses)
    second = call_order_api(event)

    assert second.status == 202, second.body
    assert (second.body["order_id"], second.body["replayed"]) == (first.body["order_id"], True)
    assert len(looks) == 2
    assert stored_stock(product_id) == 8  # taken once
    assert len(orders_in_table()) == 1
    assert stored_order(first.body["order_id"]).stock_reserved is True
