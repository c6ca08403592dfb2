"""Lambda's DynamoDB Streams event source mapping, locally (moto records the table's stream).

Kept from AWS: batches of up to `BatchSize` records gathered for up to `MaximumBatchingWindowInSeconds`,
records as Lambda delivers them (`eventSourceARN`, `ApproximateCreationDateTime` in epoch seconds),
`MaximumRetryAttempts` retries of a failing batch, `BisectBatchOnFunctionError` halving, and the
`OnFailure` SQS destination receiving a description of the records given up on. A batch is retried in
this thread, so a poison batch holds its shard back, as in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cdk_app.local.intrinsics import ResourceAddress

logger = logging.getLogger(__name__)

Invoke = Callable[[ResourceAddress, Any], Any]


def stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    converted: dict[str, Any] = json.loads(json.dumps(record, default=_epoch_seconds))
    converted["eventVersion"] = "1.1"
    converted["eventSourceARN"] = stream_arn
    return converted


def _epoch_seconds(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp())
    raise TypeError(f"cannot encode {type(value).__name__}")


@dataclass
class StreamPump:
    streams: Any  # boto3 dynamodbstreams client
    stream_arn: str
    function: ResourceAddress
    invoke: Invoke
    batch_size: int = 100
    batching_window_seconds: float = 0.0
    maximum_retry_attempts: int = -1  # -1: until the record expires (AWS); capped below
    bisect_on_error: bool = False
    starting_position: str = "LATEST"
    on_failure: Callable[[dict[str, Any]], None] | None = None
    poll_interval_seconds: float = 0.5
    retry_cap: int = 10  # what -1 means locally: a poison batch must not spin forever
    retry_backoff_seconds: float = 0.5
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _iterators: dict[str, str | None] = field(default_factory=dict)

    def start(self) -> StreamPump:
        for shard in self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]:
            self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=self.starting_position
            )["ShardIterator"]
        self._thread = threading.Thread(target=self._run, name="stream-pump", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the thread to finish its current poll; `stop()` waits for it."""
        self._stopping.set()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                if not self.poll_once():
                    self._stopping.wait(self.poll_interval_seconds)
            except Exception:
                logger.exception("local runner: reading stream %s failed; retrying", self.stream_arn)
                self._stopping.wait(1.0)

    def _read(self, shard_id: str, limit: int) -> list[dict[str, Any]]:
        iterator = self._iterators.get(shard_id)
        if iterator is None:
            return []
        response = self.streams.get_records(ShardIterator=iterator, Limit=limit)
        self._iterators[shard_id] = response.get("NextShardIterator")
        records: list[dict[str, Any]] = response.get("Records", [])
        return records

    def poll_once(self) -> int:
        """Deliver what the shards hold (one batch per shard); returns the number of records delivered."""
        delivered = 0
        for shard_id in list(self._iterators):
            records = self._read(shard_id, self.batch_size)
            deadline = time.monotonic() + self.batching_window_seconds
            while records and len(records) < self.batch_size and time.monotonic() < deadline:
                self._stopping.wait(0.1)
                records.extend(self._read(shard_id, self.batch_size - len(records)))
            if records:
                self._deliver([stream_record(r, self.stream_arn) for r in records])
                delivered += len(records)
        return delivered

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        attempts = self.retry_cap if self.maximum_retry_attempts < 0 else self.maximum_retry_attempts
        for attempt in range(attempts + 1):
            try:
                self.invoke(self.function, {"Records": records})
                return
            except Exception:
                logger.exception("local runner: %s failed a stream batch of %d", self.function, len(records))
            # Lambda backs off between retries; waiting on the stop event keeps stop() prompt.
            if attempt < attempts and self._stopping.wait(min(self.retry_backoff_seconds * 2**attempt, 5.0)):
                return
        if self.bisect_on_error and len(records) > 1:
            middle = len(records) // 2
            self._deliver(records[:middle])
            self._deliver(records[middle:])
            return
        if self.on_failure is not None:
            self.on_failure(self._failure_record(records))

    def _failure_record(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        return {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 1},
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": next(iter(self._iterators), ""),
                "startSequenceNumber": first.get("SequenceNumber"),
                "endSequenceNumber": last.get("SequenceNumber"),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
