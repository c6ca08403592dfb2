"""The order state machine: which status may follow which, and the error for any other move.

Pure rules with no I/O, so the API, the consumers and the unit tests share one table. The
repository applies a move as a write conditioned on the status the rule was checked against.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from shop.platform.errors import Conflict


class OrderStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    FAILED = "failed"


class PaymentStatus(StrEnum):
    """The payment side of an order; the payment processor (a later issue) moves it past `unpaid`."""

    UNPAID = "unpaid"
    PAID = "paid"
    REFUND_REQUESTED = "refund_requested"
    REFUNDED = "refunded"
    FAILED = "failed"


S = OrderStatus
ALLOWED_TRANSITIONS: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    S.PENDING: frozenset({S.PAID, S.CANCELLED, S.FAILED}),
    S.PAID: frozenset({S.PROCESSING, S.CANCELLED, S.REFUNDED, S.FAILED}),
    S.PROCESSING: frozenset({S.SHIPPED, S.CANCELLED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.REFUNDED}),
    S.DELIVERED: frozenset({S.REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
    # A failed order may have been charged (payment captured, then stock ran out): it can be refunded.
    S.FAILED: frozenset({S.REFUNDED}),
}

# Before the parcel leaves: the customer may still cancel, and a reservation is still undone.
CANCELLABLE: Final = frozenset(
    status for status, targets in ALLOWED_TRANSITIONS.items() if S.CANCELLED in targets
)
# A refund request needs money to give back: only orders whose payment was captured.
REFUNDABLE_PAYMENT: Final = frozenset({PaymentStatus.PAID})
# Paid for and not given back: a review of a product in such an order is a "Verified purchase".
PAID_FOR: Final = frozenset({S.PAID, S.PROCESSING, S.SHIPPED, S.DELIVERED})
# An order holds its stock from its creation; it gives it back when it ends in one of these.
RESTORABLE: Final = frozenset({S.CANCELLED, S.REFUNDED, S.FAILED})


# Where "ship" (add tracking) starts: a paid order goes through processing on its way to shipped.
SHIPPABLE: Final = frozenset({S.PAID, S.PROCESSING})


class AdminAction(StrEnum):
    """The order actions of the admin page, each one route (docs/orders.md)."""

    SHIP = "ship"  # PUT /orders/{id}/tracking: record the parcel, status shipped
    UPDATE_TRACKING = "update_tracking"  # PUT /orders/{id}/tracking on a shipped order: correct it
    DELIVER = "deliver"  # PUT /orders/{id}/status delivered
    CANCEL = "cancel"  # PUT /orders/{id}/status cancelled (a captured payment is refunded)
    REFUND = "refund"  # POST /orders/{id}/refund


def admin_actions(status: OrderStatus, payment: PaymentStatus) -> list[AdminAction]:
    """What an administrator may do to an order now, from the state machine and the payment: the admin
    page shows exactly these, so it never repeats these rules. Shipping and refunding need a captured
    payment that is not being refunded (payment_status `paid`)."""
    targets = ALLOWED_TRANSITIONS[status]
    paid = payment in REFUNDABLE_PAYMENT
    allowed = {
        AdminAction.SHIP: status in SHIPPABLE and paid,
        AdminAction.UPDATE_TRACKING: status is S.SHIPPED,
        AdminAction.DELIVER: S.DELIVERED in targets,
        AdminAction.CANCEL: S.CANCELLED in targets,
        AdminAction.REFUND: paid and S.REFUNDED in targets,
    }
    return [action for action, permitted in allowed.items() if permitted]


def next_statuses(status: OrderStatus) -> list[OrderStatus]:
    """The statuses PUT /orders/{id}/status accepts from `status`, in the lifecycle's order."""
    return [target for target in OrderStatus if target in ALLOWED_TRANSITIONS[status]]


class IllegalTransition(Conflict):
    """409 naming both states: the move the caller asked for is not in ALLOWED_TRANSITIONS."""

    code = "illegal_transition"

    def __init__(self, current: OrderStatus | str, target: OrderStatus | str) -> None:
        current, target = str(current), str(target)
        super().__init__(
            f"an order cannot move from {current} to {target}",
            field="status",
            current_status=current,
            requested_status=target,
        )
        self.current = current
        self.target = target


def can_move(current: OrderStatus, target: OrderStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def check_transition(current: OrderStatus | str, target: OrderStatus | str) -> OrderStatus:
    """The target as an OrderStatus; IllegalTransition unless `current -> target` is allowed."""
    try:
        current_status, target_status = OrderStatus(current), OrderStatus(target)
    except ValueError:
        raise IllegalTransition(current, target) from None
    if not can_move(current_status, target_status):
        raise IllegalTransition(current_status, target_status)
    return target_status
