"""admin-shop.html: the product and promotion inputs carry the API's upper bounds
(shop.contracts.admin_limits) and a number beyond one is explained before anything is sent."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from shop.contracts.admin_limits import MAX_PER_CUSTOMER, MAX_REDEMPTIONS, MAX_STOCK
from tests.browser.test_admin_page import admin_page  # noqa: F401 - the signed-in admin page fixture


def test_the_inputs_carry_the_apis_bounds(admin_page: Page) -> None:  # noqa: F811
    page = admin_page
    expect(page.locator("#f-stock")).to_have_attribute("max", str(MAX_STOCK))
    expect(page.locator("#promotion-limit")).to_have_attribute("max", str(MAX_REDEMPTIONS))
    expect(page.locator("#promotion-per-customer")).to_have_attribute("max", str(MAX_PER_CUSTOMER))


def test_stock_beyond_the_bound_is_explained_and_nothing_is_sent(admin_page: Page) -> None:  # noqa: F811
    page = admin_page
    sent: list[str] = []
    page.on(
        "request", lambda request: sent.append(request.method) if "/api/products" in request.url else None
    )
    page.get_by_role("button", name="Add product").click()
    dialog = page.locator("#product-dialog")
    dialog.get_by_label("Name").fill("Too Many Mugs")
    dialog.get_by_label("SKU").fill("MUG-TOO-MANY")
    dialog.get_by_label("Category", exact=True).select_option("Merchandise")
    dialog.get_by_label("Price").fill("12.50")
    dialog.get_by_label("Stock").fill(str(MAX_STOCK + 1))
    dialog.get_by_role("button", name="Save product").click()
    expect(page.locator("#form-status")).to_have_text(f"Stock must be a whole number from 0 to {MAX_STOCK}.")
    expect(dialog.get_by_label("Stock")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Price").fill("1000000.01")
    dialog.get_by_label("Stock").fill("5")
    dialog.get_by_role("button", name="Save product").click()
    expect(page.locator("#form-status")).to_have_text("The price may be 1000000 at most.")
    assert "POST" not in sent
