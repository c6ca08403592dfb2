"""An unknown path answers 404 with the designed page, whose header, search and links work from any depth."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import site_url


def test_an_unknown_path_gets_the_designed_404_page_whose_links_work(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    response = page.goto(site_url(local_shop, "/no/such/page"))
    assert response is not None
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("We could not find that page")
    expect(page.locator("link[href='/css/shop.css']")).to_have_count(1)
    # Styled: the stylesheet is found from three folders deep.
    header_border = "getComputedStyle(document.querySelector('.site-header')).borderBottomStyle"
    assert page.evaluate(header_border) == "solid"

    # The header's links are absolute, so they work three folders deep.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_have_attribute("href", re.compile(r"^/signin\.html"))
    nav.get_by_role("link", name="Shop all").click()
    expect(page).to_have_url(site_url(local_shop, "/shop.html"))
    expect(page.locator("#products .product-card")).to_have_count(12)

    # Its search box searches the shop.
    page.goto(site_url(local_shop, "/a/b/c"))
    page.get_by_role("main").get_by_label("Search products").fill("mug")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/shop\.html\?q=mug$"))
    expect(page.locator("#products .product-card h2").first).to_contain_text("Mug")
    # The only failures are the two 404 documents themselves.
    assert [error for error in console_errors if "404" not in error] == []
