"""signin.html, signup.html, account.html and the header's account menu, against the local shop: the
pages talk to Cognito (moto's server, which takes any confirmation code) and to the API."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import Page, Route, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SHOPPER_EMAIL
from tests.browser.conftest import (
    admin_totp,
    catalog,
    screenshot,
    serve_with_production_csp,
    sign_in_with_code,
    site_url,
)

PASSWORD = "Shop-Test-Pass-1"
NEW_PASSWORD = "Shop-Test-Pass-2!"
TOKEN_KEYS = {"shop.idToken", "shop.accessToken", "shop.refreshToken", "shop.expiresAt"}


def unique_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def pool_ids(shop: LocalShop) -> tuple[str, str]:
    config = shop.web_config("")
    return config["userPoolId"], config["userPoolClientId"]


def cognito(shop: LocalShop) -> Any:
    assert shop.aws is not None
    return shop.aws.client("cognito-idp")


def create_shopper(shop: LocalShop, email: str, password: str = PASSWORD, *, confirmed: bool = True) -> None:
    """A shopper signed up through Cognito's API (and confirmed, as the emailed code would)."""
    pool_id, client_id = pool_ids(shop)
    cognito(shop).sign_up(ClientId=client_id, Username=email, Password=password)
    if confirmed:
        cognito(shop).admin_confirm_sign_up(UserPoolId=pool_id, Username=email)


def password_works(shop: LocalShop, email: str, password: str) -> bool:
    _, client_id = pool_ids(shop)
    try:
        cognito(shop).initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except cognito(shop).exceptions.NotAuthorizedException:
        return False
    return True


def session_keys(page: Page) -> set[str]:
    keys: list[str] = page.evaluate("Object.keys(sessionStorage)")
    return {key for key in keys if key.startswith("shop.")}


def sign_in(page: Page, shop: LocalShop, email: str, password: str = PASSWORD, next_page: str = "") -> None:
    page.goto(site_url(shop, f"/signin.html{'?next=' + next_page if next_page else ''}"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(password)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(site_url(shop, f"/{next_page or 'index.html'}"))
    expect(page.locator("#account-button")).to_have_text(email)


def open_account_menu(page: Page) -> None:
    page.locator("#account-button").click()
    expect(page.locator("#account-menu")).to_be_visible()


def cognito_url(shop: LocalShop) -> str:
    """What the pages POST to: config.json's cognitoEndpoint (moto's server)."""
    return str(shop.web_config("")["cognitoEndpoint"]).rstrip("/") + "/"


def api_get(shop: LocalShop, path: str, token: str) -> dict[str, Any]:
    with urlopen(Request(site_url(shop, f"/api{path}"), headers={"Authorization": token})) as response:
        body: dict[str, Any] = json.loads(response.read())
    return body


def only_refused_requests(errors: list[str]) -> bool:
    """Chromium logs every 4xx answer as a console error; nothing else may appear."""
    return all("status of 400" in error for error in errors)


# -- sign-up, confirmation, sign-in ------------------------------------------------------------------------


def test_sign_up_confirm_and_the_account_menu(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("new")
    page.goto(site_url(local_shop, "/signup.html?next=account.html"))
    expect(page.locator("#step-confirm")).to_be_hidden()
    screenshot(page, "signup")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#signup-name").fill("Ada Lovelace")
    page.locator("#signup-email").fill(email)
    page.locator("#signup-password").fill(PASSWORD)
    page.locator("#signup-form button[type=submit]").click()

    expect(page.locator("#step-confirm")).to_be_visible()
    expect(page.locator("#confirm-sent")).to_contain_text(email)
    expect(page.locator("#confirm-email")).to_have_value(email)
    expect(page.locator("#step-confirm .local-hint")).to_be_visible()  # the local stage sends no email
    screenshot(page, "signup-confirm")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#confirm-code").fill("123456")
    page.locator("#confirm-form button[type=submit]").click()

    # Confirmed and signed in with the password this page still held, then on to `next`.
    expect(page).to_have_url(re.compile(r"/account\.html$"))
    expect(page.locator("#account-button")).to_have_text(email)
    expect(page.locator("#profile-name")).to_have_value("Ada Lovelace")  # from GET /me
    expect(page.locator("#profile-email")).to_have_text(email)
    assert session_keys(page) >= TOKEN_KEYS
    assert (
        api_get(local_shop, "/me", page.evaluate("sessionStorage.getItem('shop.idToken')"))["name"]
        == "Ada Lovelace"
    )

    open_account_menu(page)
    menu = page.locator("#account-menu")
    expect(menu.get_by_role("link")).to_have_text(["Account", "Orders", "Preferences"])
    expect(menu.get_by_role("link", name="Account")).to_have_attribute("href", "/account.html")
    expect(menu.get_by_role("link", name="Orders")).to_have_attribute("href", "/orders.html")
    expect(menu.get_by_role("link", name="Preferences")).to_have_attribute("href", "/preferences.html")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot(page, "account-menu")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(page.locator("#account-button")).to_be_focused()
    assert console_errors == []


def test_an_unconfirmed_shopper_is_sent_to_confirm_with_the_email(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("unconfirmed")
    create_shopper(local_shop, email, confirmed=False)
    page.goto(site_url(local_shop, "/signin.html?next=orders.html"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/signup\.html\?step=confirm&next=orders\.html$"))
    expect(page.locator("#step-confirm")).to_be_visible()
    expect(page.locator("#confirm-email")).to_have_value(email)
    assert "shop.idToken" not in session_keys(page)
    page.locator("#confirm-code").fill("000000")
    page.locator("#confirm-form button[type=submit]").click()

    # This page never had the password: confirmed, then signed in by hand, still headed for `next`.
    expect(page).to_have_url(re.compile(r"/signin\.html\?confirmed=1&next=orders\.html$"))
    expect(page.locator("#signin-status")).to_have_text("Your email is confirmed. Sign in to continue.")
    expect(page.locator("#signin-email")).to_have_value(email)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/orders\.html$"))
    expect(page.locator("#account-button")).to_have_text(email)


def test_a_new_confirmation_code_can_be_asked_for(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("resend")
    create_shopper(local_shop, email, confirmed=False)
    sent: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda request: (
            sent.append(json.loads(request.post_data or "{}"))
            if request.headers.get("x-amz-target", "").endswith(".ResendConfirmationCode")
            else None
        ),
    )
    page.goto(site_url(local_shop, "/signup.html?step=confirm"))
    expect(page.locator("#step-confirm")).to_be_visible()
    page.get_by_role("button", name="Send a new code").click()
    expect(page.locator("#resend-status")).to_have_text("Enter your email above first.")
    page.locator("#confirm-email").fill(email)
    page.get_by_role("button", name="Send a new code").click()
    expect(page.locator("#resend-status")).to_have_text(f"We have emailed a new code to {email}.")
    assert sent == [{"ClientId": pool_ids(local_shop)[1], "Username": email}]


def test_signing_up_twice_with_one_email_says_so(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("twice")
    create_shopper(local_shop, email)
    page.goto(site_url(local_shop, "/signup.html"))
    page.locator("#signup-name").fill("Someone")
    page.locator("#signup-email").fill(email)
    page.locator("#signup-password").fill(PASSWORD)
    page.locator("#signup-form button[type=submit]").click()
    # Next to the field it is about, as every refusal of the address is (signup.js showEmailProblem).
    expect(page.locator("#error-signup-email")).to_have_text(
        "An account with this email already exists. Sign in, or reset your password."
    )
    expect(page.locator("#signup-email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#step-confirm")).to_be_hidden()


def test_the_password_rules_shown_are_the_user_pools(page: Page, local_shop: LocalShop) -> None:
    """The pool the local shop made from the template (constructs_lib/shop_user_pool.py) vs the page."""
    pool_id, _ = pool_ids(local_shop)
    policy = cognito(local_shop).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"][
        "PasswordPolicy"
    ]
    page.goto(site_url(local_shop, "/signup.html"))
    expect(page.locator("#signup-password")).to_have_attribute("minlength", str(policy["MinimumLength"]))
    rules = page.locator("#password-rules").inner_text()
    assert f"at least {policy['MinimumLength']} characters" in rules
    assert ("uppercase" in rules) == policy["RequireUppercase"]
    assert ("lowercase" in rules) == policy["RequireLowercase"]
    assert ("digit" in rules) == policy["RequireNumbers"]
    assert ("symbol" in rules) == policy["RequireSymbols"]
    # ... and the rules the pages check before asking Cognito (cognito.js PASSWORD_POLICY).
    checked = page.evaluate("async () => (await import('./js/cognito.js')).PASSWORD_POLICY")
    assert checked == {
        "minLength": policy["MinimumLength"],
        "uppercase": policy["RequireUppercase"],
        "lowercase": policy["RequireLowercase"],
        "digit": policy["RequireNumbers"],
        "symbol": policy["RequireSymbols"],
    }


def test_a_wrong_password_says_so_and_keeps_no_token(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("wrong")
    create_shopper(local_shop, email)
    page.goto(site_url(local_shop, "/signin.html"))
    screenshot(page, "signin")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill("Not-The-Password-9")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-status")).to_have_text("Wrong email or password.")
    expect(page.locator("#signin-status")).to_have_attribute("role", "alert")
    expect(page.locator("#signin-password")).to_have_value("")
    expect(page.locator("#signin-form button[type=submit]")).to_be_enabled()
    assert session_keys(page) == set()
    expect(page.locator("#sign-in-link")).to_be_visible()

    # An email without an account gets the same words (nothing tells which emails have accounts).
    page.locator("#signin-email").fill(unique_email("nobody"))
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-status")).to_have_text("Wrong email or password.")
    assert session_keys(page) == set()
    assert only_refused_requests(console_errors), console_errors


def test_the_buttons_are_disabled_while_cognito_answers(page: Page, local_shop: LocalShop) -> None:
    held: list[Route] = []
    page.route(cognito_url(local_shop), lambda route: held.append(route))
    page.goto(site_url(local_shop, "/signin.html"))
    page.locator("#signin-email").fill(unique_email("slow"))
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-form button[type=submit]")).to_be_disabled()
    expect(page.locator("#signin-form")).to_have_attribute("aria-busy", "true")
    for _ in range(50):  # the route handler runs when the request leaves
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    held[0].fulfill(
        status=400,
        headers={"Access-Control-Allow-Origin": "*", "Content-Type": "application/json"},
        body=json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
    )
    expect(page.locator("#signin-status")).to_have_text(
        "Too many requests right now. Please wait a moment and try again."
    )
    expect(page.locator("#signin-form button[type=submit]")).to_be_enabled()


# -- the guest cart and `next` -----------------------------------------------------------------------------


def test_the_guest_cart_moves_into_the_account_on_sign_in(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("cart")
    create_shopper(local_shop, email)
    product = catalog(local_shop)["Knit Beanie"]
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))
    page.locator("#add").click()
    expect(page.locator("#add-status")).to_contain_text("Added 1 to your cart")
    expect(page.locator("#cart-count")).to_have_text("1")
    page.get_by_role("dialog").get_by_role("button", name="Close").click()  # the cart drawer

    # The header's "Sign in" comes back to this page.
    page.locator("#sign-in-link").click()
    expect(page).to_have_url(re.compile(r"/signin\.html\?next=product\.html%3Fid%3D"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/product\.html\?id={re.escape(str(product['product_id']))}$"))
    expect(page.locator("#account-button")).to_have_text(email)
    expect(page.locator("#cart-count")).to_have_text("1")  # now the account's cart

    assert page.evaluate("localStorage.getItem('shop.cartId')") is None
    cart = api_get(local_shop, "/cart", page.evaluate("sessionStorage.getItem('shop.idToken')"))
    assert [(item["product_id"], item["quantity"]) for item in cart["items"]] == [(product["product_id"], 1)]


@pytest.mark.parametrize(
    "next_page",
    ["https://example.com", "//example.com/x.html", "javascript:alert(1)", "/index.html", "signin.html"],
)
def test_next_must_be_a_page_of_this_site(page: Page, local_shop: LocalShop, next_page: str) -> None:
    from urllib.parse import quote

    page.goto(site_url(local_shop, f"/signin.html?next={quote(next_page, safe='')}"))
    page.locator("#signin-email").fill(SHOPPER_EMAIL)
    page.locator("#signin-password").fill(LOCAL_PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(site_url(local_shop, "/index.html"))
    expect(page.locator("#account-button")).to_have_text(SHOPPER_EMAIL)


def test_safe_next_keeps_only_relative_pages(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/signin.html"))
    checked = page.evaluate(
        """async (values) => {
            const { safeNext } = await import('./js/session.js');
            return values.map((value) => safeNext(value));
        }""",
        [
            "orders.html",
            "product.html?id=p_1#reviews",
            "https://evil.example/",
            "//evil.example",
            "/\\\\evil.example",
            "javascript:alert(1)",
            "data:text/html,x",
            "../x.html",
            "",
            None,
        ],
    )
    assert checked == ["orders.html", "product.html?id=p_1#reviews"] + ["index.html"] * 8


# -- forgotten password ------------------------------------------------------------------------------------


def test_forgot_password_reset_then_sign_in_with_the_new_one(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("forgot")
    create_shopper(local_shop, email)
    page.goto(site_url(local_shop, "/signin.html"))
    page.locator("#signin-email").fill(email)
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.locator("#step-forgot")).to_be_visible()
    expect(page.locator("#forgot-email")).to_have_value(email)
    page.locator("#forgot-form button[type=submit]").click()

    expect(page.locator("#step-reset")).to_be_visible()
    expect(page.locator("#reset-sent")).to_have_text(
        f"If an account uses {email}, we have emailed it a code."
    )
    expect(page.locator("#step-reset .local-hint")).to_be_visible()
    screenshot(page, "signin-reset")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#reset-code").fill("123456")
    page.locator("#reset-password").fill(NEW_PASSWORD)
    page.locator("#reset-form button[type=submit]").click()

    expect(page.locator("#step-signin")).to_be_visible()
    expect(page.locator("#signin-status")).to_have_text(
        "Your password has been changed. Sign in with your new password."
    )
    expect(page.locator("#signin-email")).to_have_value(email)
    assert not password_works(local_shop, email, PASSWORD)
    page.locator("#signin-password").fill(PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-status")).to_have_text("Wrong email or password.")
    page.locator("#signin-password").fill(NEW_PASSWORD)
    page.locator("#signin-form button[type=submit]").click()
    expect(page).to_have_url(site_url(local_shop, "/index.html"))
    expect(page.locator("#account-button")).to_have_text(email)
    assert only_refused_requests(console_errors), console_errors


def test_a_password_against_the_rules_is_told_in_plain_words(page: Page, local_shop: LocalShop) -> None:
    sign_ups: list[str] = []
    page.on(
        "request",
        lambda request: (
            sign_ups.append(request.url)
            if request.headers.get("x-amz-target", "").endswith(".SignUp")
            else None
        ),
    )
    page.goto(site_url(local_shop, "/signup.html"))
    page.locator("#signup-name").fill("Weak Password")
    page.locator("#signup-email").fill(unique_email("weak"))
    page.locator("#signup-password").fill("all-lowercase-but-long-1")  # long enough for the browser
    page.locator("#signup-form button[type=submit]").click()
    # The page checks the pool's rules first and names the one missing; Cognito is not asked.
    expect(page.locator("#signup-status")).to_have_text("Your password needs an uppercase letter.")
    expect(page.locator("#signup-password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#step-confirm")).to_be_hidden()
    assert sign_ups == []

    # Cognito's own refusals never reach the shopper as they are: the local emulator's "does not
    # confirm to the configured password policy", AWS's "Password did not conform with policy: ...".
    refusals = iter(
        [
            "The provided password does not confirm to the configured password policy",
            "Password did not conform with policy: Password must have symbol characters",
        ]
    )
    page.route(
        cognito_url(local_shop),
        lambda route: route.fulfill(
            status=400,
            headers={"Access-Control-Allow-Origin": "*", "Content-Type": "application/json"},
            body=json.dumps({"__type": "InvalidPasswordException", "message": next(refusals)}),
        ),
    )
    page.locator("#signup-password").fill("Long-Enough-Pass-1")
    page.locator("#signup-form button[type=submit]").click()
    expect(page.locator("#signup-status")).to_have_text(
        "Please choose another password: at least 12 characters, with an uppercase and a lowercase letter, "
        "a digit and a symbol (such as ! ? # or -)."
    )
    page.locator("#signup-password").fill("Long-Enough-Pass-1")
    page.locator("#signup-form button[type=submit]").click()
    expect(page.locator("#signup-status")).to_have_text("Your password needs a symbol, such as ! ? # or -.")
    assert len(sign_ups) == 2


def test_a_temporary_password_must_be_replaced_at_first_sign_in(page: Page, local_shop: LocalShop) -> None:
    """An account made by create_admin without --password (or the console) signs in with a temporary one."""
    email = unique_email("temporary")
    pool_id, _ = pool_ids(local_shop)
    cognito(local_shop).admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        TemporaryPassword="Temp-Pass-12345",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    page.goto(site_url(local_shop, "/signin.html"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill("Temp-Pass-12345")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#step-new-password")).to_be_visible()
    page.locator("#new-password").fill(NEW_PASSWORD)
    page.locator("#new-password-form button[type=submit]").click()
    expect(page).to_have_url(site_url(local_shop, "/index.html"))
    # (moto puts the user's id in this token's email claim, so only the menu's presence is checked)
    expect(page.locator("#account-button")).to_be_visible()
    assert password_works(local_shop, email, NEW_PASSWORD)


# -- the account page --------------------------------------------------------------------------------------


def test_a_profile_change_persists(page: Page, local_shop: LocalShop, console_errors: list[str]) -> None:
    email = unique_email("profile")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    expect(page.locator("#profile-email")).to_have_text(email)
    page.locator("#profile-name").fill("Grace Hopper")
    page.locator("#profile-phone").fill("+1 555 0100")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-status")).to_have_text("Profile saved.")
    page.reload()
    expect(page.locator("#profile-name")).to_have_value("Grace Hopper")
    expect(page.locator("#profile-phone")).to_have_value("+1 555 0100")

    # A phone the API refuses: words next to the form, the field marked.
    page.locator("#profile-phone").fill("call me")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-status")).to_have_text(
        "Please enter a phone number using digits, spaces and + ( ) . - only."
    )
    expect(page.locator("#profile-phone")).to_have_attribute("aria-invalid", "true")
    page.reload()
    expect(page.locator("#profile-phone")).to_have_value("+1 555 0100")
    assert all("422" in error for error in console_errors), console_errors


def fill_address(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        if name == "kind":
            page.locator("#address-kind").select_option(value)
        elif name == "country":
            page.locator("#address-country").select_option(value.upper())
        else:
            page.locator(f"#address-{name}").fill(value)


def test_addresses_are_added_made_default_edited_and_deleted(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("addresses")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    expect(page.locator("#no-addresses")).to_be_visible()

    page.get_by_role("button", name="Add an address").click()
    fill_address(page, name="Home", line1="1 Main St", city="Springfield", postal_code="12345", country="us")
    page.locator("#address-form button[type=submit]").click()
    expect(page.locator("#addresses-status")).to_have_text("Address added.")
    cards = page.locator(".address-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Default")  # the first of a kind becomes its default
    expect(cards.first).to_contain_text("United States")

    page.get_by_role("button", name="Add an address").click()
    fill_address(
        page, name="Office", line1="2 Side Rd", city="Shelbyville", postal_code="54321", country="US"
    )
    page.locator("#address-form button[type=submit]").click()
    expect(cards).to_have_count(2)
    office = page.locator(".address-card", has_text="Office")
    home = page.locator(".address-card", has_text="Home")
    expect(office.locator(".default-badge")).to_have_count(0)

    office.get_by_role("button", name=re.compile("^Make .* the default$")).click()
    expect(page.locator("#addresses-status")).to_have_text("Default address changed.")
    expect(office.locator(".default-badge")).to_have_count(1)
    expect(home.locator(".default-badge")).to_have_count(0)
    screenshot(page, "account")
    page.set_viewport_size({"width": 1280, "height": 900})

    home.get_by_role("button", name=re.compile("^Edit ")).click()
    expect(page.locator("#address-form-title")).to_have_text("Edit address")
    expect(page.locator("#address-city")).to_have_value("Springfield")
    fill_address(page, kind="billing", city="Capital City")
    page.locator("#address-form button[type=submit]").click()
    expect(page.locator("#addresses-status")).to_have_text("Address saved.")
    expect(home).to_contain_text("Billing")
    expect(home).to_contain_text("Capital City")

    page.reload()
    expect(cards).to_have_count(2)
    office.get_by_role("button", name=re.compile("^Delete ")).click()
    expect(page.locator("#addresses-status")).to_have_text("Address deleted.")
    expect(cards).to_have_count(1)
    expect(page.locator(".address-card", has_text="Office")).to_have_count(0)
    token = page.evaluate("sessionStorage.getItem('shop.idToken')")
    saved = api_get(local_shop, "/me", token)["addresses"]
    assert [(address["name"], address["kind"], address["city"]) for address in saved] == [
        ("Home", "billing", "Capital City")
    ]
    assert console_errors == []


def test_an_address_the_api_refuses_is_explained(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("badaddress")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    page.get_by_role("button", name="Add an address").click()
    fill_address(page, name="Home", line1="1 Main St", city="Springfield", postal_code="12345", country="US")
    page.locator("#address-phone").fill("no phone")
    page.locator("#address-form button[type=submit]").click()
    expect(page.locator("#address-status")).to_have_text(
        "Please enter a phone number using digits, spaces and + ( ) . - only."
    )
    expect(page.locator("#address-phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".address-card")).to_have_count(0)


def test_markup_in_names_is_shown_as_text(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("markup")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    image = "<img src=x onerror=window.__pwned=1>"
    script = "<script>window.__pwned=2</script>"
    page.locator("#profile-name").fill(image)
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("#profile-status")).to_have_text("Profile saved.")
    page.get_by_role("button", name="Add an address").click()
    fill_address(page, name=script, line1=image, city="Springfield", postal_code="12345", country="US")
    page.locator("#address-form button[type=submit]").click()
    expect(page.locator(".address-card")).to_have_count(1)

    page.reload()
    expect(page.locator("#profile-name")).to_have_value(image)
    card = page.locator(".address-card address")
    expect(card).to_contain_text(script)
    expect(card).to_contain_text(image)
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert console_errors == []


def test_a_password_change_needs_the_current_password(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("change")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    page.locator("#current-password").fill("Not-The-Password-9")
    page.locator("#new-password").fill(NEW_PASSWORD)
    page.locator("#password-form button[type=submit]").click()
    expect(page.locator("#password-status")).to_have_text("Your current password is not right.")
    page.locator("#current-password").fill(PASSWORD)
    page.locator("#password-form button[type=submit]").click()
    expect(page.locator("#password-status")).to_have_text("Your password has been changed.")
    expect(page.locator("#current-password")).to_have_value("")
    assert password_works(local_shop, email, NEW_PASSWORD)
    assert not password_works(local_shop, email, PASSWORD)


def test_the_account_page_sends_a_guest_to_sign_in(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/account.html"))
    expect(page).to_have_url(site_url(local_shop, "/signin.html?next=account.html"))


def test_an_expired_id_token_is_refreshed_before_the_api_call(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("refresh")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    expect(page.locator("#profile-email")).to_have_text(email)
    page.wait_for_load_state("networkidle")  # no request of this page still under way
    old_token = page.evaluate("sessionStorage.getItem('shop.idToken')")
    page.evaluate("sessionStorage.setItem('shop.expiresAt', String(Date.now() - 1000))")
    refreshes: list[str] = []
    page.on(
        "request",
        lambda request: (
            refreshes.append(request.post_data or "")
            if "REFRESH_TOKEN_AUTH" in (request.post_data or "")
            else None
        ),
    )
    page.reload()
    expect(page.locator("#profile-email")).to_have_text(email)
    page.wait_for_load_state("networkidle")
    assert len(refreshes) == 1  # GET /me and the header's GET /cart share one refresh
    new_token = page.evaluate("sessionStorage.getItem('shop.idToken')")
    assert new_token
    assert new_token != old_token
    assert int(page.evaluate("sessionStorage.getItem('shop.expiresAt')")) > page.evaluate("Date.now()")


def test_a_refused_refresh_token_ends_the_session(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("revoked")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email)
    pool_id, _ = pool_ids(local_shop)
    cognito(local_shop).admin_user_global_sign_out(UserPoolId=pool_id, Username=email)
    page.evaluate("sessionStorage.setItem('shop.expiresAt', String(Date.now() - 1000))")
    page.goto(site_url(local_shop, "/account.html"))
    expect(page).to_have_url(site_url(local_shop, "/signin.html?next=account.html"))
    assert session_keys(page) == set()
    expect(page.locator("#sign-in-link")).to_be_visible()


# -- sign-out and the admin link ---------------------------------------------------------------------------


def test_sign_out_revokes_the_refresh_token_and_forgets_the_session(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("signout")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="cart.html")
    refresh_token = page.evaluate("sessionStorage.getItem('shop.refreshToken')")
    open_account_menu(page)
    page.locator("#account-menu").get_by_role("button", name="Sign out").click()
    expect(page.locator("#sign-in-link")).to_be_visible()
    expect(page).to_have_url(site_url(local_shop, "/cart.html"))  # a page a guest may see: stay
    assert session_keys(page) == set()
    # The refresh token was revoked with Cognito, not only forgotten by the tab.
    with pytest.raises(cognito(local_shop).exceptions.NotAuthorizedException):
        cognito(local_shop).initiate_auth(
            ClientId=pool_ids(local_shop)[1],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    expect(page.locator("#sign-in-link")).to_have_attribute("href", "/signin.html?next=cart.html")
    assert console_errors == []


def test_signing_out_on_the_account_page_leaves_it(page: Page, local_shop: LocalShop) -> None:
    email = unique_email("everywhere")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    refresh_token = page.evaluate("sessionStorage.getItem('shop.refreshToken')")
    page.get_by_role("button", name="Sign out on all devices").click()
    expect(page).to_have_url(site_url(local_shop, "/index.html"))
    expect(page.locator("#sign-in-link")).to_be_visible()
    assert session_keys(page) == set()
    _, client_id = pool_ids(local_shop)
    with pytest.raises(cognito(local_shop).exceptions.NotAuthorizedException):
        cognito(local_shop).initiate_auth(
            ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )


def test_the_admin_link_is_shown_to_administrators_only(page: Page, local_shop: LocalShop) -> None:
    # Administrators sign in with an authenticator code (test_admin_mfa_pages.py covers that step).
    sign_in_with_code(page, local_shop, ADMIN_EMAIL, LOCAL_PASSWORD, admin_totp(local_shop))
    expect(page.locator("#account-button")).to_have_text(ADMIN_EMAIL)
    open_account_menu(page)
    admin = page.locator("#account-menu").get_by_role("link", name="Admin")
    expect(admin).to_have_attribute("href", "/admin-shop.html")
    page.evaluate("sessionStorage.clear()")

    sign_in(page, local_shop, SHOPPER_EMAIL, LOCAL_PASSWORD)
    open_account_menu(page)
    expect(page.locator("#account-menu").get_by_role("link", name="Orders")).to_be_visible()
    expect(page.locator("#account-menu").get_by_role("link", name="Admin")).to_have_count(0)


def test_the_account_pages_work_under_the_production_content_security_policy(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    """CloudFront sends the CSP (connect-src reaches https://*.amazonaws.com, not the local moto), so
    signing in happens before the policy is applied; the pages and the menu must need no inline code."""
    sign_in(page, local_shop, SHOPPER_EMAIL, LOCAL_PASSWORD)
    serve_with_production_csp(page, local_shop)  # account.html asks Cognito about two-step sign-in
    page.goto(site_url(local_shop, "/account.html"))
    expect(page.locator("#profile-email")).to_have_text(SHOPPER_EMAIL)
    page.get_by_role("button", name="Add an address").click()
    expect(page.locator("#address-form")).to_be_visible()
    open_account_menu(page)
    page.goto(site_url(local_shop, "/signup.html"))
    expect(page.locator("#signup-form")).to_be_visible()
    page.goto(site_url(local_shop, "/signin.html?next=cart.html"))
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.locator("#step-forgot")).to_be_visible()
    assert console_errors == []


@pytest.mark.parametrize(
    ("path", "form"), [("/signin.html", "#signin-form"), ("/signup.html", "#signup-form")]
)
def test_a_form_cannot_be_sent_before_its_script_runs(
    page: Page, local_shop: LocalShop, path: str, form: str
) -> None:
    """On a slow connection a click could beat the page's script: the form would then submit natively,
    with the password in the URL. Until the script is ready the button is disabled (and the form posts)."""
    script = path.removeprefix("/").replace(".html", ".js")
    page.route(f"**/js/{script}", lambda route: route.abort())
    page.goto(site_url(local_shop, path))
    expect(page.locator(f"{form} button[type=submit]")).to_be_disabled()
    assert page.locator(form).get_attribute("method") == "post"

    page.unroute(f"**/js/{script}")
    page.goto(site_url(local_shop, path))
    expect(page.locator(f"{form} button[type=submit]")).to_be_enabled()


def test_the_address_form_has_every_field_and_a_country_select(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("countries")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    page.get_by_role("button", name="Add an address").click()
    for field in ("line2", "region", "phone"):
        expect(page.locator(f"#address-{field}")).to_be_visible()
    country = page.locator("#address-country")
    expect(country).to_have_value("US")
    expect(country.locator("option")).to_have_count(249)  # every ISO 3166-1 country, stored by its code
    fill_address(
        page,
        name="Ada Lovelace",
        line1="12 Analytical Row",
        line2="Flat 3",
        city="London",
        region="Greater London",
        postal_code="NW1 6XE",
        phone="+44 20 7946 0000",
    )
    country.select_option(label="United Kingdom")
    page.locator("#address-form button[type=submit]").click()
    expect(page.locator("#addresses-status")).to_have_text("Address added.")
    card = page.locator(".address-card")
    for shown in ("Flat 3", "London, Greater London NW1 6XE", "United Kingdom", "Phone: +44 20 7946 0000"):
        expect(card).to_contain_text(shown)

    card.get_by_role("button", name=re.compile("^Edit ")).click()
    expect(country).to_have_value("GB")
    expect(page.locator("#address-line2")).to_have_value("Flat 3")
    expect(page.locator("#address-region")).to_have_value("Greater London")
    token = page.evaluate("sessionStorage.getItem('shop.idToken')")
    [saved] = api_get(local_shop, "/me", token)["addresses"]
    assert (saved["country"], saved["line2"], saved["region"], saved["phone"]) == (
        "GB",
        "Flat 3",
        "Greater London",
        "+44 20 7946 0000",
    )
    assert console_errors == []


# -- the watch list --------------------------------------------------------------------------------------


def watch(shop: LocalShop, token: str, product_id: object, target_price: int | None = None) -> None:
    """What a product page's "Watch" does: POST /track/watchlist/add as the signed-in shopper."""
    body: dict[str, object] = {"product_id": product_id}
    if target_price is not None:
        body["target_price"] = target_price
    request = Request(
        site_url(shop, "/api/track/watchlist/add"),
        data=json.dumps(body).encode(),
        headers={"Authorization": token, "Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(request) as response:
        assert response.status == 201


def test_the_watch_list_shows_what_is_watched_and_stop_watching_removes_it(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    email = unique_email("watcher")
    create_shopper(local_shop, email)
    sign_in(page, local_shop, email, next_page="account.html")
    expect(page.locator("#no-watches")).to_have_text(
        "You are not watching any products. Use Watch on a product page."
    )
    products = catalog(local_shop)
    mug, sold_out = products["Morning Grace Mug"], products["Commentary on Romans"]
    token = page.evaluate("sessionStorage.getItem('shop.idToken')")
    watch(local_shop, token, mug["product_id"], target_price=1000)
    watch(local_shop, token, sold_out["product_id"])

    page.reload()
    items = page.locator(".watch-item")
    expect(items).to_have_count(2)
    expect(page.locator("#no-watches")).to_be_hidden()
    watched_mug = items.filter(has_text="Morning Grace Mug")
    expect(watched_mug.get_by_role("link", name="Morning Grace Mug")).to_have_attribute(
        "href", f"product.html?id={mug['product_id']}"
    )
    expect(watched_mug).to_contain_text(f"${int(str(mug['price'])) / 100:.2f}")
    expect(watched_mug).to_contain_text("Alert at $10.00 or less")
    expect(watched_mug).to_contain_text("In stock")
    expect(watched_mug.locator("img")).to_have_attribute("width", "64")
    expect(watched_mug.locator("img")).to_have_attribute("height", "64")
    expect(items.filter(has_text="Commentary on Romans")).to_contain_text("Alert when back in stock")
    expect(items.filter(has_text="Commentary on Romans")).to_contain_text("Sold out")
    screenshot(page, "account-watch-list")
    page.set_viewport_size({"width": 1280, "height": 900})

    watched_mug.get_by_role("button", name="Stop watching Morning Grace Mug").click()
    expect(page.locator("#watchlist-status")).to_have_text("You no longer watch Morning Grace Mug.")
    expect(items).to_have_count(1)
    listed = api_get(local_shop, "/track/watchlist", token)["items"]
    assert [item["product_id"] for item in listed] == [sold_out["product_id"]]
    items.get_by_role("button", name="Stop watching Commentary on Romans").click()
    expect(page.locator("#no-watches")).to_be_visible()
    assert api_get(local_shop, "/track/watchlist", token)["items"] == []
    assert console_errors == []
