"""A marketing email's click-through lands with `mc`: the page keeps it, takes it out of the address
bar, and the order placed at checkout carries it as `campaign_message_id` (docs/marketing.md)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import catalog, site_url
from tests.browser.test_checkout_page import fill_address, go_to_review, orders_of

CAMPAIGN = "mq_" + "0123456789abcdef" * 2


def test_a_click_through_is_remembered_and_sent_with_the_order(page: Page, local_shop: LocalShop) -> None:
    product_id = catalog(local_shop)["Sticker Pack"]["product_id"]
    page.goto(site_url(local_shop, f"/product.html?id={product_id}&mc={CAMPAIGN}"))
    page.wait_for_function("!location.search.includes('mc=')")
    assert page.evaluate("new URLSearchParams(location.search).get('id')") == product_id
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_contain_text("Added 1 to your cart")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, "campaign.click@example.com")
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation")).to_be_visible(timeout=20_000)

    [order] = orders_of(local_shop, "campaign.click@example.com")
    assert order["campaign_message_id"] == {"S": CAMPAIGN}


def test_a_malformed_campaign_id_is_dropped(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/index.html?mc=not-a-campaign"))
    page.wait_for_function("!location.search.includes('mc=')")
    assert page.evaluate("localStorage.getItem('shop.campaign')") is None
