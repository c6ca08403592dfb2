"""Delivering one EmailRequest: consent, rendering, SES behind the circuit breaker, and the send record.

A send is recorded in the Idempotency table under its `dedupe_key` after SES accepted it, and the
record is checked before sending, so a redelivered message (or the same email queued twice) is sent
once. The one gap left is a crash between SES accepting and the record being written: that message
is retried and the customer may get the email twice, which beats never getting it.

SES refusing the recipient for good (a malformed address, one on the suppression list) is a
delivery's outcome, `undeliverable` with SES's words, not an error: the caller records it and the
message is done. Any other refusal raises EmailRejected (shop.email.ses_refusals tells them apart).
SES throttling the shop (its sending rate or daily quota) raises SesThrottled, which the circuit
breaker does not count: the caller sends the email again later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shop.contracts.email_messages import EmailCategory, EmailRequest
from shop.email.consent import consenting_recipient
from shop.email.rendering import render
from shop.email.repository import EmailPreferencesRepository
from shop.email.ses_refusals import NOT_AN_OUTAGE, THROTTLES, error_code, recipient_refusal
from shop.platform import idempotency
from shop.platform.circuit_breaker import CircuitBreaker, DependencyThrottled, report_circuit_opened
from shop.platform.circuit_store_dynamodb import DynamoDBCircuitStore
from shop.platform.observability import logger
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings

SES_DEPENDENCY = "ses"
SENT_RECORD_PREFIX = "email_sender.sent#"
# Longer than any producer re-queues the same email (SQS keeps messages 4 days, DLQ redrives 14).
SENT_RECORD_SECONDS = 30 * 24 * 3600


@per_process
def ses_client() -> Any:
    import boto3
    from botocore.config import Config

    # The breaker abandons a call after 30 s; the client's own timeouts stop the socket soon after.
    return boto3.client("ses", config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2}))


class EmailRejected(RuntimeError):
    """SES refused this request for itself (NOT_AN_OUTAGE), not for its recipient: sending it again
    cannot help, and the shop's sending needs someone's attention."""


class SesThrottled(DependencyThrottled):
    """SES refused the send for the account's sending rate or daily quota, after the client's own
    retries: SES is up, and the email goes out later."""

    def __init__(self, detail: str) -> None:
        super().__init__(SES_DEPENDENCY, detail)


def _counts_against_ses(error: BaseException) -> bool:
    return error_code(error) not in NOT_AN_OUTAGE


@per_process
def ses_breaker() -> CircuitBreaker:
    # email_sender runs outside the VPC (SES has no endpoint in it): the shared state is in DynamoDB.
    return CircuitBreaker(
        SES_DEPENDENCY, DynamoDBCircuitStore(), on_open=report_circuit_opened, is_failure=_counts_against_ses
    )


class SentEmails:
    """The record of what was sent, by dedupe key (Idempotency table)."""

    def already_sent(self, dedupe_key: str) -> bool:
        return idempotency.recorded(SENT_RECORD_PREFIX + dedupe_key) is not None

    def record(self, request: EmailRequest, ses_message_id: str) -> None:
        first = idempotency.record_once(
            SENT_RECORD_PREFIX + request.dedupe_key,
            ttl_seconds=SENT_RECORD_SECONDS,
            ses_message_id=ses_message_id,
            template=request.template.value,
        )
        if not first:
            # Two deliveries raced past the check; both sent. Logged so the rate of this stays visible.
            logger.warning(
                "email was sent twice by concurrent deliveries", extra={"dedupe_key": request.dedupe_key}
            )


@dataclass(frozen=True)
class Delivery:
    outcome: str  # sent | duplicate | no_consent | undeliverable
    ses_message_id: str | None = None
    refusal: str | None = None  # SES's words, when undeliverable


class EmailDelivery:
    def __init__(
        self,
        *,
        breaker: CircuitBreaker | None = None,
        ses: Callable[[], Any] = ses_client,
        sent: SentEmails | None = None,
        preferences: EmailPreferencesRepository | None = None,
    ) -> None:
        self._breaker = breaker
        self._ses = ses
        self.sent = sent or SentEmails()
        self.preferences = preferences or EmailPreferencesRepository()

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker or ses_breaker()

    def deliver(self, request: EmailRequest) -> Delivery:
        if self.sent.already_sent(request.dedupe_key):
            return Delivery("duplicate")
        if request.category is EmailCategory.MARKETING and not self._consents(request):
            return Delivery("no_consent")
        rendered = render(request)
        sender = get_settings().sender_email

        def send() -> Any:
            try:
                return self._ses().send_email(
                    Source=sender,
                    Destination={"ToAddresses": [request.to]},
                    Message={
                        "Subject": {"Data": rendered.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": rendered.text, "Charset": "UTF-8"},
                            "Html": {"Data": rendered.html, "Charset": "UTF-8"},
                        },
                    },
                )
            except Exception as error:
                if error_code(error) in THROTTLES:
                    raise SesThrottled(str(error)) from error
                raise

        try:
            response = self.breaker.call(send)
        except Exception as error:
            if error_code(error) not in NOT_AN_OUTAGE:
                raise
            refusal = recipient_refusal(error, recipient=request.to, sender=sender)
            if refusal is None:
                raise EmailRejected(f"SES refused the email: {error}") from error
            logger.warning(
                "SES refused the recipient for good",
                extra={
                    "dedupe_key": request.dedupe_key,
                    "template": request.template.value,
                    "refusal": refusal,
                },
            )
            return Delivery("undeliverable", refusal=refusal)
        message_id = str(response.get("MessageId", ""))
        self.sent.record(request, message_id)
        return Delivery("sent", message_id)

    def _consents(self, request: EmailRequest) -> bool:
        """Marketing mail needs an EmailPreferences item with the template's flag set (no item: no)."""
        if request.user_id is None:
            return False
        return consenting_recipient(self.preferences.get(request.user_id), request.template) is not None
