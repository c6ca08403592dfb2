"""The stage's pricing rules: tax in basis points, flat shipping, free-shipping threshold.

The CDK app validates each stage's rules with this model at synth and passes them to the cart and
order functions as JSON in PRICING_RULES; `shop.cart.pricing` applies them. Discount codes are
promotions in the Promotions table (shop.promotions), not stage settings.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

BASIS_POINTS = 10_000


class PricingRules(BaseModel):
    """The stage's pricing rules; the defaults apply when PRICING_RULES is unset."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    tax_rate_bps: int = Field(default=0, ge=0, le=BASIS_POINTS)
    flat_shipping_cents: int = Field(default=599, ge=0)
    free_shipping_threshold_cents: int | None = Field(default=5000, ge=0)
