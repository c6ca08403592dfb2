"""tracking_processor: writes one ProductViews item per message of the tracking-events queue.

Records fail one by one (partial batch response): a malformed message goes to the DLQ at once without
holding up the rest of the batch; a failed write backs off and is retried (shop.platform.queue_consumer).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.queues import TRACKING_EVENTS
from shop.platform.observability import logger, metrics, tracer
from shop.platform.queue_consumer import consume
from shop.tracking.model import TrackingEvent
from shop.tracking.service import record_tracking_event


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    # A body that is not a TrackingEvent raises here: a poison message, this record alone.
    event = TrackingEvent.model_validate_json(record.body)
    record_tracking_event(event, message_id=record.message_id)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """The Lambda entry point: {"batchItemFailures": [...]} names the records to retry."""
    return consume(event, context, record_handler, queue=TRACKING_EVENTS)
