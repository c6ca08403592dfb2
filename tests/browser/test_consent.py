"""The product-tracking consent banner (web/js/consent.js, issue #16 item 5) against the local shop: no
tracking event leaves the page before the shopper accepts or after declining, the choice is remembered,
and accepted events reach the ProductViews table through the tracking API and its queue."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, Request, expect

from cdk_app.local.runner import LocalShop
from tests.browser.conftest import catalog, serve_with_production_csp, site_url

PRODUCT = "Morning Grace Mug"  # in stock, no variants: the product page adds it in one click


def tracking_requests(page: Page) -> list[Request]:
    """Every request of the page to the tracking events API (/track/view, /track/cart-add...)."""
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if "/api/track/" in request.url else None)
    return sent


def banner(page: Page) -> Any:
    return page.get_by_role("region", name="Product tracking")


def add_to_cart(page: Page) -> None:
    with page.expect_response(lambda response: "/cart/add" in response.url):
        page.locator("#add").click()


def product_views(shop: LocalShop, session_id: str) -> list[dict[str, Any]]:
    """The ProductViews items of one tracking session, read from the local shop's DynamoDB."""
    assert shop.aws is not None
    assert shop.model is not None
    (table,) = [table.name for table in shop.model.tables if table.name.endswith("-ProductViews")]
    dynamodb = shop.aws.client("dynamodb")
    items: list[dict[str, Any]] = dynamodb.scan(
        TableName=table,
        FilterExpression="session_id = :session",
        ExpressionAttributeValues={":session": {"S": session_id}},
    )["Items"]
    return items


def events_of(shop: LocalShop, session_id: str, expected: set[str]) -> list[tuple[str, str]]:
    """(event_type, product_id) of the session once `expected` event types are all there (the queue's
    consumer writes them within seconds; a busy machine starts it cold slowly), else after 60 s."""
    deadline = time.monotonic() + 60
    while True:
        found = [
            (item["event_type"]["S"], item["product_id"]["S"]) for item in product_views(shop, session_id)
        ]
        if expected <= {kind for kind, _ in found} or time.monotonic() > deadline:
            return sorted(found)
        time.sleep(0.5)


def test_declining_sends_nothing_and_is_remembered(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    product = catalog(local_shop)[PRODUCT]
    sent = tracking_requests(page)
    serve_with_production_csp(page, local_shop)
    page.goto(site_url(local_shop, f"/product.html?id={product['product_id']}"))

    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("link")).to_have_attribute("href", "/privacy.html#tracking-choice")
    expect(banner(page)).to_contain_text("view, add to your cart and buy")
    # Fixed to the window's bottom: it covers nothing in the page's flow, so nothing moves when it shows.
    assert banner(page).evaluate("node => getComputedStyle(node).position") == "fixed"
    accept, decline = (
        banner(page).get_by_role("button", name="Accept"),
        banner(page).get_by_role("button", name="Decline"),
    )
    assert accept.bounding_box()["height"] == decline.bounding_box()["height"] >= 24

    decline.click()
    expect(banner(page)).to_have_count(0)
    assert page.evaluate("localStorage.getItem('shop.trackingConsent')") == "denied"
    assert page.evaluate("localStorage.getItem('shop.trackingSession')") is None
    add_to_cart(page)

    page.reload()
    expect(page.locator("#add")).to_be_enabled()
    expect(banner(page)).to_have_count(0)  # remembered
    add_to_cart(page)
    page.get_by_role("dialog").get_by_role("button", name="Close").click()  # the cart drawer

    # The footer's "Tracking preferences" opens the banner again, the keyboard in it.
    page.locator("footer").get_by_role("link", name="Tracking preferences").click()
    expect(banner(page).get_by_role("button", name="Accept")).to_be_focused()
    banner(page).get_by_role("button", name="Decline").click()
    expect(banner(page)).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert sent == [], [request.url for request in sent]
    assert console_errors == []


def test_accepted_events_reach_product_views_and_withdrawing_stops_them(
    page: Page, local_shop: LocalShop
) -> None:
    product = catalog(local_shop)[PRODUCT]
    product_page = site_url(local_shop, f"/product.html?id={product['product_id']}")
    sent = tracking_requests(page)
    page.goto(product_page)
    page.wait_for_load_state("networkidle")
    assert sent == [], "the view of the page before any choice is not sent"

    banner(page).get_by_role("button", name="Accept").click()
    expect(banner(page)).to_have_count(0)
    assert page.evaluate("localStorage.getItem('shop.trackingConsent')") == "granted"
    with page.expect_request(lambda request: request.url.endswith("/api/track/view")):
        page.reload()
    with page.expect_request(lambda request: request.url.endswith("/api/track/cart-add")):
        add_to_cart(page)
    session_id = page.evaluate("localStorage.getItem('shop.trackingSession')")
    assert session_id
    assert events_of(local_shop, session_id, {"view", "cart_add"}) == [
        ("cart_add", product["product_id"]),
        ("view", product["product_id"]),
    ]

    # Withdrawn on the privacy page: the session id goes, and nothing more is sent.
    page.goto(site_url(local_shop, "/privacy.html"))
    choice = page.locator("#tracking-choice")
    expect(choice.get_by_role("button", name="Accept tracking")).to_have_attribute("aria-pressed", "true")
    choice.get_by_role("button", name="Decline tracking").click()
    expect(page.locator("#tracking-choice-state")).to_have_text(
        "You declined product tracking: nothing is recorded."
    )
    assert page.evaluate("localStorage.getItem('shop.trackingSession')") is None
    sent.clear()
    page.goto(product_page)
    add_to_cart(page)
    page.wait_for_load_state("networkidle")
    assert sent == [], [request.url for request in sent]
    assert events_of(local_shop, session_id, set()) == [
        ("cart_add", product["product_id"]),
        ("view", product["product_id"]),
    ]


def test_the_banner_moves_nothing_and_is_not_the_largest_paint(page: Page, local_shop: LocalShop) -> None:
    """Lighthouse runs with a fresh profile, so it always sees the banner: at phone width (where the
    banner is largest next to the page) the page's layout shifts stay 0 and its LCP is page content."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url(local_shop, "/privacy.html"))
    expect(banner(page)).to_be_visible()
    page.wait_for_timeout(500)
    measured = page.evaluate(
        """() => new Promise((resolve) => {
            const result = { shift: 0, lcpInBanner: null };
            new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) if (!entry.hadRecentInput) result.shift += entry.value;
            }).observe({ type: "layout-shift", buffered: true });
            new PerformanceObserver((list) => {
              const last = list.getEntries().at(-1);
              result.lcpInBanner = Boolean(last.element && last.element.closest("#consent-banner"));
            }).observe({ type: "largest-contentful-paint", buffered: true });
            setTimeout(() => resolve(result), 200);
        })"""
    )
    assert measured == {"shift": 0, "lcpInBanner": False}
