"""tracking_processor: writes one ProductViews item per message of the tracking-events queue.

Records fail one by one (partial batch response): a malformed message goes back to the queue and on
to its DLQ without holding up the rest of the batch.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.platform.observability import logger, metrics, tracer
from shop.tracking.model import TrackingEvent
from shop.tracking.service import record_tracking_event

processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    # A body that is not a TrackingEvent raises here, failing only this record.
    event = TrackingEvent.model_validate_json(record.body)
    record_tracking_event(event, message_id=record.message_id)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """The Lambda entry point: {"batchItemFailures": [...]} names the records to retry."""
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
