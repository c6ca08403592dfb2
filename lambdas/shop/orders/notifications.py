"""Sending the order pipeline's messages: SQS for the next step, EmailRequests for the customer.

The SQS client is created on first use (never at import), once per process.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.orders.model import Order
from shop.platform.observability import logger
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings


@per_process
def sqs_client() -> Any:
    import boto3

    return boto3.client("sqs")


def send(queue_logical_name: str, message: BaseModel) -> str:
    """Put one message on a queue of the shop; returns its SQS message id."""
    response = sqs_client().send_message(
        QueueUrl=get_settings().queue_url(queue_logical_name), MessageBody=message.model_dump_json()
    )
    return str(response["MessageId"])


def order_email_data(order: Order) -> dict[str, Any]:
    """What every order template may show (no token, no internal bookkeeping). `guest` tells
    email_sender which link to the order to put in: a signed one for a guest, the orders page else."""
    return {
        "order_id": order.order_id,
        "guest": order.guest,
        "order_number": order.order_number,
        "order_status": order.order_status.value,
        "order_date": order.order_date,
        "items": [line.model_dump(mode="json") for line in order.items],
        "subtotal": order.subtotal,
        "discount": order.discount,
        "tax": order.tax,
        "shipping": order.shipping,
        "total": order.total,
        "currency": order.currency,
        "shipping_address": (
            order.shipping_address.model_dump(mode="json", exclude_none=True)
            if order.shipping_address
            else None
        ),
        "billing_address": order.billing_address.model_dump(mode="json", exclude_none=True),
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "failure_reason": order.failure_reason,
        "refund_amount": order.refund_amount,
        # What the order's emails offer to download (email_sender builds the links).
        "digital_downloads": [
            entitlement.model_dump(mode="json", exclude={"last_download_at"})
            for entitlement in order.digital_downloads
        ],
    }


def notify_customer(order: Order, template: EmailTemplate, **extra: Any) -> str:
    """Queue a transactional email about `order`. The dedupe key is per order and template, so a
    step that runs twice (a redelivered message) still mails once."""
    request = EmailRequest(
        template=template,
        to=order.user_email,
        category=EmailCategory.TRANSACTIONAL,
        dedupe_key=f"{template.value}#{order.order_id}",
        user_id=None if order.guest else order.user_id,
        data={**order_email_data(order), **extra},
    )
    message_id = send(EMAIL_NOTIFICATION.logical_name, request)
    logger.info("email queued", extra={"template": template.value, "order_id": order.order_id})
    return message_id
