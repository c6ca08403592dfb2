"""Two-step sign-in in the pages (issue #19 item 3): the admin's sign-in asks for the authenticator
code, a wrong code is refused, the right one opens the admin page; an admin without an authenticator
app is told how to turn it on, does so on account.html, and then the admin page opens."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD
from cdk_app.local.totp import fresh_totp_code
from tests.browser.conftest import admin_totp, screenshot, site_url


def _admin_key(shop: LocalShop) -> str:
    return next(value for name, value in shop.api_keys.items() if name.endswith("-admin"))


def _password_step(page: Page, shop: LocalShop, email: str, next_page: str) -> None:
    page.goto(site_url(shop, f"/signin.html?next={next_page}"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(LOCAL_PASSWORD)
    page.locator("#signin-form button[type=submit]").click()


def _enter_admin_key(page: Page, shop: LocalShop) -> None:
    expect(page.locator("#key-form")).to_be_visible()
    page.locator("#api-key").fill(_admin_key(shop))
    page.locator("#key-form button[type=submit]").click()
    expect(page.locator("#admin")).to_be_visible()


def test_admin_sign_in_asks_for_the_code_refuses_a_wrong_one_and_opens_the_admin_page(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    secret = admin_totp(local_shop)
    _password_step(page, local_shop, ADMIN_EMAIL, "admin-shop.html")

    expect(page.locator("#step-code")).to_be_visible()
    expect(page.locator("#code-title")).to_have_text("Enter your sign-in code")
    assert page.evaluate("sessionStorage.getItem('shop.idToken')") is None  # no tokens for the password alone
    screenshot(page, "signin-code")

    wrong = str((int(fresh_totp_code(secret)) + 1) % 1_000_000).zfill(6)
    page.locator("#signin-code").fill(wrong)
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator("#code-status")).to_have_text(re.compile("That code is not right"))
    expect(page.locator("#step-code")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/signin\.html"))

    page.locator("#signin-code").fill(fresh_totp_code(secret))
    page.locator("#code-form button[type=submit]").click()
    expect(page).to_have_url(site_url(local_shop, "/admin-shop.html"))
    _enter_admin_key(page, local_shop)
    # The console may hold the refused code's 400 from Cognito; nothing else.
    assert [error for error in console_errors if "400" not in error] == []


def test_an_admin_without_an_authenticator_app_is_told_how_and_can_turn_it_on(
    page: Page, local_shop: LocalShop
) -> None:
    assert local_shop.aws is not None
    pool_id = str(local_shop.web_config("")["userPoolId"])
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    cognito = local_shop.aws.client("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=LOCAL_PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="admin")

    # No authenticator app yet: the password alone signs in, and the admin page explains what is missing.
    _password_step(page, local_shop, email, "admin-shop.html")
    expect(page).to_have_url(site_url(local_shop, "/admin-shop.html"))
    expect(page.locator("#status")).to_have_text(re.compile("need two-step sign-in"))
    expect(page.locator("#admin")).to_be_hidden()
    screenshot(page, "admin-needs-two-step")
    page.locator("#set-up-two-step").click()

    expect(page).to_have_url(re.compile(r"/account\.html"))
    expect(page.locator("#account")).to_be_visible(timeout=30_000)  # account_api may start cold
    expect(page.locator("#two-step-admin-note")).to_be_visible()
    expect(page.locator("#two-step-state")).to_have_text(re.compile("^Off"))
    page.locator("#two-step-start").click()
    expect(page.locator("#two-step-form")).to_be_visible()
    secret = page.locator("#two-step-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]+", secret), secret
    uri = page.locator("#two-step-uri").inner_text()
    assert uri.startswith("otpauth://totp/Shop%3A")
    assert f"secret={secret}" in uri
    screenshot(page, "account-two-step-setup")

    page.locator("#two-step-code").fill("000000" if fresh_totp_code(secret) != "000000" else "111111")
    page.locator("#two-step-form button[type=submit]").click()
    expect(page.locator("#two-step-status")).to_have_text(re.compile("That code is not right"))

    page.locator("#two-step-code").fill(fresh_totp_code(secret))
    page.locator("#two-step-form button[type=submit]").click()
    expect(page.locator("#two-step-state")).to_have_text(re.compile("^On"))
    expect(page.locator("#two-step-admin-ready a")).to_have_attribute("href", "admin-shop.html")
    assert (
        "SOFTWARE_TOKEN_MFA"
        in cognito.admin_get_user(UserPoolId=pool_id, Username=email)["UserMFASettingList"]
    )

    page.locator("#two-step-admin-ready a").click()
    _enter_admin_key(page, local_shop)
