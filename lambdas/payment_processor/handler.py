"""Consumer of payment-processing: verifies payments with the provider and settles orders; executes refunds.

A transient provider failure (outage, open circuit, payment still processing) backs off through the
queue (shop.platform.queue_consumer): the record's visibility timeout becomes 2^receiveCount x 30 s
(capped), then the record is reported failed so SQS redelivers it after that delay, and parks it in
the DLQ after three receives. A message no retry can fix goes to the DLQ at once: a malformed body,
an order this stage does not hold, or a request the provider refused (an unknown payment id).
A provider's rate limit (429) is neither: the breaker does not count it, and the message is queued
again with a growing delay (shop.platform.throttled_requeue), never dead-lettered for a burst.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.processing import OrderNotFoundError
from shop.payments.model import PROCESSING_MESSAGE, ProviderRejected
from shop.payments.service import process_payment_message
from shop.platform.circuit_breaker import DependencyThrottled
from shop.platform.observability import logger, metrics, tracer
from shop.platform.queue_consumer import PermanentErrors, consume
from shop.platform.queue_consumer import backoff_seconds as backoff_seconds
from shop.platform.throttled_requeue import requeue_throttled

PERMANENT: PermanentErrors = {OrderNotFoundError: "unknown_order", ProviderRejected: "provider_rejected"}


def process_record(record: SQSRecord) -> dict[str, Any]:
    message = PROCESSING_MESSAGE.validate_json(record.body)
    try:
        outcome = process_payment_message(message)
    except DependencyThrottled as throttle:
        if not requeue_throttled(record, PAYMENT_PROCESSING, throttle):
            raise
        return {"outcome": "throttled"}
    logger.info("payment message processed", extra={"outcome": outcome.outcome, "order_id": outcome.order_id})
    return {"outcome": outcome.outcome, "order_id": outcome.order_id}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context, process_record, queue=PAYMENT_PROCESSING, permanent=PERMANENT)
