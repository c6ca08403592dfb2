"""admin-shop.html's orders (issue #16 item 7): a paid order ships with its tracking in one step, each
row offers only the actions the API allows (`allowed_actions`), every status has its own colour and
words, and the search finds orders by number or email.

Orders are placed and paid through the API (as test_admin_page does); only the admin page is driven.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import SHOPPER_EMAIL
from tests.browser.conftest import (
    admin_request,
    admin_token,
    place_order,
    screenshot,
    shopper_token,
    site_url,
)
from tests.browser.test_admin_page import (
    admin_key,
    admin_rate_limit_cleared,
    create_product,
    open_admin,
    unique_word,
)
from tests.browser.test_page_quality import axe_violations, describe

pytestmark = pytest.mark.usefixtures(admin_rate_limit_cleared.__name__)

ACTIONS = re.compile(r"^(Ship|Update tracking|Mark delivered|Refund|Cancel order|Change)\b")

# WCAG's contrast ratio of each badge's text on its background, and the background itself.
BADGE_COLOURS = """badges => badges.map(badge => {
  const channels = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = rgb => {
    const [r, g, b] = rgb.map(value => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(badge);
  const [light, dark] = [luminance(channels(style.color)), luminance(channels(style.backgroundColor))]
    .sort((a, b) => b - a);
  return {label: badge.textContent, background: style.backgroundColor,
          contrast: (light + 0.05) / (dark + 0.05)};
})"""


def order_row(page: Page, number: str) -> Locator:
    return page.locator("#order-rows tr", has=page.get_by_role("rowheader", name=number, exact=True))


def action_names(row: Locator) -> list[str]:
    """The row's action buttons by accessible name, without the order number."""
    names = [
        str(name) for name in row.locator(".actions button").evaluate_all("bs => bs.map(b => b.ariaLabel)")
    ]
    matches = (ACTIONS.match(name) for name in names)
    return sorted(match.group(1) for match in matches if match)


def test_a_paid_order_ships_with_tracking_and_rows_offer_only_the_allowed_actions(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    shopper = shopper_token(local_shop)
    product = create_product(local_shop, f"Ship Test Mug {unique_word()}", stock=10, price=1800)
    page.goto(site_url(local_shop, "/index.html"))
    paid, refunded, pending = (place_order(page, shopper, product["product_id"]) for _ in range(3))
    for order in (paid, refunded):
        admin_request(local_shop, "PUT", f"/orders/{order['order_id']}/status", {"status": "paid"})
    admin_request(local_shop, "PUT", f"/orders/{refunded['order_id']}/status", {"status": "refunded"})

    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    paid_row = order_row(page, paid["order_number"])
    expect(paid_row).to_be_visible(timeout=30_000)  # the orders load beside the products and sales
    expect(paid_row.locator(".order-status")).to_have_text("Paid")
    assert action_names(paid_row) == ["Cancel order", "Change", "Refund", "Ship"]
    # Refunded: nothing left to do (the "Refund still offered on a refunded order").
    refunded_row = order_row(page, refunded["order_number"])
    expect(refunded_row.locator(".order-status")).to_have_text("Refunded")
    expect(refunded_row.locator(".payment")).to_have_text("Refunded")
    assert action_names(refunded_row) == []
    # Unpaid: it may be cancelled (or marked paid), never shipped or refunded.
    pending_row = order_row(page, pending["order_number"])
    expect(pending_row.locator(".order-status")).to_have_text("Pending")
    assert action_names(pending_row) == ["Cancel order", "Change"]
    badge = paid_row.locator(".order-status .status-badge")
    (paid_colour,) = badge.evaluate_all(BADGE_COLOURS)

    # Ship straight from paid: carrier and tracking number, one step.
    paid_row.get_by_role("button", name=f"Ship {paid['order_number']}").click()
    dialog = page.locator("#tracking-dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Ship {paid['order_number']}")
    dialog.get_by_label("Carrier").fill("UPS")
    dialog.get_by_label("Tracking number").fill("1Z999AA10123456784")
    dialog.get_by_role("button", name="Ship order").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#orders-status")).to_have_text(f"Shipped {paid['order_number']}.")
    expect(paid_row.locator(".order-status")).to_have_text("Shipped")
    expect(paid_row.locator(".tracking")).to_have_text("UPS 1Z999AA10123456784")
    expect(paid_row.get_by_role("button", name=f"Ship {paid['order_number']}")).to_have_count(0)
    assert action_names(paid_row) == ["Mark delivered", "Refund", "Update tracking"]

    # Cancelling (after the confirm) leaves the pending order nothing more to do.
    page.once("dialog", lambda confirm: confirm.accept())
    pending_row.get_by_role("button", name=f"Cancel order {pending['order_number']}").click()
    expect(pending_row.locator(".order-status")).to_have_text("Cancelled")
    assert action_names(pending_row) == []

    # Every status its own colour, each readable (>= 4.5:1); paid and shipped differ in the table too.
    legend = page.locator("#status-legend .status-badge").evaluate_all(BADGE_COLOURS)
    assert [badge["label"] for badge in legend] == [
        "Pending", "Unpaid", "Paid", "Processing", "Shipped", "Delivered", "Cancelled",
        "Refund requested", "Refunded", "Failed",
    ]  # fmt: skip
    assert len({badge["background"] for badge in legend}) == len(legend)
    assert all(badge["contrast"] >= 4.5 for badge in legend), legend
    (shipped_colour,) = badge.evaluate_all(BADGE_COLOURS)
    assert paid_colour["background"] != shipped_colour["background"]
    screenshot(page, "admin-orders-shipped")

    # The order went paid -> processing -> shipped, and its shopper sees the parcel.
    stored = page.evaluate(
        """async ([token, orderId]) =>
          (await fetch(`/api/orders/${orderId}`, {headers: {Authorization: token}})).json()""",
        [shopper, paid["order_id"]],
    )
    assert [entry["status"] for entry in stored["history"]][-2:] == ["processing", "shipped"]
    assert (stored["carrier"], stored["tracking_number"]) == ("UPS", "1Z999AA10123456784")
    assert console_errors == []


def test_orders_are_found_by_number_and_by_email(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    shopper = shopper_token(local_shop)
    product = create_product(local_shop, f"Search Test Pen {unique_word()}", stock=10)
    page.goto(site_url(local_shop, "/index.html"))
    first, second = (place_order(page, shopper, product["product_id"]) for _ in range(2))
    open_admin(page, local_shop, token=admin_token(local_shop), key=admin_key(local_shop))
    expect(order_row(page, second["order_number"])).to_be_visible(timeout=30_000)
    listed = page.locator("#order-rows tr").count()
    search = page.get_by_label("Order number or email")
    rows = page.locator("#order-rows tr")

    # The number as the table shows it, typed in lower case: exactly that order.
    search.fill(first["order_number"].lower())
    search.press("Enter")
    expect(rows).to_have_count(1)
    expect(order_row(page, first["order_number"])).to_be_visible()
    expect(page.locator("#order-count")).to_contain_text("1 order matches")

    # The buyer's email: their orders (both of these among them), every row theirs.
    search.fill(SHOPPER_EMAIL.upper())
    page.get_by_role("button", name="Search orders").click()
    expect(order_row(page, second["order_number"])).to_be_visible()
    expect(order_row(page, first["order_number"])).to_be_visible()
    emails = page.locator("#order-rows td.email").all_inner_texts()
    assert len(emails) >= 2
    assert all(text.startswith(SHOPPER_EMAIL) for text in emails), emails

    unknown = f"nobody-{unique_word()}@example.com"
    search.fill(unknown)
    search.press("Enter")
    expect(page.locator("#orders-status")).to_have_text(f"No order matches “{unknown}”.")
    expect(rows).to_have_count(0)

    # Neither a number nor an email: the API's 400, told in words.
    search.fill("blue mug")
    search.press("Enter")
    expect(page.locator("#orders-status")).to_contain_text(
        "“blue mug” is not an order number, an order id or an email address."
    )
    expect(page.locator("#orders-status")).to_contain_text("such as SO-")
    screenshot(page, "admin-orders-search")
    # At phone width (screenshot left it there): nothing widens the page, and axe finds nothing.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert describe(axe_violations(page), 390) == []

    # Clearing the search brings the filtered list back.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Clear search").click()
    expect(rows).to_have_count(listed)
    expect(page.locator("#order-count")).to_contain_text("orders listed")
    expect(page.get_by_role("button", name="Clear search")).to_be_hidden()
    # The only console errors are the browser's notes on the refused (400) search.
    assert [error for error in console_errors if "400" not in error] == []
