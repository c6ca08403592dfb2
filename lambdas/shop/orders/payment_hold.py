"""Unpaid orders do not hold stock for ever: the scheduled sweep that ends an expired payment hold.

order_processor runs it every few minutes (`shop.contracts.schedules`). It lists the `pending` +
`unpaid` orders placed before `now - payment_hold_minutes` through the status GSI and moves each to
`cancelled` with a write conditioned on it still being pending and unpaid (a payment that settled
first wins). A cancelled order then gets its stock back through inventory_updater (once, by the
restore's own conditions), payment_processor cancels the payments started for it, and the shopper is
told. A payment that lands after all this is refunded at once by payment_processor.

The sweep also asks again for the stock of recently closed orders (cancelled, refunded, failed) that
still hold it: a queue that refused the restore message, a crash right after a move, or a path that
closes an order without asking (a payment of the wrong amount, returned at once) would otherwise keep
that stock held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shop.contracts.email_messages import EmailTemplate
from shop.contracts.queues import INVENTORY_UPDATE, PAYMENT_PROCESSING
from shop.contracts.schedules import PAYMENT_HOLD_SWEEP_JOB
from shop.orders.model import CancelPaymentsMessage, InventoryMessage, Order
from shop.orders.notifications import notify_customer, send
from shop.orders.repository import OrderChangedError, OrderRepository
from shop.orders.state import RESTORABLE, IllegalTransition, OrderStatus, PaymentStatus
from shop.platform.clock import iso, now_iso, utc_now
from shop.platform.dynamodb import attr
from shop.platform.observability import logger
from shop.platform.settings import get_settings

ACTOR = "payment_hold_sweep"
EXPIRY_NOTE = "payment hold expired"
PAGE_SIZE = 100
# How far back the sweep looks for closed orders whose stock never came back.
RESTORE_RETRY_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class SweepResult:
    """What one run did: the orders it cancelled, and closed ones whose stock it asked for again."""

    cutoff: str
    expired: tuple[str, ...]
    restores_repeated: tuple[str, ...]

    def body(self) -> dict[str, Any]:
        return {
            "job": PAYMENT_HOLD_SWEEP_JOB,
            "cutoff": self.cutoff,
            "expired": list(self.expired),
            "restores_repeated": list(self.restores_repeated),
        }


def hold_cutoff(now: datetime, hold_minutes: int) -> str:
    """Orders placed at or before this moment have outlived their payment hold."""
    return iso(now - timedelta(minutes=hold_minutes))


def expire_payment_holds(
    *, now: datetime | None = None, hold_minutes: int | None = None, repository: OrderRepository | None = None
) -> SweepResult:
    """Cancel every order still unpaid after its hold and give its stock back; safe to run again."""
    orders = repository or OrderRepository()
    moment = now or utc_now()
    minutes = hold_minutes if hold_minutes is not None else get_settings().payment_hold_minutes
    cutoff = hold_cutoff(moment, minutes)
    expired = [
        order.order_id
        for order in _placed_before(orders, OrderStatus.PENDING, PaymentStatus.UNPAID, cutoff)
        if _expire(orders, order)
    ]
    since = iso(moment - RESTORE_RETRY_WINDOW)
    still_held = [
        order
        for status in sorted(RESTORABLE)
        for order in _placed_before(orders, status, None, cutoff, since=since)
        if order.stock_reserved and order.order_id not in expired
    ]
    for order in still_held:
        _ask_for_stock(order)
    result = SweepResult(cutoff, tuple(expired), tuple(order.order_id for order in still_held))
    logger.info("payment holds swept", extra=result.body())
    return result


def _placed_before(
    orders: OrderRepository,
    status: OrderStatus,
    payment_status: PaymentStatus | None,
    cutoff: str,
    *,
    since: str | None = None,
) -> list[Order]:
    """Every order of `status` (and `payment_status`) placed in [since, cutoff], page after page."""
    found: list[Order] = []
    start_key: dict[str, Any] | None = None
    while True:
        page = orders.by_index(
            status=status.value,
            payment_status=payment_status.value if payment_status else None,
            date_from=since,
            date_to=cutoff,
            limit=PAGE_SIZE,
            start_key=start_key,
        )
        found.extend(page.orders)
        if page.last_key is None:
            return found
        start_key = page.last_key


def _expire(orders: OrderRepository, order: Order) -> bool:
    """Cancel one expired order and undo what it started; False when it was paid or closed meanwhile."""
    try:
        cancelled = orders.move(
            order,
            OrderStatus.CANCELLED,
            actor=ACTOR,
            note=EXPIRY_NOTE,
            changes={"cancelled_date": now_iso()},
            condition=attr("payment_status").eq(PaymentStatus.UNPAID.value),
        )
    except (OrderChangedError, IllegalTransition):
        # The index lags the table: the order was paid, cancelled or failed since; that path owns it.
        return False
    _ask_for_stock(cancelled)
    send(
        PAYMENT_PROCESSING.logical_name,
        CancelPaymentsMessage(order_id=cancelled.order_id, user_id=cancelled.user_id),
    )
    notify_customer(cancelled, EmailTemplate.ORDER_CANCELLED, cancellation_reason=EXPIRY_NOTE)
    logger.info("payment hold expired", extra={"order_id": cancelled.order_id})
    return True


def _ask_for_stock(order: Order) -> None:
    send(
        INVENTORY_UPDATE.logical_name,
        InventoryMessage(kind="restore", order_id=order.order_id, user_id=order.user_id),
    )
