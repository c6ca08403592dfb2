"""admin-marketing.html (seed 001, page 8) and the Sales section of admin-shop.html: charts drawn by the
vendored Chart.js from the local shop's own orders and campaign emails, each with a table of the same
figures, under the production Content-Security-Policy; shoppers get no marketing page."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis
from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import (
    admin_request,
    admin_token,
    screenshot,
    serve_with_production_csp,
    shopper_token,
    site_url,
)
from tests.browser.test_admin_page import (
    KEY_STORAGE,
    admin_key,
    admin_rate_limit_cleared,  # noqa: F401 - autouse here too: these tests call admin routes
    create_product,
    unique_word,
)

SECTIONS = (
    "Abandoned carts",
    "Email performance",
    "Conversion rates",
    "Revenue attribution",
    "Campaign analytics",
)


def open_admin_page(page: Page, shop: LocalShop, path: str, *, token: str, key: str | None) -> None:
    """Puts the sign-in (and the admin key) in sessionStorage as signin.html would, then opens `path`."""
    page.goto(site_url(shop, "/index.html"))
    page.evaluate(
        """([token, key, keyName]) => {
          sessionStorage.setItem("shop.idToken", token);
          if (key) sessionStorage.setItem(keyName, key);
          else sessionStorage.removeItem(keyName);
        }""",
        [token, key, KEY_STORAGE],
    )
    page.goto(site_url(shop, path))


def admin_get(shop: LocalShop, path: str) -> dict[str, Any]:
    """A GET of an admin route as the seeded administrator, through the local API Gateway."""
    from cdk_app.local.api_gateway import HttpRequest

    assert shop.gateway is not None
    route, _, query = path.partition("?")
    response = shop.gateway.handle(
        HttpRequest(
            method="GET",
            path=route,
            query=query,
            headers=(("Authorization", admin_token(shop)), ("X-Api-Key", admin_key(shop))),
            body=b"",
        )
    )
    assert response.status == 200, response.body[:300]
    body: dict[str, Any] = json.loads(response.body)
    return body


def paid_order(page: Page, shop: LocalShop, product_id: object, quantity: int) -> dict[str, Any]:
    """A shopper's order placed from the page, then recorded as paid by the administrator."""
    placed: dict[str, Any] = page.evaluate(
        """async ([token, productId, quantity]) => {
          const response = await fetch("/api/orders/create", {
            method: "POST",
            headers: {"Content-Type": "application/json", Authorization: token,
                      "Idempotency-Key": crypto.randomUUID()},
            body: JSON.stringify({
              items: [{product_id: productId, quantity}],
              shipping_address: {name: "Sam Shopper", line1: "5 Elm Road", city: "Springfield",
                                 postal_code: "12345", country: "US"},
            }),
          });
          return response.json();
        }""",
        [shopper_token(shop), product_id, quantity],
    )
    return admin_request(shop, "PUT", f"/orders/{placed['order_id']}/status", {"status": "paid"})


def chart_data(page: Page, canvas_id: str) -> dict[str, Any]:
    """The labels and datasets of the Chart.js chart drawn on the canvas (none: an empty dict)."""
    data: dict[str, Any] = page.evaluate(
        """(id) => {
          const chart = Object.values(window.Chart.instances).find((each) => each.canvas.id === id);
          if (!chart) return {};
          const datasets = chart.data.datasets.map((set) => ({label: set.label, data: set.data}));
          return {type: chart.config.type, labels: chart.data.labels, datasets};
        }""",
        canvas_id,
    )
    return data


def drawn(page: Page, canvas_id: str) -> None:
    page.wait_for_function(
        "(id) => window.Chart && Object.values(window.Chart.instances).some((each) => each.canvas.id === id)",
        arg=canvas_id,
    )


def campaign_emails(shop: LocalShop, order_total: int) -> None:
    """Campaign emails of the last days in the local MarketingQueue, as the scans and the engagement
    routes leave them: three abandoned-cart emails (two opened, one clicked and converted into an
    order of `order_total`), two price-drop alerts (one opened) and one browse-abandonment email
    still pending. The analytics cache is dropped so the page sees them."""
    assert shop.aws is not None
    assert shop.redis is not None
    dynamodb = shop.aws.client("dynamodb")
    table = next(name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-MarketingQueue"))
    now = datetime.now(UTC)

    def item(
        trigger: str, *, sent: bool = True, opened: bool = False, clicked: bool = False, revenue: int = 0
    ) -> None:
        created = (now - timedelta(days=2)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        fields: dict[str, Any] = {
            "queue_id": {"S": f"mq_{uuid.uuid4().hex}"},
            "user_email": {"S": f"{unique_word()}@example.com"},
            "trigger_type": {"S": trigger},
            "created_at": {"S": created},
            "sent": {"BOOL": sent},
            "opened": {"BOOL": opened},
            "clicked": {"BOOL": clicked},
            "converted": {"BOOL": revenue > 0},
        }
        if revenue:
            fields["attributed_revenue_cents"] = {"N": str(revenue)}
        dynamodb.put_item(TableName=table, Item=fields)

    item("abandoned_cart", opened=True, clicked=True, revenue=order_total)
    item("abandoned_cart", opened=True)
    item("abandoned_cart")
    item("price_drop", opened=True)
    item("price_drop")
    item("browse_abandonment", sent=False)
    client = redis.Redis.from_url(shop.redis.url)
    for key in client.scan_iter("*marketing:analytics*"):
        client.delete(key)


def table_rows(page: Page, tbody_id: str) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = page.evaluate(
        """(id) => Object.fromEntries([...document.querySelectorAll(`#${id} tr`)].map((row) =>
             [row.cells[0].textContent, [...row.cells].slice(1).map((cell) => cell.textContent)]))""",
        tbody_id,
    )
    return rows


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def test_the_marketing_page_charts_campaigns_and_revenue_from_the_shops_data(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(site_url(local_shop, "/index.html"))
    product = create_product(local_shop, f"Campaign Mug {unique_word()}", stock=20, price=2500)
    # Two paid orders: the email is credited with the first; the second is revenue of no campaign.
    order = paid_order(page, local_shop, product["product_id"], 2)
    paid_order(page, local_shop, product["product_id"], 1)
    campaign_emails(local_shop, int(order["total"]))

    serve_with_production_csp(page, local_shop)
    open_admin_page(
        page, local_shop, "/admin-marketing.html", token=admin_token(local_shop), key=admin_key(local_shop)
    )
    for name in SECTIONS:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    for canvas in ("performance-chart", "rates-chart", "revenue-chart"):
        drawn(page, canvas)
    expect(page.locator("#marketing-status")).to_have_text("")
    analytics = admin_get(local_shop, "/marketing/analytics")  # the report the page read (cached)
    sales = admin_get(local_shop, f"/orders/admin/sales?from={analytics['since'][:10]}")
    carts = analytics["by_trigger"]["abandoned_cart"]
    assert carts["sent"] >= 3
    assert carts["opened"] >= 2
    assert carts["converted"] >= 1

    # Abandoned carts: the figures of the abandoned_cart row.
    expect(page.locator("#cart-sent")).to_have_text(str(carts["sent"]))
    expect(page.locator("#cart-converted")).to_have_text(str(carts["converted"]))
    expect(page.locator("#cart-rate")).to_have_text(f"{carts['converted'] / carts['sent'] * 100:.1f} %")
    expect(page.locator("#cart-revenue")).to_have_text(money(carts["attributed_revenue_cents"]))

    # Email performance: a bar per campaign type and count, and the same numbers in the table.
    performance = chart_data(page, "performance-chart")
    assert performance["type"] == "bar"
    assert performance["labels"][0] == "Abandoned cart"
    assert [dataset["label"] for dataset in performance["datasets"]] == [
        "Sent",
        "Opened",
        "Clicked",
        "Converted",
    ]
    types = list(analytics["by_trigger"])
    assert performance["datasets"][0]["data"] == [analytics["by_trigger"][each]["sent"] for each in types]
    assert performance["datasets"][1]["data"] == [analytics["by_trigger"][each]["opened"] for each in types]
    rows = table_rows(page, "performance-rows")
    assert rows["Abandoned cart"] == [
        str(carts[field]) for field in ("queued", "sent", "opened", "clicked", "converted")
    ]
    assert rows["Price drop"][1] == str(analytics["by_trigger"]["price_drop"]["sent"])

    # Conversion rates: the same shares in the chart (per cent) and the table.
    rates = chart_data(page, "rates-chart")
    assert rates["datasets"][0]["data"][0] == pytest.approx(carts["opened"] / carts["sent"] * 100)
    assert (
        table_rows(page, "rates-rows")["Abandoned cart"][0]
        == f"{carts['opened'] / carts['sent'] * 100:.1f} %"
    )

    # Revenue attribution: campaign revenue against the rest of the period's paid revenue.
    revenue = chart_data(page, "revenue-chart")
    assert revenue["type"] == "doughnut"
    attributed = sum(row["attributed_revenue_cents"] for row in analytics["by_trigger"].values())
    assert "Abandoned cart" in revenue["labels"]
    assert revenue["labels"][-1] == "Not attributed to an email"
    assert revenue["datasets"][0]["data"][-1] == pytest.approx(
        (sales["totals"]["revenue"] - attributed) / 100
    )
    sources = table_rows(page, "revenue-rows")
    assert sources["Abandoned cart"][1] == money(carts["attributed_revenue_cents"])
    assert sources["Not attributed to an email"][1] == money(sales["totals"]["revenue"] - attributed)
    expect(page.locator("#revenue-note")).to_contain_text(
        f"{money(attributed)} of {money(sales['totals']['revenue'])}"
    )

    # Campaign analytics: every figure per type and a totals row.
    campaigns = table_rows(page, "campaign-rows")
    assert campaigns["Abandoned cart"][:5] == rows["Abandoned cart"]
    assert table_rows(page, "campaign-totals")["All campaigns"][0] == str(analytics["totals"]["queued"])
    expect(page.locator("#campaign-head")).to_contain_text("Attributed revenue")
    screenshot(page, "admin-marketing")
    assert console_errors == []


def test_the_sales_section_charts_the_sales_route_per_day_with_top_products(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(site_url(local_shop, "/index.html"))
    name = f"Sales Chart Lamp {unique_word()}"
    product = create_product(local_shop, name, stock=40, price=1500)
    order = paid_order(page, local_shop, product["product_id"], 9)

    serve_with_production_csp(page, local_shop)
    open_admin_page(
        page, local_shop, "/admin-shop.html", token=admin_token(local_shop), key=admin_key(local_shop)
    )
    drawn(page, "sales-chart")
    expect(page.locator("#sales-status")).to_have_text("")
    today = datetime.now(UTC).date()
    report = admin_get(
        local_shop,
        f"/orders/admin/sales?from={(today - timedelta(days=29)).isoformat()}&to={today.isoformat()}",
    )
    assert report["days"][-1]["revenue"] >= order["total"]

    chart = chart_data(page, "sales-chart")
    assert len(chart["labels"]) == 30
    assert [dataset["label"] for dataset in chart["datasets"]] == ["Revenue (USD)", "Orders"]
    assert chart["datasets"][0]["data"] == [day["revenue"] / 100 for day in report["days"]]
    assert chart["datasets"][1]["data"] == [day["orders"] for day in report["days"]]
    days = table_rows(page, "sales-day-rows")
    assert days[today.isoformat()][:3] == [
        str(report["days"][-1]["orders"]),
        str(report["days"][-1]["paid_orders"]),
        money(report["days"][-1]["revenue"]),
    ]
    expect(page.locator("#sales-revenue")).to_have_text(money(report["totals"]["revenue"]))
    expect(page.locator("#sales-orders")).to_have_text(str(report["totals"]["orders"]))
    top = table_rows(page, "top-rows")
    assert top[name] == ["9", "1", money(9 * 1500)]

    # One day only: the chart has one bar, the API's words when the range is reversed.
    page.locator("#sales-from").fill(today.isoformat())
    page.locator("#sales-range").get_by_role("button", name="Show sales").click()
    page.wait_for_function("() => window.Chart.getChart('sales-chart')?.data.labels.length === 1")
    page.locator("#sales-from").fill((today + timedelta(days=1)).isoformat())
    page.locator("#sales-range").get_by_role("button", name="Show sales").click()
    expect(page.locator("#sales-status")).to_contain_text("is before from")
    screenshot(page, "admin-sales")
    assert [error for error in console_errors if "400" not in error] == []


def test_shoppers_get_no_marketing_page_and_admins_find_it_in_the_header(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    open_admin_page(
        page, local_shop, "/admin-marketing.html", token=shopper_token(local_shop), key=admin_key(local_shop)
    )
    expect(page.locator("#status")).to_contain_text("This page is for administrators")
    expect(page.locator("#admin")).to_be_hidden()
    expect(page.get_by_role("link", name="Marketing", exact=True)).to_have_count(0)

    open_admin_page(page, local_shop, "/admin-marketing.html", token=admin_token(local_shop), key=None)
    expect(page.locator("#key-form")).to_be_visible()
    page.locator("#account-button").click()
    expect(page.locator("#account-menu").get_by_role("link", name="Marketing", exact=True)).to_have_attribute(
        "href", "/admin-marketing.html"
    )
    assert console_errors == []
