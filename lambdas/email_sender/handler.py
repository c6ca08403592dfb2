"""Consumer of email-notification: renders templates and sends them through SES.

While the SES circuit is open a record fails without calling SES: it stays on the queue, backs off
and is retried (and reaches the DLQ if SES stays down for three receives). A malformed request, or
one SES refuses for itself (a rejected message, an invalid address), goes to the DLQ at once
(shop.platform.queue_consumer).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.contracts.email_messages import EmailRequest
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.email.delivery import EmailDelivery, EmailRejected
from shop.platform.observability import logger, metrics, tracer
from shop.platform.process_state import per_process
from shop.platform.queue_consumer import PermanentErrors, consume

PERMANENT: PermanentErrors = {EmailRejected: "email_rejected"}


@per_process
def delivery() -> EmailDelivery:
    return EmailDelivery()


def process_record(record: SQSRecord) -> dict[str, Any]:
    request = EmailRequest.model_validate_json(record.body)
    result = delivery().deliver(request)
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
