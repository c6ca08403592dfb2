"""Stock held by orders: taken in the transaction that stores a new order, given back once when it closes.

Taking is one DynamoDB transaction: the new order's Put, conditioned on no order with its id existing,
and for every product of the order `stock_quantity - :q` conditioned on `stock_quantity >= :q` (a
variant's own stock likewise; digital goods track none), `sales_count + :q`, `cache_version + 1`. The
order and all its lines, or nothing: overselling is impossible however many orders race, and a shopper
refused for stock leaves no order (and so no payment) behind. Giving back is the mirror image,
conditioned on the order being closed and still holding the stock (`stock_reserved`), so it happens
once however often it is asked for.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.orders.model import Order
from shop.orders.notifications import send
from shop.orders.processing import OrderNotFoundError
from shop.orders.repository import OrderExistsError, OrderRepository
from shop.orders.state import RESTORABLE
from shop.platform.clock import now_iso
from shop.platform.dynamodb import cancellation_codes, dynamodb_resource, errors
from shop.platform.errors import Conflict, NotFound
from shop.platform.observability import logger
from shop.platform.settings import get_settings
from shop.promotions.service import Promotions, shared_promotions

# Read here until Settings carries it (docs/orders.md): an alert goes out when stock falls below it.
LOW_STOCK_THRESHOLD_ENV = "LOW_STOCK_THRESHOLD"
DEFAULT_LOW_STOCK_THRESHOLD = 5
TRANSACTION_ATTEMPTS = 5
# Between rounds cancelled by concurrent transactions (a hot product's stock item runs them one at a
# time): exponential backoff with full jitter, a random wait up to RETRY_BASE_SECONDS x 2^attempt,
# capped, so orders that lost a round together do not come back in step (the fixed 5, 10, 15, 20 ms
# pauses sent them back together). Worst case 10 + 20 + 40 + 80 ms = 0.15 s in all, far inside
# order_api's 20 s timeout. Not wider: in bench/simulate_scale.py's flash sale, windows of 25 ms to
# 200 ms or 50 ms to 400 ms admitted no more orders, fewer on a slower item, and kept up to twice as
# many functions waiting (docs/scaling.md, "The stock item of the hot product").
RETRY_BASE_SECONDS = 0.01
RETRY_CAP_SECONDS = 0.08
CONDITION_FAILED = "ConditionalCheckFailed"

Lines = dict[str, dict[str | None, int]]  # product id -> variant sku (None: the product) -> quantity


def low_stock_threshold() -> int:
    return int(os.environ.get(LOW_STOCK_THRESHOLD_ENV, DEFAULT_LOW_STOCK_THRESHOLD))


class InventoryConflictError(RuntimeError):
    """Concurrent transactions kept cancelling this one; retrying later will get through."""


class RedemptionRefusedError(RuntimeError):
    """The order's promotion reached one of its limits (or was deactivated) since it was checked."""


@dataclass(frozen=True)
class StockOutcome:
    outcome: str  # restored | skipped
    order_id: str
    detail: str | None = None


def stock_of(product: Product, variant_sku: str | None) -> int | None:
    """The stock a line draws on; None when the product does not track stock (digital goods)."""
    if product.digital_download:
        return None
    if variant_sku is None:
        return product.stock_quantity
    variant = product.variant(variant_sku)
    return variant.stock_quantity if variant is not None else 0


def out_of_stock(product_id: str, variant_sku: str | None, available: int) -> Conflict:
    """The 409 a shopper gets for a line the stock cannot serve: which product (variant), how many left."""
    named = f"{product_id} ({variant_sku})" if variant_sku else product_id
    details: dict[str, Any] = {"product_id": product_id, "available": available}
    if variant_sku:
        details["variant_sku"] = variant_sku
    return Conflict(f"only {available} of {named} available", field="quantity", **details)


def lines_by_product(order: Order) -> Lines:
    """The order's quantities per product and variant (one transaction item per product)."""
    grouped: Lines = {}
    for line in order.items:
        wanted = grouped.setdefault(line.product_id, {})
        wanted[line.variant_sku] = wanted.get(line.variant_sku, 0) + line.quantity
    return grouped


def refuse_what_cannot_be_served(grouped: Lines, products: dict[str, Product]) -> None:
    """404 for a product no longer sold, 409 (out_of_stock) for a line above its stock."""
    for product_id, wanted in grouped.items():
        product = products.get(product_id)
        if product is None or product.status is not ProductStatus.ACTIVE:
            raise NotFound(f"no product {product_id}", field="product_id", product_id=product_id)
        for variant_sku, quantity in wanted.items():
            available = stock_of(product, variant_sku)
            if available is not None and available < quantity:
                raise out_of_stock(product_id, variant_sku, available)


def _transact(items: list[dict[str, Any]]) -> None:
    dynamodb_resource().meta.client.transact_write_items(TransactItems=items)


def retry_window(attempt: int) -> float:
    """The longest wait after losing round `attempt` (0-based): doubling from RETRY_BASE_SECONDS, capped."""
    return float(min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**attempt))


def retry_pause(attempt: int, rng: random.Random | None = None) -> float:
    """The wait after losing round `attempt`: uniform in [0, retry_window] (full jitter); none after
    the last round, which is followed by no retry."""
    if attempt + 1 >= TRANSACTION_ATTEMPTS:
        return 0.0
    # The module's generator by default: SnapStart's restore hook re-seeds it, so restored copies of
    # one snapshot do not draw the same waits (a private Random would be frozen in the snapshot).
    uniform = rng.uniform if rng is not None else random.uniform
    return uniform(0, retry_window(attempt))


def _pause(attempt: int) -> None:
    if wait := retry_pause(attempt):
        time.sleep(wait)


# A product that had no stock and has some again, and its cache_version while it had none.
Restocked = Callable[[Product, int], None]


class Inventory:
    """Takes and gives back the stock of orders; `product_changed` refreshes the catalog cache and
    `restocked` hears of every product whose stock a give-back took from 0 to more (restock alerts)."""

    def __init__(
        self,
        *,
        orders: OrderRepository | None = None,
        products: ProductRepository | None = None,
        product_changed: Callable[[Product], None] | None = None,
        restocked: Restocked | None = None,
        promotions: Promotions | None = None,
    ) -> None:
        self.orders = orders or OrderRepository()
        self.products = products or ProductRepository()
        self._product_changed = product_changed
        self._restocked = restocked
        self.promotions = promotions or shared_promotions()

    def product_changed(self, product: Product) -> None:
        if self._product_changed is not None:
            self._product_changed(product)
            return
        from shop.catalog.service import shared_catalog

        shared_catalog().product_changed(product)

    def store_with_stock(
        self,
        order: Order,
        redemption: list[dict[str, Any]] | None = None,
        *,
        products: dict[str, Product] | None = None,
    ) -> Order:
        """Store the new order with its stock taken, in one transaction; the stored order
        (`stock_reserved = true`). `redemption`: the promotion's counter updates (shop.promotions),
        written in the same transaction. `products`: the order's products as the caller has just read
        them (consistently), used for the first round instead of reading them again: the transaction's
        conditions, not the read, are what guard the stock. OrderExistsError when an order with its id
        is stored already (a retry won the race); NotFound or out_of_stock (409) when a line cannot be
        served, and RedemptionRefusedError when the promotion's limits refuse it, with nothing written."""
        grouped = lines_by_product(order)
        redemption = redemption or []
        held = order.model_copy(update={"stock_reserved": True, "promotion_redeemed": bool(redemption)})
        for attempt in range(TRANSACTION_ATTEMPTS):
            if attempt > 0 or products is None or not set(grouped) <= set(products):
                products = self.products.get_many(list(grouped), consistent=True)
            refuse_what_cannot_be_served(grouped, products)
            items = [self.orders.new_order_put(held)]
            items += [
                self.products.stock_change(products[pid], wanted, -1) for pid, wanted in grouped.items()
            ]
            items += redemption
            try:
                _transact(items)
            except errors().TransactionCanceledException as error:
                codes = cancellation_codes(error)
                if codes and codes[0] == CONDITION_FAILED:
                    raise OrderExistsError(order.order_id) from None
                if redemption and CONDITION_FAILED in codes[len(items) - len(redemption) :]:
                    raise RedemptionRefusedError(order.discount_code or "") from None
                if CONDITION_FAILED not in codes:  # only concurrent transactions were in the way
                    _pause(attempt)
                # Otherwise a product changed since the read (its stock taken, its variants
                # reordered): the next round reads it again and refuses the order if it is short.
                logger.info("order transaction cancelled", extra={"order_id": order.order_id, "codes": codes})
                continue
            self._after_write(list(grouped), grouped, taken=True)
            return held
        raise InventoryConflictError(f"could not take the stock of {order.order_id}; retry")

    def restore(self, order_id: str, user_id: str) -> StockOutcome:
        """Give back the stock of a cancelled, refunded or failed order, once."""
        for attempt in range(TRANSACTION_ATTEMPTS):
            order = self.orders.get(order_id, user_id)
            if order is None:
                raise OrderNotFoundError(f"no order {order_id} of {user_id}")
            if not order.stock_reserved or order.order_status not in RESTORABLE:
                return StockOutcome(
                    "skipped", order_id, f"status {order.order_status}, reserved {order.stock_reserved}"
                )
            grouped = lines_by_product(order)
            products = self.products.get_many(list(grouped), consistent=True)
            # A product deleted since, or one whose variant is gone, has nothing to take the stock back.
            product_ids = [
                product_id
                for product_id, wanted in grouped.items()
                if product_id in products
                and all(sku is None or products[product_id].variant(sku) is not None for sku in wanted)
            ]
            items = [self.products.stock_change(products[pid], grouped[pid], 1) for pid in product_ids]
            if order.promotion_redeemed and order.discount_code:
                # The code is given back with the stock, so once (docs/pricing.md).
                items += self.promotions.release_items(order.discount_code, order.user_email)
            items.append(self.orders.stock_release(order))
            try:
                _transact(items)
            except errors().TransactionCanceledException as error:
                codes = cancellation_codes(error)
                logger.info("stock transaction cancelled", extra={"order_id": order_id, "codes": codes})
                if not codes or codes[-1] != CONDITION_FAILED:
                    _pause(attempt)
                continue  # re-read: the order may have given its stock back meanwhile
            updated = self._after_write(product_ids, grouped, taken=False)
            self._announce_restocks(products, updated)
            return StockOutcome("restored", order_id)
        raise InventoryConflictError(f"could not give back the stock of {order_id}; retrying later")

    def _announce_restocks(self, before: dict[str, Product], after: dict[str, Product]) -> None:
        """Tell `restocked` of each product read out of stock before the give-back and in stock after.
        A failed alert does not fail the give-back (already written): the daily scan is the safety net."""
        if self._restocked is None:
            return
        for product_id, product in after.items():
            previous = before.get(product_id)
            if previous is None or previous.stock_quantity > 0 or product.stock_quantity <= 0:
                continue
            try:
                self._restocked(product, previous.cache_version)
            except Exception:
                logger.exception("restock alert failed", extra={"product_id": product_id})

    def _after_write(self, product_ids: list[str], grouped: Lines, *, taken: bool) -> dict[str, Product]:
        """Push the changed products to the catalog cache; alert the administrators when stock taken
        leaves a product (variant) below the low-stock threshold. Returns the products as written."""
        updated = self.products.get_many(product_ids, consistent=True)
        threshold = low_stock_threshold()
        for product_id, product in updated.items():
            self.product_changed(product)
            if not taken or product.digital_download:
                continue
            for variant_sku in grouped[product_id]:
                variant = product.variant(variant_sku) if variant_sku else None
                now = variant.stock_quantity if variant is not None else product.stock_quantity
                if now < threshold:
                    self._low_stock_alert(product, variant_sku, now)
        return updated

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
