"""SES refusing an order's address for good is recorded on the order and acknowledged, never parked in
the DLQ (whose alarm pages on-call); SES refusing the shop's own sending still is (issue #19, item 9).

Through email_sender's real handler and moto's SES and SQS: moto itself refuses the issue's address
(`u<script>alert(1)</script>@example.com`, "Missing domain") and an unverified sender. The refusals
moto cannot make (the suppression list, sending paused) are raised at the SES call only.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.contracts.queues import DLQ_REASON
from shop.orders.notifications import order_email_data
from tests.integration.order_events import REGION, SENDER, new_product, place, sent_emails, stored_order
from tests.integration.test_poison_messages import Queues, queues  # noqa: F401 - the fixture

SCRIPT_ADDRESS = "u<script>alert(1)</script>@example.com"


def confirmation_for(order_id: str, to: str) -> str:
    """The order confirmation email_sender would get for `order_id`, addressed to `to`."""
    request = EmailRequest(
        template=EmailTemplate.ORDER_CONFIRMATION,
        to=to,
        category=EmailCategory.TRANSACTIONAL,
        dedupe_key=f"order_confirmation#{order_id}",
        data=order_email_data(stored_order(order_id)),
    )
    return request.model_dump_json()


def placed_order() -> str:
    order_id: str = place(new_product()).body["order_id"]
    return order_id


class RefusingSes:
    """SES answering every send with one refusal, the way botocore raises it."""

    def __init__(self, code: str, message: str) -> None:
        self.error = {"Error": {"Code": code, "Message": message}}

    def send_email(self, **_arguments: Any) -> Any:
        raise ClientError(self.error, "SendEmail")


def refuse_with(monkeypatch: pytest.MonkeyPatch, code: str, message: str) -> None:
    from email_sender import handler as email_handler

    monkeypatch.setattr(email_handler.delivery(), "_ses", lambda: RefusingSes(code, message))


def test_an_address_ses_calls_malformed_is_recorded_on_the_order_and_not_dead_lettered(
    queues: Queues,  # noqa: F811
) -> None:
    order_id = placed_order()
    _, response = queues.deliver("email-notification", confirmation_for(order_id, SCRIPT_ADDRESS))

    assert response["batchItemFailures"] == []
    assert queues.dead_letters("email-notification") == []
    assert queues.depth("email-notification") == 0
    order = stored_order(order_id)
    assert order.email_status == "undeliverable"
    assert order.email_problem is not None
    assert order.email_problem.template == "order_confirmation"
    assert "InvalidParameterValue" in order.email_problem.reason
    assert order.email_problem.at.startswith("20")
    assert sent_emails() == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("MessageRejected", "Address blacklisted."),
        ("InvalidParameterValue", "Missing final '@domain'"),
        ("InvalidParameterValue", "Local address contains control or whitespace"),
    ],
)
def test_refusals_of_the_recipient_are_recorded_not_dead_lettered(
    queues: Queues,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    message: str,
) -> None:
    order_id = placed_order()
    refuse_with(monkeypatch, code, message)
    _, response = queues.deliver("email-notification", confirmation_for(order_id, "gone@example.com"))

    assert response["batchItemFailures"] == []
    assert queues.dead_letters("email-notification") == []
    order = stored_order(order_id)
    assert order.email_status == "undeliverable"
    assert order.email_problem is not None
    assert order.email_problem.reason == f"{code}: {message}"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("AccountSendingPausedException", "Sending is paused for this account."),
        ("ConfigurationSetSendingPausedException", "Sending is paused for this configuration set."),
        ("MailFromDomainNotVerifiedException", "MAIL FROM domain not verified."),
        ("MessageRejected", "Message contains a virus."),
        ("InvalidParameterValue", "The charset is not supported."),
    ],
)
def test_refusals_of_the_shops_own_sending_still_reach_the_dlq(
    queues: Queues,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    message: str,
) -> None:
    order_id = placed_order()
    refuse_with(monkeypatch, code, message)
    body = confirmation_for(order_id, "buyer@example.com")
    _, response = queues.deliver("email-notification", body)

    assert response["batchItemFailures"] == []  # parked by the consumer itself
    [parked] = queues.dead_letters("email-notification")
    assert parked["Body"] == body
    assert parked["MessageAttributes"][DLQ_REASON]["StringValue"] == "email_rejected"
    assert stored_order(order_id).email_status is None


def test_an_unverified_sender_is_the_shops_problem_not_the_shoppers(
    queues: Queues,  # noqa: F811
) -> None:
    order_id = placed_order()
    boto3.client("ses", region_name=REGION).delete_identity(Identity=SENDER)
    _, response = queues.deliver("email-notification", confirmation_for(order_id, "buyer@example.com"))

    assert response["batchItemFailures"] == []
    [parked] = queues.dead_letters("email-notification")
    assert parked["MessageAttributes"][DLQ_REASON]["StringValue"] == "email_rejected"
    assert stored_order(order_id).email_status is None


def test_an_undeliverable_email_about_no_order_is_acknowledged(
    queues: Queues,  # noqa: F811
) -> None:
    """A low-stock alert or a marketing email has no order to mark: the refusal is logged, and done."""
    body = json.dumps(
        {
            "template": "low_stock_alert",
            "to": SCRIPT_ADDRESS,
            "category": "transactional",
            "dedupe_key": "low_stock#p1",
            "data": {"name": "Bible", "stock_quantity": 2},
        }
    )
    _, response = queues.deliver("email-notification", body)
    assert response["batchItemFailures"] == []
    assert queues.dead_letters("email-notification") == []


def test_a_good_address_is_still_sent(queues: Queues) -> None:  # noqa: F811
    order_id = placed_order()
    _, response = queues.deliver("email-notification", confirmation_for(order_id, "buyer@example.com"))
    assert response["batchItemFailures"] == []
    assert len(sent_emails()) == 1
    assert stored_order(order_id).email_status is None
