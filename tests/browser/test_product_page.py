"""product.html: details, gallery, size and colour pickers, add to cart (and the API's over-stock
refusal), SEO data, no layout shift, reviews, recommendations, share; data with markup renders as text.
The view the page sends (only with consent) is tested with the consent banner in test_consent.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import (
    admin_request,
    catalog,
    place_order,
    screenshot,
    serve_with_production_csp,
    shopper_token,
    site_url,
)


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """On a busy machine a page's call can start a function cold (seconds): these tests wait up to
    20 s for what the page shows, as the other tests' first cart calls do. Passing tests take no longer."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=None)  # back to Playwright's 5 s for the other modules


def product_page(shop: LocalShop, name: str) -> str:
    return site_url(shop, f"/product.html?id={catalog(shop)[name]['product_id']}")


def shop_name(shop: LocalShop) -> str:
    return str(shop.web_config("")["brand"]["shopName"])


def test_the_product_page_shows_the_product(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(product_page(local_shop, "Study Bible"))
    expect(page.locator("#name")).to_have_text("Study Bible")
    expect(page.locator("#price")).to_have_text("$49.99")
    expect(page.locator("#availability")).to_have_text("In stock")
    expect(page.locator("#description")).to_contain_text("Study Bible with notes, maps and a concordance.")
    # 40 in stock, but shoppers are told "In stock", not the figure: the picker goes to 99 and the
    # cart caps a larger add at what is there.
    expect(page.locator("#quantity")).to_have_attribute("max", "99")
    expect(page).to_have_title(f"Study Bible - {shop_name(local_shop)}")
    # Gallery: a thumbnail per picture; choosing one shows it (and marks it chosen).
    thumbnails = page.locator("#thumbnails button")
    expect(thumbnails).to_have_count(3)
    expect(thumbnails.nth(0)).to_have_attribute("aria-pressed", "true")
    second = thumbnails.nth(1).get_attribute("data-url")
    assert second
    assert second != page.locator("#main-image").get_attribute("src")
    thumbnails.nth(1).click()
    expect(page.locator("#main-image")).to_have_attribute("src", second)
    expect(thumbnails.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(thumbnails.nth(0)).to_have_attribute("aria-pressed", "false")
    # The main image is the page's first, loaded at once; every image has its size (no shift).
    expect(page.locator("#main-image")).to_have_attribute("fetchpriority", "high")
    assert page.locator("#main-image").get_attribute("loading") is None
    # Related: the same category, never this product.
    related = page.locator("#related .product-card h2")
    expect(related).to_have_count(4)
    assert "Study Bible" not in related.all_inner_texts()
    assert set(page.locator("#related .category").all_inner_texts()) == {"Books"}
    unsized = page.evaluate(
        "[...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height'))"
        ".map(i => i.src)"
    )
    assert unsized == []
    # Reviews: none yet; votes and the form need a sign-in.
    expect(page.locator("#reviews-status")).to_have_text("No reviews yet.")
    expect(page.locator("#review-form")).to_be_hidden()
    expect(page.locator("#review-signin")).to_be_visible()
    # Zoom: the image opens enlarged in a dialog.
    page.locator("#zoom").click()
    expect(page.locator("#zoom-dialog")).to_be_visible()
    expect(page.locator("#zoom-image")).to_have_attribute("src", second)
    page.locator("#zoom-close").click()
    expect(page.locator("#zoom-dialog")).to_be_hidden()
    screenshot(page, "product")
    assert console_errors == []


def test_search_engines_get_the_product_data(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    """Title, description, Open Graph, the canonical URL with the id and schema.org Product JSON-LD,
    under the production content security policy (a JSON-LD script is data, not run)."""
    serve_with_production_csp(page, local_shop)
    tee = catalog(local_shop)["Cross T-Shirt"]
    page.goto(site_url(local_shop, f"/product.html?id={tee['product_id']}"))
    expect(page.locator("#name")).to_have_text("Cross T-Shirt")
    expect(page).to_have_title(f"Cross T-Shirt - {shop_name(local_shop)}")
    url = site_url(local_shop, f"/product.html?id={tee['product_id']}")
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", url)
    expect(page.locator('meta[property="og:url"]')).to_have_attribute("content", url)
    expect(page.locator('meta[property="og:type"]')).to_have_attribute("content", "product")
    expect(page.locator('meta[property="og:title"]')).to_have_attribute("content", "Cross T-Shirt")
    expect(page.locator('meta[property="og:image"]')).to_have_attribute("content", str(tee["image_url"]))
    description = page.locator('meta[name="description"]').get_attribute("content") or ""
    assert description.startswith("Soft cotton tee with a simple cross print.")
    assert len(description) <= 155
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["@type"] == "Product"
    assert data["name"] == "Cross T-Shirt"
    assert data["sku"] == "AP-TEE-CROSS"
    assert data["brand"]["name"] == shop_name(local_shop)
    assert data["image"][0] == tee["image_url"]
    assert len(data["image"]) == len(tee["images"])  # type: ignore[arg-type]
    assert data["offers"] == {
        "@type": "Offer",
        "price": f"{int(tee['price']) / 100:.2f}",  # type: ignore[call-overload]
        "priceCurrency": "USD",
        "availability": "https://schema.org/InStock",
        "url": url,
    }
    assert data["aggregateRating"]["reviewCount"] == tee["review_count"]
    assert console_errors == []

    # A sold-out product says so to search engines too, and has no rating without reviews.
    romans = catalog(local_shop)["Commentary on Romans"]
    page.goto(site_url(local_shop, f"/product.html?id={romans['product_id']}"))
    expect(page.locator("#name")).to_have_text("Commentary on Romans")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"
    assert data["offers"]["price"] == "34.99"
    assert "aggregateRating" not in data


def test_nothing_moves_while_the_page_loads(page: Page, local_shop: LocalShop) -> None:
    """Cumulative layout shift at phone width, as Lighthouse measures it: the image box, the summary
    and the footer stay where they were first drawn."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.add_init_script(
        """window.shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.shifts.push(entry.value);
        }).observe({ type: "layout-shift", buffered: true });"""
    )
    page.goto(product_page(local_shop, "Cross T-Shirt"))
    expect(page.locator("#main-image")).to_have_js_property("complete", True)
    expect(page.locator("#reviews .review").first).to_be_visible()
    expect(page.locator("#related .product-card").first).to_be_visible()
    assert sum(page.evaluate("window.shifts")) < 0.01


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
    page.keyboard.press("Escape")  # the cart drawer
    page.locator("#quantity").fill("1")
    page.locator("#add").click()
    # The API's refusal in the words api.js gives it (its wording is the messages module's).
    expect(page.locator("#add-status")).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#add-status")).to_contain_text("3")
    expect(page.locator("#cart-count")).to_have_text("3")


def test_a_sold_out_product_cannot_be_added(page: Page, local_shop: LocalShop) -> None:
    product_id = catalog(local_shop)["Commentary on Romans"]["product_id"]
    page.goto(site_url(local_shop, f"/product.html?id={product_id}"))
    expect(page.locator("#availability")).to_have_text("Sold out")
    expect(page.locator("#add")).to_be_disabled()
    # A guest is offered the alert after a sign-in that comes back here.
    link = page.get_by_role("link", name="Sign in to watch this product")
    expect(link).to_have_attribute("href", f"signin.html?next=product.html%3Fid%3D{product_id}")


def _cart_lines(page: Page) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = page.evaluate(
        "import('/js/api.js').then(m => m.cart.get()).then(c => c.items)"
    )
    return lines


def test_size_and_colour_choose_the_variant_that_is_added(page: Page, local_shop: LocalShop) -> None:
    tee = catalog(local_shop)["Cross T-Shirt"]
    page.goto(site_url(local_shop, f"/product.html?id={tee['product_id']}"))
    colours = page.get_by_role("group", name=re.compile("^Colour"))
    sizes = page.get_by_role("group", name=re.compile("^Size"))
    # The first variant in stock is chosen: Navy, S.
    expect(colours.get_by_role("radio", name="Navy")).to_be_checked()
    expect(sizes.get_by_role("radio", name="S", exact=True)).to_be_checked()
    # A colour shows its picture.
    colours.get_by_role("radio", name="Forest Green").check()
    expect(page.locator("#colour-chosen")).to_have_text("Forest Green")
    expect(page.locator("#main-image")).to_have_attribute(
        "src", re.compile(r"AP-TEE-CROSS-forest-green\.svg$")
    )
    # The price follows the variant (XXL costs more); sizes work from the keyboard.
    sizes.get_by_role("radio", name="XL", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(sizes.get_by_role("radio", name="XXL", exact=True)).to_be_checked()
    expect(page.locator("#price")).to_have_text("$24.00")
    # Navy XXL is sold out: marked so, and not addable.
    colours.get_by_role("radio", name="Navy").check()
    expect(sizes.get_by_role("radio", name="XXL (sold out)")).to_be_checked()
    expect(page.locator("#availability")).to_have_text("Sold out")
    expect(page.locator("#add")).to_be_disabled()
    # Forest Green M goes into the cart as that SKU.
    colours.get_by_role("radio", name="Forest Green").check()
    sizes.get_by_role("radio", name="M", exact=True).check()
    expect(page.locator("#price")).to_have_text("$22.00")
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_have_text("Added 1 to your cart (1 in cart).")
    lines = _cart_lines(page)
    assert [(line["product_id"], line["variant_sku"]) for line in lines] == [
        (tee["product_id"], "AP-TEE-CROSS-FOREST-GREEN-M")
    ]


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
    expect(page.locator("#colour-picker")).to_be_hidden()  # sizes only
    expect(
        page.get_by_role("radio", name="M", exact=True)
    ).to_be_checked()  # S is sold out: the first in stock
    expect(page.locator("#availability")).to_have_text("Only 2 left in stock")
    expect(page.locator("#quantity")).to_have_attribute("max", "2")
    expect(page.locator("#add")).to_be_enabled()
    page.get_by_role("radio", name="S (sold out)").check()
    expect(page.locator("#availability")).to_have_text("Sold out")
    expect(page.locator("#add")).to_be_disabled()
    page.get_by_role("radio", name="L", exact=True).check()
    expect(page.locator("#availability")).to_have_text("In stock")
    expect(page.locator("#add")).to_be_enabled()


def test_an_unknown_product_is_reported_in_words(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/product.html?id=no-such-product"))
    expect(page.locator("#status")).to_contain_text("The product could not be loaded: ")
    expect(page.locator("#status")).to_be_visible()
    expect(page.locator("#product")).to_be_hidden()
    expect(page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")


def test_share_copies_the_link(page: Page, local_shop: LocalShop) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    url = product_page(local_shop, "Grace Hoodie")
    page.goto(url)
    page.locator("#share").click()
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == url


def _profile_name(shop: LocalShop, token: str) -> str:
    from cdk_app.local.api_gateway import HttpRequest

    assert shop.gateway is not None
    response = shop.gateway.handle(HttpRequest(method="GET", path="/me", headers=(("Authorization", token),)))
    assert response.status == 200, response.body
    return str(json.loads(response.body).get("name") or "")


def test_markup_in_a_product_and_a_review_renders_as_text(page: Page, local_shop: LocalShop) -> None:
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
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
    if not _profile_name(local_shop, token):  # as the account page does on a first visit
        page.evaluate(
            "import('/js/api.js').then(m => m.api('/me', {method: 'PUT', body: {name: 'Sam Shopper'}}))"
        )
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    expect(page.locator("#name")).to_have_text(evil)
    expect(page.locator("#review-form")).to_be_visible()
    # "Name shown" starts as the account's display name (the one reviews show).
    shown = _profile_name(local_shop, token)
    assert shown
    expect(page.locator("#review-name")).to_have_value(shown)
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


def test_reviews_show_the_reviewers_names_and_the_average(page: Page, local_shop: LocalShop) -> None:
    tee = catalog(local_shop)["Cross T-Shirt"]
    page.goto(site_url(local_shop, f"/product.html?id={tee['product_id']}"))
    count = int(tee["review_count"])  # type: ignore[call-overload]
    assert count >= 1
    # Near the title: the average and the count, linking down to the reviews.
    expect(page.locator("#rating a")).to_have_attribute("href", "#reviews-section")
    expect(page.locator("#rating")).to_contain_text(f"{float(tee['rating']):.1f} ({count} review")  # type: ignore[arg-type]
    expect(page.locator("#reviews .review")).to_have_count(count)
    authors = page.locator("#reviews .review-author").all_inner_texts()
    assert all(authors), authors
    assert "Shopper" not in authors


def test_a_buyers_review_says_verified_purchase(page: Page, local_shop: LocalShop) -> None:
    product = admin_request(
        local_shop,
        "POST",
        "/products",
        {
            "name": "Verified Candle",
            "category": "Merchandise",
            "price": 900,
            "sku": "CANDLE-V",
            "stock_quantity": 5,
        },
    )
    token = shopper_token(local_shop)
    page.goto(site_url(local_shop, "/index.html"))
    placed = place_order(page, token, product["product_id"])
    admin_request(local_shop, "PUT", f"/orders/{placed['order_id']}/status", {"status": "paid"})
    review = page.evaluate(
        """([token, productId]) => fetch("/api/reviews", {
             method: "POST",
             headers: {"Content-Type": "application/json", Authorization: token},
             body: JSON.stringify({product_id: productId, rating: 5, title: "Lovely", user_name: "Sam S."}),
           }).then((response) => response.json())""",
        [token, product["product_id"]],
    )
    assert review["verified_purchase"] is True, review
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    shown = page.locator("#reviews .review")
    expect(shown.locator(".review-author")).to_have_text("Sam S.")
    expect(shown.locator(".badge.verified")).to_have_text("Verified purchase")


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
