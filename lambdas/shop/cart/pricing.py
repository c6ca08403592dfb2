"""Cart totals from one set of rules: tax in basis points, flat shipping, free-shipping threshold, codes.

Every amount is an integer in the currency's minor unit (cents). The rules come from the PRICING_RULES
environment variable (JSON, per stage) with the defaults below; docs/pricing.md states them in prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from shop.contracts.pricing_rules import BASIS_POINTS, DiscountRule, PricingRules
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings


@dataclass(frozen=True)
class PricedLine:
    """What pricing needs to know about one cart line."""

    unit_price_cents: int
    quantity: int
    requires_shipping: bool


class Totals(BaseModel):
    """A cart's money, all in integer cents: total = subtotal - discount + tax + shipping."""

    subtotal: int
    discount: int
    tax: int
    shipping: int
    total: int
    currency: str
    discount_code: str | None = None


class UnknownDiscountCodeError(ValueError):
    """The code is not one of the stage's discount codes."""


def discount_amount(rule: DiscountRule, subtotal: int) -> int:
    """The amount off: never negative, never more than the subtotal, 0 below the code's minimum."""
    if subtotal < rule.min_subtotal_cents:
        return 0
    if rule.kind == "percent":
        return subtotal * rule.percent_bps // BASIS_POINTS
    return min(rule.amount_cents, subtotal)


def tax_on(taxable: int, tax_rate_bps: int) -> int:
    """Tax rounded half up to the cent."""
    return (taxable * tax_rate_bps + BASIS_POINTS // 2) // BASIS_POINTS


def price(lines: Sequence[PricedLine], rules: PricingRules, discount_code: str | None = None) -> Totals:
    """The totals of a cart. Tax applies to merchandise after the discount, not to shipping; shipping
    is free for carts without physical items or whose discounted subtotal reaches the threshold."""
    subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
    discount = 0
    applied_code = None
    if discount_code:
        rule = rules.discount(discount_code)
        if rule is None:
            raise UnknownDiscountCodeError(discount_code)
        discount = discount_amount(rule, subtotal)
        applied_code = discount_code.strip().upper() if discount else None
    merchandise = subtotal - discount
    ships = any(line.requires_shipping and line.quantity > 0 for line in lines)
    threshold = rules.free_shipping_threshold_cents
    shipping = rules.flat_shipping_cents if ships and (threshold is None or merchandise < threshold) else 0
    tax = tax_on(merchandise, rules.tax_rate_bps)
    return Totals(
        subtotal=subtotal,
        discount=discount,
        tax=tax,
        shipping=shipping,
        total=merchandise + tax + shipping,
        currency=rules.currency,
        discount_code=applied_code,
    )


@per_process
def pricing_rules() -> PricingRules:
    """This stage's rules, parsed once; invalid JSON fails the cold start (a deployment error)."""
    raw = get_settings().pricing_rules_json
    return PricingRules.model_validate_json(raw) if raw else PricingRules()
