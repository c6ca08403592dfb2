"""email_sender through its real handler: templates, consent, one send per dedupe key, and SES behind
the circuit breaker (moto's SES counts what was sent)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from shop.contracts.email_messages import EmailCategory, EmailRequest, EmailTemplate
from shop.email.delivery import ses_client
from shop.platform.circuit_breaker import CircuitOpenError
from tests.integration.conftest import TEST_BRAND, LambdaContext
from tests.integration.order_events import (
    OrderWorld,
    metric_totals,
    order_world_in,
    sent_emails,
    sqs_record,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def request(**overrides: Any) -> EmailRequest:
    fields: dict[str, Any] = {
        "template": EmailTemplate.ORDER_CONFIRMATION,
        "to": "buyer@example.com",
        "category": EmailCategory.TRANSACTIONAL,
        "dedupe_key": "order_confirmation#ord_1",
        "data": {
            "order_number": "SO-20261121-ABCDEF12",
            "items": [{"name": "<b>Bible</b> & Co", "quantity": 2, "line_total": 5998}],
            "subtotal": 5998,
            "tax": 495,
            "shipping": 0,
            "total": 6493,
            "currency": "USD",
        },
        **overrides,
    }
    return EmailRequest.model_validate(fields)


def deliver(world: OrderWorld, *requests: EmailRequest) -> dict[str, Any]:
    from email_sender.handler import handler

    records = [
        sqs_record(r.model_dump_json(), message_id=f"m{n}", queue="email-notification")
        for n, r in enumerate(requests)
    ]
    response: dict[str, Any] = handler({"Records": records}, world.context)
    return response


def test_a_transactional_email_has_a_text_and_an_escaped_html_part(order_world: OrderWorld) -> None:
    assert deliver(order_world, request())["batchItemFailures"] == []
    [mail] = sent_emails()
    assert mail.subject == "Order SO-20261121-ABCDEF12 received"
    assert mail.destinations["ToAddresses"] == ["buyer@example.com"]
    # moto keeps the HTML part as the body: the product name is data, escaped.
    assert "&lt;b&gt;Bible&lt;/b&gt; &amp; Co" in mail.body
    assert "<b>Bible</b>" not in mail.body


def test_the_html_part_is_autoescaped(shop_env: dict[str, str]) -> None:
    from shop.email.rendering import render

    rendered = render(request())
    assert "&lt;b&gt;Bible&lt;/b&gt; &amp; Co" in rendered.html
    assert "<b>Bible</b>" not in rendered.html
    assert "<b>Bible</b> & Co" in rendered.text
    assert "64.93 USD" in rendered.text
    assert "64.93 USD" in rendered.html


def test_every_template_renders(order_world: OrderWorld) -> None:
    from shop.email.rendering import render

    for template in EmailTemplate:
        rendered = render(
            request(template=template, data={**request().data, "name": "Bible", "stock_quantity": 2})
        )
        assert rendered.subject
        assert rendered.text.strip()
        assert "<html" in rendered.html


def test_every_email_carries_the_stage_brand(order_world: OrderWorld) -> None:
    """The brand block of cdk.json (BRAND_SETTINGS) names the shop in every email, not a fixed name."""
    from shop.email.rendering import render

    for template in EmailTemplate:
        rendered = render(request(template=template, data={**request().data, "name": "Bible"}))
        assert TEST_BRAND["shop_name"] in rendered.html, template
        assert TEST_BRAND["contact_email"] in rendered.html, template
        assert TEST_BRAND["colours"]["primary"] in rendered.html, template  # type: ignore[index]
        assert "Christian Conservatives" not in rendered.html
    newsletter = render(request(template=EmailTemplate.NEWSLETTER))
    assert newsletter.subject == f"News from {TEST_BRAND['shop_name']}"


def test_the_same_dedupe_key_sends_once(order_world: OrderWorld) -> None:
    assert deliver(order_world, request(), request())["batchItemFailures"] == []
    assert deliver(order_world, request())["batchItemFailures"] == []
    assert len(sent_emails()) == 1
    assert deliver(order_world, request(dedupe_key="order_shipped#ord_1"))["batchItemFailures"] == []
    assert len(sent_emails()) == 2


def test_marketing_mail_needs_consent(order_world: OrderWorld) -> None:
    preferences = boto3.resource("dynamodb").Table("test-EmailPreferences")
    preferences.put_item(Item={"user_id": "fan", "email": "fan@example.com", "abandoned_cart_emails": True})
    preferences.put_item(Item={"user_id": "quiet", "email": "q@example.com", "abandoned_cart_emails": False})
    preferences.put_item(
        Item={
            "user_id": "gone",
            "email": "g@example.com",
            "abandoned_cart_emails": True,
            "unsubscribed": True,
        }
    )

    def offer(user_id: str | None) -> EmailRequest:
        return request(
            template=EmailTemplate.ABANDONED_CART,
            category=EmailCategory.MARKETING,
            user_id=user_id,
            to=f"{user_id or 'anon'}@example.com",
            dedupe_key=f"marketing:{user_id}",
            data={
                "items": [{"product_id": "p1", "name": "Bible", "price": 2999}],
                "discount_code": "COMEBACK10",
            },
        )

    response = deliver(order_world, offer("fan"), offer("quiet"), offer("gone"), offer("nobody"), offer(None))
    assert response["batchItemFailures"] == []
    assert [mail.destinations["ToAddresses"] for mail in sent_emails()] == [["fan@example.com"]]


class FlakySes:
    """Stands in for the SES client: fails while `down`, else delegates to moto's."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def send_email(self, **arguments: Any) -> Any:
        self.calls += 1
        if self.down:
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "SES is down"}}, "SendEmail"
            )
        return ses_client().send_email(**arguments)


def test_ses_outages_open_the_circuit_and_the_records_stay_queued(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from email_sender import handler as email_handler

    flaky = FlakySes()
    monkeypatch.setattr(email_handler.delivery(), "_ses", lambda: flaky)
    requests = [request(dedupe_key=f"order_confirmation#ord_{n}") for n in range(7)]
    # Every record failed, so Powertools fails the invocation and SQS keeps the whole batch.
    with pytest.raises(BatchProcessingError) as failed:
        deliver(order_world, *requests)
    assert len(failed.value.child_exceptions) == 7
    # SES was called 5 times; then the circuit refused without calling it.
    assert flaky.calls == 5
    refused = [
        error for _type, error, _tb in failed.value.child_exceptions if isinstance(error, CircuitOpenError)
    ]
    assert len(refused) == 2
    out = capsys.readouterr().out
    opened = [
        json.loads(line) for line in out.splitlines() if '"CircuitBreakerOpened"' in line and '"_aws"' in line
    ]
    assert len(opened) == 1
    assert opened[0]["dependency"] == "ses"
    assert metric_totals(out)["CircuitBreakerOpened"] == 1
    assert sent_emails() == []

    # A minute later SES is back: the trial call closes the circuit and the retried records are sent.
    flaky.down = False
    breaker = email_handler.delivery().breaker
    monkeypatch.setattr(breaker, "_clock", lambda: __import__("time").time() + 61)
    assert deliver(order_world, *requests)["batchItemFailures"] == []
    assert len(sent_emails()) == 7
    assert flaky.calls == 12


class ThrottlingSes:
    """Stands in for the SES client: answers SES's throttle (after botocore's own retries) while
    `throttling`, else delegates to moto's."""

    def __init__(self) -> None:
        self.throttling = True
        self.calls = 0

    def send_email(self, **arguments: Any) -> Any:
        self.calls += 1
        if self.throttling:
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendEmail"
            )
        return ses_client().send_email(**arguments)


def requeued(world: OrderWorld) -> list[dict[str, Any]]:
    """What email_sender put back on its queue, with its attributes (received, so not visible again)."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=world.queues["email-notification"], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        messages.extend(batch)
    return messages


def redelivered(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The event Lambda delivers for those messages, their attributes in the event's shape."""
    records = []
    for message in messages:
        record = sqs_record(message["Body"], message_id=message["MessageId"], queue="email-notification")
        record["messageAttributes"] = {
            name: {"stringValue": value["StringValue"], "dataType": value["DataType"]}
            for name, value in message.get("MessageAttributes", {}).items()
        }
        records.append(record)
    return records


def test_ses_throttling_never_opens_the_circuit_and_the_emails_come_back_later(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A burst over SES's sending rate: every record reaches SES (the breaker stays closed), none
    fails (so none uses up its receives toward the DLQ), and each is queued again with a delay; a
    message throttled more times than the queue's three receives is still sent in the end."""
    from email_sender import handler as email_handler

    from shop.platform import throttled_requeue

    throttling = ThrottlingSes()
    monkeypatch.setattr(email_handler.delivery(), "_ses", lambda: throttling)
    requests = [request(dedupe_key=f"order_confirmation#ord_{n}") for n in range(7)]
    capsys.readouterr()

    assert deliver(order_world, *requests)["batchItemFailures"] == []
    assert throttling.calls == 7  # no record refused by an open circuit
    assert email_handler.delivery().breaker.state() == "closed"
    out = capsys.readouterr().out
    assert "CircuitBreakerOpened" not in metric_totals(out)
    assert metric_totals(out)["ThrottledMessages"] == 7
    sqs = boto3.client("sqs", region_name="us-east-1")
    counts = sqs.get_queue_attributes(
        QueueUrl=order_world.queues["email-notification"],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
    )["Attributes"]
    # Back on the queue, hidden for 2.5-5 s (the first throttle's delay), not visible at once.
    assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesDelayed": "7"}

    # Later throttles of the same emails (without the waits): more than the queue's 3 receives.
    monkeypatch.setattr(throttled_requeue, "throttle_delay", lambda *_args, **_kwargs: 0)
    time.sleep(5.1)
    messages = requeued(order_world)
    for throttles in range(2, 6):
        assert len(messages) == 7
        assert deliver_records(order_world, redelivered(messages))["batchItemFailures"] == []
        messages = requeued(order_world)
        assert {m["MessageAttributes"]["shop-throttles"]["StringValue"] for m in messages} == {str(throttles)}
    assert sent_emails() == []

    throttling.throttling = False
    assert deliver_records(order_world, redelivered(messages))["batchItemFailures"] == []
    assert len(sent_emails()) == 7
    assert requeued(order_world) == []
    assert email_handler.delivery().breaker.state() == "closed"


def deliver_records(world: OrderWorld, records: list[dict[str, Any]]) -> dict[str, Any]:
    from email_sender.handler import handler

    response: dict[str, Any] = handler({"Records": records}, world.context)
    return response
