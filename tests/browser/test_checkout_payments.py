"""Paying at checkout: cards through localstripe's Stripe.js (success, decline then another card, 3-D
Secure passed and failed), PayPal's buttons through a recorded stand-in of PayPal's SDK, and the
payments switch."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import screenshot, serve_with_production_csp, site_url
from tests.browser.test_checkout_page import add_to_cart, fill_address, go_to_review, orders_of

CARD_3DS = "4000002500003155"
CARD_DECLINED = "4000000000000002"
PAID = "Thank you! Your order is paid"


def _checkout(page: Page, shop: LocalShop, email: str, product: str, card: str) -> None:
    add_to_cart(page, shop, product)
    page.goto(site_url(shop, "/checkout.html"))
    fill_address(page, email)
    go_to_review(page, card)


def test_a_card_that_needs_3d_secure_is_authenticated_in_the_page_and_paid(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    serve_with_production_csp(page, local_shop)  # the policy built from config.json's own URLs
    _checkout(page, local_shop, "three.d@example.com", "Volunteer Polo", CARD_3DS)
    page.get_by_role("button", name="Place order").click()
    # localstripe's Stripe.js shows its 3-D Secure prompt, as Stripe's bank page would.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    (order,) = orders_of(local_shop, "three.d@example.com")
    assert order["payment_method"]["S"] == "stripe"
    assert order["payment_id"]["S"].startswith("pi_")
    assert console_errors == []


def test_a_declined_card_is_told_in_words_and_another_card_pays_the_same_order(
    page: Page, local_shop: LocalShop
) -> None:
    _checkout(page, local_shop, "declined@example.com", "Sticker Pack", CARD_DECLINED)
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#error-card")).to_have_text("Your card was declined.")
    expect(page.locator("#form-status")).to_contain_text("Your order is kept while you try again")
    screenshot(page, "checkout-card-declined")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Back").last.click()  # review -> payment
    from tests.browser.test_checkout_page import fill_card

    fill_card(page)
    page.get_by_role("button", name="Review your order").click()
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    orders = orders_of(local_shop, "declined@example.com")
    assert len(orders) == 1  # the declined attempt did not make a second order
    assert len(orders[0]["payment_attempts"]["L"]) == 1  # the declined card never became an intent


def test_failed_3d_secure_leaves_the_order_unpaid_and_says_so(page: Page, local_shop: LocalShop) -> None:
    _checkout(page, local_shop, "failed.3ds@example.com", "Embroidered Cap", CARD_3DS)
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.locator("#error-card")).to_contain_text("authentication")
    expect(page.locator("#confirmation")).to_be_hidden()
    (order,) = orders_of(local_shop, "failed.3ds@example.com")
    assert (order["order_status"]["S"], order["payment_status"]["S"]) == ("pending", "unpaid")


# -- PayPal ----------------------------------------------------------------------------------------

# A recorded stand-in of PayPal's JS SDK (a double at the network boundary): the part of
# `paypal.Buttons` the page uses. Its button runs createOrder, then onApprove, onCancel or onError as
# window.paypalOutcome says, like PayPal's window would.
PAYPAL_SDK_STAND_IN = """
window.paypal = {
  Buttons(options) {
    return {
      render(container) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "PayPal";
        button.addEventListener("click", async () => {
          let orderID;
          try { orderID = await options.createOrder(); } catch (error) { options.onError(error); return; }
          window.paypalCreated = orderID;
          const outcome = window.paypalOutcome || "approve";
          if (outcome === "approve") await options.onApprove({ orderID });
          else if (outcome === "cancel") options.onCancel({ orderID });
          else options.onError(new Error("Window closed unexpectedly"));
        });
        (typeof container === "string" ? document.querySelector(container) : container).append(button);
        return Promise.resolve();
      },
    };
  },
};
"""
PAYPAL_ORDER_ID = "5O190127TN364715T"


@pytest.fixture
def paypal_page(page: Page, local_shop: LocalShop) -> tuple[Page, list[dict[str, Any]]]:
    """The checkout with PayPal offered (config.json carries a client id) and PayPal's side recorded:
    its SDK, and the two shop routes that talk to PayPal's API (/payment/paypal/create, /capture)."""
    sent: list[dict[str, Any]] = []

    def config(route: Route) -> None:
        body = route.fetch().json()
        route.fulfill(
            json={**body, "paypalClientId": "test-client", "paypalSdkUrl": "https://www.paypal.com/sdk/js"}
        )

    def sdk(route: Route) -> None:
        assert "client-id=test-client" in route.request.url
        route.fulfill(body=PAYPAL_SDK_STAND_IN, content_type="application/javascript")

    def paypal_api(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append({"path": route.request.url.split("/api", 1)[1], **body})
        if route.request.url.endswith("/create"):
            route.fulfill(status=201, json={"order_id": body["order_id"], "paypal_order_id": PAYPAL_ORDER_ID})
        else:
            route.fulfill(status=202, json={"order_id": body["order_id"], "status": "confirming"})

    page.route(re.compile(r".*/config\.json$"), config)
    page.route(re.compile(r"https://www\.paypal\.com/sdk/js.*"), sdk)
    page.route(re.compile(r".*/api/payment/paypal/(create|capture)$"), paypal_api)
    return page, sent


def _to_paypal(page: Page, shop: LocalShop, email: str) -> None:
    add_to_cart(page, shop, "Volunteer Polo")
    page.goto(site_url(shop, "/checkout.html"))
    fill_address(page, email)
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_label("PayPal", exact=True).check()
    page.get_by_role("button", name="Review your order").click()
    page.locator("#terms").check()
    expect(page.get_by_role("button", name="Place order")).to_be_hidden()


def test_paypal_buttons_create_and_capture_the_orders_paypal_payment(
    paypal_page: tuple[Page, list[dict[str, Any]]], local_shop: LocalShop
) -> None:
    page, sent = paypal_page
    _to_paypal(page, local_shop, "paypal.buyer@example.com")
    page.locator("#paypal-buttons").get_by_role("button", name="PayPal").click()
    expect(page.locator("#confirmation")).to_be_visible()
    expect(page.locator("#confirmation-text")).to_contain_text("waiting for the payment to be confirmed")
    (order,) = orders_of(local_shop, "paypal.buyer@example.com")
    order_id = order["order_id"]["S"]
    assert [(call["path"], call["order_id"]) for call in sent] == [
        ("/payment/paypal/create", order_id),
        ("/payment/paypal/capture", order_id),
    ]
    assert sent[1]["payment_id"] == PAYPAL_ORDER_ID
    assert all(call["access_token"] for call in sent)  # a guest proves the order is theirs


def test_paypal_cancelled_and_failed_are_told_in_words(
    paypal_page: tuple[Page, list[dict[str, Any]]], local_shop: LocalShop
) -> None:
    page, _sent = paypal_page
    _to_paypal(page, local_shop, "paypal.cancel@example.com")
    page.evaluate("window.paypalOutcome = 'cancel'")
    page.locator("#paypal-buttons").get_by_role("button", name="PayPal").click()
    expect(page.locator("#form-status")).to_contain_text(
        "You closed PayPal before paying. Nothing was charged"
    )
    page.evaluate("window.paypalOutcome = 'error'")
    page.locator("#paypal-buttons").get_by_role("button", name="PayPal").click()
    expect(page.locator("#form-status")).to_contain_text("PayPal could not take the payment")
    assert len(orders_of(local_shop, "paypal.cancel@example.com")) == 1  # one order, kept for the retry


def test_the_paypal_button_names_missing_fields_before_anything_is_ordered(
    paypal_page: tuple[Page, list[dict[str, Any]]], local_shop: LocalShop
) -> None:
    page, sent = paypal_page
    add_to_cart(page, local_shop, "Sticker Pack")
    page.goto(site_url(local_shop, "/checkout.html"))
    fill_address(page, "paypal.missing@example.com")
    page.get_by_role("button", name="Continue to shipping").click()
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_label("PayPal", exact=True).check()
    page.get_by_role("button", name="Review your order").click()
    page.locator("#terms").check()
    # A field emptied after its step was passed (each step checks its own fields before moving on).
    page.locator("#line1").evaluate("input => { input.value = ''; }")
    page.locator("#paypal-buttons").get_by_role("button", name="PayPal").click()
    expect(page.locator("#error-line1")).to_have_text("Enter your street address.")
    assert sent == []


# -- a busy order-status route ----------------------------------------------------------------------


def test_a_busy_order_status_route_is_polled_again_with_backoff_until_the_order_shows_paid(
    page: Page, local_shop: LocalShop
) -> None:
    """In a sale the stage throttles the order-status route: the page keeps polling through 429s and
    503s, waits longer each time (at least the Retry-After the shop gave), says the shop is busy, and
    still ends "paid"."""
    refusals = [
        (429, {"message": "Too Many Requests"}),  # API Gateway's throttle: no Retry-After
        (503, {"error": "service_unavailable", "message": "busy", "retry_after_seconds": 3}),
        (429, {"message": "Too Many Requests"}),
    ]
    refused_at: list[float] = []

    def order_status(route: Route) -> None:
        if route.request.method == "GET" and len(refused_at) < len(refusals):
            status, body = refusals[len(refused_at)]
            refused_at.append(time.monotonic())
            route.fulfill(status=status, json=body)
        else:
            route.fallback()

    page.route(re.compile(r".*/api/guest/orders/[^/?]+$"), order_status)
    _checkout(page, local_shop, "busy.status@example.com", "Volunteer Polo", "4242424242424242")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-text")).to_contain_text("very busy", timeout=15_000)
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    assert len(refused_at) == 3
    first_wait, after_retry_after = refused_at[1] - refused_at[0], refused_at[2] - refused_at[1]
    assert first_wait >= 0.9  # the backoff's first second, not a tight retry loop
    assert after_retry_after >= 2.9  # the 503's Retry-After of 3 s, above the backoff's 1.5 s
    (order,) = orders_of(local_shop, "busy.status@example.com")
    assert order["order_status"]["S"] == "paid"


# -- the payments switch ----------------------------------------------------------------------------


def test_with_payments_paused_the_checkout_says_so_and_orders_nothing(
    page: Page, local_shop: LocalShop, paused_payments: None
) -> None:
    _checkout(page, local_shop, "paused@example.com", "Volunteer Polo", "4242424242424242")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#form-status")).to_contain_text("Payments are paused right now")
    expect(page.locator("#form-status")).to_contain_text("Nothing was charged and nothing was ordered")
    assert orders_of(local_shop, "paused@example.com") == []


def test_an_order_that_expired_while_the_page_was_open_is_placed_again_and_paid(
    page: Page, local_shop: LocalShop
) -> None:
    from tests.browser.test_checkout_page import fill_card

    _checkout(page, local_shop, "expired.hold@example.com", "Volunteer Polo", CARD_DECLINED)
    page.get_by_role("button", name="Place order").click()
    # After the paused-payments test the functions start cold (order_api, then payment_api).
    expect(page.locator("#error-card")).to_have_text("Your card was declined.", timeout=30_000)
    (order,) = orders_of(local_shop, "expired.hold@example.com")
    # What the payment-hold sweep does to an order left unpaid past its hold (its move, done here).
    assert local_shop.aws is not None
    dynamodb = local_shop.aws.client("dynamodb")
    (table,) = [
        name
        for name in dynamodb.list_tables()["TableNames"]
        if "order" in name.lower()
        and "Item"
        in dynamodb.get_item(TableName=name, Key={"order_id": order["order_id"], "user_id": order["user_id"]})
    ]
    dynamodb.update_item(
        TableName=table,
        Key={"order_id": order["order_id"], "user_id": order["user_id"]},
        UpdateExpression="SET order_status = :cancelled",
        ExpressionAttributeValues={":cancelled": {"S": "cancelled"}},
    )
    page.get_by_role("button", name="Back").last.click()
    fill_card(page)
    page.get_by_role("button", name="Review your order").click()
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#form-status")).to_contain_text("has now expired; nothing was charged")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#confirmation-title")).to_have_text(PAID, timeout=30_000)
    orders = orders_of(local_shop, "expired.hold@example.com")
    assert sorted(each["order_status"]["S"] for each in orders) == ["cancelled", "paid"]
