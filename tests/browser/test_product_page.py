"""product.html: details, gallery zoom, add to cart (and the API's over-stock refusal), reviews,
related products, share; data with markup renders as text."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import admin_request, catalog, screenshot, shopper_token, site_url


def product_page(shop: LocalShop, name: str) -> str:
    return site_url(shop, f"/product.html?id={catalog(shop)[name]['product_id']}")


def test_the_product_page_shows_the_product(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(product_page(local_shop, "Study Bible"))
    expect(page.locator("#name")).to_have_text("Study Bible")
    expect(page.locator("#price")).to_have_text("$49.99")
    expect(page.locator("#availability")).to_have_text("In stock")
    expect(page.locator("#description")).to_have_text("Study Bible with notes, maps and a concordance.")
    # 40 in stock, but shoppers are told "In stock", not the figure: the picker goes to 99 and the
    # cart caps a larger add at what is there.
    expect(page.locator("#quantity")).to_have_attribute("max", "99")
    expect(page).to_have_title("Study Bible - Shop")
    # Related: the same category, never this product.
    related = page.locator("#related .product-card h2")
    expect(related).to_have_count(4)
    assert "Study Bible" not in related.all_inner_texts()
    assert set(page.locator("#related .category").all_inner_texts()) == {"Books"}
    # Reviews: none yet; votes and the form need a sign-in.
    expect(page.locator("#reviews-status")).to_have_text("No reviews yet.")
    expect(page.locator("#review-form")).to_be_hidden()
    expect(page.locator("#review-signin")).to_be_visible()
    # Zoom: the image opens enlarged in a dialog.
    page.locator("#zoom").click()
    expect(page.locator("#zoom-dialog")).to_be_visible()
    expect(page.locator("#zoom-image")).to_have_attribute("src", re.compile(r"BK-STUDY-BIBLE\.svg$"))
    page.locator("#zoom-close").click()
    expect(page.locator("#zoom-dialog")).to_be_hidden()
    screenshot(page, "product")
    assert console_errors == []


def test_add_two_then_the_cart_shows_two_and_the_api_total(page: Page, local_shop: LocalShop) -> None:
    page.goto(product_page(local_shop, "Learning to Pray"))
    page.locator("#quantity").fill("2")
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_have_text("Added 2 to your cart (2 in cart).")
    expect(page.locator("#cart-count")).to_have_text("2")
    page.goto(site_url(local_shop, "/cart.html"))
    line = page.locator(".cart-item", has_text="Learning to Pray")
    expect(line.locator("input.quantity")).to_have_value("2")
    # 2 x $15.99 = $31.98, under the $50 free-shipping threshold: $5.99 shipping, 8% tax $2.56.
    expect(page.locator("#subtotal")).to_have_text("$31.98")
    expect(page.locator("#shipping")).to_have_text("$5.99")
    expect(page.locator("#tax")).to_have_text("$2.56")
    expect(page.locator("#total")).to_have_text("$40.53")


def test_an_over_stock_add_shows_the_api_message(page: Page, local_shop: LocalShop) -> None:
    page.goto(product_page(local_shop, "Canvas Tote"))  # 3 in stock
    expect(page.locator("#availability")).to_have_text("Only 3 left in stock")
    expect(page.locator("#quantity")).to_have_attribute("max", "3")
    page.locator("#quantity").fill("3")
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_have_text("Added 3 to your cart (3 in cart).")
    page.locator("#quantity").fill("1")
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_have_text(
        "Could not add 1: only 3 available (3 already in your cart)."
    )
    expect(page.locator("#add-status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#cart-count")).to_have_text("3")


def test_a_sold_out_product_cannot_be_added(page: Page, local_shop: LocalShop) -> None:
    page.goto(product_page(local_shop, "Commentary on Romans"))
    expect(page.locator("#availability")).to_have_text("Sold out")
    expect(page.locator("#add")).to_be_disabled()


def test_each_variant_shows_its_own_availability(page: Page, local_shop: LocalShop) -> None:
    product = admin_request(
        local_shop,
        "POST",
        "/products",
        {
            "name": "Availability Tee",
            "category": "Merchandise",  # not Apparel: the shop page counts those
            "price": 2000,
            "sku": "TEE-AVAIL",
            "variants": [
                {"sku": "TEE-AVAIL-S", "size": "S", "stock_quantity": 0},
                {"sku": "TEE-AVAIL-M", "size": "M", "stock_quantity": 2},
                {"sku": "TEE-AVAIL-L", "size": "L", "stock_quantity": 50},
            ],
        },
    )
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    expect(page.locator("#availability")).to_have_text("Sold out")  # S, the first
    expect(page.locator("#add")).to_be_disabled()
    page.locator("#variant").select_option("TEE-AVAIL-M")
    expect(page.locator("#availability")).to_have_text("Only 2 left in stock")
    expect(page.locator("#quantity")).to_have_attribute("max", "2")
    expect(page.locator("#add")).to_be_enabled()
    page.locator("#variant").select_option("TEE-AVAIL-L")
    expect(page.locator("#availability")).to_have_text("In stock")


def test_an_unknown_product_is_reported_in_words(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/product.html?id=no-such-product"))
    expect(page.locator("#status")).to_contain_text("The product could not be loaded: ")
    expect(page.locator("#product")).to_be_hidden()


def test_share_copies_the_link(page: Page, local_shop: LocalShop) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    url = product_page(local_shop, "Grace Hoodie")
    page.goto(url)
    page.locator("#share").click()
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url


def test_markup_in_a_product_and_a_review_renders_as_text(page: Page, local_shop: LocalShop) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    evil = '<script>alert("name")</script><img src=x onerror=alert(1)>'
    product = admin_request(
        local_shop,
        "POST",
        "/products",
        {
            "name": evil,
            "description": '<b onmouseover=alert(2)>bold</b><script>alert("d")</script>',
            "category": "Books",
            "price": 1234,
            "sku": "XSS-TEST",
            "stock_quantity": 5,
        },
    )
    # A signed-in shopper (the token as the sign-in pages will store it) writes a review with markup.
    token = shopper_token(local_shop)
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    expect(page.locator("#name")).to_have_text(evil)
    expect(page.locator("#review-form")).to_be_visible()
    page.locator("#review-rating").select_option("4")
    page.locator("#review-title").fill("<script>alert('title')</script>")
    page.locator("#review-text").fill("<img src=x onerror=alert('review')>")
    page.locator("#review-name").fill("<i>Sam</i>")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#review-form-status")).to_have_text("Thank you for your review.")
    review = page.locator("#reviews .review")
    expect(review).to_have_count(1)
    expect(review.locator(".review-title")).to_have_text("<script>alert('title')</script>")
    expect(review.locator(".review-text")).to_have_text("<img src=x onerror=alert('review')>")
    expect(review.locator(".review-author")).to_have_text("<i>Sam</i>")
    expect(review.locator(".stars")).to_have_attribute("aria-label", "4 out of 5")
    # Signed in, votes are offered; the page markup holds no element built from the data.
    expect(review.get_by_role("button", name="Helpful", exact=True)).to_be_visible()
    review.get_by_role("button", name="Helpful", exact=True).click()
    expect(review.locator("[role=status]")).to_have_text(re.compile(r"Thanks! 1 found this helpful|already"))
    assert page.locator("main script, main img[src=x], main b, main i").count() == 0
    assert dialogs == []


def test_votes_ask_for_a_sign_in_without_a_token(page: Page, local_shop: LocalShop) -> None:
    product = catalog(local_shop)["Volunteer Polo"]
    from cdk_app.local.api_gateway import HttpRequest

    assert local_shop.gateway is not None
    response = local_shop.gateway.handle(
        HttpRequest(
            method="POST",
            path="/reviews",
            headers=(("Authorization", shopper_token(local_shop)), ("Content-Type", "application/json")),
            body=(
                b'{"product_id": "' + str(product["product_id"]).encode() + b'", "rating": 5, '
                b'"title": "Fits well", "review_text": "Good cotton."}'
            ),
        )
    )
    assert response.status == 201, response.body
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    review = page.locator("#reviews .review")
    expect(review).to_have_count(1)
    expect(review.locator(".review-title")).to_have_text(" Fits well")
    expect(review).to_contain_text("Sign in to vote")
    expect(review.get_by_role("button")).to_have_count(0)
