"""Lambda's SQS event source mapping, locally: one thread per mapping polls its queue into its function.

Semantics kept from AWS:
- batches of up to `BatchSize` messages (several receives of ≤ 10 when the batch size is larger);
- records shaped exactly as Lambda's SQS event (`messageId`, `receiptHandle`, `body`, `attributes` with
  `ApproximateReceiveCount`, `messageAttributes`, `md5OfBody`, `eventSource`, `eventSourceARN`, ...);
- with `ReportBatchItemFailures`, only the messages named in `batchItemFailures` stay on the queue; a
  response naming an unknown id, or a handler exception, fails the whole batch;
- failed messages come back after the queue's visibility timeout, or after the delay the function set
  itself with ChangeMessageVisibility (the shop's consumers back off so: shop.platform.queue_consumer),
  and after `maxReceiveCount` receives the queue's redrive policy moves them to the dead-letter queue
  (moto implements redrive on receive). A function's own sends to the DLQ (poison messages) are plain
  SendMessage calls to moto.

`retry_delay_seconds` shortens the wait before a failed message is retried, overriding the function's
backoff too (it changes the visibility after the function returned); leave it None to keep AWS's timing.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdk_app.local.intrinsics import ResourceAddress

logger = logging.getLogger(__name__)

SQS_RECEIVE_LIMIT = 10
# System attributes Lambda copies into a record's `attributes`.
RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "AWSTraceHeader",
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DeadLetterQueueSourceArn",
)

Invoke = Callable[[ResourceAddress, Any], Any]


def _record_message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    converted = {}
    for name, value in attributes.items():
        record: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType", "String"),
        }
        if "StringValue" in value:
            record["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            record["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        converted[name] = record
    return converted


def sqs_record(message: Mapping[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    """One message from ReceiveMessage as Lambda hands it to the function."""
    system = message.get("Attributes") or {}
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {name: str(system[name]) for name in RECORD_ATTRIBUTES if name in system},
        "messageAttributes": _record_message_attributes(message.get("MessageAttributes") or {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def failed_message_ids(response: Any, batch_ids: set[str], *, reports_failures: bool) -> set[str]:
    """The ids that stay on the queue, read from the handler's return value by AWS's rules."""
    if not reports_failures or response is None:
        return set()
    if not isinstance(response, Mapping):
        return set()  # Lambda ignores a non-object response: the batch succeeded
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return set(batch_ids)
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not identifier or identifier not in batch_ids:
            # An empty, null or unknown id makes Lambda treat the whole batch as failed.
            return set(batch_ids)
        failed.add(identifier)
    return failed


@dataclass
class PumpStats:
    batches: int = 0
    deleted: int = 0
    failed: int = 0
    handler_errors: int = 0


@dataclass
class QueuePump:
    """Polls one queue into one function until `stop()`."""

    sqs: Any
    queue_url: str
    queue_arn: str
    function: ResourceAddress
    invoke: Invoke
    region: str
    batch_size: int = 10
    reports_failures: bool = False
    wait_seconds: int = 1  # short long-poll, so stop() returns within about a second
    retry_delay_seconds: int | None = None
    stats: PumpStats = field(default_factory=PumpStats)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> QueuePump:
        self._thread = threading.Thread(target=self._run, name=f"pump-{self.queue_arn.rsplit(':', 1)[-1]}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the thread to finish its current poll; `stop()` waits for it."""
        self._stopping.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll_once()
            except Exception:
                logger.exception("local runner: polling %s failed; retrying", self.queue_url)
                self._stopping.wait(1.0)

    def _receive(self, count: int, wait_seconds: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=count,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def poll_once(self) -> int:
        """Receive one batch and process it; returns its size (0 when the queue had nothing)."""
        messages = self._receive(min(self.batch_size, SQS_RECEIVE_LIMIT), self.wait_seconds)
        while messages and len(messages) < self.batch_size:
            more = self._receive(min(self.batch_size - len(messages), SQS_RECEIVE_LIMIT), 0)
            if not more:
                break
            messages.extend(more)
        if not messages:
            return 0
        self._process(messages)
        return len(messages)

    def _process(self, messages: list[dict[str, Any]]) -> None:
        self.stats.batches += 1
        event = {"Records": [sqs_record(m, queue_arn=self.queue_arn, region=self.region) for m in messages]}
        batch_ids = {m["MessageId"] for m in messages}
        try:
            response = self.invoke(self.function, event)
        except Exception:
            logger.exception(
                "local runner: %s failed a batch of %d from %s", self.function, len(messages), self.queue_arn
            )
            self.stats.handler_errors += 1
            failed = set(batch_ids)
        else:
            failed = failed_message_ids(response, batch_ids, reports_failures=self.reports_failures)
        succeeded = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(succeeded), SQS_RECEIVE_LIMIT):
            chunk = succeeded[start : start + SQS_RECEIVE_LIMIT]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        self.stats.deleted += len(succeeded)
        self.stats.failed += len(failed)
        if self.retry_delay_seconds is not None:
            for message in messages:
                if message["MessageId"] in failed:
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=self.retry_delay_seconds,
                    )
