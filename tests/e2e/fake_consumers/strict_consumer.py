"""An SQS consumer on shop.platform.queue_consumer, for the queue pump tests: a body starting with
`poison` is a poison message (its DLQ at once), with `later` a retryable failure (backed off);
anything else succeeds."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shop.contracts.queues import ORDER_PROCESSING
from shop.platform.queue_consumer import PoisonMessage, consume

RECEIVED: list[str] = []


def process(record: SQSRecord) -> None:
    RECEIVED.append(record.body)
    if record.body.startswith("poison"):
        raise PoisonMessage("invalid_test_message", "the test said so")
    if record.body.startswith("later"):
        raise ConnectionError("try again later")


def handler(event: dict[str, Any], context: Any) -> Any:
    return consume(event, context, process, queue=ORDER_PROCESSING)
