"""A signed-in shopper pays at checkout: every payment call carries their ID token, payment_api verifies
it against the local pool's published keys, and the payment limit counts for them, not for the order."""

from __future__ import annotations

import base64
import json
import time

from playwright.sync_api import Page, Request, expect

from cdk_app.local.runner import LocalShop
from shop.platform.rate_limiter import PAYMENT_LIMIT, limit_key
from tests.browser.conftest import catalog, shopper_token, site_url
from tests.browser.test_checkout_page import go_to_review

PAID = "Thank you! Your order is paid"


def _sub(token: str) -> str:
    part = token.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))["sub"])


def _payment_counts(shop: LocalShop, subject: str) -> list[str]:
    """The RateLimits items of the payment limit for `subject` in this minute or the one before."""
    assert shop.aws is not None
    assert shop.model is not None
    (table,) = [table.name for table in shop.model.tables if table.name.endswith("-RateLimits")]
    minute = int(time.time() // 60)
    dynamodb = shop.aws.client("dynamodb")
    return [
        key
        for key in (limit_key(PAYMENT_LIMIT, subject, window) for window in (minute - 1, minute))
        if "Item" in dynamodb.get_item(TableName=table, Key={"limit_key": {"S": key}}, ConsistentRead=True)
    ]


def test_a_signed_in_shopper_pays_and_each_payment_call_carries_their_token(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    token = shopper_token(local_shop)
    page.goto(site_url(local_shop, "/index.html"))
    page.evaluate("token => sessionStorage.setItem('shop.idToken', token)", token)
    payment_calls: list[Request] = []
    page.on("request", lambda request: payment_calls.append(request) if "/payment/" in request.url else None)

    page.goto(site_url(local_shop, f"/product.html?id={catalog(local_shop)['Knit Beanie']['product_id']}"))
    page.locator("#add").click()
    # The shopper's first cart call may start cart_api cold on a busy machine.
    expect(page.locator("#add-status")).to_contain_text("Added 1 to your cart", timeout=20_000)
    page.goto(site_url(local_shop, "/checkout.html"))
    expect(page.locator("#email-box")).to_be_hidden()  # the account's email is used
    for field, value in {"name": "Sam Shopper", "line1": "2 Oak Road", "city": "Springfield"}.items():
        page.locator(f"#{field}").fill(value)
    page.locator("#postal_code").fill("12345")
    page.locator("#country").select_option("US")
    go_to_review(page)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)

    posts = [request for request in payment_calls if request.method == "POST"]
    # The intent, then the confirm only if Stripe's webhook has not marked the order paid by then
    # (checkout.js nudges after a few seconds): one or two calls, each with the shopper's token.
    paths = [request.url.rsplit("/payment/", 1)[1] for request in posts]
    assert paths in (["stripe/intent"], ["stripe/intent", "stripe/confirm"])
    assert all(request.headers.get("authorization") == token for request in posts)
    # payment_api knew the shopper: both calls were counted against them, not against the order.
    assert _payment_counts(local_shop, f"user#{_sub(token)}") != []
    assert console_errors == []
