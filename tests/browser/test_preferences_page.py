"""preferences.html: email toggles that persist, the one-click unsubscribe link of marketing emails,
export of the shopper's data as a JSON download, and account deletion behind a typed word and a final
confirm. Every test runs under the production Content-Security-Policy, with a shopper created for it
(the seeded shopper and admin are left as they are)."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cdk_app.config import load_stage_config
from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import LOCAL_PASSWORD
from cdk_app.synth import cdk_context
from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.contracts.environment import BRAND_SETTINGS
from shop.email.rendering import render
from shop.platform.process_state import reset_process_state
from tests.browser.conftest import call_api, id_token, screenshot, serve_with_production_csp, site_url

PAGE = "/preferences.html"
# Chromium logs every 4xx/5xx fetch as a console error; tests that provoke one on purpose allow only those.
HTTP_ERROR_LOG = re.compile(r"^Failed to load resource: the server responded with a status of \d{3}")


@pytest.fixture(autouse=True)
def production_csp(page: Page) -> None:
    """The local server sends no CSP and CloudFront does: inline script or style would be refused."""
    serve_with_production_csp(page)


def pool_ids(shop: LocalShop) -> tuple[str, str]:
    """The local user pool's id and its web client's id, as conftest and seed.py find them."""
    assert shop.model is not None
    pool = shop.model.user_pools[0]
    values = shop.model.resources.values
    return values[pool.address].ref, values[pool.clients[0].address].ref


def cognito(shop: LocalShop) -> Any:
    assert shop.aws is not None
    return shop.aws.client("cognito-idp")


@pytest.fixture
def shopper(local_shop: LocalShop) -> Iterator[tuple[str, str]]:
    """A new Cognito user (email, ID token) signed up and confirmed as the web site would, minus the email."""
    email = f"prefs-{uuid.uuid4().hex[:10]}@example.com"
    pool_id, client_id = pool_ids(local_shop)
    client = cognito(local_shop)
    client.sign_up(
        ClientId=client_id,
        Username=email,
        Password=LOCAL_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Pat Prefs"}],
    )
    client.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    yield email, id_token(local_shop, email, LOCAL_PASSWORD)
    # The deletion test has already removed its user.
    with contextlib.suppress(client.exceptions.UserNotFoundException):
        client.admin_delete_user(UserPoolId=pool_id, Username=email)


def open_signed_in(page: Page, shop: LocalShop, token: str) -> None:
    page.goto(site_url(shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    page.goto(site_url(shop, PAGE))
    expect(page.locator("#account")).to_be_visible()


def user_exists(shop: LocalShop, email: str) -> bool:
    client = cognito(shop)
    try:
        client.admin_get_user(UserPoolId=pool_ids(shop)[0], Username=email)
    except client.exceptions.UserNotFoundException:
        return False
    return True


def unsubscribe_path(token: str) -> str:
    """The unsubscribe link exactly as a marketing email carries it, re-rooted on the local site."""
    brand = load_stage_config(cdk_context("local"), "local").brand
    with pytest.MonkeyPatch.context() as environment:
        # Rendered here as email_sender would, with the stage's brand it is given (BRAND_SETTINGS).
        environment.setenv(BRAND_SETTINGS, json.dumps(brand))
        reset_process_state()
        email = render(
            EmailRequest(
                template=EmailTemplate.NEWSLETTER,
                to="reader@example.com",
                category=EmailCategory.MARKETING,
                dedupe_key=f"test:{uuid.uuid4()}",
                data={"unsubscribe_token": token},
            )
        )
    reset_process_state()
    found = re.search(r"^Unsubscribe: (\S+)$", email.text, re.MULTILINE)
    assert found, email.text
    # The link's origin is the stage's WEB_ORIGIN; its path and query are what the page must handle.
    link = urlsplit(found.group(1))
    return f"/{link.path.rsplit('/', 1)[-1]}?{link.query}"


def test_toggles_start_opted_out_and_persist(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str], console_errors: list[str]
) -> None:
    email, token = shopper
    open_signed_in(page, local_shop, token)
    toggles = page.locator("#toggles input[type=checkbox]")
    # One toggle per flag the API returns, all off: new accounts are opted out.
    _, initial = call_api(local_shop, "GET", "/me/preferences", token)
    flags = sorted(name for name, value in initial.items() if isinstance(value, bool))
    assert sorted(toggles.evaluate_all("inputs => inputs.map(input => input.name)")) == flags
    assert toggles.evaluate_all("inputs => inputs.filter(input => input.checked).length") == 0
    expect(page.locator("#email-address")).to_contain_text(email)

    page.get_by_label("Newsletter").check()
    page.get_by_label("Price drops").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#save-status")).to_have_text("Saved")

    status, stored = call_api(local_shop, "GET", "/me/preferences", token)
    assert status == 200
    assert {name for name in flags if stored[name]} == {"newsletter", "price_drop_alerts"}

    page.reload()
    expect(page.get_by_label("Newsletter")).to_be_checked()
    expect(page.get_by_label("Price drops")).to_be_checked()
    expect(page.get_by_label("Offers and promotions")).not_to_be_checked()
    screenshot(page, "preferences-signed-in")

    # "No marketing email at all" clears the other toggles on the page, as the API does on save.
    page.get_by_label("No marketing email at all").check()
    expect(page.get_by_label("Newsletter")).not_to_be_checked()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    _, stored = call_api(local_shop, "GET", "/me/preferences", token)
    assert (stored["unsubscribed"], stored["newsletter"]) == (True, False)
    assert console_errors == []


def test_a_failed_save_is_explained(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str], console_errors: list[str]
) -> None:
    _, token = shopper
    open_signed_in(page, local_shop, token)
    # A token the authorizer refuses (as after expiry): API Gateway answers 401 before the handler.
    page.evaluate("() => sessionStorage.setItem('shop.idToken', 'not-a-token')")
    page.get_by_label("Newsletter").check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("#save-status")).to_have_text(
        "Your preferences were not saved: Your sign-in has expired. Sign in again to continue."
    )
    _, stored = call_api(local_shop, "GET", "/me/preferences", token)
    assert stored["newsletter"] is False
    assert [error for error in console_errors if not HTTP_ERROR_LOG.match(error)] == []


def test_the_email_unsubscribe_link_works_signed_out(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str], console_errors: list[str]
) -> None:
    _, token = shopper
    status, _ = call_api(local_shop, "PUT", "/me/preferences", token, {"newsletter": True})
    assert status == 200
    # The token the emails carry is stored with the preferences; the shopper's export holds it.
    _, export = call_api(local_shop, "GET", "/me/export", token)
    link = unsubscribe_path(export["preferences"]["unsubscribe_token"])
    assert link.startswith("/preferences.html?unsubscribe=")

    page.goto(site_url(local_shop, link))
    expect(page.locator("#unsubscribe-title")).to_have_text("You are unsubscribed")
    expect(page.locator("#unsubscribe-text")).to_have_text(
        "You will receive no more marketing email from the shop."
    )
    expect(page.locator("#account")).to_be_hidden()
    # The token leaves the address bar once used.
    assert "unsubscribe=" not in page.url
    _, stored = call_api(local_shop, "GET", "/me/preferences", token)
    assert (stored["unsubscribed"], stored["newsletter"]) == (True, False)
    screenshot(page, "preferences-unsubscribed")
    assert console_errors == []


def test_a_forged_unsubscribe_link_is_refused_in_words(page: Page, local_shop: LocalShop) -> None:
    # Well-formed (43 URL-safe characters), so it reaches the index lookup and is 404 there.
    page.goto(site_url(local_shop, f"{PAGE}?unsubscribe={secrets.token_urlsafe(32)}"))
    expect(page.locator("#unsubscribe-title")).to_have_text("This unsubscribe link did not work")
    expect(page.locator("#unsubscribe-text")).to_have_text(
        "You were not unsubscribed: the shop does not know this link."
    )
    expect(page.locator("#signed-out").get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "signin.html?next=preferences.html"
    )
    screenshot(page, "preferences-unsubscribe-forged")


def test_export_downloads_the_shoppers_data_as_json(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str], console_errors: list[str], tmp_path: Path
) -> None:
    email, token = shopper
    status, _ = call_api(local_shop, "PUT", "/me", token, {"name": "Pat Export"})
    assert status == 200
    open_signed_in(page, local_shop, token)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename == f"shop-data-{datetime.now(UTC).date().isoformat()}.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["email"] == email
    assert (data["profile"]["email"], data["profile"]["name"]) == (email, "Pat Export")
    expect(page.locator("#export-status")).to_have_text("Your data was downloaded.")
    assert console_errors == []


def test_a_wrong_word_or_a_failed_call_deletes_nothing(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str]
) -> None:
    email, token = shopper
    open_signed_in(page, local_shop, token)
    deletions: list[str] = []
    page.on("request", lambda request: deletions.append(request.url) if request.method == "DELETE" else None)

    page.get_by_label("Type DELETE to confirm").fill("delete")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-status")).to_have_text(
        "Type DELETE in capitals to confirm. Nothing was deleted."
    )
    expect(page.locator("#confirm-delete")).to_be_hidden()
    assert deletions == []

    # The right word, then "Keep my account" at the final confirm.
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("button", name="Keep my account").click()
    expect(page.locator("#delete-status")).to_have_text("Nothing was deleted.")
    assert deletions == []

    # The API failing: the page says so and keeps the session.
    page.route(
        "**/api/me",
        lambda route: route.fulfill(
            status=503, content_type="application/json", body='{"message": "Service Unavailable"}'
        ),
    )
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("button", name="Yes, delete my account").click()
    expect(page.locator("#delete-status")).to_have_text(
        "Your account was not deleted: The shop is very busy right now. Please try again in a moment."
    )
    assert page.evaluate("() => sessionStorage.getItem('shop.idToken')") == token
    assert user_exists(local_shop, email)
    assert call_api(local_shop, "GET", "/me/preferences", token)[0] == 200


def test_deleting_the_account_removes_the_cognito_user_and_says_goodbye(
    page: Page, local_shop: LocalShop, shopper: tuple[str, str], console_errors: list[str]
) -> None:
    email, token = shopper
    open_signed_in(page, local_shop, token)
    expect(page.locator(".danger-zone")).to_contain_text("your orders stay for the shop's accounts")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#confirm-delete")).to_be_visible()
    screenshot(page, "preferences-delete-confirm")
    page.get_by_role("button", name="Yes, delete my account").click()

    expect(page.locator("#goodbye-title")).to_have_text("Your account has been deleted")
    expect(page.get_by_role("link", name="Back to the home page")).to_have_attribute("href", "index.html")
    expect(page.locator("#account")).to_be_hidden()
    assert page.evaluate("() => sessionStorage.getItem('shop.idToken')") is None
    assert not user_exists(local_shop, email)
    screenshot(page, "preferences-goodbye")
    assert console_errors == []


def test_signed_out_visitors_get_a_sign_in_link(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    page.goto(site_url(local_shop, PAGE))
    expect(page.locator("#signed-out").get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "signin.html?next=preferences.html"
    )
    expect(page.locator("#account")).to_be_hidden()
    expect(page.locator("#unsubscribe-result")).to_be_hidden()
    screenshot(page, "preferences-signed-out")
    assert console_errors == []
