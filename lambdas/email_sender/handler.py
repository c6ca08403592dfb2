"""Consumer of email-notification: renders templates and sends them through SES.

While the SES circuit is open a record fails without calling SES: it stays on the queue, backs off
and is retried (and reaches the DLQ if SES stays down for three receives). SES throttling the shop
(its sending rate or daily quota) is not an outage: the breaker does not count it, and the message is
queued again with a growing delay (shop.platform.throttled_requeue), so it is never dead-lettered for
a burst. A malformed request, or
one SES refuses for the shop's own reasons (sending paused, the sender not verified), goes to the DLQ
at once (shop.platform.queue_consumer), and its alarm pages someone. SES refusing the recipient for good
(a malformed address, one on the suppression list) is no one's page: it is recorded on the order the
email is about (`email_status: undeliverable`) and the message is done.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.email_messages import EmailRequest
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.email.delivery import EmailDelivery, EmailRejected
from shop.orders.email_status import record_undeliverable_email
from shop.platform.circuit_breaker import DependencyThrottled
from shop.platform.observability import logger, metrics, tracer
from shop.platform.process_state import per_process
from shop.platform.queue_consumer import PermanentErrors, consume
from shop.platform.throttled_requeue import requeue_throttled

PERMANENT: PermanentErrors = {EmailRejected: "email_rejected"}


@per_process
def delivery() -> EmailDelivery:
    return EmailDelivery()


def process_record(record: SQSRecord) -> dict[str, Any]:
    request = EmailRequest.model_validate_json(record.body)
    try:
        result = delivery().deliver(request)
    except DependencyThrottled as throttle:
        if not requeue_throttled(record, EMAIL_NOTIFICATION, throttle):
            raise
        return {"outcome": "throttled"}
    order_id = request.data.get("order_id")
    if result.outcome == "undeliverable" and isinstance(order_id, str):
        record_undeliverable_email(order_id, template=request.template.value, reason=result.refusal or "")
    logger.info(
        "email handled",
        extra={
            "template": request.template.value,
            "dedupe_key": request.dedupe_key,
            "outcome": result.outcome,
        },
    )
    return {"outcome": result.outcome}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context, process_record, queue=EMAIL_NOTIFICATION, permanent=PERMANENT)
