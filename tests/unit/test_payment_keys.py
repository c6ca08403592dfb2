"""Idempotency keys of provider calls: one per order and action, so a retry never charges twice."""

from __future__ import annotations

from shop.payments.model import idempotency_key


def test_idempotency_keys_are_per_order_and_action() -> None:
    assert idempotency_key("intent", "ord_1") == idempotency_key("intent", "ord_1")
    assert idempotency_key("intent", "ord_1") != idempotency_key("refund", "ord_1")
    assert idempotency_key("intent", "ord_1") != idempotency_key("intent", "ord_2")
