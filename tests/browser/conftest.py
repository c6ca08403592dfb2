"""The pages in headless Chromium (Debian's /usr/bin/chromium) against the local shop."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from cdk_app.local.redis_server import free_port
from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.synth import synthesize_local_templates
from tests.kill_switches import set_runtime_flags

CHROMIUM = os.environ.get("SHOP_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# machine's closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # serve_with_production_csp fulfils pages from Playwright, which Chromium then counts as public
    # pages: their calls to moto's loopback Cognito would need a Local Network Access permission that
    # headless Chromium denies. In AWS the site and Cognito are both public origins.
    "--disable-features=LocalNetworkAccessChecks",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


# Package scope: the shop's environment (its moto endpoint and settings) is put back when the
# browser tests are done, before other tiers run in the same process.
@pytest.fixture(scope="package")
def local_shop() -> Iterator[LocalShop]:
    shop = LocalShop(
        LocalShopOptions(port=free_port(), templates=synthesize_local_templates(), run_schedules=False)
    ).start()
    try:
        yield shop
    finally:
        shop.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def site_url(shop: LocalShop, path: str = "/") -> str:
    assert shop.server is not None
    return f"{shop.server.url}{path}"


def screenshot(page: Page, name: str) -> None:
    """Saved as a test artifact (git-ignored), at desktop and phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of the page, for `assert console_errors == []`."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def call_api(
    shop: LocalShop, method: str, path: str, token: str | None = None, body: object = None
) -> tuple[int, Any]:
    """One request to the local API over HTTP, as the page makes it: (status, parsed body)."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    data = None if body is None else json.dumps(body).encode()
    request = Request(site_url(shop, f"/api{path}"), data=data, method=method, headers=headers)
    try:
        with urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def admin_request(shop: LocalShop, method: str, path: str, body: dict[str, object]) -> dict[str, object]:
    """Calls the local API as the seeded administrator (ID token + admin API key), as seed.py does."""
    import json

    from cdk_app.local.api_gateway import HttpRequest

    assert shop.gateway is not None
    token = admin_token(shop)
    api_key = next(value for name, value in shop.api_keys.items() if name.endswith("-admin"))
    response = shop.gateway.handle(
        HttpRequest(
            method=method,
            path=path,
            headers=(
                ("Authorization", token),
                ("X-Api-Key", api_key),
                ("Content-Type", "application/json"),
            ),
            body=json.dumps(body).encode(),
        )
    )
    assert response.status in (200, 201), response.body[:300]
    parsed: dict[str, object] = json.loads(response.body)
    return parsed


def id_token(shop: LocalShop, email: str, password: str) -> str:
    """An ID token of a user of the local pool, signed in as the web site does (USER_PASSWORD_AUTH;
    the seeded admin answers the authenticator-code challenge with a code from its secret)."""
    from cdk_app.local.seed import sign_in

    token: str = sign_in(shop, email, password)["IdToken"]
    return token


def shopper_token(shop: LocalShop) -> str:
    """An ID token of the seeded shopper (for pages that read sessionStorage `shop.idToken`)."""
    from cdk_app.local.sample_catalog import LOCAL_PASSWORD, SHOPPER_EMAIL

    return id_token(shop, SHOPPER_EMAIL, LOCAL_PASSWORD)


def admin_token(shop: LocalShop) -> str:
    """An ID token of the seeded administrator (in the `admin` group of the local pool, with TOTP)."""
    from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD

    return id_token(shop, ADMIN_EMAIL, LOCAL_PASSWORD)


def serve_with_production_csp(page: Page, shop: LocalShop | None = None) -> None:
    """The local server sends no Content-Security-Policy and CloudFront does: from now on the pages get
    the production one, so inline script or style would be refused (and logged as a console error).
    With `shop`, the policy is built from that shop's own payment scripts (localstripe's Stripe.js),
    exactly as the Web stack builds it from the stage's (constructs_lib/site_policy.py)."""
    from constructs_lib.site_policy import PaymentScripts

    scripts = PaymentScripts()
    cognito: tuple[str, ...] = ()
    if shop is not None and shop.payments is not None and shop.server is not None:
        scripts = shop.payments.scripts(shop.server.url)
    if shop is not None:
        # The Web stack lists the pool's Cognito endpoint (pages call it: sign-in, two-step sign-in);
        # locally that endpoint is moto's.
        cognito = (str(shop.web_config("")["cognitoEndpoint"]).rstrip("/"),)
    policy = scripts.content_security_policy(api_origins=cognito)

    def with_csp(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route(re.compile(r".*\.html(\?.*)?$"), with_csp)


@pytest.fixture
def paused_payments(local_shop: LocalShop) -> Iterator[None]:
    """The payments switch on (docs/runbooks.md), as an operator flips it in the RuntimeFlags table; the
    functions start cold afterwards so they read it at once instead of within their 30-second cache."""
    assert local_shop.model is not None
    assert local_shop.aws is not None
    assert local_shop.runtime is not None
    dynamodb = local_shop.aws.client("dynamodb")
    (table,) = [table.name for table in local_shop.model.tables if table.name.endswith("-RuntimeFlags")]
    before = set_runtime_flags(dynamodb, table, payments_paused=True)
    local_shop.runtime.recycle()
    try:
        yield
    finally:
        set_runtime_flags(dynamodb, table, payments_paused=before.get("payments_paused", False))
        local_shop.runtime.recycle()


def place_order(page: Page, token: str, product_id: object) -> dict[str, str]:
    """A signed-in shopper's order through the API, from the page (it starts unpaid)."""
    placed: dict[str, str] = page.evaluate(
        """async ([token, productId]) => {
          const response = await fetch("/api/orders/create", {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              Authorization: token,
              "Idempotency-Key": crypto.randomUUID(),
            },
            body: JSON.stringify({
              items: [{product_id: productId, quantity: 1}],
              shipping_address: {name: "Sam Shopper", line1: "5 Elm Road", city: "Springfield",
                                 postal_code: "12345", country: "US"},
            }),
          });
          return response.json();
        }""",
        [token, product_id],
    )
    return placed


def catalog(shop: LocalShop) -> dict[str, dict[str, object]]:
    """The active products by name, straight from the local API (its stage cache flushed first: a
    product another test just created may not have reached the stream-driven flush yet)."""
    import json
    from urllib.request import Request, urlopen

    with urlopen(Request(site_url(shop, "/_local/cache"), method="DELETE")):
        pass

    products: dict[str, dict[str, object]] = {}
    cursor = ""
    while True:
        url = site_url(shop, f"/api/products?limit=50{'&cursor=' + cursor if cursor else ''}")
        with urlopen(url) as response:
            page = json.loads(response.read())
        products.update({item["name"]: item for item in page["items"]})
        if not page.get("next_cursor"):
            return products
        from urllib.parse import quote

        cursor = quote(page["next_cursor"])


def sign_in_with_code(
    page: Page, shop: LocalShop, email: str, password: str, secret: str, next_page: str = ""
) -> None:
    """signin.html as a user with two-step sign-in (every administrator): password, then the code."""
    from cdk_app.local.totp import fresh_totp_code

    page.goto(site_url(shop, f"/signin.html{'?next=' + next_page if next_page else ''}"))
    page.locator("#signin-email").fill(email)
    page.locator("#signin-password").fill(password)
    page.locator("#signin-form button[type=submit]").click()
    page.locator("#signin-code").fill(fresh_totp_code(secret))
    page.locator("#code-form button[type=submit]").click()


def admin_totp(shop: LocalShop) -> str:
    """The seeded administrator's authenticator secret (the seed set up TOTP for it)."""
    from cdk_app.local.seed import admin_totp_secret

    secret = admin_totp_secret(shop)
    assert secret, "the seed sets up TOTP for the admin"
    return secret
