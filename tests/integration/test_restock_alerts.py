"""Back-in-stock alerts sent by inventory_updater when a give-back takes a product from 0 to some
stock: once per restock, never again from the daily scan, and again after the next sell-out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shop.catalog.repository import ProductRepository
from shop.contracts.email_messages import EmailRequest, EmailTemplate
from shop.marketing.restock import scan_restock
from shop.orders.model import InventoryMessage
from shop.orders.repository import OrderRepository
from shop.orders.state import OrderStatus
from shop.tracking.model import WatchRequest
from shop.tracking.repository import WatchListRepository
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    ADDRESS,
    OrderWorld,
    call_order_api,
    create_order_event,
    new_product,
    order_world_in,
    sqs_event_from,
    stored_order,
    stored_stock,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def consent(user_id: str, **flags: bool) -> None:
    boto3.resource("dynamodb").Table("test-EmailPreferences").put_item(
        Item={
            "user_id": user_id,
            "email": f"{user_id}@example.com",
            "back_in_stock_alerts": True,
            "unsubscribed": False,
            **flags,
        }
    )


def watch(user_id: str, product_id: str) -> None:
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    WatchListRepository().add(user_id, product, WatchRequest(product_id=product_id))


def sell_out(product_id: str, quantity: int) -> str:
    """An order taking every unit left; returns its id."""
    reply = call_order_api(
        create_order_event(
            {"shipping_address": ADDRESS, "items": [{"product_id": product_id, "quantity": quantity}]}
        )
    )
    assert reply.status == 202, reply.body
    assert stored_stock(product_id) == 0
    order_id: str = reply.body["order_id"]
    return order_id


def cancel_and_restore(world: OrderWorld, order_id: str) -> dict[str, Any]:
    """Cancel the order and deliver its give-back to inventory_updater, as the queue would."""
    from inventory_updater.handler import handler

    OrderRepository().move(stored_order(order_id), OrderStatus.CANCELLED, actor="test")
    world.drain("inventory-update")
    message = InventoryMessage(kind="restore", order_id=order_id, user_id="alice").model_dump_json()
    event = sqs_event_from([{"Body": message, "MessageId": f"m-{order_id}"}], "inventory-update")
    response: dict[str, Any] = handler(event, world.context)
    assert response["batchItemFailures"] == []
    return event


def alerts(world: OrderWorld) -> list[EmailRequest]:
    requests = [EmailRequest.model_validate(body) for body in world.bodies("email-notification")]
    return [request for request in requests if request.template is EmailTemplate.BACK_IN_STOCK]


def test_stock_returning_alerts_each_consenting_watcher_once(order_world: OrderWorld) -> None:
    from inventory_updater.handler import handler

    product_id = new_product(stock=5)
    order_id = sell_out(product_id, 5)
    consent("w-1")
    consent("w-2", back_in_stock_alerts=False)
    watch("w-1", product_id)
    watch("w-2", product_id)
    order_world.drain("email-notification")

    event = cancel_and_restore(order_world, order_id)

    assert stored_stock(product_id) == 5
    [alert] = alerts(order_world)
    assert alert.to == "w-1@example.com"
    assert alert.data["items"][0]["product_id"] == product_id
    watched = WatchListRepository().items_of_user("w-1")[0]
    assert (watched["notified_restock"], watched["in_stock"]) == (True, True)
    # The same message again (SQS delivers at least once) and the daily scan: nothing more.
    handler(event, order_world.context)
    assert scan_restock().queued == 0
    assert alerts(order_world) == []


def test_a_second_restock_after_selling_out_again_alerts_again(order_world: OrderWorld) -> None:
    product_id = new_product(stock=2)
    first = sell_out(product_id, 2)
    consent("w-1")
    watch("w-1", product_id)
    cancel_and_restore(order_world, first)
    assert len(alerts(order_world)) == 1

    second = sell_out(product_id, 2)
    cancel_and_restore(order_world, second)

    assert [alert.to for alert in alerts(order_world)] == ["w-1@example.com"]
    assert scan_restock().queued == 0
    assert alerts(order_world) == []


def test_the_daily_scan_alerts_a_restock_inventory_updater_did_not_see(order_world: OrderWorld) -> None:
    product_id = new_product(stock=0)
    consent("w-1")
    watch("w-1", product_id)
    # An administrator's stock edit (shop_api), not a give-back: only the daily scan sees it.
    ProductRepository().update(product_id, {"stock_quantity": 3})

    assert scan_restock().queued == 1
    assert [alert.to for alert in alerts(order_world)] == ["w-1@example.com"]
    assert scan_restock().queued == 0


def test_a_give_back_to_a_product_still_in_stock_alerts_nobody(order_world: OrderWorld) -> None:
    product_id = new_product(stock=5)
    order_id = call_order_api(
        create_order_event(
            {"shipping_address": ADDRESS, "items": [{"product_id": product_id, "quantity": 2}]}
        )
    ).body["order_id"]
    consent("w-1")
    watch("w-1", product_id)
    order_world.drain("email-notification")

    cancel_and_restore(order_world, order_id)

    assert stored_stock(product_id) == 5
    assert alerts(order_world) == []


def test_two_give_backs_that_both_saw_no_stock_alert_once(order_world: OrderWorld) -> None:
    """Two inventory_updater instances restoring two orders at once both read stock 0 at one version."""
    from shop.marketing.restock import alert_restock

    product_id = new_product(stock=0)
    consent("w-1")
    watch("w-1", product_id)
    sold_out = ProductRepository().get(product_id, consistent=True)
    assert sold_out is not None
    restocked = ProductRepository().update(product_id, {"stock_quantity": 4})

    summaries = [alert_restock(restocked, sold_out.cache_version) for _ in range(2)]

    assert [summary.queued for summary in summaries] == [1, 0]
    assert len(alerts(order_world)) == 1
