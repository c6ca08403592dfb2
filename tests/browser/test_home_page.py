"""The home page shows the featured products from the local API, without console errors."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import SAMPLE_PRODUCTS
from tests.browser.conftest import screenshot, site_url


def test_home_page_lists_the_featured_products(page: Page, local_shop: LocalShop) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(site_url(local_shop))

    featured = [product.name for product in SAMPLE_PRODUCTS if product.featured]
    cards = page.locator("#products .product-card h2")
    expect(cards).to_have_count(len(featured))
    assert sorted(cards.all_inner_texts()) == sorted(featured)
    expect(page.locator("#status")).to_have_text("")
    screenshot(page, "home")
    assert errors == []


def test_an_unreachable_api_is_reported_in_words(page: Page, local_shop: LocalShop) -> None:
    def broken_config(route: Route) -> None:
        route.fulfill(
            status=200, content_type="application/json", body='{"apiUrl": "http://127.0.0.1:9/api"}'
        )

    page.route("**/config.json", broken_config)
    page.goto(site_url(local_shop))
    expect(page.locator("#status")).to_contain_text("could not be loaded")
