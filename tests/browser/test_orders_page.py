"""orders.html: a signed-in shopper checks out, then sees the paid order with its badge and opens
the invoice; a guest opens their one order with the order's token."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import admin_request, catalog, place_order, screenshot, shopper_token, site_url
from tests.browser.test_checkout_page import add_to_cart, go_to_review


def test_a_signed_in_shopper_sees_the_paid_order_and_its_invoice(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    # The payment routes cannot tell a signed-in owner yet (404, see the report): the order is placed
    # through the API and recorded as paid by the administrator, as docs/orders.md allows.
    token = shopper_token(local_shop)
    beanie = catalog(local_shop)["Knit Beanie"]["product_id"]
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    placed = place_order(page, token, beanie)
    number = placed["order_number"]
    admin_request(local_shop, "PUT", f"/orders/{placed['order_id']}/status", {"status": "paid"})

    page.goto(site_url(local_shop, "/orders.html"))
    row = page.locator(".order-row", has_text=number)
    expect(row.locator(".status-badge")).to_have_text("paid")
    row.get_by_role("button", name=f"Details and invoice of {number}").click()
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details-title")).to_have_text(f"Order {number}")
    expect(page.locator("#invoice-total")).to_have_text("$23.27")
    expect(page.locator("#details .review-link")).to_have_attribute(
        "href", re.compile(r"^product\.html\?id=")
    )
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    screenshot(page, "orders-invoice")
    assert console_errors == []


def test_a_guest_opens_their_order_with_its_token(page: Page, local_shop: LocalShop) -> None:
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    page.locator("#email").fill("guest.orders@example.com")
    for field, value in {
        "name": "G",
        "line1": "1 A St",
        "city": "Town",
        "postal_code": "1",
        "country": "US",
    }.items():
        page.locator(f"#{field}").fill(value)
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text("Thank you! Your order is paid", timeout=30_000)
    page.locator("#order-link").click()
    expect(page.locator(".order-row .status-badge")).to_have_text("paid")
