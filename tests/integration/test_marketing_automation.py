"""marketing_automation_api through its real handler: each scan's selection rules, consent, duplicate
suppression, the MarketingQueue item's life, the emails it sends, the daily run and analytics."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import redis

from cdk_app.api_routes import MARKETING_SCHEDULED_JOB
from cdk_app.local.redis_server import RedisServer
from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.marketing.analytics import ANALYTICS_CACHE_KEY
from shop.marketing.campaign import MARKETING_EMAILS_QUEUED
from shop.marketing.daily_run import DAILY_SCANS_JOB
from shop.promotions.service import Promotions
from shop.tracking.model import TrackingEvent, TrackingEventType
from shop.tracking.repository import ProductViewRepository
from tests.integration.tracking_events import (
    Answer,
    api_request,
    calling,
    create_queues,
    drain,
    metric_totals,
    reset_tracking_state,
    scheduled_run,
    seed_product,
    shopper,
)

Call = Callable[[dict[str, Any]], Answer]
ADMIN = shopper("admin-1", admin=True)
SCAN_ROUTES = (
    "/marketing/scan-abandoned-carts",
    "/marketing/scan-browse-abandonment",
    "/marketing/scan-price-drops",
    "/marketing/scan-restock",
)
ALL_CONSENT = {
    "marketing_emails": True,
    "abandoned_cart_emails": True,
    "price_drop_alerts": True,
    "back_in_stock_alerts": True,
}


@pytest.fixture
def queues(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield create_queues(monkeypatch)
    reset_tracking_state()


@pytest.fixture
def marketing(queues: dict[str, str], lambda_context: Any) -> Call:
    from marketing_automation_api.handler import handler

    return calling(handler, lambda_context)


def tables() -> Any:
    dynamodb = boto3.resource("dynamodb")

    class Tables:
        cart = dynamodb.Table("test-Cart")
        orders = dynamodb.Table("test-Orders")
        preferences = dynamodb.Table("test-EmailPreferences")
        marketing_queue = dynamodb.Table("test-MarketingQueue")
        watch_list = dynamodb.Table("test-WatchList")
        products = dynamodb.Table("test-Products")

    return Tables


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def consent(user_id: str, *, email: str | None = "default", **flags: bool) -> None:
    item: dict[str, Any] = {"user_id": user_id, **ALL_CONSENT, "unsubscribed": False, **flags}
    if email:
        item["email"] = f"{user_id}@example.com" if email == "default" else email
    tables().preferences.put_item(Item=item)


def put_cart(user_id: str, updated_at: str, product_ids: list[str]) -> None:
    tables().cart.put_item(
        Item={
            "user_id": user_id,
            "items": [
                {
                    "product_id": pid,
                    "name": f"Name of {pid}",
                    "unit_price": 1000,
                    "currency": "USD",
                    "quantity": 1,
                }
                for pid in product_ids
            ],
            "created_at": updated_at,
            "updated_at": updated_at,
            "expires_at": int(time.time()) + 30 * 86400,
            "cache_key": f"shop:cart:{user_id}",
            "revision": 1,
        }
    )


def view(user_id: str, product_id: str, when: str, kind: TrackingEventType = TrackingEventType.VIEW) -> None:
    event = TrackingEvent(
        event_type=kind, product_id=product_id, session_id="s", user_id=user_id, occurred_at=when
    )
    ProductViewRepository().record(event, message_id=f"{user_id}|{product_id}|{when}|{kind}")


def watch(user_id: str, product_id: str, **fields: Any) -> None:
    item = {
        "user_id": user_id,
        "product_id": product_id,
        "product_name": "watched",
        "current_price": 2000,
        "target_price": 1500,
        "in_stock": True,
        "notify_on_price_drop": True,
        "notify_on_restock": True,
        "notified_price_drop": False,
        "notified_restock": False,
        "created_at": ago(days=3),
        **fields,
    }
    tables().watch_list.put_item(Item=item)


def emails(queues: dict[str, str]) -> list[tuple[str, EmailRequest]]:
    """(SQS message id, request) of every message on email-notification; each must be an EmailRequest."""
    return [
        (message["MessageId"], EmailRequest.model_validate_json(message["Body"]))
        for message in drain(queues["email-notification"])
    ]


def scan(marketing: Call, route: str) -> dict[str, Any]:
    answer = marketing(api_request("POST", route, claims=ADMIN))
    assert answer.status == 200, answer.body
    body: dict[str, Any] = answer.body
    return body


def queue_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = tables().marketing_queue.scan()["Items"]
    return items


def test_abandoned_carts_selection_consent_and_the_queue_item_lifecycle(
    marketing: Call, queues: dict[str, str]
) -> None:
    for user in ("u-old", "u-fresh", "u-ordered", "u-empty", "u-optout", "u-noemail"):
        consent(user)
    consent("u-optout", abandoned_cart_emails=False)
    consent("u-noemail", email=None)
    put_cart("u-old", ago(hours=25), ["prod_a", "prod_b"])
    put_cart("u-fresh", ago(hours=2), ["prod_a"])
    put_cart("guest#AbCdEfGhIjKlMnOpQrStUvWx", ago(hours=30), ["prod_a"])
    put_cart("u-ordered", ago(hours=30), ["prod_a"])
    tables().orders.put_item(Item={"order_id": "ord_1", "user_id": "u-ordered", "order_date": ago(hours=29)})
    put_cart("u-empty", ago(hours=30), [])
    put_cart("u-noconsent", ago(hours=30), ["prod_a"])  # no EmailPreferences item at all
    put_cart("u-optout", ago(hours=30), ["prod_a"])
    put_cart("u-noemail", ago(hours=30), ["prod_a"])

    summary = scan(marketing, "/marketing/scan-abandoned-carts")

    assert summary["candidates"] == 4
    assert (summary["queued"], summary["skipped_no_consent"], summary["skipped_no_address"]) == (1, 2, 1)
    assert summary["skipped_duplicate"] == 0
    [(message_id, email)] = emails(queues)
    assert email.template is EmailTemplate.ABANDONED_CART
    assert email.category is EmailCategory.MARKETING
    assert (email.to, email.user_id) == ("u-old@example.com", "u-old")
    assert email.data["discount_percent"] == 10
    assert email.data["discount_code"].startswith("CART10-")
    assert sorted(item["product_id"] for item in email.data["items"]) == ["prod_a", "prod_b"]
    [item] = queue_items()
    assert email.dedupe_key == f"marketing:{item['queue_id']}"
    assert (item["user_id"], item["user_email"], item["trigger_type"]) == (
        "u-old",
        "u-old@example.com",
        "abandoned_cart",
    )
    assert item["discount_code"] == email.data["discount_code"]
    assert "pending_send" not in item
    # The code is a personal promotion: 10 %, one use, for this address only (docs/marketing.md).
    promotion = Promotions().get(email.data["discount_code"])
    assert (promotion.kind, promotion.value, promotion.email) == ("percent", 10, "u-old@example.com")
    assert (promotion.max_redemptions, promotion.per_customer_limit) == (1, 1)
    assert promotion.ends_at is not None
    assert promotion.starts_at is not None
    assert promotion.ends_at - promotion.starts_at == timedelta(days=7)
    assert item["sent"] is True
    assert item["email_queue_id"] == message_id
    sent_at = datetime.fromisoformat(item["sent_at"].replace("Z", "+00:00"))
    assert int(item["expires_at"]) == int((sent_at + timedelta(days=30)).timestamp())

    again = scan(marketing, "/marketing/scan-abandoned-carts")

    assert (again["queued"], again["skipped_duplicate"]) == (0, 1)
    assert emails(queues) == []
    assert len(queue_items()) == 1


def test_a_cart_changed_and_abandoned_again_is_mailed_again_with_a_new_code(
    marketing: Call, queues: dict[str, str]
) -> None:
    consent("u-1")
    put_cart("u-1", ago(hours=50), ["prod_a"])
    scan(marketing, "/marketing/scan-abandoned-carts")
    put_cart("u-1", ago(hours=26), ["prod_a", "prod_c"])

    second = scan(marketing, "/marketing/scan-abandoned-carts")

    assert second["queued"] == 1
    codes = {email.data["discount_code"] for _id, email in emails(queues)}
    assert len(codes) == 2


def test_browse_abandonment_needs_three_views_in_seven_days_and_no_cart_add(
    marketing: Call, queues: dict[str, str]
) -> None:
    often = seed_product(name="Viewed often", price=1800)
    twice = seed_product(name="Viewed twice")
    carted = seed_product(name="Carted long ago")
    for user in ("u-a", "u-old-views"):
        consent(user)
    consent("u-b", marketing_emails=False)
    for hours in (1, 20, 40):
        view("u-a", often, ago(hours=hours))
        view("u-a", carted, ago(hours=hours))
        view("u-b", often, ago(hours=hours))
    for hours in (2, 3):
        view("u-a", twice, ago(hours=hours))
    view("u-a", carted, ago(days=10), TrackingEventType.CART_ADD)
    for days in (8, 9, 10):
        view("u-old-views", often, ago(days=days))

    summary = scan(marketing, "/marketing/scan-browse-abandonment")

    assert (summary["candidates"], summary["queued"], summary["skipped_no_consent"]) == (2, 1, 1)
    [(_id, email)] = emails(queues)
    assert (email.template, email.to) == (EmailTemplate.BROWSE_ABANDONMENT, "u-a@example.com")
    assert email.data["discount_percent"] == 5
    assert email.data["discount_code"].startswith("LOOK5-")
    assert email.data["items"] == [
        {"product_id": often, "name": "Viewed often", "price": 1800, "currency": "USD", "views": 3}
    ]

    # Later, a new product is browsed: only it is mailed; the first is not repeated.
    newer = seed_product(name="Newer")
    for hours in (1, 2, 3):
        view("u-a", newer, ago(hours=hours))
    again = scan(marketing, "/marketing/scan-browse-abandonment")

    assert again["queued"] == 1
    [(_id, second)] = emails(queues)
    assert [item["product_id"] for item in second.data["items"]] == [newer]
    assert scan(marketing, "/marketing/scan-browse-abandonment")["skipped_duplicate"] == 1


def test_price_drops_alert_once_when_the_target_is_reached(marketing: Call, queues: dict[str, str]) -> None:
    cheap = seed_product(name="Now cheap", price=1400)
    dear = seed_product(name="Still dear", price=1900)
    for user in ("u-1", "u-2", "u-3", "u-4"):
        consent(user)
    consent("u-5", price_drop_alerts=False)
    consent("u-6", unsubscribed=True)  # every flag still true: unsubscribing overrides them
    watch("u-1", cheap, target_price=1500)
    watch("u-6", cheap, target_price=1500)
    watch("u-2", dear, target_price=1500)
    watch("u-3", cheap, target_price=1500, notify_on_price_drop=False)
    watch("u-4", cheap, target_price=1500, notified_price_drop=True)
    watch("u-5", cheap, target_price=1500)

    summary = scan(marketing, "/marketing/scan-price-drops")

    assert (summary["candidates"], summary["queued"], summary["skipped_no_consent"]) == (3, 1, 2)
    [(_id, email)] = emails(queues)
    assert (email.template, email.to) == (EmailTemplate.PRICE_DROP, "u-1@example.com")
    assert email.data["items"][0]["price"] == 1400
    assert email.data["discount_code"] is None
    watched = tables().watch_list.get_item(Key={"user_id": "u-1", "product_id": cheap})["Item"]
    assert watched["notified_price_drop"] is True
    assert watched["current_price"] == 1400
    assert scan(marketing, "/marketing/scan-price-drops")["queued"] == 0
    assert emails(queues) == []


def test_restock_alerts_watchers_of_products_back_in_stock(marketing: Call, queues: dict[str, str]) -> None:
    back = seed_product(name="Back", stock_quantity=4)
    still_out = seed_product(name="Still out", stock_quantity=0)
    consent("u-1")
    consent("u-2")
    watch("u-1", back, in_stock=False)
    watch("u-2", still_out, in_stock=False)
    watch("u-2", back, in_stock=True)  # never recorded as out of stock: nothing to announce

    summary = scan(marketing, "/marketing/scan-restock")

    assert (summary["candidates"], summary["queued"]) == (1, 1)
    [(_id, email)] = emails(queues)
    assert (email.template, email.to) == (EmailTemplate.BACK_IN_STOCK, "u-1@example.com")
    watched = tables().watch_list.get_item(Key={"user_id": "u-1", "product_id": back})["Item"]
    assert watched["notified_restock"] is True
    assert watched["in_stock"] is True
    assert scan(marketing, "/marketing/scan-restock")["candidates"] == 0


def test_an_alert_mailed_by_an_interrupted_run_is_not_sent_twice(
    marketing: Call, queues: dict[str, str]
) -> None:
    back = seed_product(stock_quantity=2)
    consent("u-1")
    watch("u-1", back, in_stock=False)
    scan(marketing, "/marketing/scan-restock")
    emails(queues)
    # As if the run had stopped after sending but before settling the watch item.
    tables().watch_list.update_item(
        Key={"user_id": "u-1", "product_id": back},
        UpdateExpression="SET notified_restock = :f, in_stock = :f",
        ExpressionAttributeValues={":f": False},
    )

    summary = scan(marketing, "/marketing/scan-restock")

    assert (summary["candidates"], summary["queued"], summary["skipped_duplicate"]) == (1, 0, 1)
    assert emails(queues) == []
    assert (
        tables().watch_list.get_item(Key={"user_id": "u-1", "product_id": back})["Item"]["notified_restock"]
        is True
    )


def test_a_pending_item_of_an_earlier_run_is_sent_and_marked_sent(
    marketing: Call, queues: dict[str, str]
) -> None:
    tables().marketing_queue.put_item(
        Item={
            "queue_id": "mq_interrupted",
            "user_id": "u-1",
            "user_email": "u-1@example.com",
            "trigger_type": "price_drop",
            "trigger_data": {
                "tokens": ["prod_x@2026-11-01"],
                "items": [{"product_id": "prod_x", "price": 900}],
            },
            "scheduled_send_time": ago(hours=2),
            "pending_send": "PENDING",
            "sent": False,
            "created_at": ago(hours=2),
        }
    )

    summary = scan(marketing, "/marketing/scan-price-drops")

    assert summary["resent"] == 1
    [(message_id, email)] = emails(queues)
    assert email.dedupe_key == "marketing:mq_interrupted"
    assert email.template is EmailTemplate.PRICE_DROP
    [item] = queue_items()
    assert "pending_send" not in item
    assert item["sent"] is True
    assert item["email_queue_id"] == message_id


def test_the_daily_schedule_runs_every_scan(
    marketing: Call, queues: dict[str, str], lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from marketing_automation_api.handler import handler

    cheap = seed_product(price=1000)
    back = seed_product(stock_quantity=3)
    browsed = seed_product()
    consent("u-1")
    put_cart("u-1", ago(hours=30), ["prod_a"])
    watch("u-1", cheap, target_price=1200)
    watch("u-1", back, in_stock=False)
    for hours in (1, 2, 3):
        view("u-1", browsed, ago(hours=hours))
    capsys.readouterr()

    result = handler(scheduled_run(), lambda_context)

    assert result["job"] == DAILY_SCANS_JOB
    assert {name: scan["queued"] for name, scan in result["scans"].items()} == {
        "abandoned_carts": 1,
        "browse_abandonment": 1,
        "price_drops": 1,
        "restock": 1,
    }
    assert result["queued"] == 4
    assert sorted(email.template.value for _id, email in emails(queues)) == [
        "abandoned_cart",
        "back_in_stock",
        "browse_abandonment",
        "price_drop",
    ]
    assert metric_totals(capsys.readouterr().out, MARKETING_EMAILS_QUEUED, "trigger_type") == {
        "abandoned_cart": 1,
        "browse_abandonment": 1,
        "price_drop": 1,
        "back_in_stock": 1,
    }


def test_the_schedule_payload_matches_the_api_stack() -> None:
    assert DAILY_SCANS_JOB == MARKETING_SCHEDULED_JOB


def test_an_unknown_direct_invocation_fails_loudly(marketing: Call, lambda_context: Any) -> None:
    from marketing_automation_api.handler import handler

    with pytest.raises(ValueError, match="unexpected event"):
        handler({"job": "something-else"}, lambda_context)


@pytest.mark.parametrize(
    ("method", "route"), [*(("POST", route) for route in SCAN_ROUTES), ("GET", "/marketing/analytics")]
)
def test_marketing_routes_are_for_admins(
    marketing: Call, queues: dict[str, str], method: str, route: str
) -> None:
    consent("u-1")
    put_cart("u-1", ago(hours=30), ["prod_a"])

    shopper_answer = marketing(api_request(method, route, claims=shopper("u-1")))
    anonymous = marketing(api_request(method, route))

    assert shopper_answer.status == 403
    assert anonymous.status == 401
    assert emails(queues) == []
    assert queue_items() == []


def test_analytics_count_queued_and_sent_per_trigger_and_are_cached(
    marketing: Call, queues: dict[str, str], redis_server: RedisServer
) -> None:
    consent("u-1")
    consent("u-2")
    put_cart("u-1", ago(hours=30), ["prod_a"])
    put_cart("u-2", ago(hours=30), ["prod_b"])
    scan(marketing, "/marketing/scan-abandoned-carts")
    tables().marketing_queue.put_item(
        Item={
            "queue_id": "mq_old",
            "user_email": "x@example.com",
            "trigger_type": "price_drop",
            "sent": True,
            "created_at": ago(days=40),
        }
    )
    tables().marketing_queue.put_item(
        Item={
            "queue_id": "mq_pending",
            "user_email": "y@example.com",
            "trigger_type": "price_drop",
            "pending_send": "PENDING",
            "scheduled_send_time": ago(minutes=1),
            "sent": False,
            "created_at": ago(minutes=1),
        }
    )

    first = marketing(api_request("GET", "/marketing/analytics", claims=ADMIN))

    assert first.status == 200
    assert first.body["by_trigger"]["abandoned_cart"]["queued"] == 2
    assert first.body["by_trigger"]["abandoned_cart"]["sent"] == 2
    assert first.body["by_trigger"]["price_drop"] == {
        "queued": 1,
        "sent": 0,
        "opened": 0,
        "clicked": 0,
        "converted": 0,
        "open_rate": 0.0,
        "click_rate": 0.0,
        "conversion_rate": 0.0,
        "attributed_revenue_cents": 0,
    }
    assert first.body["totals"]["queued"] == 3
    client = redis.Redis.from_url(redis_server.url)
    assert 0 < client.ttl(ANALYTICS_CACHE_KEY) <= 900
    put_cart("u-1", ago(hours=25), ["prod_c"])
    scan(marketing, "/marketing/scan-abandoned-carts")
    assert marketing(api_request("GET", "/marketing/analytics", claims=ADMIN)).body == first.body
    assert json.loads(client.get(ANALYTICS_CACHE_KEY) or b"null") == first.body


def test_analytics_are_computed_when_redis_is_down(redis_down: None, marketing: Call) -> None:
    consent("u-1")
    put_cart("u-1", ago(hours=30), ["prod_a"])
    scan(marketing, "/marketing/scan-abandoned-carts")

    answer = marketing(api_request("GET", "/marketing/analytics", claims=ADMIN))

    assert answer.status == 200
    assert answer.body["by_trigger"]["abandoned_cart"]["sent"] == 1
