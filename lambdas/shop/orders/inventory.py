"""Stock reservations: one DynamoDB transaction per order, all lines or none, never below zero.

Reserve = for every product of the order `stock_quantity = stock_quantity - :q` conditioned on
`stock_quantity >= :q` (a variant's own stock likewise), `sales_count + :q`, `cache_version + 1`, and
in the same transaction the order's `stock_reserved = true` conditioned on the order still being
reservable and not reserved yet. The condition on the order makes a redelivered message a no-op;
the conditions on the products make overselling impossible however many orders race.
Restore is the mirror image, conditioned on `stock_reserved = true` and a closed order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from shop.catalog.model import Product
from shop.catalog.repository import ProductRepository
from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.orders.model import Order
from shop.orders.notifications import send
from shop.orders.processing import fail_order, wanted_quantities
from shop.orders.repository import OrderRepository
from shop.orders.state import RESERVABLE, RESTORABLE
from shop.platform.clock import now_iso
from shop.platform.dynamodb import cancellation_codes, dynamodb_resource, errors
from shop.platform.observability import logger
from shop.platform.settings import get_settings

ACTOR = "inventory_updater"
# Read here until Settings carries it (docs/orders.md): an alert goes out when stock falls below it.
LOW_STOCK_THRESHOLD_ENV = "LOW_STOCK_THRESHOLD"
DEFAULT_LOW_STOCK_THRESHOLD = 5
TRANSACTION_ATTEMPTS = 5


def low_stock_threshold() -> int:
    return int(os.environ.get(LOW_STOCK_THRESHOLD_ENV, DEFAULT_LOW_STOCK_THRESHOLD))


class InventoryConflictError(RuntimeError):
    """Concurrent transactions kept cancelling this one; the message is retried by SQS."""


@dataclass(frozen=True)
class StockOutcome:
    outcome: str  # reserved | restored | out_of_stock | skipped
    order_id: str
    detail: str | None = None


def _lines_by_product(order: Order) -> dict[str, dict[str | None, int]]:
    grouped: dict[str, dict[str | None, int]] = {}
    for (product_id, variant_sku), quantity in wanted_quantities(order).items():
        grouped.setdefault(product_id, {})[variant_sku] = quantity
    return grouped


def _pause(attempt: int) -> None:
    time.sleep(0.005 * (attempt + 1))


class Inventory:
    """Reserves and restores the stock of orders; `product_changed` refreshes the catalog cache."""

    def __init__(
        self,
        *,
        orders: OrderRepository | None = None,
        products: ProductRepository | None = None,
        product_changed: Callable[[Product], None] | None = None,
    ) -> None:
        self.orders = orders or OrderRepository()
        self.products = products or ProductRepository()
        self._product_changed = product_changed

    def product_changed(self, product: Product) -> None:
        if self._product_changed is not None:
            self._product_changed(product)
            return
        from shop.catalog.service import shared_catalog

        shared_catalog().product_changed(product)

    def reserve(self, order_id: str, user_id: str) -> StockOutcome:
        """Decrement the stock of every line of the order, or (when one line cannot be served) none
        and fail the order. A redelivered or late message finds the order reserved or closed: no-op."""
        return self._apply(order_id, user_id, reserve=True)

    def restore(self, order_id: str, user_id: str) -> StockOutcome:
        """Give back the stock of a cancelled, refunded or failed order, once."""
        return self._apply(order_id, user_id, reserve=False)

    def _apply(self, order_id: str, user_id: str, *, reserve: bool) -> StockOutcome:
        from shop.orders.processing import OrderNotFoundError

        for attempt in range(TRANSACTION_ATTEMPTS):
            order = self.orders.get(order_id, user_id)
            if order is None:
                raise OrderNotFoundError(f"no order {order_id} of {user_id}")
            if reserve and (order.stock_reserved or order.order_status not in RESERVABLE):
                return StockOutcome(
                    "skipped", order_id, f"status {order.order_status}, reserved {order.stock_reserved}"
                )
            if not reserve and (not order.stock_reserved or order.order_status not in RESTORABLE):
                return StockOutcome(
                    "skipped", order_id, f"status {order.order_status}, reserved {order.stock_reserved}"
                )
            grouped = _lines_by_product(order)
            products = self.products.get_many(list(grouped), consistent=True)
            missing = [
                product_id
                for product_id, lines in grouped.items()
                if product_id not in products
                or any(sku is not None and products[product_id].variant(sku) is None for sku in lines)
            ]
            if missing and reserve:
                return self._out_of_stock(order, f"no longer sold: {', '.join(missing)}")
            sign = -1 if reserve else 1
            product_ids = [product_id for product_id in grouped if product_id not in missing]
            items = [self.products.stock_change(products[pid], grouped[pid], sign) for pid in product_ids]
            items.append(self.orders.stock_reservation_change(order, reserve=reserve))
            try:
                dynamodb_resource().meta.client.transact_write_items(TransactItems=items)
            except errors().TransactionCanceledException as error:
                codes = cancellation_codes(error)
                logger.info("stock transaction cancelled", extra={"codes": codes, "error": repr(error)})
                order_code = codes[-1] if codes else "None"
                if order_code == "ConditionalCheckFailed":
                    continue  # the order changed (reserved, cancelled) meanwhile: re-read and decide again
                if reserve and "ConditionalCheckFailed" in codes[:-1]:
                    # Either not enough stock, or a variant list reordered since the read: re-read once
                    # more before declaring the order out of stock.
                    if self._still_short(order):
                        return self._out_of_stock(order, "not enough stock")
                    continue
                logger.info(
                    "stock transaction conflicted, retrying", extra={"order_id": order_id, "codes": codes}
                )
                _pause(attempt)
                continue
            self._after_write(order, product_ids, grouped, reserve=reserve)
            return StockOutcome("reserved" if reserve else "restored", order_id)
        raise InventoryConflictError(f"could not update the stock of {order_id}; retrying later")

    def _still_short(self, order: Order) -> bool:
        from shop.orders.processing import shortages

        products = self.products.get_many(list({line.product_id for line in order.items}), consistent=True)
        return bool(shortages(order, products))

    def _out_of_stock(self, order: Order, note: str) -> StockOutcome:
        fail_order(order, "out_of_stock", actor=ACTOR, note=note)
        return StockOutcome("out_of_stock", order.order_id, note)

    def _after_write(
        self,
        order: Order,
        product_ids: list[str],
        grouped: dict[str, dict[str | None, int]],
        *,
        reserve: bool,
    ) -> None:
        updated = self.products.get_many(product_ids, consistent=True)
        threshold = low_stock_threshold()
        for product_id, product in updated.items():
            self.product_changed(product)
            if not reserve or product.digital_download:
                continue
            for variant_sku in grouped[product_id]:
                variant = product.variant(variant_sku) if variant_sku else None
                now = variant.stock_quantity if variant is not None else product.stock_quantity
                if now < threshold:
                    self._low_stock_alert(product, variant_sku, now)

    def _low_stock_alert(self, product: Product, variant_sku: str | None, stock: int) -> None:
        """Queue the administrators' alert. Concurrent orders read the stock after their own write and
        cannot tell which one crossed the threshold, so every order below it queues one and the
        dedupe key (product, variant, day) lets email_sender send one a day while stock stays low."""
        sender = get_settings().sender_email
        send(
            EMAIL_NOTIFICATION.logical_name,
            EmailRequest(
                template=EmailTemplate.LOW_STOCK_ALERT,
                to=sender,
                category=EmailCategory.TRANSACTIONAL,
                dedupe_key=f"low_stock_alert#{product.product_id}#{variant_sku or ''}#{now_iso()[:10]}",
                data={
                    "product_id": product.product_id,
                    "name": product.name,
                    "sku": variant_sku or product.sku,
                    "stock_quantity": stock,
                    "threshold": low_stock_threshold(),
                },
            ),
        )
        logger.info("low stock", extra={"product_id": product.product_id, "stock": stock})
