"""shop.html: the catalog with filters in the URL, sorting, paging, add to cart and quick view."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.sync_api import Page, Route, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import catalog, screenshot, site_url

CARDS = "#products .product-card"


def dollars(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text))


def live_catalog(shop: LocalShop) -> list[dict[str, Any]]:
    """The products the API sells now (the sample catalog plus any a test created)."""
    return list(catalog(shop).values())


def test_the_shop_lists_products_and_loads_more(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    products = live_catalog(local_shop)
    page.goto(site_url(local_shop, "/shop.html"))
    expect(page.locator(CARDS)).to_have_count(12)
    expect(page.locator("#status")).to_have_text(f"Showing 12 of {len(products)} products")
    page.locator("#load-more").click()
    expect(page.locator(CARDS)).to_have_count(24)
    # Other tests of the session add products: one more page of 12 per click until all are shown.
    for shown in range(36, len(products) + 12, 12):
        page.locator("#load-more").click()
        expect(page.locator(CARDS)).to_have_count(min(shown, len(products)))
    expect(page.locator("#load-more")).to_be_hidden()
    names = page.locator(f"{CARDS} h2").all_inner_texts()
    assert sorted(names) == sorted(product["name"] for product in products)
    # Options of the category filter come from /categories, with counts.
    expect(page.locator("#category option", has_text="Apparel (5)")).to_have_count(1)
    screenshot(page, "shop")
    assert console_errors == []


def test_the_category_filter_narrows_the_list_and_the_url_shares_it(
    page: Page, local_shop: LocalShop
) -> None:
    page.goto(site_url(local_shop, "/shop.html"))
    expect(page.locator("#category option", has_text="Apparel")).to_have_count(1)
    page.locator("#category").select_option("Apparel")
    products = live_catalog(local_shop)
    apparel = sorted(product["name"] for product in products if product["category"] == "Apparel")
    expect(page.locator(f"{CARDS} h2")).to_have_count(len(apparel))
    assert sorted(page.locator(f"{CARDS} h2").all_inner_texts()) == apparel
    assert set(page.locator(f"{CARDS} .category").all_inner_texts()) == {"Apparel"}
    assert "category=Apparel" in page.url

    # The URL alone reproduces the filtered page.
    page.goto(site_url(local_shop, "/shop.html?category=Books&max=30"))
    expect(page.locator("#category")).to_have_value("Books")
    expect(page.locator("#max")).to_have_value("30")
    books = [p for p in products if p["category"] == "Books" and p["price"] <= 3000]
    expect(page.locator(f"{CARDS} h2")).to_have_count(len(books))


def test_the_price_range_is_sent_in_cents(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html"))
    page.locator("#min").fill("10")
    page.locator("#max").fill("20")
    page.locator("#filters button[type=submit]").click()
    wanted = [p for p in live_catalog(local_shop) if 1000 <= p["price"] <= 2000]
    # The unfiltered grid may already hold as many cards: wait for the filtered answer, not a count.
    deadline = time.monotonic() + 10
    while True:
        prices = [dollars(text) for text in page.locator(f"{CARDS} .price").all_inner_texts()]
        if len(prices) == min(len(wanted), 12) and all(10 <= price <= 20 for price in prices):
            break
        assert time.monotonic() < deadline, prices
        page.wait_for_timeout(100)
    assert "min=10" in page.url
    assert "max=20" in page.url


def test_search_finds_a_product_by_name(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html"))
    expect(page.locator(CARDS)).to_have_count(12)
    page.locator("#q").fill("hoodie")
    page.locator("#q").press("Enter")
    expect(page.locator(f"{CARDS} h2")).to_have_text(["Grace Hoodie"])
    assert "q=hoodie" in page.url


def test_sort_by_price_ascending_orders_by_price(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html"))
    expect(page.locator(CARDS)).to_have_count(12)
    page.locator("#sort").select_option("price_asc")
    cheapest = min(live_catalog(local_shop), key=lambda product: product["price"])
    expect(page.locator(f"{CARDS} h2").first).to_have_text(cheapest["name"])
    prices = [dollars(text) for text in page.locator(f"{CARDS} .price").all_inner_texts()]
    assert prices == sorted(prices)
    assert prices[0] == cheapest["price"] / 100
    assert "sort=price_asc" in page.url


def test_a_sold_out_product_cannot_be_added(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html?q=commentary"))
    card = page.locator(CARDS, has_text="Commentary on Romans")
    expect(card).to_have_count(1)
    button = card.locator("button.add-to-cart")
    expect(button).to_have_text("Sold out")
    expect(button).to_be_disabled()
    # A digital download has no stock and is never sold out.
    page.goto(site_url(local_shop, "/shop.html?category=Digital+Downloads"))
    expect(page.locator(f"{CARDS} button.add-to-cart").first).to_be_enabled()
    expect(page.locator(f"{CARDS} button.add-to-cart", has_text="Sold out")).to_have_count(0)


def test_add_to_cart_updates_the_header_count(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html?q=mug"))
    expect(page.locator("#cart-count")).to_have_text("0")
    add = page.locator(CARDS, has_text="Morning Grace Mug").locator("button.add-to-cart")
    add.click()
    expect(page.locator("#cart-count")).to_have_text("1")
    expect(page.locator("#status")).to_contain_text("Morning Grace Mug was added to your cart")
    # The card adds through the cart drawer (cart-drawer.js), which shows the line and its totals.
    drawer = page.locator("#cart-drawer")
    expect(drawer).to_be_visible()
    drawer.get_by_role("button", name="Close").click()
    expect(add).to_have_text("Add to cart", timeout=5000)
    add.click()
    expect(page.locator("#cart-count")).to_have_text("2")
    # The guest cart id is kept: another page's header reads the same cart.
    page.goto(site_url(local_shop, "/index.html"))
    expect(page.locator("#cart-count")).to_have_text("2")


def test_grid_list_toggle_and_quick_view(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(site_url(local_shop, "/shop.html?q=hoodie"))
    expect(page.locator(CARDS)).to_have_count(1)
    page.locator("#view-list").click()
    expect(page.locator("#products")).to_have_class(re.compile(r"\bproduct-list\b"))
    expect(page.locator("#view-list")).to_have_attribute("aria-pressed", "true")
    assert "view=list" in page.url
    page.reload()
    expect(page.locator("#products")).to_have_class(re.compile(r"\bproduct-list\b"))

    # A product with sizes and colours is never added blind: the card links to its options...
    card = page.locator(CARDS, has_text="Grace Hoodie")
    expect(card.locator("button.add-to-cart")).to_have_count(0)
    choose = card.get_by_role("link", name="Choose options: Grace Hoodie")
    expect(choose).to_have_attribute("href", re.compile(r"^product\.html\?id=prod_"))

    # ...and the quick view asks for one; the cart gets the variant chosen.
    card.locator(".quick-view").click()
    dialog = page.locator("#quick-view")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Grace Hoodie")
    expect(dialog.locator(".price")).to_have_text("$45.00")
    expect(dialog.locator(".stars")).to_have_attribute("aria-label", re.compile(r"out of 5$"))
    picker = dialog.get_by_label("Size and colour")
    sold_out = ["XXL / Charcoal, $47.00, sold out", "XXL / Cream, $47.00, sold out"]
    expect(picker.locator("option:disabled")).to_have_text(sold_out)
    picker.select_option(label="M / Cream")
    expect(dialog.locator("img")).to_have_attribute("src", re.compile(r"AP-HOODIE-cream\.svg$"))
    dialog.locator("button.add-to-cart").click()
    expect(dialog.locator(".form-status")).to_have_text("Added M / Cream to your cart.")
    expect(page.locator("#cart-count")).to_have_text("1")
    lines = page.evaluate('async () => (await (await import("/js/api.js")).cart.get()).items')
    assert [line["variant_sku"] for line in lines] == ["AP-HOODIE-CREAM-M"]
    page.locator("#cart-drawer").get_by_role("button", name="Close").click()
    page.locator("#quick-view-close").click()
    expect(dialog).to_be_hidden()
    assert console_errors == []


def test_a_category_in_the_url_names_the_page_and_its_canonical_url(
    page: Page, local_shop: LocalShop
) -> None:
    page.goto(site_url(local_shop, "/shop.html?category=Digital+Downloads"))
    expect(page.locator("h1")).to_have_text("Digital Downloads")
    expect(page).to_have_title(re.compile(r"^Digital Downloads - "))
    canonical = page.locator('link[rel="canonical"]')
    expect(canonical).to_have_attribute("href", re.compile(r"/shop\.html\?category=Digital\+Downloads$"))
    og_url = page.locator('meta[property="og:url"]')
    expect(og_url).to_have_attribute("content", re.compile(r"category=Digital\+Downloads$"))
    # Clearing the filter names the page for all products again.
    page.locator("#category").select_option("")
    expect(page.locator("h1")).to_have_text("All products")
    expect(canonical).to_have_attribute("href", re.compile(r"/shop\.html$"))


def test_an_api_error_is_shown_in_words(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/shop.html?min=50&max=10"))
    # The form refuses before asking; a hand-made URL gets the shopper's sentence for the API's refusal
    # (messages.js), not the server's words.
    status = page.locator("#status")
    expect(status).to_have_text(re.compile(r"^The products could not be loaded: \S.*price"))
    expect(status).not_to_contain_text("min_price")


def test_rate_limits_and_an_unreachable_shop_are_explained(page: Page, local_shop: LocalShop) -> None:
    def too_many(route: Route) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "7"},
            content_type="application/json",
            body='{"error": "rate_limited", "message": "slow down", "retry_after_seconds": 7}',
        )

    page.route("**/api/products?*", too_many)
    page.goto(site_url(local_shop, "/shop.html"))
    expect(page.locator("#status")).to_have_text(
        re.compile(r"^The products could not be loaded: .*\b7 seconds\b")
    )
    page.unroute("**/api/products?*")
    page.route("**/api/products?*", lambda route: route.abort())
    page.reload()
    unreachable = re.compile(r"^The products could not be loaded: .*reach the shop")
    expect(page.locator("#status")).to_have_text(unreachable)
