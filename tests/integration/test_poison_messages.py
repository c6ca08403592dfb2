"""Fail fast, retry smart: every consumer parks a poison message in its DLQ at once, and backs off the rest.

Each test sends a message to a moto queue, receives it (so it has a real receipt handle and receive
count), builds the SQS event exactly as Lambda's event source mapping does (the local runner's
`sqs_record`), calls the real handler once, then reads the queues.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from cdk_app.local.queue_pump import sqs_record
from shop.contracts.queues import (
    ALL_QUEUES,
    DLQ_ERROR,
    DLQ_ORIGINAL_MESSAGE_ID,
    DLQ_REASON,
    DLQ_RECEIVE_COUNT,
    DLQ_SOURCE_QUEUE,
    INVENTORY_UPDATE,
    MAX_RECEIVES_BEFORE_DLQ,
    TRACKING_EVENTS,
    QueueSpec,
)
from shop.platform import queue_consumer
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import REGION, STAGE, metric_totals, order_world_in

QUEUES = {spec.logical_name: spec for spec in ALL_QUEUES}
# The queue's own visibility timeout in these tests: a retry the consumer did not delay is back in 1 s.
QUEUE_VISIBILITY_SECONDS = 1

MALFORMED = {
    "order-processing": "{not json",
    "payment-processing": json.dumps({"kind": "payment_event", "provider": "stripe"}),
    "email-notification": json.dumps({"template": "no_such_template", "to": "a@example.com"}),
    "inventory-update": json.dumps({"kind": "reserve", "order_id": "ord_1", "user_id": "alice"}),
    "tracking-events": json.dumps({"event_type": "wishlist", "session_id": "s"}),
}
# Only where a message names an order: email and tracking messages do not.
UNKNOWN_ORDER = {
    "order-processing": json.dumps({"kind": "order_placed", "order_id": "ord_missing", "user_id": "nobody"}),
    "payment-processing": json.dumps(
        {
            "kind": "payment_event",
            "provider": "stripe",
            "event_id": "evt_unknown_order",
            "payment_id": "pi_unknown_order",
            "order_id": "ord_missing",
        }
    ),
    "inventory-update": json.dumps({"kind": "restore", "order_id": "ord_missing", "user_id": "nobody"}),
}
TRACKING_EVENT = json.dumps(
    {
        "event_type": "view",
        "product_id": "prod_1",
        "session_id": "sess-1",
        "occurred_at": "2026-11-20T10:15:00.000Z",
    }
)


@dataclass
class QueuePair:
    spec: QueueSpec
    url: str
    arn: str
    dlq_url: str


@dataclass
class Queues:
    pairs: dict[str, QueuePair]
    context: LambdaContext

    def deliver(self, logical_name: str, *bodies: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Send `bodies`, receive them, call the queue's consumer once, delete what it handled: (the
        records, its response). A batch whose every record failed raises BatchProcessingError."""
        pair = self.pairs[logical_name]
        sqs = boto3.client("sqs", region_name=REGION)
        for body in bodies:
            sqs.send_message(QueueUrl=pair.url, MessageBody=body)
        received = sqs.receive_message(
            QueueUrl=pair.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        )["Messages"]
        assert sorted(message["Body"] for message in received) == sorted(bodies)
        records = [sqs_record(message, queue_arn=pair.arn, region=REGION) for message in received]
        response: dict[str, Any] = consumer(pair.spec)({"Records": records}, self.context)
        # What the event source mapping does next: delete every record not named as failed.
        failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
        for message in received:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=pair.url, ReceiptHandle=message["ReceiptHandle"])
        return records, response

    def dead_letters(self, logical_name: str) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        return sqs.receive_message(
            QueueUrl=self.pairs[logical_name].dlq_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            VisibilityTimeout=0,
        ).get("Messages", [])

    def depth(self, logical_name: str) -> int:
        """Messages on the source queue, hidden ones included."""
        attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
            QueueUrl=self.pairs[logical_name].url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def visible(self, logical_name: str) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", region_name=REGION)
        return sqs.receive_message(QueueUrl=self.pairs[logical_name].url, MaxNumberOfMessages=10).get(
            "Messages", []
        )


def consumer(spec: QueueSpec) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    handler: Callable[[dict[str, Any], Any], dict[str, Any]] = importlib.import_module(
        f"{spec.consumer}.handler"
    ).handler
    return handler


@pytest.fixture
def queues(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[Queues]:
    """order_world_in's queues and services, plus tracking-events, every queue with its DLQ and redrive
    policy as the Messaging stack makes them, and each consumer's queue and DLQ URLs as the stacks set."""
    world = order_world_in(monkeypatch, lambda_context)
    next(world)
    sqs = boto3.client("sqs", region_name=REGION)
    pairs = {}
    for spec in ALL_QUEUES:
        dlq_url = sqs.create_queue(QueueName=spec.dlq_name(STAGE))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        url = sqs.create_queue(QueueName=spec.queue_name(STAGE))["QueueUrl"]
        sqs.set_queue_attributes(
            QueueUrl=url,
            Attributes={
                "VisibilityTimeout": str(QUEUE_VISIBILITY_SECONDS),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES_BEFORE_DLQ}
                ),
            },
        )
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        monkeypatch.setenv(spec.env_var, url)
        monkeypatch.setenv(spec.dlq_env_var, dlq_url)
        pairs[spec.logical_name] = QueuePair(spec, url, arn, dlq_url)
    reset_process_state()
    yield Queues(pairs, lambda_context)
    next(world, None)


def _attribute(message: dict[str, Any], name: str) -> str:
    value: str = message["MessageAttributes"][name]["StringValue"]
    return value


def _assert_parked(queues: Queues, logical_name: str, record: dict[str, Any], reason: str) -> None:
    (parked,) = [m for m in queues.dead_letters(logical_name) if m["Body"] == record["body"]]
    assert _attribute(parked, DLQ_REASON) == reason
    assert _attribute(parked, DLQ_SOURCE_QUEUE) == QUEUES[logical_name].queue_name(STAGE)
    assert _attribute(parked, DLQ_ORIGINAL_MESSAGE_ID) == record["messageId"]
    assert _attribute(parked, DLQ_RECEIVE_COUNT) == "1"
    assert _attribute(parked, DLQ_ERROR)


@pytest.mark.parametrize("logical_name", sorted(MALFORMED))
def test_a_malformed_message_is_in_the_dlq_after_one_invocation(
    queues: Queues, logical_name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    (record,), response = queues.deliver(logical_name, MALFORMED[logical_name])

    assert response["batchItemFailures"] == []  # handled: SQS deletes it from the source queue
    _assert_parked(queues, logical_name, record, "malformed_message")
    assert queues.depth(logical_name) == 0
    assert metric_totals(capsys.readouterr().out).get("PoisonMessages") == 1


@pytest.mark.parametrize("logical_name", sorted(UNKNOWN_ORDER))
def test_a_message_for_an_unknown_order_is_in_the_dlq_after_one_invocation(
    queues: Queues, logical_name: str
) -> None:
    (record,), response = queues.deliver(logical_name, UNKNOWN_ORDER[logical_name])

    assert response["batchItemFailures"] == []
    _assert_parked(queues, logical_name, record, "unknown_order")
    assert queues.depth(logical_name) == 0


def test_a_poison_message_leaves_the_rest_of_its_batch_alone(queues: Queues) -> None:
    _records, response = queues.deliver(TRACKING_EVENTS.logical_name, "{not json", TRACKING_EVENT)

    assert response["batchItemFailures"] == []
    assert [m["Body"] for m in queues.dead_letters(TRACKING_EVENTS.logical_name)] == ["{not json"]
    views = boto3.resource("dynamodb", region_name=REGION).Table(f"{STAGE}-ProductViews").scan()["Items"]
    assert [item["product_id"] for item in views] == ["prod_1"]


def test_a_retryable_failure_backs_off_and_is_reported_failed(
    queues: Queues, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inventory_updater import handler as inventory_handler

    def outage(order_id: str, user_id: str) -> Any:
        raise ConnectionError("DynamoDB did not answer")

    monkeypatch.setattr(inventory_handler.inventory(), "restore", outage)
    delays: list[int] = []
    client = queue_consumer.sqs_client()
    change_visibility = client.change_message_visibility

    def recorded(**arguments: Any) -> Any:
        delays.append(arguments["VisibilityTimeout"])
        return change_visibility(**arguments)

    monkeypatch.setattr(client, "change_message_visibility", recorded)
    good_but_unlucky = json.dumps({"kind": "restore", "order_id": "ord_1", "user_id": "alice"})

    with pytest.raises(BatchProcessingError):  # its only record failed: SQS redelivers it
        queues.deliver(INVENTORY_UPDATE.logical_name, good_but_unlucky)

    assert delays == [queue_consumer.backoff_seconds(1)] == [60]
    assert queues.dead_letters(INVENTORY_UPDATE.logical_name) == []
    time.sleep(QUEUE_VISIBILITY_SECONDS + 0.5)
    # Still on the queue, and still hidden after the queue's own 1 s: the consumer pushed it back.
    assert queues.visible(INVENTORY_UPDATE.logical_name) == []
    assert queues.depth(INVENTORY_UPDATE.logical_name) == 1


def test_the_backoff_doubles_per_receive_and_is_capped() -> None:
    assert [queue_consumer.backoff_seconds(count) for count in (1, 2, 3, 10)] == [60, 120, 240, 900]


def test_when_the_dlq_send_fails_the_poison_message_is_reported_failed(
    queues: Queues, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = TRACKING_EVENTS.logical_name
    gone = queues.pairs[name].dlq_url.rsplit("/", 1)[0] + "/no-such-dlq"
    monkeypatch.setenv(TRACKING_EVENTS.dlq_env_var, gone)
    reset_process_state()

    records, response = queues.deliver(name, "{not json", TRACKING_EVENT)

    (poison,) = [record for record in records if record["body"] == "{not json"]
    assert response["batchItemFailures"] == [{"itemIdentifier": poison["messageId"]}]
    assert queues.dead_letters(name) == []
    assert queues.depth(name) == 1  # kept: SQS redelivers it, and redrives it after three receives


def test_without_a_dlq_in_the_environment_the_poison_message_is_reported_failed(
    queues: Queues, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(INVENTORY_UPDATE.dlq_env_var)
    reset_process_state()

    with pytest.raises(BatchProcessingError):
        queues.deliver(INVENTORY_UPDATE.logical_name, UNKNOWN_ORDER["inventory-update"])

    assert queues.dead_letters(INVENTORY_UPDATE.logical_name) == []
    assert queues.depth(INVENTORY_UPDATE.logical_name) == 1
