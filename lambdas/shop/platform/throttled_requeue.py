"""Putting a throttled message back on its queue for later, without using up its receives.

A record that fails is retried by SQS, and its third receive parks it in the DLQ: right for an
outage, wrong for a throttle (SES's sending rate, a payment provider's 429). The dependency is up and
the same call succeeds a little later, so a burst above its rate must not dead-letter the overflow.
`requeue_throttled` sends a copy of the record to its own queue with a delay that doubles with each
throttle the message met (counted in a message attribute), with a random half so the copies spread
out instead of coming back together; the record is then done and deleted with its batch. If the send
fails the caller re-raises, and the record is retried the ordinary way. A copy is harmless: the
consumers act once per message (an email's sent record, a payment event's id).
"""

from __future__ import annotations

import math
import random
from typing import Any, Final

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shop.contracts.queues import QueueSpec
from shop.platform.circuit_breaker import DependencyThrottled
from shop.platform.observability import count_metric, logger
from shop.platform.queue_consumer import QUEUE_DIMENSION, sqs_client
from shop.platform.settings import get_settings

# How many throttles the message has met so far (a Number attribute on the copy).
THROTTLES_ATTRIBUTE: Final = "shop-throttles"
FIRST_DELAY_SECONDS: Final = 5
# SQS's largest DelaySeconds; SES asks senders it throttles to wait "up to 10 minutes".
MAX_DELAY_SECONDS: Final = 900
# About a day of throttles at the longest delay: past that the ordinary retries (and the DLQ's
# alarm) take over, so a dependency that never stops throttling still reaches someone.
MAX_THROTTLES: Final = 100
THROTTLED_MESSAGES: Final = "ThrottledMessages"


def _attributes(record: SQSRecord) -> dict[str, dict[str, Any]]:
    # The event's own shape ({"stringValue": ..., "dataType": ...}); a binary one has no stringValue.
    return dict(record.raw_event.get("messageAttributes") or {})


def throttles_met(record: SQSRecord) -> int:
    value = _attributes(record).get(THROTTLES_ATTRIBUTE, {}).get("stringValue")
    return int(value) if value else 0


def throttle_delay(
    throttles: int, hint_seconds: float | None = None, *, rng: random.Random | None = None
) -> int:
    """Seconds to wait after the `throttles`-th throttle (0: the first): 5 s doubling to 15 minutes,
    the upper half of that at random, and never less than the dependency's own Retry-After."""
    ceiling = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2**throttles)
    delay = (rng or random).uniform(ceiling / 2, ceiling)
    if hint_seconds is not None:
        delay = max(delay, hint_seconds)
    return min(MAX_DELAY_SECONDS, math.ceil(delay))


def _copied_attributes(record: SQSRecord) -> dict[str, dict[str, str]]:
    """The record's String and Number attributes in SendMessage's shape (binary ones are not used)."""
    copied: dict[str, dict[str, str]] = {}
    for name, attribute in _attributes(record).items():
        if attribute.get("stringValue") is not None and name != THROTTLES_ATTRIBUTE:
            copied[name] = {"DataType": attribute["dataType"], "StringValue": attribute["stringValue"]}
    return copied


def requeue_throttled(record: SQSRecord, queue: QueueSpec, throttle: DependencyThrottled) -> bool:
    """Send the record again, delayed; True when the record is done. False once it met MAX_THROTTLES
    (then the caller lets it fail like any other error). The send's own error propagates."""
    throttles = throttles_met(record)
    if throttles >= MAX_THROTTLES:
        return False
    delay = throttle_delay(throttles, throttle.retry_after_seconds)
    attributes: dict[str, Any] = _copied_attributes(record)
    attributes[THROTTLES_ATTRIBUTE] = {"DataType": "Number", "StringValue": str(throttles + 1)}
    sqs_client().send_message(
        QueueUrl=get_settings().queue_url(queue.logical_name),
        MessageBody=record.body,
        DelaySeconds=delay,
        MessageAttributes=attributes,
    )
    count_metric(THROTTLED_MESSAGES, {QUEUE_DIMENSION: queue.logical_name, "dependency": throttle.dependency})
    logger.info(
        "dependency throttled; message queued again",
        extra={
            "message_id": record.message_id,
            "queue": queue.logical_name,
            "dependency": throttle.dependency,
            "throttles": throttles + 1,
            "delay_seconds": delay,
        },
    )
    return True
