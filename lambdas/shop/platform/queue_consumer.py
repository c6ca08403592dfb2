"""Queue consumers: one record handler per message, partial batch responses for the rest.

A record whose handler raises is reported in `batchItemFailures`; SQS makes it visible again after
the visibility timeout and moves it to the queue's DLQ after three receives. Nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.platform.observability import logger, metrics, tracer

RecordHandler = Callable[[SQSRecord], Any]


def consume(
    event: dict[str, Any], context: LambdaContext, record_handler: RecordHandler
) -> PartialItemFailureResponse:
    """Run `record_handler` on every SQS record; answer with the ids of the records that failed."""
    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


class FeatureNotAvailable(RuntimeError):
    """A consumer whose processing lands with a later issue: its messages wait for it, then reach the DLQ."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not available yet; the message is kept for retry and then the DLQ")


def pending_feature_handler(
    feature: str,
) -> Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]:
    """A consumer whose processing is owed by a later issue: every record fails, so every message is
    kept (retried, then parked in the DLQ where the alarm shows it) until the real consumer ships."""

    def process_record(record: SQSRecord) -> None:
        logger.warning("message kept for a later release", extra={"message_id": record.message_id})
        raise FeatureNotAvailable(feature)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return consume(event, context, process_record)

    return handler
