"""The stage's pricing rules: tax in basis points, flat shipping, free-shipping threshold, discount codes.

The CDK app validates each stage's rules with this model at synth and passes them to the cart and
order functions as JSON in PRICING_RULES; `shop.cart.pricing` applies them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
