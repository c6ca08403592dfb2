"""The pages with signed guest cart ids and order tokens out of URLs: a guest's order opens from the
fragment of its link with the token sent as the X-Order-Token header, an old `?token=` link still opens
and loses its token from the address bar, and a cart id kept from before ids were signed is replaced."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, Request, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import site_url
from tests.browser.test_cart_page import add_from_product_page
from tests.browser.test_orders_page import place_guest_order, sticker_pack

SIGNED_CART_ID = re.compile(r"[A-Za-z0-9_-]{22,64}\.[A-Za-z0-9_-]{43}")


def _order_reads(page: Page) -> list[Request]:
    reads: list[Request] = []
    page.on("request", lambda request: reads.append(request) if "/api/guest/orders/" in request.url else None)
    return reads


def test_a_guest_order_opens_from_the_fragment_with_the_header(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/index.html"))
    placed = place_guest_order(page, sticker_pack(local_shop), f"fragment-{uuid.uuid4().hex[:8]}@example.com")
    reads = _order_reads(page)

    page.goto(site_url(local_shop, f"/orders.html?id={placed['order_id']}#token={placed['access_token']}"))

    expect(page.locator(".order-row", has_text=placed["order_number"])).to_be_visible()
    assert reads
    for read in reads:
        assert "token=" not in read.url
        assert read.headers["x-order-token"] == placed["access_token"]


def test_an_old_query_token_link_still_opens_and_leaves_the_address_bar(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(site_url(local_shop, "/index.html"))
    placed = place_guest_order(page, sticker_pack(local_shop), f"old-link-{uuid.uuid4().hex[:8]}@example.com")
    reads = _order_reads(page)

    page.goto(site_url(local_shop, f"/orders.html?id={placed['order_id']}&token={placed['access_token']}"))

    expect(page.locator(".order-row", has_text=placed["order_number"])).to_be_visible()
    assert page.url.endswith(f"/orders.html?id={placed['order_id']}#token={placed['access_token']}")
    assert all("token=" not in read.url for read in reads)
    assert console_errors == []


def test_a_cart_id_from_before_signing_is_replaced_on_the_next_add(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("localStorage.setItem('shop.cartId', 'cart_' + '0123456789abcdef'.repeat(2))")

    add_from_product_page(page, local_shop, "Sticker Pack")

    cart_id = page.evaluate("localStorage.getItem('shop.cartId')")
    assert SIGNED_CART_ID.fullmatch(cart_id)
    page.goto(site_url(local_shop, "/cart.html"))
    expect(page.locator(".cart-item", has_text="Sticker Pack")).to_have_count(1)
