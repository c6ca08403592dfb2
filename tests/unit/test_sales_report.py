"""shop.orders.sales without storage: range rules, half-up averages, currencies and the top-product order."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.orders.sales import MAX_RANGE_DAYS, OrderSale, SalesRange, average, sales_range, sales_report
from shop.platform.errors import BadRequest

TODAY = date(2026, 12, 5)


def sale(
    day: str, status: str, total: int, *, currency: str = "USD", lines: tuple[tuple[str, int, int], ...] = ()
) -> OrderSale:
    return OrderSale.model_validate(
        {
            "order_id": f"ord_{day}_{total}_{status}",
            "order_date": f"{day}T10:00:00.000Z",
            "payment_status": status,
            "total": total,
            "currency": currency,
            "items": [
                {"product_id": name, "name": name.title(), "quantity": quantity, "line_total": line_total}
                for name, quantity, line_total in lines
            ],
        }
    )


def test_the_default_range_is_the_thirty_days_ending_today() -> None:
    period = sales_range(None, None, today=TODAY)
    assert (period.first, period.last) == (date(2026, 11, 6), TODAY)
    assert len(period.days) == 30
    assert period.low == "2026-11-06"
    assert period.high == "2026-12-05~"  # after every timestamp of the last day


def test_from_alone_runs_to_today_and_a_quarter_is_the_limit() -> None:
    assert sales_range("2026-12-01", None, today=TODAY).days[-1] == TODAY
    assert len(sales_range("2026-01-01", "2026-04-02", today=TODAY).days) == MAX_RANGE_DAYS
    with pytest.raises(BadRequest) as refused:
        sales_range("2026-01-01", "2026-04-03", today=TODAY)
    assert refused.value.field == "from"


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**4))
def test_the_average_is_the_quotient_rounded_half_up(total: int, count: int) -> None:
    assert average(total, count) == math.floor(Fraction(total, count) + Fraction(1, 2))


def test_an_average_of_nothing_is_zero_and_halves_round_up() -> None:
    assert average(0, 0) == 0
    assert average(3, 2) == 2
    assert average(5, 2) == 3


def test_other_currencies_are_counted_never_added_and_top_products_rank_by_units_then_revenue() -> None:
    period = SalesRange(date(2026, 12, 4), TODAY)
    report = sales_report(
        [
            sale("2026-12-04", "paid", 1000, lines=(("mug", 2, 1000),)),
            sale("2026-12-05", "paid", 3000, lines=(("tote", 2, 3000),)),
            sale("2026-12-05", "paid", 9999, currency="EUR", lines=(("cap", 9, 9999),)),
            sale("2026-12-05", "refunded", 500),
            sale("2026-12-05", "unpaid", 700),
            sale("2026-11-01", "paid", 100),  # outside the range: ignored
        ],
        period,
        currency="USD",
    )
    assert [day["orders"] for day in report["days"]] == [1, 4]
    assert [day["revenue"] for day in report["days"]] == [1000, 3000]
    assert report["totals"]["other_currency_paid_orders"] == 1
    assert report["totals"]["refunds"] == 1
    assert report["totals"]["refunded_amount"] == 500
    assert report["totals"]["average_order_value"] == 2000
    assert [product["product_id"] for product in report["top_products"]] == ["tote", "mug"]
