"""tracking_api through its real handler: track routes queue events, recommendations, the watch list."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import redis

from cdk_app.local.redis_server import RedisServer
from shop.catalog.model import Category
from shop.tracking.model import TrackingEvent, TrackingEventType
from shop.tracking.repository import ProductViewRepository
from shop.tracking.service import TRACKING_EVENTS_QUEUED, recommendations_cache_key
from tests.integration.tracking_events import (
    Answer,
    api_request,
    calling,
    create_queues,
    drain,
    metric_totals,
    reset_tracking_state,
    seed_product,
    shopper,
)

Call = Callable[[dict[str, Any]], Answer]


@pytest.fixture
def queues(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield create_queues(monkeypatch)
    reset_tracking_state()


@pytest.fixture
def tracking_api(queues: dict[str, str], lambda_context: Any) -> Call:
    from tracking_api.handler import handler

    return calling(handler, lambda_context)


def tracked_messages(queues: dict[str, str]) -> list[TrackingEvent]:
    return [
        TrackingEvent.model_validate_json(message["Body"]) for message in drain(queues["tracking-events"])
    ]


def record_view(
    user_id: str, product_id: str, event_type: TrackingEventType = TrackingEventType.VIEW
) -> None:
    event = TrackingEvent(
        event_type=event_type,
        product_id=product_id,
        session_id="s-1",
        user_id=user_id,
        occurred_at="2026-11-20T10:00:00.000Z",
    )
    ProductViewRepository().record(event, message_id=f"{user_id}-{product_id}-{event_type}")


@pytest.mark.parametrize(
    ("route", "event_type"),
    [
        ("/track/view", TrackingEventType.VIEW),
        ("/track/cart-add", TrackingEventType.CART_ADD),
        ("/track/purchase", TrackingEventType.PURCHASE),
    ],
)
def test_each_track_route_queues_one_well_formed_event(
    tracking_api: Call,
    queues: dict[str, str],
    route: str,
    event_type: TrackingEventType,
    capsys: pytest.CaptureFixture[str],
) -> None:
    product_id = seed_product(name="Hymnal", price=1500)
    capsys.readouterr()

    answer = tracking_api(
        api_request(
            "POST",
            route,
            body={
                "product_id": product_id,
                "session_id": "sess-42",
                "referrer": "https://search.example.com/",
                "device_type": "mobile",
                "view_duration": 12.5,
            },
        )
    )

    assert answer.status == 202
    assert answer.body == {"status": "queued", "event_type": event_type.value, "signed_in": False}
    [event] = tracked_messages(queues)
    assert event.event_type is event_type
    assert (event.product_id, event.session_id, event.user_id) == (product_id, "sess-42", None)
    assert (event.referrer, event.device_type, event.view_duration) == (
        "https://search.example.com/",
        "mobile",
        12.5,
    )
    assert (event.product_name, event.product_price) == ("Hymnal", 1500)
    assert event.occurred_at.endswith("Z")
    assert metric_totals(capsys.readouterr().out, TRACKING_EVENTS_QUEUED, "event_type") == {
        event_type.value: 1
    }


def test_user_id_comes_from_the_token_never_from_the_body(tracking_api: Call, queues: dict[str, str]) -> None:
    product_id = seed_product()
    body = {"product_id": product_id, "session_id": "sess-1", "user_id": "someone-else"}

    signed_in = tracking_api(api_request("POST", "/track/view", body=body, claims=shopper("user-7")))
    anonymous = tracking_api(api_request("POST", "/track/view", body=body))

    assert signed_in.status == anonymous.status == 202
    assert [event.user_id for event in tracked_messages(queues)] == ["user-7", None]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"session_id": "sess-1"}, "product_id"), ({"product_id": "prod_1"}, "session_id")],
)
def test_a_missing_required_field_is_422_and_queues_nothing(
    tracking_api: Call, queues: dict[str, str], body: dict[str, str], field: str
) -> None:
    answer = tracking_api(api_request("POST", "/track/view", body=body))

    assert answer.status == 422
    assert answer.body["field"] == field
    assert drain(queues["tracking-events"]) == []


def test_an_unknown_product_is_404_and_queues_nothing(tracking_api: Call, queues: dict[str, str]) -> None:
    answer = tracking_api(
        api_request("POST", "/track/cart-add", body={"product_id": "prod_nope", "session_id": "s"})
    )

    assert answer.status == 404
    assert answer.body["field"] == "product_id"
    assert drain(queues["tracking-events"]) == []


def test_recommendations_are_unseen_products_of_the_viewed_categories_best_sellers_first(
    tracking_api: Call,
) -> None:
    viewed = seed_product(name="Viewed book")
    bought = seed_product(name="Bought book")
    popular = seed_product(name="Popular book", sales_count=50)
    niche = seed_product(name="Niche book", sales_count=3)
    other_category = seed_product(name="T-shirt", category=Category.APPAREL)
    archived = seed_product(name="Old book", status="draft")
    record_view("user-1", viewed)
    record_view("user-1", bought, TrackingEventType.PURCHASE)

    answer = tracking_api(
        api_request(
            "GET",
            "/track/recommendations/{user_id}",
            path_parameters={"user_id": "user-1"},
            claims=shopper("user-1"),
        )
    )

    assert answer.status == 200
    ids = [product["product_id"] for product in answer.body["recommendations"]]
    assert ids == [popular, niche]
    assert not {viewed, bought, other_category, archived} & set(ids)
    # Ranked by sales, but the figure is the shop's own, as on the public catalog.
    assert not any("sales_count" in product for product in answer.body["recommendations"])


def test_recommendations_are_cached_for_15_minutes(tracking_api: Call, redis_server: RedisServer) -> None:
    viewed = seed_product(name="Viewed")
    first_pick = seed_product(name="First pick")
    record_view("user-2", viewed)
    request = api_request(
        "GET",
        "/track/recommendations/{user_id}",
        path_parameters={"user_id": "user-2"},
        claims=shopper("user-2"),
    )

    first = tracking_api(request)
    seed_product(name="Added after the first answer")
    second = tracking_api(request)

    assert [product["product_id"] for product in first.body["recommendations"]] == [first_pick]
    assert second.body == first.body
    client = redis.Redis.from_url(redis_server.url)
    assert (
        json.loads(client.get(recommendations_cache_key("user-2")) or b"null")
        == first.body["recommendations"]
    )
    assert 0 < client.ttl(recommendations_cache_key("user-2")) <= 900


def test_recommendations_are_computed_when_redis_is_down(
    redis_down: None, tracking_api: Call, queues: dict[str, str]
) -> None:
    viewed = seed_product(name="Viewed")
    pick = seed_product(name="Pick")
    record_view("user-3", viewed)

    answer = tracking_api(
        api_request(
            "GET",
            "/track/recommendations/{user_id}",
            path_parameters={"user_id": "user-3"},
            claims=shopper("user-3"),
        )
    )

    assert answer.status == 200
    assert [product["product_id"] for product in answer.body["recommendations"]] == [pick]


def test_recommendations_of_another_user_are_403_except_for_admins(tracking_api: Call) -> None:
    def ask(claims: dict[str, str] | None) -> Answer:
        return tracking_api(
            api_request(
                "GET",
                "/track/recommendations/{user_id}",
                path_parameters={"user_id": "user-1"},
                claims=claims,
            )
        )

    assert ask(shopper("user-2")).status == 403
    assert ask(None).status == 401
    assert ask(shopper("admin-1", admin=True)).status == 200


def test_watch_list_add_and_remove(tracking_api: Call, shop_env: dict[str, str]) -> None:
    product_id = seed_product(name="Prayer journal", price=2500, stock_quantity=0)
    watch_list = boto3.resource("dynamodb").Table(shop_env["WATCH_LIST_TABLE"])

    added = tracking_api(
        api_request(
            "POST",
            "/track/watchlist/add",
            body={"product_id": product_id, "target_price": 2000},
            claims=shopper("user-5"),
        )
    )

    assert added.status == 201
    item = watch_list.get_item(Key={"user_id": "user-5", "product_id": product_id})["Item"]
    assert item["product_name"] == "Prayer journal"
    assert (item["current_price"], item["target_price"], item["in_stock"]) == (2500, 2000, False)
    assert item["notify_on_price_drop"] is True
    assert item["notify_on_restock"] is True
    assert item["notified_price_drop"] is False
    assert item["notified_restock"] is False
    assert item["created_at"].endswith("Z")

    def remove() -> Answer:
        return tracking_api(
            api_request(
                "DELETE", "/track/watchlist/remove", body={"product_id": product_id}, claims=shopper("user-5")
            )
        )

    assert remove().status == 200
    assert "Item" not in watch_list.get_item(Key={"user_id": "user-5", "product_id": product_id})
    assert remove().status == 404
    # Clients that drop DELETE bodies name the product in the query string instead.
    tracking_api(
        api_request("POST", "/track/watchlist/add", body={"product_id": product_id}, claims=shopper("user-5"))
    )
    by_query = tracking_api(
        api_request(
            "DELETE", "/track/watchlist/remove", query={"product_id": product_id}, claims=shopper("user-5")
        )
    )
    assert by_query.status == 200
    assert "Item" not in watch_list.get_item(Key={"user_id": "user-5", "product_id": product_id})


def test_watch_list_needs_an_existing_product_and_a_signed_in_user(tracking_api: Call) -> None:
    unknown = tracking_api(
        api_request("POST", "/track/watchlist/add", body={"product_id": "prod_missing"}, claims=shopper("u"))
    )
    anonymous = tracking_api(api_request("POST", "/track/watchlist/add", body={"product_id": seed_product()}))

    assert unknown.status == 404
    assert anonymous.status == 401


def test_tracked_events_reach_product_views_through_the_processor(
    tracking_api: Call, queues: dict[str, str], shop_env: dict[str, str], lambda_context: Any
) -> None:
    from tracking_processor.handler import handler as processor

    from tests.integration.tracking_events import sqs_event_from

    product_id = seed_product(name="Study Bible", price=2999)
    for route in ("/track/view", "/track/cart-add"):
        tracking_api(
            api_request(
                "POST", route, body={"product_id": product_id, "session_id": "s-9"}, claims=shopper("u-9")
            )
        )

    result = processor(sqs_event_from(drain(queues["tracking-events"])), lambda_context)

    assert result == {"batchItemFailures": []}
    items = list(ProductViewRepository().for_user("u-9"))
    assert sorted((item["event_type"], item["added_to_cart"]) for item in items) == [
        ("cart_add", True),
        ("view", False),
    ]
    assert {item["product_name"] for item in items} == {"Study Bible"}
    assert {item["product_price"] for item in items} == {2999}
