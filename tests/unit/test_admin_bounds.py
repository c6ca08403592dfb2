"""Promotion terms and refunds: the admin-entered numbers have upper bounds (shop.contracts.admin_limits)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shop.contracts.admin_limits import MAX_PER_CUSTOMER, MAX_PRICE_CENTS, MAX_REDEMPTIONS
from shop.orders.model import RefundRequest
from shop.promotions.model import PromotionChanges, PromotionTerms

FIXED = {"code": "SAVE5", "kind": "fixed", "value": 500}


@pytest.mark.parametrize(
    ("field", "largest"),
    [
        ("value", MAX_PRICE_CENTS),
        ("min_subtotal", MAX_PRICE_CENTS),
        ("max_redemptions", MAX_REDEMPTIONS),
        ("per_customer_limit", MAX_PER_CUSTOMER),
    ],
)
def test_promotion_terms_are_bounded(field: str, largest: int) -> None:
    assert getattr(PromotionTerms.model_validate({**FIXED, field: largest}), field) == largest
    with pytest.raises(ValidationError) as refused:
        PromotionTerms.model_validate({**FIXED, field: largest + 1})
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]


@pytest.mark.parametrize(
    ("field", "largest"), [("max_redemptions", MAX_REDEMPTIONS), ("per_customer_limit", MAX_PER_CUSTOMER)]
)
def test_promotion_changes_are_bounded(field: str, largest: int) -> None:
    PromotionChanges.model_validate({field: largest})
    with pytest.raises(ValidationError):
        PromotionChanges.model_validate({field: 10**30})


def test_a_percent_promotion_stays_at_most_100() -> None:
    with pytest.raises(ValidationError, match="from 1 to 100"):
        PromotionTerms.model_validate({"code": "HALF", "kind": "percent", "value": 101})


def test_a_refund_amount_is_bounded() -> None:
    body: dict[str, Any] = {"amount": MAX_PRICE_CENTS}
    assert RefundRequest.model_validate(body).amount == MAX_PRICE_CENTS
    with pytest.raises(ValidationError) as refused:
        RefundRequest.model_validate({"amount": 10**30})
    assert [error["loc"] for error in refused.value.errors()] == [("amount",)]
