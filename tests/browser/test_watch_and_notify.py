"""product.html's alerts for signed-in shoppers: "Watch price" with a target, which the price-drop
scan turns into an email once the price reaches it, and "Notify me when back" on a sold-out product;
both land in the watch list (GET /track/watchlist) and "Stop watching" takes them off."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import SHOPPER_EMAIL
from cdk_app.local.sent_emails import sent_emails
from tests.browser.conftest import admin_request, call_api, catalog, shopper_token, site_url
from tests.browser.test_product_page import patient_expect

__all__ = ["patient_expect"]  # test_product_page's autouse fixture, used here too


def watched(shop: LocalShop, token: str) -> dict[str, dict[str, Any]]:
    status, body = call_api(shop, "GET", "/track/watchlist", token)
    assert status == 200, body
    return {item["product_id"]: item for item in body["items"]}


ALERTS = ("price_drop_alerts", "back_in_stock_alerts")


@pytest.fixture
def shopper(local_shop: LocalShop) -> Iterator[str]:
    """The seeded shopper's token, with price-drop emails allowed and back-in-stock emails not, for the
    test; the preferences are put back after."""
    token = shopper_token(local_shop)
    _, before = call_api(local_shop, "GET", "/me/preferences", token)
    changes = {"price_drop_alerts": True, "back_in_stock_alerts": False}
    status, _ = call_api(local_shop, "PUT", "/me/preferences", token, changes)
    assert status == 200
    try:
        yield token
    finally:
        call_api(
            local_shop, "PUT", "/me/preferences", token, {flag: bool(before.get(flag)) for flag in ALERTS}
        )


def open_signed_in(page: Page, shop: LocalShop, token: str, product_id: object) -> None:
    page.goto(site_url(shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    page.goto(site_url(shop, f"/product.html?id={product_id}"))


def test_watch_with_a_target_then_the_price_drop_emails_the_watcher(
    page: Page, local_shop: LocalShop, shopper: str
) -> None:
    name = f"Watched Lamp {uuid.uuid4().hex[:6]}"
    product = admin_request(
        local_shop,
        "POST",
        "/products",
        {
            "name": name,
            "category": "Merchandise",
            "price": 3000,
            "sku": f"LAMP-{uuid.uuid4().hex[:6].upper()}",
            "stock_quantity": 5,
        },
    )
    open_signed_in(page, local_shop, shopper, product["product_id"])
    expect(page.locator("#watch-form")).to_be_visible()
    expect(page.locator("#notify-row")).to_be_hidden()
    # A target at or above today's price is no alert: the page says so and sends nothing.
    page.get_by_label("Target price (optional)").fill("30")
    page.get_by_role("button", name="Watch price").click()
    expect(page.locator("#watch-status")).to_have_text(
        "Enter a price below today's $30.00, or leave it empty."
    )
    assert str(product["product_id"]) not in watched(local_shop, shopper)

    page.get_by_label("Target price (optional)").fill("$25")
    page.get_by_role("button", name="Watch price").click()
    expect(page.locator("#watching-text")).to_have_text("Watching — alert at or below $25.00")
    expect(page.get_by_role("button", name="Stop watching")).to_be_focused()
    expect(page.locator("#watch-status")).to_have_text("We will email you when the price is $25.00 or less.")
    entry = watched(local_shop, shopper)[str(product["product_id"])]
    assert (entry["target_price"], entry["notify_on_price_drop"]) == (2500, True)
    # Reloaded, the page knows it is watched.
    page.reload()
    expect(page.locator("#watching-text")).to_have_text("Watching — alert at or below $25.00")
    expect(page.locator("#watch-form")).to_be_hidden()

    # The shop lowers the price below the target; the daily scan (run now) emails the watcher.
    admin_request(local_shop, "PUT", f"/products/{product['product_id']}", {"price": 2400})
    summary = admin_request(local_shop, "POST", "/marketing/scan-price-drops", {})
    assert int(summary["queued"]) >= 1, summary  # type: ignore[call-overload]
    assert local_shop.aws is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mine = [
            email
            for email in sent_emails(local_shop.aws.endpoint_url)
            if SHOPPER_EMAIL in email.to and name in email.html_body
        ]
        if mine:
            break
        time.sleep(0.5)  # through the email queue and its sender
    assert len(mine) == 1
    assert mine[0].subject == "A product you watch is cheaper now"
    assert "24.00" in mine[0].html_body


def test_notify_me_when_back_on_a_sold_out_product(page: Page, local_shop: LocalShop, shopper: str) -> None:
    product_id = catalog(local_shop)["Commentary on Romans"]["product_id"]
    open_signed_in(page, local_shop, shopper, product_id)
    expect(page.locator("#availability")).to_have_text("Sold out")
    expect(page.locator("#watch-form")).to_be_hidden()
    page.get_by_role("button", name="Notify me when back").click()
    expect(page.locator("#watching-text")).to_have_text(
        "Watching — we will email you when it is back in stock"
    )
    # Back-in-stock emails are off in this shopper's preferences: the page says where to turn them on.
    expect(page.locator("#watch-status")).to_contain_text("back-in-stock emails are off")
    expect(page.locator("#watch-status").get_by_role("link", name="email preferences")).to_have_attribute(
        "href", "preferences.html"
    )
    entry = watched(local_shop, shopper)[str(product_id)]
    assert (entry["target_price"], entry["notify_on_restock"], entry["availability"]) == (
        None,
        True,
        "sold_out",
    )

    page.get_by_role("button", name="Stop watching").click()
    expect(page.locator("#watch-status")).to_have_text("You stopped watching this product.")
    expect(page.get_by_role("button", name="Notify me when back")).to_be_focused()
    assert str(product_id) not in watched(local_shop, shopper)
