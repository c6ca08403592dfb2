"""web/js/messages.js, the shopper's words for the API's refusals, run as a module in the browser: each
error a shopper can meet (the domains' codes, fields and reasons) reads as a plain sentence without ids or
the server's phrasing, and api.js's ApiError carries it (the admin routes keep the API's own words)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import site_url

# (answer status, body, request sent) -> the sentence shown.
CASES: list[tuple[int, dict[str, object], dict[str, object], str]] = [
    (
        400,
        {
            "error": "bad_request",
            "message": "unknown discount code 'BOGUS'",
            "field": "discount_code",
            "reason": "unknown",
        },
        {"query": {"discount_code": "bogus"}},
        "We don't recognise the code BOGUS. Check the spelling, or continue without a code.",
    ),
    (
        400,
        {
            "error": "bad_request",
            "message": "code SPRING has expired",
            "field": "discount_code",
            "reason": "expired",
        },
        {"body": {"discount_code": "SPRING"}},
        "The code SPRING has expired. You can continue without a code.",
    ),
    (
        400,
        {
            "error": "bad_request",
            "message": "minimum subtotal $50.00 for code BIG",
            "field": "discount_code",
            "reason": "below_minimum",
        },
        {"query": {"discount_code": "BIG"}},
        "The code BIG needs an order of at least $50.00. Add a little more, or continue without it.",
    ),
    (
        404,
        {
            "error": "not_found",
            "message": "no product prod_01HXYZ",
            "field": "product_id",
            "product_id": "prod_01HXYZ",
        },
        {"path": "/guest/cart/add"},
        "This product is no longer available.",
    ),
    (
        409,
        {
            "error": "conflict",
            "message": "only 2 available",
            "field": "quantity",
            "available": 2,
            "in_cart": 1,
        },
        {"path": "/guest/cart/add"},
        "Only 2 are available, and you already have 1 in your cart.",
    ),
    (
        409,
        {
            "error": "conflict",
            "message": "only 3 available",
            "field": "quantity",
            "available": 3,
            "in_cart": 3,
        },
        {"path": "/guest/cart/add"},
        "You already have the last 3 in your cart.",
    ),
    (
        409,
        {"error": "conflict", "message": "only 0 of prod_1 available", "field": "quantity", "available": 0},
        {"path": "/guest/orders/create"},
        "One of the items in your cart has just sold out. Remove it from your cart, then try again.",
    ),
    (
        409,
        {"error": "conflict", "message": "a cart holds at most 100 lines", "field": "product_id"},
        {"path": "/cart/add"},
        "Your cart is full (100 different items at most). Check out or remove something first.",
    ),
    (
        409,
        {"error": "conflict", "message": "the cart changed while updating; try again", "field": "cart"},
        {"path": "/cart/update"},
        "Your cart was changed at the same time elsewhere. Please try again.",
    ),
    (
        402,
        {"error": "payment_declined", "message": "Your card has insufficient funds.", "field": "payment"},
        {},
        "Your card has insufficient funds.",
    ),
    (
        429,
        {"error": "rate_limited", "message": "slow down", "retry_after_seconds": 7},
        {},
        "You're going a little fast for the shop. Please try again in 7 seconds.",
    ),
    (
        503,
        {
            "error": "service_unavailable",
            "message": "x",
            "retry_after_seconds": 2,
            "reason": "payment_provider_busy",
        },
        {},
        "The payment provider is busy right now; nothing was charged. Try again in 2 seconds.",
    ),
    (
        503,
        {"message": "Service Unavailable"},  # API Gateway's own: no code, no Retry-After
        {},
        "The shop is very busy right now. Please try again in a moment.",
    ),
    (
        500,
        {"message": "Internal server error"},
        {},
        "Something went wrong on our side. Please try again in a moment.",
    ),
    (
        422,
        {
            "error": "validation_error",
            "message": "shipping_address.postal_code: String should have at most 20 characters",
            "field": "shipping_address.postal_code",
            "fields": [
                {
                    "field": "shipping_address.postal_code",
                    "message": "String should have at most 20 characters",
                }
            ],
        },
        {},
        "Shorten the postal code: it is too long.",
    ),
]


def test_every_refusal_reads_as_a_plain_sentence(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop, "/cart.html"))  # any page of the site: the module is what runs
    shown = page.evaluate(
        """async (cases) => {
             const { humanMessage, messages } = await import("/js/messages.js");
             const said = cases.map(([status, body, request]) => humanMessage({ status, body }, request));
             return [...said, humanMessage({ status: 0 }), messages.network];
           }""",
        [[status, body, request] for status, body, request, _ in CASES],
    )
    assert shown[: len(CASES)] == [expected for *_, expected in CASES]
    assert (
        shown[-2] == shown[-1] == "We couldn't reach the shop. Check your internet connection and try again."
    )
    for sentence in shown:
        assert not re.search(r"prod_|'BOGUS'|HTTP \d|_", sentence), sentence
        assert sentence[0].isupper(), sentence
        assert sentence.endswith("."), sentence


def test_api_errors_carry_the_sentence_and_admin_routes_keep_the_apis_words(
    page: Page, local_shop: LocalShop
) -> None:
    def refuse(route: Route) -> None:
        route.fulfill(
            status=409,
            json={
                "error": "illegal_transition",
                "message": "cannot move from paid to shipped",
                "field": "status",
            },
        )

    page.route(re.compile(r".*/api/orders/[^/]+/(cancel|status)$"), refuse)
    page.goto(site_url(local_shop, "/cart.html"))
    shopper, admin = page.evaluate(
        """async () => {
             const { api } = await import("/js/api.js");
             const words = (path, headers) => api(path, { method: "PUT", body: {}, headers }).catch((error) =>
               [error.message, error.serverMessage, error.code, error.field, error.status]);
             const admin = { "X-Api-Key": "k" };
             return [await words("/orders/o1/cancel", {}), await words("/orders/o1/status", admin)];
           }"""
    )
    assert shopper[0] == (
        "This order can't be changed that way any more: its status has moved on. Reload the page to see it."
    )
    assert shopper[1:] == ["cannot move from paid to shipped", "illegal_transition", "status", 409]
    assert admin[0] == "cannot move from paid to shipped"
