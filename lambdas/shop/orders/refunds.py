"""Asking payment_processor for a refund: one flag on the order, one message on payment-processing.

Shared by the administrator's refund, the customer's cancellation of a paid order and the pipeline
failing a paid order (out of stock after the payment settled): every path that takes back an order
someone paid for must give the money back the same way, exactly once.
"""

from __future__ import annotations

from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.model import HistoryEntry, Order, RefundMessage
from shop.orders.notifications import send
from shop.orders.repository import OrderChangedError, OrderRepository
from shop.orders.state import PaymentStatus
from shop.platform.clock import now_iso
from shop.platform.dynamodb import attr
from shop.platform.errors import Conflict, ServiceUnavailable


def request_refund(
    repository: OrderRepository, order: Order, *, amount: int, reason: str | None, actor: str
) -> Order:
    """Flag a paid order `refund_requested` and queue the refund; Conflict when it is not paid (or a
    refund was already requested), ServiceUnavailable (flag undone) when the queue refuses."""
    if order.payment_status is not PaymentStatus.PAID:
        raise Conflict(
            f"only a paid order can be refunded; its payment status is {order.payment_status.value}",
            field="payment_status",
            payment_status=order.payment_status.value,
        )
    requested_at = now_iso()
    try:
        flagged = repository.update_fields(
            order,
            {
                "refund_requested": True,
                "refund_amount": amount,
                "refund_reason": reason,
                "payment_status": PaymentStatus.REFUND_REQUESTED.value,
            },
            condition=attr("payment_status").eq(PaymentStatus.PAID.value),
            history=HistoryEntry(
                status=order.order_status.value,
                previous_status=order.order_status.value,
                at=requested_at,
                actor=actor,
                note=f"refund of {amount} requested" + (f": {reason}" if reason else ""),
            ),
        )
    except OrderChangedError:
        raise Conflict("a refund was already requested for this order", field="payment_status") from None
    message = RefundMessage(
        order_id=order.order_id,
        user_id=order.user_id,
        amount=amount,
        currency=order.currency,
        reason=reason,
        payment_id=order.payment_id,
        payment_method=order.payment_method,
        requested_by=actor,
        requested_at=requested_at,
    )
    try:
        send(PAYMENT_PROCESSING.logical_name, message)
    except Exception as error:
        # Undo the flag so the caller (an administrator, or SQS redelivering) can simply try again.
        repository.update_fields(
            flagged,
            {"refund_requested": False, "payment_status": PaymentStatus.PAID.value},
            condition=attr("payment_status").eq(PaymentStatus.REFUND_REQUESTED.value),
        )
        raise ServiceUnavailable(
            "the refund could not be queued; try again", retry_after_seconds=5
        ) from error
    return flagged
