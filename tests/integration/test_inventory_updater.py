"""The stock an order holds: taken with the order (all lines or none, variants and digital goods), given
back once by inventory_updater when the order closes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shop.catalog.repository import ProductRepository
from shop.orders.inventory import Inventory
from shop.orders.processing import OrderNotFoundError
from shop.orders.repository import OrderRepository
from shop.orders.state import OrderStatus
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    ADDRESS,
    OrderWorld,
    Reply,
    call_order_api,
    create_order_event,
    new_product,
    order_world_in,
    stored_order,
    stored_stock,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def order_request(items: list[dict[str, object]]) -> Reply:
    return call_order_api(create_order_event({"shipping_address": ADDRESS, "items": items}))


def order_of(items: list[dict[str, object]]) -> str:
    reply = order_request(items)
    assert reply.status == 202, reply.body
    order_id: str = reply.body["order_id"]
    return order_id


def test_one_short_line_refuses_the_order_and_leaves_every_other_line_untouched(
    order_world: OrderWorld,
) -> None:
    plenty, scarce = new_product(stock=50), new_product(stock=3)
    first = order_of([{"product_id": plenty, "quantity": 5}, {"product_id": scarce, "quantity": 3}])
    refused = order_request([{"product_id": plenty, "quantity": 5}, {"product_id": scarce, "quantity": 1}])

    assert refused.status == 409
    assert (refused.body["product_id"], refused.body["available"]) == (scarce, 0)
    assert (stored_stock(plenty), stored_stock(scarce)) == (45, 0)
    assert [
        order.order_id for order in OrderRepository().for_user("alice", limit=10, start_key=None).orders
    ] == [first]
    assert stored_order(first).stock_reserved is True


def test_variants_draw_on_their_own_stock(order_world: OrderWorld) -> None:
    product_id = new_product(
        stock=0,
        variants=[
            {"sku": "TEE-S", "size": "S", "stock_quantity": 4},
            {"sku": "TEE-M", "size": "M", "stock_quantity": 1, "price": 2500},
        ],
    )
    order_id = order_of(
        [
            {"product_id": product_id, "sku": "TEE-S", "quantity": 3},
            {"product_id": product_id, "sku": "TEE-M", "quantity": 1},
        ]
    )
    assert stored_order(order_id).subtotal == 3 * 2000 + 2500
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert [(v.sku, v.stock_quantity) for v in product.variants] == [("TEE-S", 1), ("TEE-M", 0)]
    assert (product.stock_quantity, product.sales_count) == (0, 4)

    refused = order_request([{"product_id": product_id, "sku": "TEE-S", "quantity": 2}])
    assert refused.status == 409
    assert (refused.body["product_id"], refused.body["variant_sku"], refused.body["available"]) == (
        product_id,
        "TEE-S",
        1,
    )
    assert "TEE-S" in refused.body["message"]


def test_digital_goods_sell_without_stock(order_world: OrderWorld) -> None:
    product_id = new_product(
        stock=0,
        digital_download=True,
        digital_files=[
            {
                "file_id": "0123456789abcdef0123456789abcdef",
                "key": "files/0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210",
                "file_name": "book.pdf",
                "content_type": "application/pdf",
            }
        ],
    )
    order_id = order_of([{"product_id": product_id, "quantity": 2}])
    assert stored_order(order_id).stock_reserved is True
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (0, 2)


def test_restore_happens_once_and_only_for_closed_orders(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    order_id = order_of([{"product_id": product_id, "quantity": 4}])
    inventory = Inventory()
    assert stored_stock(product_id) == 6
    assert inventory.restore(order_id, "alice").outcome == "skipped"  # still pending: nothing to give back
    assert stored_stock(product_id) == 6

    OrderRepository().move(stored_order(order_id), OrderStatus.CANCELLED, actor="test")
    assert inventory.restore(order_id, "alice").outcome == "restored"
    assert inventory.restore(order_id, "alice").outcome == "skipped"
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (10, 0)
    order = stored_order(order_id)
    assert (order.stock_reserved, order.stock_restored) == (False, True)


def test_an_unknown_order_is_an_error_not_a_skip(order_world: OrderWorld) -> None:
    with pytest.raises(OrderNotFoundError):
        Inventory().restore("ord_missing", "nobody")
