"""Stock reservations per order: all lines or none, variants and digital goods, restores once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shop.catalog.repository import ProductRepository
from shop.orders.inventory import Inventory
from shop.orders.processing import OrderNotFoundError
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    ADDRESS,
    OrderWorld,
    call_order_api,
    create_order_event,
    new_product,
    order_world_in,
    run_queue,
    stored_order,
    stored_stock,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def order_of(items: list[dict[str, object]]) -> str:
    reply = call_order_api(create_order_event({"shipping_address": ADDRESS, "items": items}))
    assert reply.status == 202, reply.body
    order_id: str = reply.body["order_id"]
    return order_id


def test_one_short_line_leaves_every_other_line_untouched(order_world: OrderWorld) -> None:
    plenty, scarce = new_product(stock=50), new_product(stock=3)
    first = order_of([{"product_id": plenty, "quantity": 5}, {"product_id": scarce, "quantity": 3}])
    second = order_of([{"product_id": plenty, "quantity": 5}, {"product_id": scarce, "quantity": 1}])
    run_queue(order_world, "order-processing")
    inventory = Inventory()
    assert inventory.reserve(first, "alice").outcome == "reserved"
    assert inventory.reserve(second, "alice").outcome == "out_of_stock"
    assert (stored_stock(plenty), stored_stock(scarce)) == (45, 0)
    failed = stored_order(second)
    assert (failed.order_status, failed.failure_reason, failed.stock_reserved) == (
        "failed",
        "out_of_stock",
        False,
    )
    assert [entry.actor for entry in failed.history] == ["alice", "inventory_updater"]


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
    run_queue(order_world, "order-processing")
    assert Inventory().reserve(order_id, "alice").outcome == "reserved"
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert [(v.sku, v.stock_quantity) for v in product.variants] == [("TEE-S", 1), ("TEE-M", 0)]
    assert (product.stock_quantity, product.sales_count) == (0, 4)


def test_digital_goods_sell_without_stock(order_world: OrderWorld) -> None:
    product_id = new_product(
        stock=0, digital_download=True, download_url="https://files.example.com/book.pdf"
    )
    order_id = order_of([{"product_id": product_id, "quantity": 2}])
    run_queue(order_world, "order-processing")
    assert Inventory().reserve(order_id, "alice").outcome == "reserved"
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (0, 2)


def test_restore_happens_once_and_only_for_closed_orders(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    order_id = order_of([{"product_id": product_id, "quantity": 4}])
    inventory = Inventory()
    assert inventory.reserve(order_id, "alice").outcome == "reserved"
    assert inventory.reserve(order_id, "alice").outcome == "skipped"
    assert inventory.restore(order_id, "alice").outcome == "skipped"  # still pending: nothing to give back
    assert stored_stock(product_id) == 6

    from shop.orders.repository import OrderRepository
    from shop.orders.state import OrderStatus

    OrderRepository().move(stored_order(order_id), OrderStatus.CANCELLED, actor="test")
    assert inventory.restore(order_id, "alice").outcome == "restored"
    assert inventory.restore(order_id, "alice").outcome == "skipped"
    assert inventory.reserve(order_id, "alice").outcome == "skipped"  # a late reservation of a closed order
    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    assert (product.stock_quantity, product.sales_count) == (10, 0)


def test_an_unknown_order_is_an_error_not_a_skip(order_world: OrderWorld) -> None:
    with pytest.raises(OrderNotFoundError):
        Inventory().reserve("ord_missing", "nobody")
