"""cart.html: quantities (typed or stepped), removal, discount codes and totals exactly as the API
computes them, the free-shipping progress, refusals in the shopper's words; the guest cart survives a
reload."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import screenshot, site_url
from tests.browser.test_checkout_page import add_to_cart as add_from_product_page


def test_changing_a_quantity_updates_the_totals_from_the_api(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    add_from_product_page(page, local_shop, "Knit Beanie")  # $16.00, 4 in stock
    add_from_product_page(page, local_shop, "Psalms Audiobook")  # $14.99, digital
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator(".cart-item")).to_have_count(2)
    expect(page.locator("#subtotal")).to_have_text("$30.99")
    expect(page.locator("#shipping")).to_have_text("$5.99")
    expect(page.locator("#total")).to_have_text("$39.46")  # 30.99 + tax 2.48 + 5.99
    progress = page.locator("#free-shipping")
    expect(progress).to_contain_text("Add $19.01 more for free shipping")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "3099")
    image = page.locator(".cart-item", has_text="Knit Beanie").locator("img")
    expect(image).to_have_attribute("width", "96")
    expect(image).to_have_attribute("height", "72")
    screenshot(page, "cart")
    page.set_viewport_size({"width": 1280, "height": 900})

    beanie = page.locator(".cart-item", has_text="Knit Beanie")
    beanie.locator("input.quantity").fill("3")
    beanie.locator("input.quantity").press("Enter")
    expect(page.locator("#subtotal")).to_have_text("$62.99")
    expect(beanie.locator(".line-total")).to_have_text("$48.00")
    expect(page.locator("#shipping")).to_have_text("Free")  # over the $50 threshold
    expect(progress).to_contain_text("You get free shipping")
    expect(page.locator("#tax")).to_have_text("$5.04")
    expect(page.locator("#total")).to_have_text("$68.03")
    expect(page.locator("#cart-count")).to_have_text("4")
    assert console_errors == []

    # More than the stock: the API refuses and the page says how many there are, in words.
    beanie = page.locator(".cart-item", has_text="Knit Beanie")
    beanie.locator("input.quantity").fill("9")
    beanie.locator("input.quantity").press("Enter")
    expect(page.locator("#status")).to_have_text(
        re.compile(r"^Your cart could not be updated\. Only [34] are available\.$")  # 4, less any unpaid hold
    )
    expect(beanie.locator("input.quantity")).to_have_value("3")
    expect(page.locator("#total")).to_have_text("$68.03")

    # The steppers: one less, then the audiobook's last one removes its line.
    page.get_by_role("button", name="Decrease the quantity of Knit Beanie").click()
    expect(beanie.locator("input.quantity")).to_have_value("2")
    expect(page.locator("#subtotal")).to_have_text("$46.99")
    expect(progress).to_contain_text("Add $3.01 more for free shipping")
    page.get_by_role("button", name="Decrease the quantity of Psalms Audiobook").click()
    expect(page.locator(".cart-item")).to_have_count(1)
    page.get_by_role("button", name="Increase the quantity of Knit Beanie").click()
    expect(page.locator("#subtotal")).to_have_text("$48.00")


def test_discount_codes_are_checked_by_the_api(page: Page, local_shop: LocalShop) -> None:
    add_from_product_page(page, local_shop, "Grace Hoodie")  # $45.00
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator("#subtotal")).to_have_text("$45.00")
    page.locator("#discount-code").fill("NOPE")
    page.locator("#discount-form button").click()
    expect(page.locator("#discount-status")).to_have_text(
        "We don't recognise the code NOPE. Check the spelling, or continue without a code."
    )
    expect(page.locator("#discount-code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#total")).to_have_text("$54.59")  # 45 + 3.60 tax + 5.99
    page.locator("#discount-code").fill("welcome10")
    page.locator("#discount-form button").click()
    expect(page.locator("#discount-status")).to_have_text("Code WELCOME10 applied.")
    expect(page.locator("#discount-code")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#discount")).to_have_text("\u2212$4.50")
    expect(page.locator("#discount-label")).to_have_text("Discount (WELCOME10)")
    expect(page.locator("#total")).to_have_text("$49.73")  # 40.50 + 3.24 tax + 5.99
    # The code stays applied through a reload and a quantity change.
    page.reload()
    expect(page.locator("#discount")).to_have_text("\u2212$4.50")
    line = page.locator(".cart-item", has_text="Grace Hoodie")
    line.locator("input.quantity").fill("2")
    line.locator("input.quantity").press("Enter")
    expect(page.locator("#discount")).to_have_text("\u2212$9.00")
    expect(page.locator("#total")).to_have_text("$87.48")  # 81.00 + 6.48 tax, free shipping


def test_removing_the_last_item_empties_the_cart(page: Page, local_shop: LocalShop) -> None:
    add_from_product_page(page, local_shop, "Sticker Pack", 2)
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator(".cart-item")).to_have_count(1)
    page.get_by_role("button", name="Remove Sticker Pack").click()
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#cart")).to_be_hidden()
    expect(page.locator("#cart-count")).to_have_text("0")
    page.reload()
    expect(page.locator("#empty")).to_be_visible()


def test_the_guest_cart_survives_a_reload(page: Page, local_shop: LocalShop) -> None:
    add_from_product_page(page, local_shop, "Embroidered Cap", 2)
    cart_id = page.evaluate("localStorage.getItem('shop.cartId')")
    assert cart_id
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}\.[A-Za-z0-9_-]{43}", cart_id)  # the id and its signature
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator(".cart-item input.quantity")).to_have_value("2")
    page.reload()
    expect(page.locator(".cart-item", has_text="Embroidered Cap").locator("input.quantity")).to_have_value(
        "2"
    )
    expect(page.locator("#cart-count")).to_have_text("2")
    expect(page.get_by_role("link", name="Checkout", exact=True)).to_have_attribute("href", "checkout.html")
    # A new browser (no stored id) starts with an empty cart.
    other = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        fresh = other.new_page()
        fresh.goto(site_url(local_shop, "/cart.html"))
        expect(fresh.locator("#empty")).to_be_visible()
    finally:
        other.close()


def test_an_empty_cart_without_an_id_calls_nothing(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    calls: list[str] = []
    page.on("request", lambda request: calls.append(request.url) if "/api/" in request.url else None)
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#status")).to_have_text("")
    assert calls == []
    assert console_errors == []
