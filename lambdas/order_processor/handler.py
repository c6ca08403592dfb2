"""Consumer of order-processing: validates orders, confirms them, asks for the stock of closed ones back.

Each record is one step of shop.orders.processing, run once per order and kind (Powertools
idempotency). A malformed message, or one naming an order that does not exist, goes to the DLQ at
once; an order that fails validation becomes `failed` (its own outcome, not a queue failure). Any
other failure backs off and is retried, then parked in the DLQ after three receives
(shop.platform.queue_consumer).

EventBridge Scheduler also invokes it directly with {"job": "expire-payment-holds"} every few minutes:
the sweep of shop.orders.payment_hold cancels unpaid orders whose hold ran out.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.alarm_metric_names import ORDER_PROCESSING_FAILED, ORDERS_PROCESSED
from shop.contracts.queues import ORDER_PROCESSING
from shop.contracts.schedules import PAYMENT_HOLD_SWEEP_JOB
from shop.orders.model import OrderMessage
from shop.orders.payment_hold import expire_payment_holds
from shop.orders.processing import OrderNotFoundError, handle_order_message, register_lambda_context
from shop.platform.observability import logger, metrics, tracer
from shop.platform.queue_consumer import PermanentErrors, consume

PERMANENT: PermanentErrors = {OrderNotFoundError: "unknown_order"}


def process_record(record: SQSRecord) -> dict[str, Any]:
    try:
        message = OrderMessage.model_validate_json(record.body)
        result = handle_order_message(message)
    except Exception:
        metrics.add_metric(name=ORDER_PROCESSING_FAILED, unit=MetricUnit.Count, value=1)
        logger.exception("order message failed", extra={"message_id": record.message_id})
        raise
    metrics.add_metric(name=ORDERS_PROCESSED, unit=MetricUnit.Count, value=1)
    logger.info(
        "order message processed", extra={"order_id": message.order_id, "kind": message.kind, **result}
    )
    return result


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse | dict[str, Any]:
    if _is_payment_hold_sweep(event):
        return expire_payment_holds().body()
    register_lambda_context(context)
    return consume(event, context, process_record, queue=ORDER_PROCESSING, permanent=PERMANENT)


def _is_payment_hold_sweep(event: dict[str, Any]) -> bool:
    return event.get("job") == PAYMENT_HOLD_SWEEP_JOB and "Records" not in event
