"""Events and set-up for the tracking and marketing tests: API Gateway REST proxy events, SQS events
and the EventBridge Scheduler payload, shaped as AWS sends them; queues and per-process state."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from shop.catalog.model import Category
from shop.contracts.queues import EMAIL_NOTIFICATION, TRACKING_EVENTS, QueueSpec
from shop.marketing import analytics, campaign
from shop.platform.settings import get_settings
from shop.tracking.service import recommendations_cache, shared_recommender
from shop.tracking.service import sqs_client as tracking_sqs_client
from tests.integration.events import api_event
from tests.integration.events import sqs_record as shared_sqs_record

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
API_ID = "trk0api123"
STAGE = "test"

# The per-process singletons of the tracking and marketing code (the catalog's are reset by conftest).
TRACKING_CACHES: tuple[Any, ...] = (
    get_settings,
    tracking_sqs_client,
    recommendations_cache,
    shared_recommender,
    campaign.sqs_client,
    analytics.shared_analytics,
)


def reset_tracking_state() -> None:
    for cached in TRACKING_CACHES:
        cached.cache_clear()


def create_queues(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Create tracking-events and email-notification in moto and point the environment at them."""
    sqs = boto3.client("sqs", region_name=REGION)
    urls: dict[str, str] = {}
    spec: QueueSpec
    for spec in (TRACKING_EVENTS, EMAIL_NOTIFICATION):
        url = sqs.create_queue(QueueName=spec.queue_name(STAGE))["QueueUrl"]
        monkeypatch.setenv(spec.env_var, url)
        urls[spec.logical_name] = url
    reset_tracking_state()
    return urls


def drain(queue_url: str) -> list[dict[str, Any]]:
    """Every message now on a queue (received and deleted), as SQS returns them."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)


def seed_product(**overrides: Any) -> str:
    """Put a product item into the Products table, as the catalog stores one; returns its id."""
    product_id = f"prod_{uuid.uuid4().hex[:16]}"
    item: dict[str, Any] = {
        "product_id": product_id,
        "name": "Study Bible",
        "description": "",
        "category": Category.BOOKS.value,
        "price": 2000,
        "currency": "USD",
        "sku": f"SKU-{uuid.uuid4().hex[:8]}",
        "stock_quantity": 10,
        "status": "active",
        "created_at": "2026-11-01T09:00:00.000Z",
        "updated_at": "2026-11-01T09:00:00.000Z",
        "sales_count": 0,
        "cache_version": 1,
    }
    item.update(
        {key: value.value if isinstance(value, Category) else value for key, value in overrides.items()}
    )
    boto3.resource("dynamodb", region_name=REGION).Table(get_settings().table_name("Products")).put_item(
        Item=item
    )
    return product_id


# -- API Gateway ---------------------------------------------------------------------------------


def shopper(user_id: str, *, admin: bool = False) -> dict[str, str]:
    """Claims as a Cognito user-pool authorizer passes them (every value a string)."""
    claims = {
        "sub": user_id,
        "email": f"{user_id}@example.com",
        "email_verified": "true",
        "token_use": "id",
        "cognito:username": user_id,
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test",
        "auth_time": str(int(time.time())),
    }
    if admin:
        claims["cognito:groups"] = "admin"
    return claims


def api_request(
    method: str,
    resource: str,
    *,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    claims: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy integration event (the shared builder of tests/integration/events.py)."""
    return api_event(
        method,
        resource,
        path_parameters=path_parameters,
        body=body,
        claims=claims,
        query=dict(query) if query else None,
    )


@dataclass
class Answer:
    status: int
    body: Any


def calling(handler: Callable[[dict[str, Any], Any], dict[str, Any]], context: Any) -> Callable[..., Answer]:
    def call(event: dict[str, Any]) -> Answer:
        response = handler(event, context)
        return Answer(response["statusCode"], json.loads(response["body"]) if response.get("body") else None)

    return call


# -- SQS and the scheduler -----------------------------------------------------------------------


def sqs_record(
    body: str, *, message_id: str | None = None, queue: QueueSpec = TRACKING_EVENTS
) -> dict[str, Any]:
    return shared_sqs_record(body, queue_name=queue.queue_name(STAGE), message_id=message_id)


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    """The event Lambda's SQS event source mapping delivers."""
    return {"Records": list(records)}


def sqs_event_from(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event for messages received from a (moto) queue, keeping their real message ids."""
    return sqs_event(*(sqs_record(message["Body"], message_id=message["MessageId"]) for message in messages))


def scheduled_run() -> dict[str, Any]:
    """EventBridge Scheduler passes the schedule's input to the Lambda target unchanged."""
    return {"job": "daily-marketing-scans"}


def metric_totals(output: str, metric_name: str, dimension: str) -> dict[str, float]:
    """Sum the EMF records of one metric in captured stdout, by the value of one dimension."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "Shop"
            if any(metric["Name"] == metric_name for metric in directive["Metrics"]):
                value = record[metric_name]
                key = str(record[dimension])
                totals[key] = totals.get(key, 0) + (sum(value) if isinstance(value, list) else value)
    return totals
