"""Consumer of payment-processing: verifies payments with the provider and settles orders; executes refunds.

A transient provider failure (outage, open circuit, payment still processing) backs off through the
queue: the record's visibility timeout becomes 2^receiveCount x 30 s (capped), then the record is
reported failed so SQS redelivers it after that delay, and parks it in the DLQ after three receives.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.notifications import sqs_client
from shop.payments.model import PROCESSING_MESSAGE
from shop.payments.service import TRANSIENT_PAYMENT_ERRORS, process_payment_message
from shop.platform.observability import logger, metrics, tracer
from shop.platform.queue_consumer import consume
from shop.platform.settings import get_settings

BASE_BACKOFF_SECONDS = 30
# Three receives reach the DLQ anyway; waiting longer than 15 minutes between them only delays the
# order (and an operator's redrive) for no gain. SQS itself would allow 12 hours.
MAX_BACKOFF_SECONDS = 900


def backoff_seconds(receive_count: int) -> int:
    return int(min(2**receive_count * BASE_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS))


def _delay_retry(record: SQSRecord) -> None:
    receive_count = int(record.attributes.approximate_receive_count or 1)
    delay = backoff_seconds(receive_count)
    try:
        sqs_client().change_message_visibility(
            QueueUrl=get_settings().queue_url(PAYMENT_PROCESSING.logical_name),
            ReceiptHandle=record.receipt_handle,
            VisibilityTimeout=delay,
        )
    except Exception as error:  # the record is retried anyway, after the queue's default timeout
        logger.warning("could not delay the retry", extra={"error": repr(error)})
        return
    logger.info("payment retry delayed", extra={"message_id": record.message_id, "seconds": delay})


def process_record(record: SQSRecord) -> dict[str, Any]:
    message = PROCESSING_MESSAGE.validate_json(record.body)
    try:
        outcome = process_payment_message(message)
    except TRANSIENT_PAYMENT_ERRORS as error:
        logger.warning("payment provider not ready; retrying later", extra={"error": repr(error)})
        _delay_retry(record)
        raise
    logger.info("payment message processed", extra={"outcome": outcome.outcome, "order_id": outcome.order_id})
    return {"outcome": outcome.outcome, "order_id": outcome.order_id}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context, process_record)
