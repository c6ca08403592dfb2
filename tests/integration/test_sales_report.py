"""GET /orders/admin/sales through order_api's real handler: per-day orders, revenue of paid orders,
average order value, refunds and top products from the Orders table's payment-status index; ranges
that are malformed, reversed or too long are refused naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_action_event,
    order_world_in,
    place,
    stored_order,
)

ADMIN = admin_claims()


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def sales(query: dict[str, str | list[str]], claims: dict[str, str] = ADMIN) -> Any:
    return call_order_api(api_event("GET", "/orders/admin/sales", query=query, claims=claims))


def pay(order_id: str) -> None:
    reply = call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, ADMIN, body={"status": "paid"})
    )
    assert reply.status == 200, reply.body


def placed_on(order_id: str, day: date) -> None:
    """Moves the stored order to `day` (noon UTC), as if it had been placed then."""
    order = stored_order(order_id)
    boto3.resource("dynamodb").Table("test-Orders").update_item(
        Key={"order_id": order_id, "user_id": order.user_id},
        UpdateExpression="SET order_date = :date",
        ExpressionAttributeValues={":date": f"{day.isoformat()}T12:00:00.000Z"},
    )


def test_sales_per_day_count_paid_orders_as_revenue_with_average_and_top_products(
    order_world: OrderWorld,
) -> None:
    today = datetime.now(UTC).date()
    two_days_ago = today - timedelta(days=2)
    bible = new_product(price=2000, name="Study Bible")
    hymnal = new_product(price=1000, name="Hymnal")
    # Two days ago: one paid order of 3 bibles, one unpaid order of a hymnal.
    big = place(bible, 3, user_id="u1").body["order_id"]
    pay(big)
    unpaid = place(hymnal, 1, user_id="u2").body["order_id"]
    for order_id in (big, unpaid):
        placed_on(order_id, two_days_ago)
    # Today: two paid orders (a hymnal each), one refunded after payment.
    first = place(hymnal, 1, user_id="u3").body["order_id"]
    second = place(hymnal, 1, user_id="u4").body["order_id"]
    refunded = place(bible, 1, user_id="u5").body["order_id"]
    for order_id in (first, second, refunded):
        pay(order_id)
    refund = call_order_api(order_action_event("POST", "/orders/{id}/refund", refunded, ADMIN, body={}))
    assert refund.status == 202, refund.body

    totals = {order_id: stored_order(order_id).total for order_id in (big, first, second, refunded)}
    reply = sales({"from": (today - timedelta(days=3)).isoformat(), "to": today.isoformat()})
    assert reply.status == 200, reply.body
    report = reply.body
    assert report["from"] == (today - timedelta(days=3)).isoformat()
    assert report["to"] == today.isoformat()
    assert report["currency"] == "USD"
    days = {day["date"]: day for day in report["days"]}
    assert list(days) == [(today - timedelta(days=offset)).isoformat() for offset in (3, 2, 1, 0)]
    assert days[(today - timedelta(days=3)).isoformat()] == {
        "date": (today - timedelta(days=3)).isoformat(),
        "orders": 0,
        "paid_orders": 0,
        "revenue": 0,
        "average_order_value": 0,
    }
    earlier = days[two_days_ago.isoformat()]
    assert (earlier["orders"], earlier["paid_orders"], earlier["revenue"]) == (2, 1, totals[big])
    assert earlier["average_order_value"] == totals[big]
    latest = days[today.isoformat()]
    today_revenue = totals[first] + totals[second]
    # The refunded order is placed but earns nothing.
    assert (latest["orders"], latest["paid_orders"], latest["revenue"]) == (3, 2, today_revenue)
    assert latest["average_order_value"] == (today_revenue + 1) // 2
    assert report["totals"]["orders"] == 5
    assert report["totals"]["paid_orders"] == 3
    assert report["totals"]["revenue"] == totals[big] + today_revenue
    assert report["totals"]["average_order_value"] == round((totals[big] + today_revenue) / 3)
    assert report["totals"]["refunds"] == 1
    assert report["totals"]["refunded_amount"] == totals[refunded]
    # Units first: 3 bibles (one order) before 2 hymnals (two orders); the refunded bible not counted.
    assert [(p["name"], p["units"], p["orders"]) for p in report["top_products"]] == [
        ("Study Bible", 3, 1),
        ("Hymnal", 2, 2),
    ]
    assert report["top_products"][0]["revenue"] == 3 * 2000
    assert report["top_products"][0]["product_id"] == bible

    # Only today: the orders moved two days back are outside the range.
    only_today = sales({"from": today.isoformat(), "to": today.isoformat()}).body
    assert [day["date"] for day in only_today["days"]] == [today.isoformat()]
    assert only_today["totals"]["orders"] == 3

    # Without a range: the 30 days ending today.
    default = sales({}).body
    assert len(default["days"]) == 30
    assert default["to"] == today.isoformat()
    assert default["totals"]["orders"] == 5


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "2026-13-01"}, "from", "from must be a date like 2026-11-21"),
        ({"from": "yesterday"}, "from", "from must be a date like 2026-11-21"),
        ({"to": "2026-02-30"}, "to", "to must be a date like 2026-11-21"),
        ({"to": "2026-11-21T10:00:00Z"}, "to", "to must be a date like 2026-11-21"),
        ({"from": "2026-11-21", "to": "2026-11-20"}, "to", "is before from"),
        ({"from": "2026-01-01", "to": "2026-04-03"}, "from", "at most 92"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(
    order_world: OrderWorld, query: dict[str, str | list[str]], field: str, words: str
) -> None:
    reply = sales(query)
    assert reply.status == 400, reply.body
    assert reply.body["field"] == field
    assert words in reply.body["message"]


def test_a_quarter_is_allowed_and_shoppers_are_refused(order_world: OrderWorld) -> None:
    assert sales({"from": "2026-01-01", "to": "2026-04-02"}).status == 200  # 92 days
    assert sales({"from": "2026-01-01", "to": "2026-04-03"}).status == 400  # 93 days
    assert sales({}, shopper_claims("alice")).status == 403
