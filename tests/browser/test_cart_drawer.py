"""The cart drawer (web/js/cart-drawer.js): an add from the product page or from a shop card opens a modal
drawer with the line, the subtotal and the free-shipping progress; Escape and "Close" close it and give
focus back to the button that added; its Checkout and View cart go on."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import catalog, screenshot, site_url
from tests.browser.test_page_quality import axe_violations

PRODUCT = "Sermon Outline Pack"


def test_an_add_on_the_product_page_opens_the_drawer_with_the_line_and_free_shipping_progress(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    # $29.00, plenty in stock: below the $50 free-shipping threshold once, above it twice.
    page.goto(site_url(local_shop, f"/product.html?id={catalog(local_shop)[PRODUCT]['product_id']}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(PRODUCT)  # the page's script has run
    add = page.get_by_role("button", name="Add to cart")
    add.click()

    drawer = page.get_by_role("dialog", name="Added to your cart")
    expect(drawer).to_be_visible(timeout=20_000)  # the run's first cart call may start cart_api cold
    expect(drawer).to_contain_text(PRODUCT)
    expect(drawer).to_contain_text("Quantity 1")
    expect(drawer.locator("#cart-drawer-count")).to_have_text("Subtotal (1 item)")
    expect(drawer.locator("#cart-drawer-subtotal")).to_have_text("$29.00")
    expect(drawer.locator(".free-shipping-text")).to_have_text("Add $21.00 more for free shipping")
    bar = drawer.get_by_role("progressbar", name="Add $21.00 more for free shipping")
    expect(bar).to_have_attribute("max", "5000")
    expect(bar).to_have_attribute("value", "2900")
    image = drawer.locator("img")
    expect(image).to_have_attribute("width", re.compile(r"^\d+$"))
    expect(image).to_have_attribute("height", re.compile(r"^\d+$"))
    assert page.evaluate("document.getElementById('cart-drawer').contains(document.activeElement)")
    assert axe_violations(page) == []  # the open drawer, as axe-core judges the pages
    screenshot(page, "cart-drawer")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Escape closes it and the shopper is back on the button they pressed.
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(add).to_be_focused()

    # Over the threshold the drawer says so; its Checkout goes to the checkout.
    add.click()
    expect(drawer.locator("#cart-drawer-subtotal")).to_have_text("$58.00")
    expect(drawer.locator(".free-shipping-text")).to_have_text("You get free shipping")
    expect(drawer).to_contain_text("Quantity 1 (2 in your cart)")
    drawer.get_by_role("link", name="Checkout").click()
    expect(page).to_have_url(re.compile(r"/checkout\.html$"))
    expect(page.locator("#total")).to_have_text("$62.64")  # 58.00 + 4.64 tax, free shipping
    assert console_errors == []


def test_an_add_from_a_shop_card_opens_the_drawer_and_close_returns_focus(
    page: Page, local_shop: LocalShop
) -> None:
    page.goto(site_url(local_shop, "/shop.html?q=sticker"))
    add = page.get_by_role("button", name="Add to cart: Sticker Pack")
    add.click()
    drawer = page.get_by_role("dialog", name="Added to your cart")
    expect(drawer).to_contain_text("Sticker Pack")
    expect(drawer.locator("#cart-drawer-count")).to_have_text("Subtotal (1 item)")
    drawer.get_by_role("button", name="Close").click()
    expect(drawer).to_be_hidden()
    expect(add).to_be_focused()
    add.click()
    expect(drawer.locator("#cart-drawer-count")).to_have_text("Subtotal (2 items)")
    drawer.get_by_role("link", name="View cart").click()
    expect(page).to_have_url(re.compile(r"/cart\.html$"))
    expect(page.locator(".cart-item", has_text="Sticker Pack").locator("input.quantity")).to_have_value("2")


def test_a_cart_of_downloads_shows_no_shipping_progress(page: Page, local_shop: LocalShop) -> None:
    product_id = catalog(local_shop)["Psalms Audiobook"]["product_id"]
    page.goto(site_url(local_shop, "/cart.html"))
    page.evaluate(
        "id => import('/js/cart-drawer.js').then((m) => m.addToCartAndShow({ productId: id }))", product_id
    )
    drawer = page.get_by_role("dialog", name="Added to your cart")
    expect(drawer).to_contain_text("Psalms Audiobook")
    expect(drawer.locator(".free-shipping")).to_have_count(0)  # nothing ships
