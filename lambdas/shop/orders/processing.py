"""What happens to an order after order_api stored it: the steps order_processor runs per message.

`order_placed`: validate the stored order and queue the order confirmation; its stock was taken in
the transaction that stored it. `order_closed` (cancelled, refunded or failed): ask inventory_updater
to give the stock back. Payment is not a step here: payment_processor moves `pending -> paid` on its
own queue, and an order left unpaid expires with its hold (shop.orders.payment_hold).

Each step runs at most once per order and kind: Powertools idempotency on the Idempotency table,
keyed by the hash of {"order_id", "user_id", "kind"} (the message's own fields). order_api's in-line
kill switch calls `handle_order_message` too, so both paths share the one record.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

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
    """Move the order to `failed` (if it still may), give its stock back and tell the customer; None
    when it had already moved elsewhere (a concurrent cancel wins: the customer then hears about that
    instead)."""
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
    # Asked on every run that finds the order failed: inventory_updater gives back a hold only once.
    send(
        INVENTORY_UPDATE.logical_name,
        InventoryMessage(kind="restore", order_id=current.order_id, user_id=current.user_id),
    )
    if current.payment_status is PaymentStatus.PAID:
        # Paid before the order was found invalid: the money goes back. On a redelivery the order is
        # already flagged (payment_status refund_requested), so it is asked for once.
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
    notify_customer(order, EmailTemplate.ORDER_CONFIRMATION)
    try:
        repository.update_fields(order, {"confirmation_requested": True})
    except OrderChangedError:  # pragma: no cover - the order vanished after it was read
        logger.warning("order disappeared while processing", extra={"order_id": order.order_id})
    return {"outcome": "confirmed"}


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
