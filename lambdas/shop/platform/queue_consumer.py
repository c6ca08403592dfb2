"""Queue consumers: one record handler per message, partial batch responses, fail fast and retry smart.

A record's failure is one of two kinds:
- permanent (`PoisonMessage`, a body that is not valid for its model, or an exception type the
  consumer names as permanent): no retry can help, so the message goes to the queue's DLQ at once,
  with attributes saying why (`shop.contracts.queues.DLQ_REASON`, ...), and counts as handled so SQS
  deletes it from the queue. If that send fails, the record is reported failed instead: never lost.
- retryable (anything else): the record's visibility timeout becomes 2^receiveCount x 30 s (capped at
  15 minutes) and the record is reported in `batchItemFailures`, so SQS redelivers it after that
  delay and parks it in the DLQ after three receives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from shop.contracts.queues import (
    DLQ_ERROR,
    DLQ_ERROR_CHARS,
    DLQ_ORIGINAL_MESSAGE_ID,
    DLQ_REASON,
    DLQ_RECEIVE_COUNT,
    DLQ_SOURCE_QUEUE,
    QueueSpec,
)
from shop.platform.observability import count_metric, logger
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings

RecordHandler = Callable[[SQSRecord], Any]
# Exception type -> the reason recorded on the DLQ message.
PermanentErrors = Mapping[type[Exception], str]

POISON_MESSAGES = "PoisonMessages"
QUEUE_DIMENSION = "queue"
MALFORMED_MESSAGE = "malformed_message"
BASE_BACKOFF_SECONDS = 30
# Three receives reach the DLQ anyway; waiting longer than 15 minutes between them only delays the
# work (and an operator's redrive) for no gain. SQS itself would allow 12 hours.
MAX_BACKOFF_SECONDS = 900


class PoisonMessage(Exception):
    """A message no retry can fix: it goes to its queue's DLQ at once, recorded with `reason`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def backoff_seconds(receive_count: int) -> int:
    """How long a failed record stays hidden before its next receive."""
    return int(min(2**receive_count * BASE_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS))


@per_process
def sqs_client() -> Any:
    import boto3

    return boto3.client("sqs")


def consume(
    event: dict[str, Any],
    context: LambdaContext,
    record_handler: RecordHandler,
    *,
    queue: QueueSpec,
    permanent: PermanentErrors | None = None,
) -> PartialItemFailureResponse:
    """Run `record_handler` on every record of `queue`; poison messages go to its DLQ at once, the
    other failures back off and are answered as `batchItemFailures`."""

    def guarded(record: SQSRecord) -> Any:
        try:
            return record_handler(record)
        except Exception as error:
            reason = poison_reason(error, permanent or {})
            if reason is None or not park_in_dlq(record, queue, reason, error):
                delay_retry(record, queue)
                raise
            return {"outcome": "dead_lettered", "reason": reason}

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(event=event, record_handler=guarded, processor=processor, context=context)


def poison_reason(error: Exception, permanent: PermanentErrors) -> str | None:
    """The DLQ reason of a permanent failure; None for a failure a retry may fix."""
    if isinstance(error, PoisonMessage):
        return error.reason
    for error_type, reason in permanent.items():
        if isinstance(error, error_type):
            return reason
    if isinstance(error, ValidationError | json.JSONDecodeError):
        return MALFORMED_MESSAGE
    return None


def park_in_dlq(record: SQSRecord, queue: QueueSpec, reason: str, error: Exception) -> bool:
    """Send the record's body to the queue's DLQ with why; False when that failed (then retry it)."""
    receive_count = _receive_count(record)
    source_queue = record.event_source_arn.rsplit(":", 1)[-1]
    try:
        sqs_client().send_message(
            QueueUrl=get_settings().dead_letter_queue_url(queue.logical_name),
            MessageBody=record.body,
            MessageAttributes={
                DLQ_REASON: _text(reason),
                DLQ_ERROR: _text(str(error)[:DLQ_ERROR_CHARS] or type(error).__name__),
                DLQ_SOURCE_QUEUE: _text(source_queue),
                DLQ_ORIGINAL_MESSAGE_ID: _text(record.message_id),
                DLQ_RECEIVE_COUNT: {"DataType": "Number", "StringValue": str(receive_count)},
            },
        )
    except Exception as send_error:  # the record is reported failed: SQS keeps it
        logger.exception(
            "poison message could not be sent to the DLQ; kept for retry",
            extra={
                "message_id": record.message_id,
                "queue": queue.logical_name,
                "reason": reason,
                "send_error": repr(send_error),
            },
        )
        return False
    count_metric(POISON_MESSAGES, {QUEUE_DIMENSION: queue.logical_name})
    logger.error(
        "poison message sent to the DLQ",
        extra={
            "message_id": record.message_id,
            "queue": queue.logical_name,
            "reason": reason,
            "error": repr(error),
            "receive_count": receive_count,
        },
    )
    return True


def delay_retry(record: SQSRecord, queue: QueueSpec) -> None:
    """Hide the failed record for `backoff_seconds` of its receive count; best effort."""
    delay = backoff_seconds(_receive_count(record))
    try:
        sqs_client().change_message_visibility(
            QueueUrl=get_settings().queue_url(queue.logical_name),
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=delay,
        )
    except Exception as error:  # the record is retried anyway, after the queue's default timeout
        logger.warning(
            "could not delay the retry",
            extra={"message_id": record.message_id, "queue": queue.logical_name, "error": repr(error)},
        )
        return
    logger.info(
        "retry delayed",
        extra={"message_id": record.message_id, "queue": queue.logical_name, "seconds": delay},
    )


def _receive_count(record: SQSRecord) -> int:
    return int(record.attributes.approximate_receive_count or 1)


def _text(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}
