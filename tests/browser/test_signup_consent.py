"""signup.html's marketing opt-in against the local shop: unchecked by default, and only a checked box
gives the new account marketing consent (recorded as coming from the sign-up)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import site_url
from tests.browser.test_account_pages import PASSWORD, api_get, unique_email


def sign_up(page: Page, shop: LocalShop, email: str, *, opt_in: bool) -> str:
    """Sign up and confirm on signup.html; returns the ID token the page signed in with."""
    page.goto(site_url(shop, "/signup.html?next=preferences.html"))
    box = page.get_by_label("Email me offers and recommendations")
    expect(box).not_to_be_checked()
    page.locator("#signup-name").fill("Grace Hopper")
    page.locator("#signup-email").fill(email)
    page.locator("#signup-password").fill(PASSWORD)
    if opt_in:
        box.check()
    page.locator("#signup-form button[type=submit]").click()
    page.locator("#confirm-code").fill("123456")
    page.locator("#confirm-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/preferences\.html$"), timeout=20000)
    token: str = page.evaluate("sessionStorage.getItem('shop.idToken')")
    assert page.evaluate("sessionStorage.getItem('shop.marketingOptIn')") is None
    return token


@pytest.mark.parametrize("opt_in", [True, False], ids=["checked", "unchecked"])
def test_the_signup_box_decides_marketing_consent(page: Page, local_shop: LocalShop, opt_in: bool) -> None:
    email = unique_email("optin" if opt_in else "optout")

    token = sign_up(page, local_shop, email, opt_in=opt_in)

    preferences = api_get(local_shop, "/me/preferences", token)
    assert preferences["marketing_emails"] is opt_in
    assert preferences["product_recommendations"] is opt_in
    assert preferences["abandoned_cart_emails"] is opt_in
    assert preferences["unsubscribed"] is False
    stored = api_get(local_shop, "/me/export", token)["preferences"]
    if opt_in:
        assert stored["marketing_consent_source"] == "signup"
        assert stored["marketing_consent_at"]
    else:
        assert "marketing_consent_at" not in stored
