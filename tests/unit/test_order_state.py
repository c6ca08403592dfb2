"""The order state machine: the allowed moves of docs/orders.md, and a 409 naming both states otherwise."""

from __future__ import annotations

import itertools

import pytest

from shop.api.http import http_status_of
from shop.orders.state import (
    ALLOWED_TRANSITIONS,
    CANCELLABLE,
    IllegalTransition,
    OrderStatus,
    PaymentStatus,
    admin_actions,
    check_transition,
    next_statuses,
)

S = OrderStatus
EXPECTED = {
    (S.PENDING, S.PAID),
    (S.PENDING, S.CANCELLED),
    (S.PENDING, S.FAILED),
    (S.PAID, S.PROCESSING),
    (S.PAID, S.CANCELLED),
    (S.PAID, S.REFUNDED),
    (S.PAID, S.FAILED),
    (S.PROCESSING, S.SHIPPED),
    (S.PROCESSING, S.CANCELLED),
    (S.PROCESSING, S.REFUNDED),
    (S.SHIPPED, S.DELIVERED),
    (S.SHIPPED, S.REFUNDED),
    (S.DELIVERED, S.REFUNDED),
    (S.FAILED, S.REFUNDED),
}


def test_the_table_allows_exactly_the_documented_moves() -> None:
    allowed = {(current, target) for current, targets in ALLOWED_TRANSITIONS.items() for target in targets}
    assert allowed == EXPECTED


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED))
def test_allowed_moves_pass(current: OrderStatus, target: OrderStatus) -> None:
    assert check_transition(current.value, target.value) is target


@pytest.mark.parametrize(
    ("current", "target"), [pair for pair in itertools.product(S, S) if pair not in EXPECTED]
)
def test_every_other_move_is_a_409_naming_both_states(current: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(IllegalTransition) as raised:
        check_transition(current, target)
    error = raised.value
    assert http_status_of(error) == 409
    assert current.value in error.message
    assert target.value in error.message
    assert error.body()["current_status"] == current.value
    assert error.body()["requested_status"] == target.value


def test_unknown_statuses_are_refused() -> None:
    with pytest.raises(IllegalTransition):
        check_transition("pending", "teleported")


def test_customers_may_cancel_only_before_shipping() -> None:
    assert {S.PENDING, S.PAID, S.PROCESSING} == CANCELLABLE


@pytest.mark.parametrize(
    ("status", "payment", "expected"),
    [
        (OrderStatus.PENDING, PaymentStatus.UNPAID, ["cancel"]),
        (OrderStatus.PAID, PaymentStatus.PAID, ["ship", "cancel", "refund"]),
        (OrderStatus.PAID, PaymentStatus.REFUND_REQUESTED, ["cancel"]),
        (OrderStatus.PROCESSING, PaymentStatus.PAID, ["ship", "cancel", "refund"]),
        (OrderStatus.SHIPPED, PaymentStatus.PAID, ["update_tracking", "deliver", "refund"]),
        (OrderStatus.DELIVERED, PaymentStatus.PAID, ["refund"]),
        # The admin trip: Refund was still offered on a refunded order.
        (OrderStatus.REFUNDED, PaymentStatus.REFUNDED, []),
        (OrderStatus.CANCELLED, PaymentStatus.REFUNDED, []),
        (OrderStatus.FAILED, PaymentStatus.PAID, ["refund"]),
        (OrderStatus.FAILED, PaymentStatus.FAILED, []),
    ],
)
def test_admin_actions_follow_the_state_machine_and_the_payment(
    status: OrderStatus, payment: PaymentStatus, expected: list[str]
) -> None:
    assert [action.value for action in admin_actions(status, payment)] == expected


def test_next_statuses_are_the_allowed_transitions_in_lifecycle_order() -> None:
    for status, targets in ALLOWED_TRANSITIONS.items():
        listed = next_statuses(status)
        assert set(listed) == targets
        assert listed == sorted(listed, key=list(OrderStatus).index)
