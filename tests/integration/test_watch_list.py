"""The watch list end to end through the real handlers: a shopper watches through tracking_api, the daily
scans of marketing_automation_api email them, and the email preferences gate the emails; the track
routes record the signed-in shopper from the ID token a page sends on these public routes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.utilities.utils import load_resource

from shop.catalog.service import shared_catalog
from shop.contracts import environment
from shop.contracts.email_messages import EmailRequest, EmailTemplate
from shop.platform import cognito_tokens
from shop.platform.process_state import reset_process_state
from shop.tracking.model import TrackingEvent
from tests.integration.test_payment_limit_per_user import REGION, Pool
from tests.integration.tracking_events import (
    Answer,
    api_request,
    calling,
    create_queues,
    drain,
    reset_tracking_state,
    seed_product,
    shopper,
)

Call = Callable[[dict[str, Any]], Answer]
ADMIN = shopper("admin-1", admin=True)
CONSENT = {"marketing_emails": True, "price_drop_alerts": True, "back_in_stock_alerts": True}


@pytest.fixture
def queues(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield create_queues(monkeypatch)
    reset_tracking_state()


@pytest.fixture
def tracking_api(queues: dict[str, str], lambda_context: Any) -> Call:
    from tracking_api.handler import handler

    return calling(handler, lambda_context)


@pytest.fixture
def marketing(queues: dict[str, str], lambda_context: Any) -> Call:
    from marketing_automation_api.handler import handler

    return calling(handler, lambda_context)


def table(name: str) -> Any:
    return boto3.resource("dynamodb", region_name=REGION).Table(f"test-{name}")


def consent(user_id: str, **flags: bool) -> None:
    item = {"user_id": user_id, "email": f"{user_id}@example.com", "unsubscribed": False, **CONSENT, **flags}
    table("EmailPreferences").put_item(Item=item)


def watch(tracking_api: Call, user_id: str, product_id: str, **body: Any) -> Answer:
    return tracking_api(
        api_request(
            "POST", "/track/watchlist/add", body={"product_id": product_id, **body}, claims=shopper(user_id)
        )
    )


def watch_list(tracking_api: Call, user_id: str) -> list[dict[str, Any]]:
    answer = tracking_api(api_request("GET", "/track/watchlist", claims=shopper(user_id)))
    assert answer.status == 200, answer.body
    assert answer.body["count"] == len(answer.body["items"])
    items: list[dict[str, Any]] = answer.body["items"]
    return items


def set_product(product_id: str, **fields: Any) -> None:
    """An administrator's change as it lands in Products (the scans read the table), with the new
    cache_version the catalog's writes give it and the cache refreshed as they refresh it."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":v{i}": value for i, value in enumerate(fields.values())}
    table("Products").update_item(
        Key={"product_id": product_id},
        UpdateExpression="SET "
        + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        + " ADD cache_version :one",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={**values, ":one": 1},
    )
    catalog = shared_catalog()
    product = catalog.repository.get(product_id, consistent=True)
    assert product is not None
    catalog.product_changed(product)


def scan(marketing: Call, route: str) -> dict[str, Any]:
    answer = marketing(api_request("POST", route, claims=ADMIN))
    assert answer.status == 200, answer.body
    summary: dict[str, Any] = answer.body
    return summary


def emails(queues: dict[str, str]) -> list[EmailRequest]:
    return [
        EmailRequest.model_validate_json(message["Body"]) for message in drain(queues["email-notification"])
    ]


def test_the_watch_list_shows_each_watch_with_the_product_as_it_is_now(tracking_api: Call) -> None:
    sold_out = seed_product(name="Prayer journal", price=2500, stock_quantity=0)
    journal = seed_product(name="Study Bible", price=4000, stock_quantity=12)

    assert watch(tracking_api, "u-1", sold_out).status == 201
    added = watch(tracking_api, "u-1", journal, target_price=3500)
    set_product(journal, price=3900)

    assert added.status == 201
    assert added.body["target_price"] == 3500
    assert added.body["availability"] == "in_stock"
    items = watch_list(tracking_api, "u-1")
    assert [item["product_id"] for item in items] == [journal, sold_out]  # newest watch first
    newest, oldest = items
    assert (newest["name"], newest["price"], newest["target_price"], newest["in_stock"]) == (
        "Study Bible",
        3900,
        3500,
        True,
    )
    # "Notify me when back": no target, and the product shows as sold out.
    assert (oldest["target_price"], oldest["in_stock"], oldest["availability"]) == (None, False, "sold_out")
    assert oldest["watched_at"].endswith("Z")
    assert set(newest) >= {"image_url", "currency", "notify_on_price_drop", "notify_on_restock"}
    assert watch_list(tracking_api, "u-2") == []
    assert tracking_api(api_request("GET", "/track/watchlist")).status == 401


def test_watching_again_replaces_the_target_instead_of_adding_a_watch(tracking_api: Call) -> None:
    product_id = seed_product(price=2000)

    watch(tracking_api, "u-1", product_id, target_price=1800)
    again = watch(tracking_api, "u-1", product_id, target_price=1500)

    assert again.status == 201
    assert [(item["product_id"], item["target_price"]) for item in watch_list(tracking_api, "u-1")] == [
        (product_id, 1500)
    ]
    assert (
        table("WatchList").get_item(Key={"user_id": "u-1", "product_id": product_id})["Item"]["target_price"]
        == 1500
    )


def test_a_watch_with_a_target_price_is_emailed_when_the_price_reaches_it(
    tracking_api: Call, marketing: Call, queues: dict[str, str]
) -> None:
    product_id = seed_product(name="Hymnal", price=2000)
    for user in ("u-watch", "u-no-alerts"):
        consent(user)
        watch(tracking_api, user, product_id, target_price=1500)
    consent("u-no-alerts", price_drop_alerts=False)

    set_product(product_id, price=1600)
    assert scan(marketing, "/marketing/scan-price-drops")["queued"] == 0  # above the target still
    set_product(product_id, price=1500)
    summary = scan(marketing, "/marketing/scan-price-drops")

    assert (summary["queued"], summary["skipped_no_consent"]) == (1, 1)
    [email] = emails(queues)
    assert (email.template, email.to) == (EmailTemplate.PRICE_DROP, "u-watch@example.com")
    assert [(item["product_id"], item["price"]) for item in email.data["items"]] == [(product_id, 1500)]
    assert scan(marketing, "/marketing/scan-price-drops")["queued"] == 0  # once per watch


def test_notify_me_when_back_on_a_sold_out_product_is_emailed_when_stock_returns(
    tracking_api: Call, marketing: Call, queues: dict[str, str]
) -> None:
    product_id = seed_product(name="Advent candle", price=1200, stock_quantity=0)
    for user in ("u-back", "u-no-alerts"):
        consent(user)
        watch(tracking_api, user, product_id)
    consent("u-no-alerts", back_in_stock_alerts=False)
    # Sold out, a lower price is no news yet: the price-drop alert waits for stock.
    set_product(product_id, price=900)
    assert scan(marketing, "/marketing/scan-price-drops")["queued"] == 0
    assert scan(marketing, "/marketing/scan-restock")["queued"] == 0

    set_product(product_id, stock_quantity=5)
    summary = scan(marketing, "/marketing/scan-restock")

    assert (summary["queued"], summary["skipped_no_consent"]) == (1, 1)
    [email] = emails(queues)
    assert (email.template, email.to) == (EmailTemplate.BACK_IN_STOCK, "u-back@example.com")
    assert email.data["items"][0]["product_id"] == product_id
    assert watch_list(tracking_api, "u-back")[0]["in_stock"] is True


# -- the track routes: guests and signed-in shoppers ---------------------------------------------


@pytest.fixture
def pool(queues: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Pool:
    """A moto user pool tracking_api verifies tokens against (its JWKS from moto's published key)."""
    pool = Pool()
    monkeypatch.setenv(environment.USER_POOL_ID, pool.pool_id)
    monkeypatch.setenv(environment.USER_POOL_CLIENT_ID, pool.client_id)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setattr(
        cognito_tokens, "fetch_jwks", lambda _url: load_resource("cognitoidp/resources/jwks-public.json")
    )
    reset_process_state()
    return pool


def tracked(queues: dict[str, str]) -> list[TrackingEvent]:
    return [
        TrackingEvent.model_validate_json(message["Body"]) for message in drain(queues["tracking-events"])
    ]


def test_a_browser_event_records_the_signed_in_shopper_from_the_sent_id_token(
    tracking_api: Call, queues: dict[str, str], pool: Pool
) -> None:
    sub = pool.shopper("ruth@example.com")
    token = pool.tokens("ruth@example.com")["IdToken"]
    product_id = seed_product()
    body = {"product_id": product_id, "session_id": "sess-browser-1"}

    def send(route: str, headers: dict[str, str] | None) -> Answer:
        # As the page sends it: a public route, so no authorizer claims, only the header.
        event = api_request("POST", route, body=body)
        event["headers"].update(headers or {})
        return tracking_api(event)

    signed_in = send("/track/view", {"Authorization": token})
    bearer = send("/track/cart-add", {"Authorization": f"Bearer {token}"})
    guest = send("/track/purchase", None)
    stale = send("/track/view", {"Authorization": "not-a-token"})

    assert [answer.status for answer in (signed_in, bearer, guest, stale)] == [202] * 4
    assert [answer.body["signed_in"] for answer in (signed_in, bearer, guest, stale)] == [
        True,
        True,
        False,
        False,
    ]
    assert [(event.event_type.value, event.user_id, event.session_id) for event in tracked(queues)] == [
        ("view", sub, "sess-browser-1"),
        ("cart_add", sub, "sess-browser-1"),
        ("purchase", None, "sess-browser-1"),
        ("view", None, "sess-browser-1"),
    ]
