"""Property tests of shop.cart.pricing and shop.promotions.model: the arithmetic every cart total relies
on, for percent, fixed-amount and free-shipping promotions, their minimum subtotal, scope and dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.cart.pricing import PricedLine, price, pricing_rules, scoped_lines, tax_on
from shop.contracts import environment
from shop.contracts.pricing_rules import PricingRules
from shop.platform.settings import get_settings
from shop.promotions.model import (
    Promotion,
    PromotionKind,
    PromotionRefused,
    check_usable,
    reduction,
)
from shop.promotions.service import AppliedPromotion

PRODUCTS = ("p1", "p2", "p3")
CATEGORIES = ("Books", "Music")
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)

lines = st.lists(
    st.builds(
        PricedLine,
        unit_price_cents=st.integers(min_value=0, max_value=1_000_000),
        quantity=st.integers(min_value=1, max_value=99),
        requires_shipping=st.booleans(),
        product_id=st.sampled_from(PRODUCTS),
        category=st.sampled_from(CATEGORIES),
    ),
    max_size=20,
)
promotions = st.one_of(
    st.builds(
        Promotion,
        code=st.just("PCT"),
        kind=st.just(PromotionKind.PERCENT),
        value=st.integers(min_value=1, max_value=100),
        min_subtotal=st.integers(min_value=0, max_value=100_000),
        product_ids=st.lists(st.sampled_from(PRODUCTS), max_size=2),
        categories=st.lists(st.sampled_from(CATEGORIES), max_size=1),
    ),
    st.builds(
        Promotion,
        code=st.just("FIXED"),
        kind=st.just(PromotionKind.FIXED),
        value=st.integers(min_value=1, max_value=10_000_000),
        min_subtotal=st.integers(min_value=0, max_value=100_000),
        product_ids=st.lists(st.sampled_from(PRODUCTS), max_size=2),
    ),
    st.builds(
        Promotion,
        code=st.just("SHIPFREE"),
        kind=st.just(PromotionKind.FREE_SHIPPING),
        min_subtotal=st.integers(min_value=0, max_value=100_000),
    ),
)
rules = st.builds(
    PricingRules,
    tax_rate_bps=st.integers(min_value=0, max_value=10_000),
    flat_shipping_cents=st.integers(min_value=0, max_value=10_000),
    free_shipping_threshold_cents=st.one_of(st.none(), st.integers(min_value=0, max_value=200_000)),
)


def applied(promotion: Promotion, cart: list[PricedLine]) -> AppliedPromotion | None:
    """The promotion applied to the cart, or None when it refuses the cart."""
    try:
        return AppliedPromotion(promotion, reduction(promotion, scoped_lines(cart)))
    except PromotionRefused:
        return None


@given(lines=lines, rules=rules, promotion=st.one_of(st.none(), promotions))
def test_totals_are_consistent_integer_cents(
    lines: list[PricedLine], rules: PricingRules, promotion: Promotion | None
) -> None:
    totals = price(lines, rules, applied(promotion, lines) if promotion else None)

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


@given(promotion=promotions, lines=lines)
def test_a_reduction_is_bounded_by_the_eligible_lines_and_needs_the_minimum(
    promotion: Promotion, lines: list[PricedLine]
) -> None:
    scoped = scoped_lines(lines)
    subtotal = sum(line.amount for line in scoped)
    eligible = sum(line.amount for line in scoped if promotion.in_scope(line.product_id, line.category))
    if subtotal < promotion.min_subtotal or (promotion.scoped and eligible == 0):
        with pytest.raises(PromotionRefused):
            reduction(promotion, scoped)
        return
    result = reduction(promotion, scoped)
    assert subtotal >= promotion.min_subtotal
    assert 0 <= result.amount <= eligible <= subtotal
    if promotion.kind is PromotionKind.PERCENT:
        assert result.amount == eligible * promotion.value // 100
    elif promotion.kind is PromotionKind.FIXED:
        assert result.amount == min(promotion.value, eligible)
    else:
        assert (result.amount, result.free_shipping) == (0, True)


@given(lines=lines.filter(lambda cart: any(line.requires_shipping for line in cart)), rules=rules)
def test_free_shipping_waives_shipping_and_nothing_else(lines: list[PricedLine], rules: PricingRules) -> None:
    promotion = Promotion(code="SHIPFREE", kind=PromotionKind.FREE_SHIPPING)
    with_code = price(lines, rules, applied(promotion, lines))
    without = price(lines, rules)
    assert with_code.shipping == 0
    assert (with_code.subtotal, with_code.discount, with_code.tax) == (without.subtotal, 0, without.tax)
    assert with_code.discount_code == "SHIPFREE"


@given(
    taxable=st.integers(min_value=0, max_value=10_000_000), rate=st.integers(min_value=0, max_value=10_000)
)
def test_tax_is_the_exact_amount_rounded_half_up(taxable: int, rate: int) -> None:
    exact = taxable * rate / 10_000
    assert abs(tax_on(taxable, rate) - exact) <= 0.5
    assert tax_on(taxable, rate) == int(exact + 0.5) or abs(exact - round(exact)) == 0.5


def test_examples_from_docs_pricing() -> None:
    rules = PricingRules(tax_rate_bps=825, flat_shipping_cents=599, free_shipping_threshold_cents=5000)
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
    big = [PricedLine(unit_price_cents=3000, quantity=2, requires_shipping=True, product_id="p1")]
    save10 = applied(Promotion(code="save10", kind=PromotionKind.PERCENT, value=10), big)
    totals = price(big, rules, save10)
    assert (totals.discount, totals.shipping, totals.tax, totals.total) == (600, 0, 446, 5846)
    assert totals.discount_code == "SAVE10"
    ship5 = Promotion(code="SHIP5", kind=PromotionKind.FIXED, value=500, min_subtotal=2500)
    with pytest.raises(PromotionRefused, match=r"^minimum subtotal \$25\.00 for code SHIP5$"):
        reduction(ship5, scoped_lines([PricedLine(2000, 1, True)]))


def test_a_scoped_promotion_takes_off_only_its_products_and_categories() -> None:
    cart = [
        PricedLine(1000, 2, True, product_id="p1", category="Books"),
        PricedLine(3000, 1, True, product_id="p2", category="Music"),
    ]
    books = Promotion(code="BOOKS20", kind=PromotionKind.PERCENT, value=20, categories=["Books"])
    assert reduction(books, scoped_lines(cart)).amount == 400
    p2 = Promotion(code="P2FIVE", kind=PromotionKind.FIXED, value=5000, product_ids=["p2"])
    assert reduction(p2, scoped_lines(cart)).amount == 3000
    gifts = Promotion(code="GIFTS", kind=PromotionKind.PERCENT, value=10, categories=["Gifts"])
    with pytest.raises(PromotionRefused, match="does not apply to these items"):
        reduction(gifts, scoped_lines(cart))


@pytest.mark.parametrize(
    ("changes", "email", "message"),
    [
        ({"active": False}, None, "code CODE1 is no longer active"),
        ({"ends_at": NOW - timedelta(seconds=1)}, None, "code CODE1 has expired"),
        ({"ends_at": NOW}, None, "code CODE1 has expired"),
        ({"starts_at": NOW + timedelta(days=1)}, None, "code CODE1 is valid from 2026-12-06"),
        ({"max_redemptions": 3, "redemptions": 3}, None, "code CODE1 has been used up"),
        ({"email": "a@example.com"}, "b@example.com", "this code is for another email address"),
    ],
)
def test_usability_refusals_name_the_problem(
    changes: dict[str, object], email: str | None, message: str
) -> None:
    promotion = Promotion.model_validate({"code": "code1", "kind": "percent", "value": 5, **changes})
    with pytest.raises(PromotionRefused) as refused:
        check_usable(promotion, now=NOW, email=email)
    assert str(refused.value) == message


def test_a_usable_code_passes() -> None:
    promotion = Promotion(
        code="OK1",
        kind=PromotionKind.PERCENT,
        value=5,
        email="A@Example.com",
        ends_at=NOW + timedelta(days=1),
        max_redemptions=1,
    )
    check_usable(promotion, now=NOW, email="a@example.com ")
    check_usable(promotion, now=NOW, email=None)  # a guest's cart: the order checks the address


@pytest.mark.parametrize(
    "terms",
    [
        {"code": "A1B", "kind": "percent", "value": 0},
        {"code": "A1B", "kind": "percent", "value": 101},
        {"code": "A1B", "kind": "fixed", "value": 0},
        {"code": "x", "kind": "fixed", "value": 100},
        {"code": "A1B", "kind": "free_shipping", "starts_at": NOW, "ends_at": NOW},
    ],
)
def test_inconsistent_terms_are_refused(terms: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError is a ValueError
        Promotion.model_validate(terms)


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
