"""Property tests of shop.cart.pricing: the arithmetic every cart total relies on."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.cart.pricing import (
    PricedLine,
    UnknownDiscountCodeError,
    discount_amount,
    price,
    pricing_rules,
    tax_on,
)
from shop.contracts import environment
from shop.contracts.pricing_rules import DiscountRule, PricingRules
from shop.platform.settings import get_settings

lines = st.lists(
    st.builds(
        PricedLine,
        unit_price_cents=st.integers(min_value=0, max_value=1_000_000),
        quantity=st.integers(min_value=1, max_value=99),
        requires_shipping=st.booleans(),
    ),
    max_size=20,
)
discounts = st.one_of(
    st.builds(
        DiscountRule,
        kind=st.just("percent"),
        percent_bps=st.integers(min_value=1, max_value=10_000),
        min_subtotal_cents=st.integers(min_value=0, max_value=100_000),
    ),
    st.builds(
        DiscountRule,
        kind=st.just("fixed"),
        amount_cents=st.integers(min_value=1, max_value=10_000_000),
        min_subtotal_cents=st.integers(min_value=0, max_value=100_000),
    ),
)
rules = st.builds(
    PricingRules,
    tax_rate_bps=st.integers(min_value=0, max_value=10_000),
    flat_shipping_cents=st.integers(min_value=0, max_value=10_000),
    free_shipping_threshold_cents=st.one_of(st.none(), st.integers(min_value=0, max_value=200_000)),
    discounts=st.dictionaries(st.sampled_from(["SAVE", "WELCOME", "VIP"]), discounts, max_size=3),
)


@given(lines=lines, rules=rules, data=st.data())
def test_totals_are_consistent_integer_cents(
    lines: list[PricedLine], rules: PricingRules, data: st.DataObject
) -> None:
    code = (
        data.draw(st.one_of(st.none(), st.sampled_from(sorted(rules.discounts)))) if rules.discounts else None
    )

    totals = price(lines, rules, code)

    amounts = (totals.subtotal, totals.discount, totals.tax, totals.shipping, totals.total)
    assert all(isinstance(amount, int) and amount >= 0 for amount in amounts)
    assert totals.total == totals.subtotal + totals.tax + totals.shipping - totals.discount
    assert totals.discount <= totals.subtotal
    assert totals.subtotal == sum(line.unit_price_cents * line.quantity for line in lines)
    assert totals.currency == rules.currency


@given(lines=lines, rules=rules)
def test_shipping_is_flat_until_the_threshold_and_never_for_digital_only_carts(
    lines: list[PricedLine], rules: PricingRules
) -> None:
    totals = price(lines, rules)
    ships = any(line.requires_shipping for line in lines)
    threshold = rules.free_shipping_threshold_cents
    if not ships or (threshold is not None and totals.subtotal >= threshold):
        assert totals.shipping == 0
    else:
        assert totals.shipping == rules.flat_shipping_cents


@given(rule=discounts, subtotal=st.integers(min_value=0, max_value=10_000_000))
def test_discount_is_bounded_by_the_subtotal_and_needs_the_minimum(rule: DiscountRule, subtotal: int) -> None:
    amount = discount_amount(rule, subtotal)
    assert 0 <= amount <= subtotal
    if subtotal < rule.min_subtotal_cents:
        assert amount == 0


@given(
    taxable=st.integers(min_value=0, max_value=10_000_000), rate=st.integers(min_value=0, max_value=10_000)
)
def test_tax_is_the_exact_amount_rounded_half_up(taxable: int, rate: int) -> None:
    exact = taxable * rate / 10_000
    assert abs(tax_on(taxable, rate) - exact) <= 0.5
    assert tax_on(taxable, rate) == int(exact + 0.5) or abs(exact - round(exact)) == 0.5


def test_examples_from_docs_pricing() -> None:
    rules = PricingRules(
        tax_rate_bps=825,
        flat_shipping_cents=599,
        free_shipping_threshold_cents=5000,
        discounts={"SAVE10": DiscountRule(kind="percent", percent_bps=1000)},
    )
    cart = [PricedLine(unit_price_cents=1250, quantity=2, requires_shipping=True)]
    assert price(cart, rules).model_dump() == {
        "subtotal": 2500,
        "discount": 0,
        "tax": 206,
        "shipping": 599,
        "total": 3305,
        "currency": "USD",
        "discount_code": None,
    }
    big = [PricedLine(unit_price_cents=3000, quantity=2, requires_shipping=True)]
    totals = price(big, rules, "save10")
    assert (totals.discount, totals.shipping, totals.tax, totals.total) == (600, 0, 446, 5846)
    with pytest.raises(UnknownDiscountCodeError):
        price(big, rules, "NOPE")


def test_rules_come_from_the_pricing_rules_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(environment.PRICING_RULES, json.dumps({"tax_rate_bps": 700, "flat_shipping_cents": 0}))
    get_settings.cache_clear()
    pricing_rules.cache_clear()
    try:
        assert pricing_rules().tax_rate_bps == 700
        assert pricing_rules().flat_shipping_cents == 0
    finally:
        monkeypatch.delenv(environment.PRICING_RULES)
        get_settings.cache_clear()
        pricing_rules.cache_clear()
    assert pricing_rules() == PricingRules()
