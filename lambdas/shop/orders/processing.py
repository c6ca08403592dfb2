"""What happens to an order after order_api stored it: the steps order_processor runs per message.

`order_placed`: validate the stored order, check stock, ask inventory_updater to reserve it and
queue the order confirmation. `order_closed` (cancelled or refunded): ask inventory_updater to give
the reserved stock back. Payment is not a step here: the payment processor (a later issue) moves
`pending -> paid` on its own queue; reservation does not wait for it (docs/orders.md).

Each step runs at most once per order and kind: Powertools idempotency on the Idempotency table,
keyed by the hash of {"order_id", "user_id", "kind"} (the message's own fields). order_api's in-line
kill switch calls `handle_order_message` too, so both paths share the one record.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.contracts.email_messages import EmailTemplate
from shop.contracts.queues import INVENTORY_UPDATE
from shop.orders.model import InventoryMessage, Order, OrderMessage
from shop.orders.notifications import notify_customer, send
from shop.orders.refunds import request_refund
from shop.orders.repository import OrderChangedError, OrderRepository
from shop.orders.state import OrderStatus, PaymentStatus
from shop.platform import idempotency
from shop.platform.errors import Conflict
from shop.platform.observability import logger
from shop.platform.process_state import per_process

ACTOR = "order_processor"
# A completed step is remembered for a week: far longer than SQS keeps a message (4 days).
STEP_RECORD_SECONDS = 7 * 24 * 3600
PROCESSABLE = frozenset({OrderStatus.PENDING, OrderStatus.PAID})


class OrderNotFoundError(LookupError):
    """The message names an order that is not stored: nothing can fix that by waiting, so it fails
    every receive and SQS parks it in the DLQ."""


def stock_of(product: Product, variant_sku: str | None) -> int | None:
    """The stock a line draws on; None when the product or variant does not track stock."""
    if product.digital_download:
        return None
    if variant_sku is None:
        return product.stock_quantity
    variant = product.variant(variant_sku)
    return variant.stock_quantity if variant is not None else 0


def wanted_quantities(order: Order) -> dict[tuple[str, str | None], int]:
    wanted: dict[tuple[str, str | None], int] = {}
    for line in order.items:
        wanted[(line.product_id, line.variant_sku)] = (
            wanted.get((line.product_id, line.variant_sku), 0) + line.quantity
        )
    return wanted


def shortages(order: Order, products: dict[str, Product]) -> list[dict[str, Any]]:
    """The lines that cannot be served now: product gone, no longer sold, or not enough stock."""
    short: list[dict[str, Any]] = []
    for (product_id, variant_sku), quantity in wanted_quantities(order).items():
        product = products.get(product_id)
        if product is None or product.status is not ProductStatus.ACTIVE:
            short.append({"product_id": product_id, "variant_sku": variant_sku, "available": 0})
            continue
        available = stock_of(product, variant_sku)
        if available is not None and available < quantity:
            short.append({"product_id": product_id, "variant_sku": variant_sku, "available": available})
    return short


def validation_problems(order: Order) -> list[str]:
    """Inconsistencies no retry can fix (a write bug or a hand-edited item)."""
    problems = []
    if not order.items:
        problems.append("the order has no items")
    if sum(line.line_total for line in order.items) != order.subtotal:
        problems.append("line totals do not add up to the subtotal")
    if any(line.unit_price * line.quantity != line.line_total for line in order.items):
        problems.append("a line total is not unit price times quantity")
    if order.subtotal - order.discount + order.tax + order.shipping != order.total:
        problems.append("the total does not add up")
    return problems


def fail_order(order: Order, reason: str, *, actor: str, note: str | None = None) -> Order | None:
    """Move the order to `failed` (if it still may) and tell the customer; None when it had already
    moved elsewhere (a concurrent cancel wins: the customer then hears about that instead)."""
    repository = OrderRepository()
    current: Order | None = order
    for _attempt in range(3):
        if current is None or current.order_status not in PROCESSABLE:
            break
        try:
            current = repository.move(
                current,
                OrderStatus.FAILED,
                actor=actor,
                note=note or reason,
                changes={"failure_reason": reason},
            )
            break
        except OrderChangedError:
            current = repository.get(order.order_id, order.user_id)
    if current is None or current.order_status is not OrderStatus.FAILED:
        return None
    if current.payment_status is PaymentStatus.PAID:
        # Paid before the stock ran out: the money goes back. On a redelivery the order is already
        # flagged (payment_status refund_requested), so it is asked for once.
        # Conflict: someone (an administrator) asked for the refund in between; once is enough.
        with suppress(Conflict):
            current = request_refund(repository, current, amount=current.total, reason=reason, actor=actor)
    # Sent on every run that finds the order failed: the email's dedupe key makes it one mail even
    # when a crash between the move and this send made SQS redeliver.
    notify_customer(current, EmailTemplate.ORDER_FAILED)
    return current


def process_order(message: OrderMessage) -> dict[str, Any]:
    """One step of the pipeline, without the idempotency record (see `handle_order_message`)."""
    repository = OrderRepository()
    order = repository.get(message.order_id, message.user_id)
    if order is None:
        raise OrderNotFoundError(f"no order {message.order_id} of {message.user_id}")
    if message.kind == "order_closed":
        # Always asked: inventory_updater restores only a reservation that exists, exactly once.
        send(
            INVENTORY_UPDATE.logical_name,
            InventoryMessage(kind="restore", order_id=order.order_id, user_id=order.user_id),
        )
        return {"outcome": "restore_requested"}
    if order.order_status not in PROCESSABLE:
        logger.info(
            "order no longer needs processing",
            extra={"order_id": order.order_id, "status": order.order_status},
        )
        return {"outcome": "skipped", "status": order.order_status.value}
    problems = validation_problems(order)
    if problems:
        fail_order(order, "invalid_order", actor=ACTOR, note="; ".join(problems))
        return {"outcome": "failed", "reason": "invalid_order"}
    products = ProductRepository().get_many(list({line.product_id for line in order.items}), consistent=True)
    short = shortages(order, products)
    if short:
        fail_order(order, "out_of_stock", actor=ACTOR)
        return {"outcome": "failed", "reason": "out_of_stock", "shortages": short}
    # The check above is advisory (stock can go between it and the reservation); inventory_updater's
    # conditional transaction is what prevents overselling.
    send(
        INVENTORY_UPDATE.logical_name,
        InventoryMessage(kind="reserve", order_id=order.order_id, user_id=order.user_id),
    )
    notify_customer(order, EmailTemplate.ORDER_CONFIRMATION)
    try:
        repository.update_fields(order, {"confirmation_requested": True})
    except OrderChangedError:  # pragma: no cover - the order vanished after it was read
        logger.warning("order disappeared while processing", extra={"order_id": order.order_id})
    return {"outcome": "reserve_requested"}


@per_process
def _idempotency_config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(expires_after_seconds=STEP_RECORD_SECONDS)


def register_lambda_context(context: Any) -> None:
    """Let an in-progress record expire with the invocation, so a crashed run is retried promptly."""
    _idempotency_config().register_lambda_context(context)


@per_process
def _idempotent_process() -> Any:
    """The step wrapped in Powertools idempotency; built on first use so that importing this module
    creates no boto3 client."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function

    persistence = idempotency.powertools_persistence_layer()
    config = _idempotency_config()

    def run_step(step: dict[str, Any]) -> dict[str, Any]:
        return process_order(OrderMessage.model_validate(step))

    # Applied by call: Powertools' decorator is untyped.
    return idempotent_function(data_keyword_argument="step", persistence_store=persistence, config=config)(
        run_step
    )


def handle_order_message(message: OrderMessage) -> dict[str, Any]:
    """Run a step once: a second delivery of the same step returns the first run's result."""
    result: dict[str, Any] = _idempotent_process()(step=message.model_dump(mode="json"))
    return result
