"""A marketing email's signed open pixel and click-through links through marketing_automation_api's
real handler, and the attribution of paid orders to the email that brought them.

The email is the one the abandoned-cart scan queues and email_sender renders: the links under test are
read from its HTML.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from shop.contracts import environment
from shop.contracts.email_messages import EmailRequest
from shop.email.rendering import render
from shop.marketing.attribution import Attribution
from shop.platform.clock import iso
from shop.platform.signed_links import EMAIL_CLICK, link_token
from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims, api_event
from tests.integration.order_events import (
    SITE_URL,
    OrderWorld,
    call_order_api,
    create_order_event,
    new_product,
    order_action_event,
    order_body,
    order_world_in,
    place,
    stored_order,
)

API_URL = "https://api.shop.test/v1"
ADMIN = admin_claims()


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    monkeypatch.setenv(environment.API_URL, API_URL)
    yield from order_world_in(monkeypatch, lambda_context)


def marketing(event: dict[str, Any]) -> dict[str, Any]:
    from marketing_automation_api.handler import handler

    response: dict[str, Any] = handler(event, LambdaContext())
    return response


def queue_item(queue_id: str) -> dict[str, Any]:
    item: dict[str, Any] = (
        boto3.resource("dynamodb").Table("test-MarketingQueue").get_item(Key={"queue_id": queue_id})["Item"]
    )
    return item


def set_on_item(queue_id: str, **fields: Any) -> None:
    names = {f"#f{n}": name for n, name in enumerate(fields)}
    values = {f":v{n}": value for n, value in enumerate(fields.values())}
    boto3.resource("dynamodb").Table("test-MarketingQueue").update_item(
        Key={"queue_id": queue_id},
        UpdateExpression="SET " + ", ".join(f"#f{n} = :v{n}" for n in range(len(fields))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def set_preferences(user_id: str, **flags: bool) -> None:
    boto3.resource("dynamodb").Table("test-EmailPreferences").put_item(
        Item={
            "user_id": user_id,
            "email": f"{user_id}@example.com",
            "abandoned_cart_emails": True,
            "marketing_emails": True,
            "unsubscribed": False,
            **flags,
        }
    )


def abandoned_cart_email(world: OrderWorld, user_id: str = "alice") -> tuple[str, str]:
    """The scan mails `user_id` about a cart left 30 hours ago; returns its queue id and rendered HTML."""
    set_preferences(user_id)
    moment = iso(datetime.now(UTC) - timedelta(hours=30))
    boto3.resource("dynamodb").Table("test-Cart").put_item(
        Item={
            "user_id": user_id,
            "items": [
                {
                    "product_id": "prod_1",
                    "name": "Study Bible",
                    "unit_price": 1000,
                    "currency": "USD",
                    "quantity": 1,
                }
            ],
            "created_at": moment,
            "updated_at": moment,
            "cache_key": f"shop:cart:{user_id}",
            "revision": 1,
        }
    )
    scanned = marketing(api_event("POST", "/marketing/scan-abandoned-carts", claims=ADMIN))
    assert scanned["statusCode"] == 200, scanned
    [request] = [EmailRequest.model_validate(body) for body in world.bodies("email-notification")]
    return str(request.data["message_id"]), render(request).html


def links_in(page: str, path: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'(?:src|href)="([^"]+)"', page) if path in url]


def follow(url: str) -> dict[str, Any]:
    """The API Gateway event of a GET of one of the email's API links."""
    parts = urlsplit(url)
    assert url.startswith(API_URL)
    route, message_id = parts.path.removeprefix("/v1").rsplit("/", 1)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    event = api_event(
        "GET",
        f"{route}/{{message_id}}",
        path_parameters={"message_id": message_id},
        query=query,  # type: ignore[arg-type]
        headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"},
    )
    return marketing(event)


def is_pixel(response: dict[str, Any]) -> bool:
    return (
        response["statusCode"] == 200
        and response["isBase64Encoded"] is True
        and response["multiValueHeaders"]["Content-Type"] == ["image/gif"]
        and "no-store" in response["multiValueHeaders"]["Cache-Control"][0]
        and base64.b64decode(response["body"]).startswith(b"GIF89a")
    )


def engagement(queue_id: str) -> dict[str, Any]:
    item = queue_item(queue_id)
    return {key: item.get(key) for key in ("opened", "open_count", "clicked", "click_count", "converted")}


NOTHING_RECORDED = {
    "opened": False,
    "open_count": None,
    "clicked": False,
    "click_count": None,
    "converted": False,
}


# -- opens -----------------------------------------------------------------------------------------


def test_the_open_pixel_answers_a_gif_and_records_the_first_open_and_the_count(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    [pixel] = links_in(page, "/m/open/")
    assert f"/m/open/{queue_id}?t=" in pixel

    assert is_pixel(follow(pixel))
    first = queue_item(queue_id)
    assert (first["opened"], first["open_count"]) == (True, 1)
    assert is_pixel(follow(pixel))
    second = queue_item(queue_id)
    assert second["open_count"] == 2
    assert second["opened_at"] == first["opened_at"]


def test_a_forged_or_misplaced_pixel_answers_the_gif_and_records_nothing(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    [pixel] = links_in(page, "/m/open/")
    forged = re.sub(r"t=[^&]+", "t=" + "A" * 43, pixel)
    other_email = pixel.replace(queue_id, "mq_" + "0" * 32)  # the token is not that email's
    not_an_id = pixel.replace(queue_id, "prod_1")
    for url in (forged, other_email, not_an_id):
        assert is_pixel(follow(url)), url
    assert engagement(queue_id) == NOTHING_RECORDED


# -- clicks ----------------------------------------------------------------------------------------


def test_a_click_records_and_redirects_to_the_shop_page_with_the_campaign_id(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    product_link, home_link = links_in(page, "/m/click/")
    assert parse_qs(urlsplit(product_link).query)["u"] == [f"{SITE_URL}/product.html?id=prod_1"]

    response = follow(product_link)

    assert response["statusCode"] == 302
    assert response["multiValueHeaders"]["Location"] == [f"{SITE_URL}/product.html?id=prod_1&mc={queue_id}"]
    assert "no-store" in response["multiValueHeaders"]["Cache-Control"][0]
    # A click is an open too (images blocked); both are counted from then on.
    assert engagement(queue_id) == {
        "opened": True,
        "open_count": None,
        "clicked": True,
        "click_count": 1,
        "converted": False,
    }
    assert follow(home_link)["multiValueHeaders"]["Location"] == [f"{SITE_URL}/?mc={queue_id}"]
    assert queue_item(queue_id)["click_count"] == 2


def test_a_tampered_click_is_refused_and_records_nothing(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    product_link = links_in(page, "/m/click/")[0]
    token = parse_qs(urlsplit(product_link).query)["t"][0]

    def click(target: str, token: str = token, message_id: str = queue_id) -> dict[str, Any]:
        return marketing(
            api_event(
                "GET",
                "/m/click/{message_id}",
                path_parameters={"message_id": message_id},
                query={"u": target, "t": token},
            )
        )

    # Another page of the shop with this link's token, this page for another email, a forged token.
    assert click(f"{SITE_URL}/checkout.html")["statusCode"] == 403
    assert click(f"{SITE_URL}/product.html?id=prod_1", message_id="mq_" + "1" * 32)["statusCode"] == 403
    assert click(f"{SITE_URL}/product.html?id=prod_1", token="B" * 43)["statusCode"] == 403
    # Never an open redirect: even a correctly signed link to another host is refused.
    for elsewhere in (
        "https://evil.example/",
        "https://shop.test.evil.example/",
        "https://shop.test@evil.example/",
        "http://shop.test/",
        "//evil.example/",
    ):
        signed = link_token(EMAIL_CLICK, f"{queue_id}\n{elsewhere}")
        refused = click(elsewhere, token=signed)
        assert refused["statusCode"] == 403, elsewhere
        assert "Location" not in refused["multiValueHeaders"]
    assert engagement(queue_id) == NOTHING_RECORDED


def test_after_unsubscribing_nothing_is_recorded_but_the_link_still_works(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    set_preferences("alice", unsubscribed=True)
    [pixel] = links_in(page, "/m/open/")
    product_link = links_in(page, "/m/click/")[0]

    assert is_pixel(follow(pixel))
    response = follow(product_link)

    assert response["multiValueHeaders"]["Location"] == [f"{SITE_URL}/product.html?id=prod_1"]
    assert engagement(queue_id) == NOTHING_RECORDED


# -- attribution -----------------------------------------------------------------------------------


def pay(order_id: str) -> None:
    paid = call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, ADMIN, body={"status": "paid"})
    )
    assert paid.status == 200, paid.body


def analytics() -> dict[str, Any]:
    response = marketing(api_event("GET", "/marketing/analytics", claims=ADMIN))
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = json.loads(response["body"])
    return body


def test_a_paid_order_redeeming_the_campaign_code_is_attributed_once(world: OrderWorld) -> None:
    queue_id, _page = abandoned_cart_email(world)
    code = queue_item(queue_id)["discount_code"]  # the personal CART10-… code the email offered
    assert code.startswith("CART10-")
    product_id = new_product(price=1500)
    order_id = place(product_id, 2, discount_code=code).body["order_id"]

    assert Attribution().sweep(now=datetime.now(UTC)).attributed == 0  # not paid yet: nothing
    pay(order_id)
    order = stored_order(order_id)
    first = Attribution().sweep(now=datetime.now(UTC))
    # Swept again (the daily run after the analytics): the order is credited once.
    again = Attribution().sweep(now=datetime.now(UTC))
    daily = marketing({"job": "daily-marketing-scans"})

    assert (first.attributed, again.attributed, daily["attribution"]["attributed"]) == (1, 0, 0)
    item = queue_item(queue_id)
    assert item["converted"] is True
    assert item["converted_order_id"] == order_id
    assert item["attributed_revenue_cents"] == order.total
    assert item["converted_via"] == "code"
    report = analytics()
    assert report["by_trigger"]["abandoned_cart"]["converted"] == 1
    assert report["by_trigger"]["abandoned_cart"]["attributed_revenue_cents"] == order.total
    assert report["totals"]["attributed_revenue_cents"] == order.total


def test_a_paid_order_after_a_click_is_attributed_within_the_window_only(world: OrderWorld) -> None:
    queue_id, page = abandoned_cart_email(world)
    location = follow(links_in(page, "/m/click/")[0])["multiValueHeaders"]["Location"][0]
    campaign = parse_qs(urlsplit(location).query)["mc"][0]
    product_id = new_product(price=2500)
    order_id = place(product_id, 1, campaign_message_id=campaign).body["order_id"]
    assert stored_order(order_id).campaign_message_id == queue_id
    pay(order_id)
    # The click was 8 days before the order: outside the default 7-day window.
    set_on_item(queue_id, clicked_at=iso(datetime.now(UTC) - timedelta(days=8)))
    assert Attribution().sweep(now=datetime.now(UTC)).attributed == 0
    set_on_item(queue_id, clicked_at=iso(datetime.now(UTC) - timedelta(days=6)))

    report = analytics()  # sweeps before it counts

    item = queue_item(queue_id)
    assert (item["converted"], item["converted_order_id"], item["converted_via"]) == (True, order_id, "click")
    row = report["by_trigger"]["abandoned_cart"]
    assert (row["sent"], row["opened"], row["clicked"], row["converted"]) == (1, 1, 1, 1)
    assert (row["open_rate"], row["click_rate"], row["conversion_rate"]) == (1.0, 1.0, 1.0)
    assert row["attributed_revenue_cents"] == stored_order(order_id).total


def test_an_order_naming_an_email_never_clicked_or_with_a_public_code_is_not_attributed(
    world: OrderWorld,
) -> None:
    queue_id, _page = abandoned_cart_email(world)
    order_id = place(new_product(), 1, campaign_message_id=queue_id).body["order_id"]
    pay(order_id)
    # A public code is no campaign's, even on an item that (by a mistake) recorded it.
    set_on_item(queue_id, discount_code="SAVE10")
    pay(place(new_product(), 1, discount_code="SAVE10").body["order_id"])

    assert Attribution().sweep(now=datetime.now(UTC)).attributed == 0
    assert queue_item(queue_id)["converted"] is False


def test_the_order_api_refuses_a_campaign_message_id_that_is_not_one(world: OrderWorld) -> None:
    reply = call_order_api(create_order_event(order_body(new_product(), 1, campaign_message_id="../x")))
    assert reply.status in (400, 422)
