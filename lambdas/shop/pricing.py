"""Cart totals from one set of rules: tax in basis points, flat shipping, free-shipping threshold, codes.

Every amount is an integer in the currency's minor unit (cents). The rules come from the PRICING_RULES
environment variable (JSON, per stage) with the defaults below; docs/pricing.md states them in prose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shop.process_state import per_process
from shop.settings import get_settings

BASIS_POINTS = 10_000


class DiscountRule(BaseModel):
    """A discount code: a percentage (in basis points) or a fixed amount off the merchandise subtotal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["percent", "fixed"]
    percent_bps: int = Field(default=0, ge=0, le=BASIS_POINTS)
    amount_cents: int = Field(default=0, ge=0)
    min_subtotal_cents: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _has_value(self) -> DiscountRule:
        if self.kind == "percent" and self.percent_bps == 0:
            raise ValueError("a percent discount needs percent_bps > 0")
        if self.kind == "fixed" and self.amount_cents == 0:
            raise ValueError("a fixed discount needs amount_cents > 0")
        return self


class PricingRules(BaseModel):
    """The stage's pricing rules; the defaults apply when PRICING_RULES is unset."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    tax_rate_bps: int = Field(default=0, ge=0, le=BASIS_POINTS)
    flat_shipping_cents: int = Field(default=599, ge=0)
    free_shipping_threshold_cents: int | None = Field(default=5000, ge=0)
    discounts: dict[str, DiscountRule] = Field(default_factory=dict)

    def discount(self, code: str) -> DiscountRule | None:
        """Codes are matched case-insensitively."""
        wanted = code.strip().upper()
        return next((rule for name, rule in self.discounts.items() if name.upper() == wanted), None)


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
