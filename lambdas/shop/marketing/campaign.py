"""The rules every marketing email follows, whichever scan found it.

For each offer: the user must have opted in (EmailPreferences) and have an address; subjects already
mailed to them for this trigger are dropped (an offer with none left is a duplicate); then a
MarketingQueue item is written (pending), one EmailRequest goes to the email-notification queue,
and the item is marked sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from aws_lambda_powertools import Logger

from shop.contracts.email_messages import EmailCategory, EmailRequest
from shop.contracts.queues import EMAIL_NOTIFICATION
from shop.email.consent import consenting_recipient
from shop.email.repository import EmailPreferencesRepository
from shop.marketing.discount_codes import personal_discount_code
from shop.marketing.repository import AlreadyQueuedError, MarketingQueueRepository
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.observability import count_metric
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings

logger = Logger(child=True)

# Metric names (docs/metrics.md, "Tracking and marketing"), with a `trigger_type` dimension.
MARKETING_EMAILS_QUEUED: Final = "MarketingEmailsQueued"
MARKETING_EMAILS_SKIPPED: Final = "MarketingEmailsSkipped"
TRIGGER_TYPE_DIMENSION: Final = "trigger_type"

# A pending item younger than this may belong to a run still in progress, so it is not resent yet.
RESEND_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Offer:
    """One email a scan wants to send to one user.

    `subjects` maps a dedupe token (what the email is about, e.g. "prod_1@2026-11-20T09:00:00.000Z")
    to the item the email shows; `settle` runs once the email has been sent, now or by an earlier run.
    `items`, when given, is what the email shows instead (a weekly email: one token, several products);
    `claim` runs just before the email is queued, and False means another path has sent it already.
    """

    user_id: str
    trigger: Trigger
    subjects: Mapping[str, dict[str, Any]]
    settle: Callable[[], None] | None = None
    items: tuple[dict[str, Any], ...] | None = None
    claim: Callable[[], bool] | None = None


class Outcome(StrEnum):
    QUEUED = "queued"
    NO_CONSENT = "skipped_no_consent"
    NO_ADDRESS = "skipped_no_address"
    DUPLICATE = "skipped_duplicate"


@per_process
def sqs_client() -> Any:
    import boto3

    return boto3.client("sqs")


class EmailQueue:
    """The email-notification queue: EmailRequest is the only message shape put on it."""

    def send(self, request: EmailRequest) -> str:
        response = sqs_client().send_message(
            QueueUrl=get_settings().queue_url(EMAIL_NOTIFICATION.logical_name),
            MessageBody=request.model_dump_json(),
        )
        return str(response["MessageId"])


def email_request_for(item: Mapping[str, Any]) -> EmailRequest:
    """The email of a MarketingQueue item; its queue_id is the dedupe key, so a resend sends nothing twice."""
    trigger = Trigger(item["trigger_type"])
    return EmailRequest(
        template=trigger.template,
        to=item["user_email"],
        category=EmailCategory.MARKETING,
        dedupe_key=f"marketing:{item['queue_id']}",
        user_id=item["user_id"],
        data={
            "items": item["trigger_data"]["items"],
            "discount_code": item.get("discount_code"),
            "discount_percent": item.get("discount_percent"),
            "unsubscribe_token": item.get("unsubscribe_token"),
            # email_sender signs the open pixel and click-through links with it (shop.email.engagement).
            "message_id": item["queue_id"],
        },
    )


class Campaign:
    """Delivers the offers of one scan and counts what happened to them."""

    def __init__(
        self,
        preferences: EmailPreferencesRepository | None = None,
        queue: MarketingQueueRepository | None = None,
        mail: EmailQueue | None = None,
    ) -> None:
        self.preferences = preferences or EmailPreferencesRepository()
        self.queue = queue or MarketingQueueRepository()
        self.mail = mail or EmailQueue()

    def run(self, trigger: Trigger, offers: Iterable[Offer], *, now: datetime) -> ScanSummary:
        summary = ScanSummary(trigger_type=trigger.value)
        summary.resent = self.resend_pending(trigger, now=now)
        for offer in offers:
            summary.candidates += 1
            outcome = self.deliver(offer, now=now)
            setattr(summary, outcome.value, getattr(summary, outcome.value) + 1)
        skipped = summary.candidates - summary.queued
        _count(MARKETING_EMAILS_QUEUED, trigger, summary.queued + summary.resent)
        _count(MARKETING_EMAILS_SKIPPED, trigger, skipped)
        logger.info("marketing scan finished", extra=summary.body())
        return summary

    def deliver(self, offer: Offer, *, now: datetime) -> Outcome:
        recipient = consenting_recipient(self.preferences.get(offer.user_id), offer.trigger.template)
        if recipient is None:
            return Outcome.NO_CONSENT
        if not recipient.email:
            return Outcome.NO_ADDRESS
        mailed = self.queue.mailed_tokens(recipient.email, offer.trigger)
        fresh = {token: subject for token, subject in offer.subjects.items() if token not in mailed}
        if not fresh:
            # Mailed before, perhaps by a run that stopped before settling: settle now.
            if offer.settle:
                offer.settle()
            return Outcome.DUPLICATE
        if offer.claim is not None and not offer.claim():
            return Outcome.DUPLICATE
        try:
            item = self.queue.enqueue(
                trigger=offer.trigger,
                user_id=offer.user_id,
                email=recipient.email,
                tokens=sorted(fresh),
                items=list(offer.items) if offer.items is not None else [fresh[t] for t in sorted(fresh)],
                discount_code=personal_discount_code(offer.trigger, recipient.email, now=now),
                unsubscribe_token=recipient.unsubscribe_token,
                now=now,
            )
        except AlreadyQueuedError:
            return Outcome.DUPLICATE
        self._send(item, now=now)
        if offer.settle:
            offer.settle()
        return Outcome.QUEUED

    def resend_pending(self, trigger: Trigger, *, now: datetime) -> int:
        """Send items an earlier run queued but could not hand to the email queue (the pending index)."""
        resent = 0
        for item in self.queue.pending(trigger, queued_before=now - RESEND_AFTER):
            self._send(item, now=now)
            resent += 1
        return resent

    def _send(self, item: Mapping[str, Any], *, now: datetime) -> None:
        message_id = self.mail.send(email_request_for(item))
        self.queue.mark_sent(item["queue_id"], email_message_id=message_id, now=now)


def _count(metric_name: str, trigger: Trigger, value: int) -> None:
    # A record of its own: the daily run reports four trigger types in one invocation.
    count_metric(metric_name, {TRIGGER_TYPE_DIMENSION: trigger.value}, value)
