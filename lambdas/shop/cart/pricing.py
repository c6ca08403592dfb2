"""Cart totals from one set of rules: tax in basis points, flat shipping, free-shipping threshold, and
the promotion a code applies (shop.promotions).

Every amount is an integer in the currency's minor unit (cents). The rules come from the PRICING_RULES
environment variable (JSON, per stage) with the defaults below; docs/pricing.md states them in prose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel

from shop.contracts.pricing_rules import BASIS_POINTS, PricingRules
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings
from shop.promotions.model import ScopedLine
from shop.promotions.service import AppliedPromotion


@dataclass(frozen=True)
class PricedLine:
    """What pricing needs to know about one cart line."""

    unit_price_cents: int
    quantity: int
    requires_shipping: bool
    product_id: str = ""
    category: str | None = None  # known when a promotion is scoped to categories


class Priceable(Protocol):
    """A cart line or an order line: what `priced_lines` reads of either."""

    @property
    def unit_price(self) -> int: ...
    @property
    def quantity(self) -> int: ...
    @property
    def requires_shipping(self) -> bool: ...
    @property
    def product_id(self) -> str: ...


def priced_lines(lines: Iterable[Priceable], categories: Mapping[str, str]) -> list[PricedLine]:
    """The lines as pricing sees them, each with its product's category (for a promotion scoped to
    categories; None for a product the catalog no longer has)."""
    return [
        PricedLine(
            line.unit_price,
            line.quantity,
            line.requires_shipping,
            product_id=line.product_id,
            category=categories.get(line.product_id),
        )
        for line in lines
    ]


class Totals(BaseModel):
    """A cart's money, all in integer cents: total = subtotal - discount + tax + shipping."""

    subtotal: int
    discount: int
    tax: int
    shipping: int
    total: int
    currency: str
    discount_code: str | None = None


def scoped_lines(lines: Sequence[PricedLine]) -> list[ScopedLine]:
    """The lines as a promotion sees them: product, category and amount."""
    return [
        ScopedLine(line.product_id, line.category, line.unit_price_cents * line.quantity) for line in lines
    ]


def tax_on(taxable: int, tax_rate_bps: int) -> int:
    """Tax rounded half up to the cent."""
    return (taxable * tax_rate_bps + BASIS_POINTS // 2) // BASIS_POINTS


def price(
    lines: Sequence[PricedLine], rules: PricingRules, applied: AppliedPromotion | None = None
) -> Totals:
    """The totals of a cart. Tax applies to merchandise after the discount, not to shipping; shipping
    is free for carts without physical items, whose discounted subtotal reaches the threshold, or with
    a free-shipping promotion."""
    subtotal = sum(line.unit_price_cents * line.quantity for line in lines)
    discount = min(applied.reduction.amount, subtotal) if applied else 0
    applied_code = applied.promotion.code if applied else None
    merchandise = subtotal - discount
    ships = any(line.requires_shipping and line.quantity > 0 for line in lines)
    threshold = rules.free_shipping_threshold_cents
    waived = applied is not None and applied.reduction.free_shipping
    below_threshold = threshold is None or merchandise < threshold
    shipping = rules.flat_shipping_cents if ships and below_threshold and not waived else 0
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
