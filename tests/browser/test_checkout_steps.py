"""checkout.html's steps check their own fields before the next one shows (which field, in words, tied to
it, focused), the terms of sale open /terms.html, and a paid order counts as a purchase of each product
only when the shopper agreed to tracking."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import catalog, site_url
from tests.browser.test_checkout_page import add_to_cart, fill_address, fill_card, go_to_review
from tests.browser.test_page_quality import axe_violations

PAID = "Thank you! Your order is paid"


def expect_refused(page: Page, field: str, words: str) -> None:
    """`field` is marked invalid with `words` under it, read out with it, and has the focus."""
    expect(page.locator(f"#error-{field}")).to_have_text(words)
    control = page.locator(f"#{field}")
    expect(control).to_have_attribute("aria-invalid", "true")
    expect(control).to_have_attribute("aria-describedby", f"error-{field}")
    expect(control).to_be_focused()


def test_each_step_refuses_to_move_on_until_its_fields_are_right(page: Page, local_shop: LocalShop) -> None:
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    address_step = page.locator("#step-address")

    # Address: empty, then malformed.
    page.get_by_role("button", name="Continue to shipping").click()
    expect(address_step).to_be_visible()
    expect_refused(page, "email", "Enter your email address.")
    for field, words in {
        "name": "Enter the name to ship to.",
        "line1": "Enter your street address.",
        "city": "Enter your city.",
        "postal_code": "Enter your postal code.",
    }.items():
        expect(page.locator(f"#error-{field}")).to_have_text(words)
    expect(page.locator("#error-line2")).to_have_text("")  # optional
    expect(page.locator("#form-status")).to_contain_text("missing or need correcting")

    fill_address(page, "not-an-email")
    page.locator("#postal_code").fill("1234")
    page.locator("#phone").fill("call me")
    page.get_by_role("button", name="Continue to shipping").click()
    expect(address_step).to_be_visible()
    expect_refused(page, "email", "Enter a valid email address, such as name@example.com.")
    expect(page.locator("#error-postal_code")).to_have_text("Enter a 5-digit ZIP code, such as 12345.")
    expect(page.locator("#error-phone")).to_contain_text("digits, spaces and + ( ) . - only")
    expect(page.locator("#error-name")).to_have_text("")  # a corrected field loses its mark
    expect(page.locator("#name")).not_to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []  # the refused fields and their words, as axe-core judges them

    page.locator("#email").fill("steps@example.com")
    page.locator("#postal_code").fill("12345")
    page.locator("#phone").fill("+1 (555) 010-0100")
    page.get_by_role("button", name="Continue to shipping").click()
    expect(page.locator("#step-shipping")).to_be_visible()
    page.get_by_role("button", name="Continue to payment").click()

    # Payment: the card field must hold a card.
    page.get_by_role("button", name="Review your order").click()
    expect(page.locator("#step-payment")).to_be_visible()
    expect(page.locator("#error-card")).to_have_text("Enter your card details.")
    expect(page.locator("#card-element input").first).to_be_focused()
    fill_card(page)
    page.get_by_role("button", name="Review your order").click()
    expect(page.locator("#step-review")).to_be_visible()

    # Review: the terms of sale open in a new tab, and must be accepted.
    terms = page.get_by_role("link", name="terms of sale (opens in a new tab)")
    expect(terms).to_have_attribute("href", "/terms.html")
    expect(terms).to_have_attribute("target", "_blank")
    expect(terms).to_have_attribute("rel", "noopener")
    page.get_by_role("button", name="Place order").click()
    expect_refused(page, "terms", "Accept the terms of sale to place your order.")

    # Back never checks: the shopper can return to the address with nothing refused.
    page.get_by_role("button", name="Back").last.click()
    page.get_by_role("button", name="Back").click()
    page.get_by_role("button", name="Back").click()
    expect(address_step).to_be_visible()
    expect(page.locator("#step-address [aria-invalid]")).to_have_count(0)


def test_a_paid_order_is_tracked_as_a_purchase_with_consent(page: Page, local_shop: LocalShop) -> None:
    """(Without consent nothing is sent: test_checkout_page's paid checkout checks that.)"""
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("localStorage.setItem('shop.trackingConsent', 'granted')")
    add_to_cart(page, local_shop, "Leather Bookmark")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, "purchase.tracked@example.com")
    go_to_review(page)
    # The run's first payment starts payment_api cold: the purchase follows the paid state within a minute.
    with page.expect_request(lambda request: request.url.endswith("/track/purchase"), timeout=60_000) as sent:
        page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID)
    body = json.loads(sent.value.post_data or "{}")
    assert body["product_id"] == catalog(local_shop)["Leather Bookmark"]["product_id"]
    assert body["session_id"]
    response = sent.value.response()
    assert response is not None
    assert response.ok
