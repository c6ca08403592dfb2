"""tracking_processor through its real handler: SQS events in, ProductViews items out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shop.tracking.model import TrackingEvent, TrackingEventType
from shop.tracking.repository import view_id_for
from shop.tracking.service import TRACKING_EVENTS_RECORDED
from tests.integration.tracking_events import (
    create_queues,
    metric_totals,
    reset_tracking_state,
    sqs_event,
    sqs_record,
)


@pytest.fixture
def views_table(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    create_queues(monkeypatch)
    yield boto3.resource("dynamodb").Table(shop_env["PRODUCT_VIEWS_TABLE"])
    reset_tracking_state()


def event_body(event_type: str = "view", **overrides: Any) -> str:
    event = {
        "event_type": event_type,
        "product_id": "prod_1",
        "session_id": "sess-1",
        "user_id": "user-1",
        "occurred_at": "2026-11-20T10:15:00.000Z",
        "referrer": "https://example.com/",
        "device_type": "desktop",
        "view_duration": 31.5,
        "product_name": "Study Bible",
        "product_price": 2999,
    }
    event.update(overrides)
    return json.dumps(event)


def process(event: dict[str, Any], lambda_context: Any) -> Any:
    from tracking_processor.handler import handler

    return handler(event, lambda_context)


def test_a_view_becomes_one_product_views_item(views_table: Any, lambda_context: Any) -> None:
    record = sqs_record(event_body(), message_id="0f3c8a4e-1111-4c8e-9d7e-000000000001")

    result = process(sqs_event(record), lambda_context)

    assert result == {"batchItemFailures": []}
    [item] = views_table.scan()["Items"]
    assert item["view_id"] == view_id_for(record["messageId"])
    assert item["timestamp"] == "2026-11-20T10:15:00.000Z"
    assert (item["user_id"], item["session_id"], item["product_id"]) == ("user-1", "sess-1", "prod_1")
    assert (item["product_name"], item["product_price"]) == ("Study Bible", 2999)
    assert (item["added_to_cart"], item["purchased"]) == (False, False)
    assert abs(int(item["expires_at"]) - (time.time() + 90 * 86400)) < 120


def test_a_redelivered_message_writes_the_same_item(views_table: Any, lambda_context: Any) -> None:
    record = sqs_record(event_body(), message_id="0f3c8a4e-2222-4c8e-9d7e-000000000002")

    process(sqs_event(record), lambda_context)
    process(sqs_event(record), lambda_context)

    assert views_table.scan()["Count"] == 1


@pytest.mark.parametrize(
    ("event_type", "added_to_cart", "purchased"),
    [("cart_add", True, False), ("purchase", True, True)],
)
def test_cart_adds_and_purchases_are_flagged(
    views_table: Any, lambda_context: Any, event_type: str, added_to_cart: bool, purchased: bool
) -> None:
    process(sqs_event(sqs_record(event_body(event_type))), lambda_context)

    [item] = views_table.scan()["Items"]
    assert (item["event_type"], item["added_to_cart"], item["purchased"]) == (
        event_type,
        added_to_cart,
        purchased,
    )


def test_an_anonymous_event_has_no_user_id_attribute(views_table: Any, lambda_context: Any) -> None:
    # A NULL user_id would be refused by the user_id-timestamp-index key, so it is left out.
    process(sqs_event(sqs_record(event_body(user_id=None))), lambda_context)

    [item] = views_table.scan()["Items"]
    assert "user_id" not in item
    assert item["session_id"] == "sess-1"


def test_a_malformed_record_fails_alone(views_table: Any, lambda_context: Any) -> None:
    good = sqs_record(event_body(product_id="prod_good"))
    not_json = sqs_record("{not json")
    wrong_type = sqs_record(event_body("wishlist"))
    no_product = sqs_record(
        json.dumps({"event_type": "view", "session_id": "s", "occurred_at": "2026-11-20T10:15:00Z"})
    )

    result = process(sqs_event(not_json, good, wrong_type, no_product), lambda_context)

    assert sorted(failure["itemIdentifier"] for failure in result["batchItemFailures"]) == sorted(
        [not_json["messageId"], wrong_type["messageId"], no_product["messageId"]]
    )
    assert [item["product_id"] for item in views_table.scan()["Items"]] == ["prod_good"]


def test_recorded_events_are_counted_by_event_type(
    views_table: Any, lambda_context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    process(
        sqs_event(
            sqs_record(event_body("view")), sqs_record(event_body("view")), sqs_record(event_body("purchase"))
        ),
        lambda_context,
    )

    assert metric_totals(capsys.readouterr().out, TRACKING_EVENTS_RECORDED, "event_type") == {
        "view": 2,
        "purchase": 1,
    }


def test_the_event_model_round_trips_what_tracking_api_sends() -> None:
    body = event_body("cart_add")
    assert TrackingEvent.model_validate_json(body).event_type is TrackingEventType.CART_ADD
