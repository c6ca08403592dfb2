"""The admin sales report: orders, revenue, average order value per day and the top products of a range.

Pure arithmetic over the few fields of each order the report needs (`OrderSale`); the repository reads
them from the payment-status index, one Query per payment status, so no Scan of the table is needed.
Revenue counts orders whose payment is captured and not being refunded (`payment_status` "paid"), in
the stage's currency, on the UTC day the order was placed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shop.orders.state import PaymentStatus
from shop.platform.errors import BadRequest

MAX_RANGE_DAYS = 92  # a quarter: one report stays a few Queries of one index
DEFAULT_RANGE_DAYS = 30
TOP_PRODUCTS = 10
# The fields of an order the report reads (the repository projects just these).
SALE_FIELDS = ("order_id", "order_date", "payment_status", "total", "currency", "items", "refund_amount")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REFUNDS = frozenset({PaymentStatus.REFUND_REQUESTED, PaymentStatus.REFUNDED})


class SaleLine(BaseModel):
    model_config = ConfigDict(extra="ignore")

    product_id: str
    name: str
    quantity: int
    line_total: int


class OrderSale(BaseModel):
    """An order as the sales report sees it."""

    model_config = ConfigDict(extra="ignore")

    order_id: str
    order_date: str
    payment_status: PaymentStatus
    total: int
    currency: str
    items: list[SaleLine] = Field(default_factory=list)
    refund_amount: int | None = None


@dataclass(frozen=True)
class SalesRange:
    """The first and last day of a report, both included."""

    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]

    @property
    def low(self) -> str:
        """The smallest order_date of the range (ISO timestamps sort as text)."""
        return self.first.isoformat()

    @property
    def high(self) -> str:
        # "~" sorts after every character of an ISO timestamp: the last day is included whole.
        return self.last.isoformat() + "~"


def _day(value: str | None, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            f"{field_name} must be a date like 2026-11-21, not {value!r}", field=field_name
        ) from None


def sales_range(date_from: str | None, date_to: str | None, *, today: date) -> SalesRange:
    """The range a request asks for: `to` defaults to today, `from` to the 30 days ending at `to`;
    BadRequest naming the field when a date is malformed, reversed or the range exceeds 92 days."""
    last = _day(date_to, "to") or today
    first = _day(date_from, "from") or last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if first > last:
        raise BadRequest(f"to ({last}) is before from ({first})", field="to")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise BadRequest(
            f"the range from {first} to {last} is {(last - first).days + 1} days; at most {MAX_RANGE_DAYS}",
            field="from",
        )
    return SalesRange(first, last)


@dataclass
class _Tally:
    orders: int = 0
    paid_orders: int = 0
    revenue: int = 0

    def body(self) -> dict[str, int]:
        return {
            "orders": self.orders,
            "paid_orders": self.paid_orders,
            "revenue": self.revenue,
            "average_order_value": average(self.revenue, self.paid_orders),
        }


@dataclass
class _Product:
    product_id: str
    name: str
    units: int = 0
    revenue: int = 0
    orders: set[str] = field(default_factory=set)


def average(total: int, count: int) -> int:
    """Cents, rounded half up; 0 when there is nothing to divide."""
    return (2 * total + count) // (2 * count) if count else 0


def sales_report(sales: Iterable[OrderSale], period: SalesRange, *, currency: str) -> dict[str, Any]:
    """Per day of `period`: orders placed, paid orders, revenue and average order value (days without
    orders included, as zeros); the range's totals, refunds and its ten best-selling products (units,
    then revenue). Paid orders in another currency than the stage's are counted, never added up."""
    days = {day.isoformat(): _Tally() for day in period.days}
    totals = _Tally()
    products: dict[str, _Product] = {}
    refunds = refunded = other_currency = 0
    for sale in sales:
        day = days.get(sale.order_date[:10])
        if day is None:
            continue
        day.orders += 1
        totals.orders += 1
        if sale.payment_status in _REFUNDS:
            refunds += 1
            refunded += sale.refund_amount if sale.refund_amount is not None else sale.total
        if sale.payment_status is not PaymentStatus.PAID:
            continue
        if sale.currency != currency:
            other_currency += 1
            continue
        for tally in (day, totals):
            tally.paid_orders += 1
            tally.revenue += sale.total
        for line in sale.items:
            product = products.setdefault(line.product_id, _Product(line.product_id, line.name))
            product.units += line.quantity
            product.revenue += line.line_total
            product.orders.add(sale.order_id)
    ranked = sorted(products.values(), key=lambda product: (-product.units, -product.revenue, product.name))
    return {
        "from": period.low,
        "to": period.last.isoformat(),
        "currency": currency,
        "days": [{"date": name, **tally.body()} for name, tally in days.items()],
        "totals": {
            **totals.body(),
            "refunds": refunds,
            "refunded_amount": refunded,
            "other_currency_paid_orders": other_currency,
        },
        "top_products": [
            {
                "product_id": product.product_id,
                "name": product.name,
                "units": product.units,
                "revenue": product.revenue,
                "orders": len(product.orders),
            }
            for product in ranked[:TOP_PRODUCTS]
        ],
    }
