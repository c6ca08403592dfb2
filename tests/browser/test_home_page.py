"""The home page: hero, categories (each linking to its listing), featured products, best sellers, and
"Recommended for you" for a signed-in shopper whose views the recommender has seen (never for guests)."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any
from urllib.request import urlopen

from playwright.sync_api import Page, Route, expect

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import LOCAL_PASSWORD
from cdk_app.local.seed import _ensure_user, _pool_and_client, sign_in
from tests.browser.conftest import catalog, screenshot, site_url


def api_get(shop: LocalShop, path: str) -> Any:
    with urlopen(site_url(shop, f"/api{path}")) as response:
        return json.loads(response.read())


def test_the_home_page_shows_hero_categories_featured_and_best_sellers(
    page: Page, local_shop: LocalShop, console_errors: list[str]
) -> None:
    asked: list[str] = []
    page.on("request", lambda req: asked.append(req.url) if "/recommendations/" in req.url else None)
    page.goto(site_url(local_shop))
    expect(page.locator("h1")).to_have_count(1)
    cta = page.locator(".hero").get_by_role("link", name="Shop all products")
    expect(cta).to_have_attribute("href", "/shop.html")
    expect(page.locator(".trust-strip")).to_contain_text("Free shipping from $50")

    # Every category, with its count and a picture, links to its own listing.
    categories = api_get(local_shop, "/categories")["categories"]
    tiles = page.locator("#categories .category-tile a")
    expect(tiles).to_have_count(len(categories))
    for tile, category in zip(tiles.all(), categories, strict=True):
        expect(tile).to_contain_text(category["name"])
        expect(tile.locator("img")).to_have_attribute("src", re.compile(r"/img/products/.+\.svg$"))
        query = re.escape(category["name"]).replace(r"\ ", r"(\+|%20)")
        expect(tile).to_have_attribute("href", re.compile(rf"^/shop\.html\?category={query}$"))

    featured = [item["name"] for item in api_get(local_shop, "/featured")["items"]]
    bestsellers = [item["name"] for item in api_get(local_shop, "/bestsellers")["items"]]
    assert featured
    assert bestsellers
    expect(page.locator("#products .product-card .card-title")).to_have_text(featured)
    expect(page.locator("#bestsellers .product-card .card-title")).to_have_text(bestsellers)
    expect(page.locator("#status")).to_have_text("")
    # A guest gets no recommendations, and the page does not ask for them.
    expect(page.locator("#recommended-section")).to_be_hidden()
    assert asked == []

    # The first category's tile opens that category's listing.
    tiles.first.click()
    expect(page).to_have_url(re.compile(r"/shop\.html\?category="))
    expect(page.locator("h1")).to_have_text(categories[0]["name"])
    assert console_errors == []


def test_a_signed_in_shopper_sees_recommendations_from_their_views(page: Page, local_shop: LocalShop) -> None:
    assert local_shop.aws is not None
    # A shopper of their own: the recommender caches each shopper's answer for 15 minutes.
    email = f"recommend-{uuid.uuid4().hex[:8]}@example.com"
    pool_id, _ = _pool_and_client(local_shop)
    _ensure_user(local_shop.aws.client("cognito-idp"), pool_id, email, "Rea Commend", admin=False)
    tokens = sign_in(local_shop, email, LOCAL_PASSWORD)
    viewed = catalog(local_shop)["Study Bible"]

    page.goto(site_url(local_shop))
    status = page.evaluate(
        """async ([token, productId]) => (await fetch("/api/track/view", {
             method: "POST",
             headers: {"Content-Type": "application/json", Authorization: token},
             body: JSON.stringify({product_id: productId, session_id: crypto.randomUUID()}),
           })).status""",
        [tokens["IdToken"], viewed["product_id"]],
    )
    assert status == 202
    wait_for_the_view_to_be_recorded(local_shop, str(viewed["product_id"]))

    page.evaluate(
        """(tokens) => {
             sessionStorage.setItem("shop.idToken", tokens.IdToken);
             sessionStorage.setItem("shop.accessToken", tokens.AccessToken);
             sessionStorage.setItem("shop.expiresAt", String(Date.now() + 3600 * 1000));
           }""",
        tokens,
    )
    page.reload()
    section = page.locator("#recommended-section")
    expect(section).to_be_visible()
    names = section.locator(".product-card .card-title").all_inner_texts()
    books = {name for name, item in catalog(local_shop).items() if item["category"] == "Books"}
    # Other books than the one viewed, which is never recommended back.
    assert names
    assert set(names) <= books - {"Study Bible"}, names
    expect(section.locator("button.add-to-cart")).to_have_count(0)


def wait_for_the_view_to_be_recorded(shop: LocalShop, product_id: str) -> None:
    """The event reaches ProductViews through the tracking queue, within seconds."""
    assert shop.aws is not None
    assert shop.model is not None
    (table,) = [table.name for table in shop.model.tables if table.name.endswith("-ProductViews")]
    dynamodb = shop.aws.client("dynamodb")
    deadline = time.monotonic() + 20
    while True:
        items = dynamodb.scan(
            TableName=table,
            FilterExpression="product_id = :p AND attribute_exists(user_id)",
            ExpressionAttributeValues={":p": {"S": product_id}},
        )["Items"]
        if items:
            return
        assert time.monotonic() < deadline, "the view never reached ProductViews"
        time.sleep(0.25)


def test_the_home_page_at_phone_width(page: Page, local_shop: LocalShop) -> None:
    page.goto(site_url(local_shop))
    expect(page.locator("#products .product-card").first).to_be_visible()
    expect(page.locator("#categories .category-tile a")).not_to_have_count(0)
    screenshot(page, "home")  # at 1280 px, then at 390 px, where the page stays
    assert page.viewport_size == {"width": 390, "height": 844}
    # Nothing wider than the phone: no sideways scrolling; the header's nav is on screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    cart_link = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Cart"))
    box = cart_link.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390


def test_an_unreachable_api_is_reported_in_words(page: Page, local_shop: LocalShop) -> None:
    def broken_config(route: Route) -> None:
        route.fulfill(
            status=200, content_type="application/json", body='{"apiUrl": "http://127.0.0.1:9/api"}'
        )

    page.route("**/config.json", broken_config)
    page.goto(site_url(local_shop))
    expect(page.locator("#status")).to_contain_text("could not be loaded")
