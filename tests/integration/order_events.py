"""Set-up for the order pipeline tests: the four queues and SES in moto, order_api calls, and SQS
events built from the messages each step really queued."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from shop.contracts import environment
from shop.contracts.queues import MAIN_QUEUES
from shop.contracts.tables import RUNTIME_FLAGS
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event, shopper_claims
from tests.integration.events import sqs_record as shared_sqs_record
from tests.kill_switches import set_runtime_flags

REGION = "us-east-1"
STAGE = "test"
SENDER = "shop@example.com"
SITE_URL = "https://shop.test"

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def reset_order_state() -> None:
    """Forget every per-process singleton (environment changes between tests)."""
    reset_process_state()


@dataclass
class OrderWorld:
    queues: dict[str, str]
    context: LambdaContext

    def drain(self, logical_name: str) -> list[dict[str, Any]]:
        """Every message now on a queue (received and deleted), as SQS returns them."""
        sqs = boto3.client("sqs", region_name=REGION)
        messages: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(
                QueueUrl=self.queues[logical_name], MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                sqs.delete_message(QueueUrl=self.queues[logical_name], ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)

    def bodies(self, logical_name: str) -> list[dict[str, Any]]:
        return [json.loads(message["Body"]) for message in self.drain(logical_name)]


def order_world_in(monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext) -> Iterator[OrderWorld]:
    """Inside shop_env: the four pipeline queues, a verified SES sender and the site's URL (the link key
    is made in shop_env's SigningKeys table on first use). The kill switches are off: their item does
    not exist until a test flips one."""
    sqs = boto3.client("sqs", region_name=REGION)
    queues: dict[str, str] = {}
    for spec in MAIN_QUEUES:
        url = sqs.create_queue(QueueName=spec.queue_name(STAGE))["QueueUrl"]
        monkeypatch.setenv(spec.env_var, url)
        queues[spec.logical_name] = url
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    monkeypatch.setenv(environment.SENDER_EMAIL, SENDER)
    monkeypatch.setenv(environment.SITE_URL, SITE_URL)
    reset_order_state()
    yield OrderWorld(queues, lambda_context)
    reset_order_state()


def set_flags(**flags: bool) -> dict[str, bool]:
    """Flip these switches (shop_env's RuntimeFlags table) and forget the flags this process read;
    returns the switches stored before."""
    table_name = os.environ[RUNTIME_FLAGS.env_var]
    before = set_runtime_flags(boto3.client("dynamodb", region_name=REGION), table_name, **flags)
    reset_process_state()
    return before


def sent_emails() -> list[Any]:
    """What moto's SES accepted."""
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


# -- API -----------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call_order_api(event: dict[str, Any], context: LambdaContext | None = None) -> Reply:
    from order_api.handler import handler

    response = handler(event, context or LambdaContext())
    raw = response.get("body")
    headers = {**(response.get("headers") or {})}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    content_type = headers.get("Content-Type", "")
    body = json.loads(raw) if raw and "json" in content_type else raw
    return Reply(response["statusCode"], body, headers)


def create_order_event(
    body: dict[str, Any],
    *,
    user_id: str | None = "alice",
    idempotency_key: str | None = None,
    cart_id: str | None = None,
) -> dict[str, Any]:
    headers: dict[str, str] = {}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    if cart_id:
        headers["X-Cart-Id"] = cart_id
    if user_id is None:
        return api_event("POST", "/guest/orders/create", body=body, headers=headers)
    return api_event("POST", "/orders/create", body=body, headers=headers, claims=shopper_claims(user_id))


def order_body(product_id: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {"shipping_address": ADDRESS, "items": [{"product_id": product_id, "quantity": quantity}], **extra}


def place(product_id: str, quantity: int = 1, *, user_id: str | None = "alice", **extra: Any) -> Reply:
    reply = call_order_api(create_order_event(order_body(product_id, quantity, **extra), user_id=user_id))
    assert reply.status == 202, reply.body
    return reply


def get_order_event(order_id: str, claims: dict[str, str] | None) -> dict[str, Any]:
    return api_event("GET", "/orders/{id}", path_parameters={"id": order_id}, claims=claims)


def order_action_event(
    method: str, resource: str, order_id: str, claims: dict[str, str], body: Any = None
) -> dict[str, Any]:
    return api_event(method, resource, path_parameters={"id": order_id}, claims=claims, body=body)


# -- SQS -----------------------------------------------------------------------------------------


def sqs_record(
    body: str, *, message_id: str | None = None, queue: str = "order-processing"
) -> dict[str, Any]:
    return shared_sqs_record(body, queue_name=f"{STAGE}-{queue}-queue", message_id=message_id)


def sqs_event_from(messages: list[dict[str, Any]], queue: str) -> dict[str, Any]:
    """The event Lambda's event source mapping delivers for messages received from a (moto) queue."""
    return {"Records": [sqs_record(m["Body"], message_id=m["MessageId"], queue=queue) for m in messages]}


Consumer = Callable[[dict[str, Any], Any], dict[str, Any]]


def consumers() -> dict[str, Consumer]:
    from email_sender.handler import handler as email_sender
    from inventory_updater.handler import handler as inventory_updater
    from order_processor.handler import handler as order_processor

    return {
        "order-processing": order_processor,
        "inventory-update": inventory_updater,
        "email-notification": email_sender,
    }


def run_queue(world: OrderWorld, queue: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Deliver everything on `queue` to its consumer in batches of 10; (messages, last response)."""
    messages = world.drain(queue)
    response: dict[str, Any] = {"batchItemFailures": []}
    for start in range(0, len(messages), 10):
        batch = messages[start : start + 10]
        response = consumers()[queue](sqs_event_from(batch, queue), world.context)
        assert response["batchItemFailures"] == [], response
    return messages, response


def run_pipeline(world: OrderWorld) -> None:
    """Run every consumer until no queue has messages left."""
    for _round in range(5):
        moved = 0
        for queue in ("order-processing", "inventory-update", "email-notification"):
            messages, _ = run_queue(world, queue)
            moved += len(messages)
        if not moved:
            return


def make_requests_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make each AWS request atomic, as DynamoDB's are; moto's in-process backend is not thread-safe.

    Requests of different threads still interleave, so a read-modify-write across two requests loses
    updates here just as it would in DynamoDB.
    """
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def atomic(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", atomic)


def new_product(*, stock: int = 10, price: int = 2000, **overrides: Any) -> str:
    """Create a product through the catalog's repository; returns its id."""
    from shop.catalog.model import ProductDraft
    from shop.catalog.repository import ProductRepository

    draft = ProductDraft.model_validate(
        {
            "name": "Study Bible",
            "category": "Books",
            "price": price,
            "sku": f"BK-{uuid.uuid4().hex[:8]}",
            "stock_quantity": stock,
            **overrides,
        }
    )
    return ProductRepository().create(draft).product_id


def stored_stock(product_id: str) -> int:
    from shop.catalog.repository import ProductRepository

    product = ProductRepository().get(product_id, consistent=True)
    assert product is not None
    return product.stock_quantity


def stored_order(order_id: str) -> Any:
    from shop.orders.repository import OrderRepository

    order = OrderRepository().get(order_id)
    assert order is not None
    return order


def metric_totals(output: str) -> dict[str, float]:
    """Sum the EMF records in captured stdout by metric name."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + (
                    sum(value) if isinstance(value, list) else value
                )
    return totals
