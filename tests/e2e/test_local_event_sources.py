"""Queues and streams feed their functions with Lambda's semantics, against moto.

The consumers live in tests/e2e/fake_consumers and are wired by a hand-made template exactly like the
Api stack's (alias, event source mapping with ReportBatchItemFailures, redrive after 3 receives), but
with a one-second visibility timeout so that retries happen within the test.
"""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cdk_app.local.aws_services import LocalAws, create_resources
from cdk_app.local.function_runtime import FunctionRuntime
from cdk_app.local.queue_pump import QueuePump
from cdk_app.local.stream_pump import StreamPump
from cdk_app.local.template_model import ShopModel, read_shop_model
from tests.e2e.conftest import FAKE_CONSUMERS
from tests.e2e.handmade_templates import shop_templates

MAIN_QUEUE = "local-order-processing-queue"
DEAD_LETTER_QUEUE = "local-order-processing-dlq"


@pytest.fixture(scope="module")
def model(moto_aws: LocalAws) -> ShopModel:
    shop = read_shop_model(shop_templates(visibility_timeout=1, consumer_handler="flaky_consumer.handler"))
    create_resources(shop, moto_aws)
    return shop


@pytest.fixture
def runtime(model: ShopModel, moto_aws: LocalAws) -> FunctionRuntime:
    return FunctionRuntime(model, moto_aws.process_environment(), code_root=FAKE_CONSUMERS)


def queue_urls(moto_aws: LocalAws) -> tuple[str, str]:
    sqs = moto_aws.client("sqs")
    return (
        sqs.get_queue_url(QueueName=MAIN_QUEUE)["QueueUrl"],
        sqs.get_queue_url(QueueName=DEAD_LETTER_QUEUE)["QueueUrl"],
    )


def wait_until(condition: Callable[[], bool], step: Callable[[], Any], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        step()
        time.sleep(0.05)


def queue_depth(moto_aws: LocalAws, url: str) -> int:
    attributes = moto_aws.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_poison_message_reaches_the_dlq_after_three_receives_while_the_rest_is_processed(
    model: ShopModel, moto_aws: LocalAws, runtime: FunctionRuntime
) -> None:
    (source,) = [s for s in model.event_sources if s.kind == "sqs"]
    main_url, dlq_url = queue_urls(moto_aws)
    sqs = moto_aws.client("sqs")
    bodies = ["ok-1", "ok-2", "poison", "ok-3", "explode", "ok-4", "ok-5"]
    for body in bodies:
        sqs.send_message(QueueUrl=main_url, MessageBody=body)
    pump = QueuePump(
        sqs=sqs,
        queue_url=main_url,
        queue_arn=source.source_arn,
        function=source.function,
        invoke=runtime.invoke,
        region="us-east-1",
        batch_size=source.batch_size,
        reports_failures=source.report_batch_item_failures,
        wait_seconds=0,
    )

    def drained() -> bool:
        return queue_depth(moto_aws, main_url) == 0 and queue_depth(moto_aws, dlq_url) == 1

    wait_until(drained, pump.poll_once)

    consumer = importlib.import_module("flaky_consumer")
    try:
        batches: list[list[dict[str, Any]]] = consumer.BATCHES
        assert max(len(batch) for batch in batches) <= source.batch_size == 4
        assert len(batches[0]) == 4
        delivered = [record["body"] for batch in batches for record in batch]
        assert {"ok-1", "ok-2", "ok-3", "ok-4", "ok-5", "explode"} <= set(delivered)
        poison_counts = [
            record["attributes"]["ApproximateReceiveCount"]
            for batch in batches
            for record in batch
            if record["body"] == "poison"
        ]
        assert poison_counts == ["1", "2", "3"]
        # The function ran with its own environment: the queue URL import resolved to moto's URL.
        assert set(consumer.ENVIRONMENTS) == {main_url}
        dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
        assert [message["Body"] for message in dead] == ["poison"]
        assert pump.stats.handler_errors == 1
    finally:
        consumer.BATCHES.clear()
        consumer.ENVIRONMENTS.clear()


def test_the_pump_thread_delivers_and_stops_promptly(
    model: ShopModel, moto_aws: LocalAws, runtime: FunctionRuntime
) -> None:
    (source,) = [s for s in model.event_sources if s.kind == "sqs"]
    main_url, _ = queue_urls(moto_aws)
    sqs = moto_aws.client("sqs")
    pump = QueuePump(
        sqs=sqs,
        queue_url=main_url,
        queue_arn=source.source_arn,
        function=source.function,
        invoke=runtime.invoke,
        region="us-east-1",
        batch_size=source.batch_size,
        reports_failures=True,
    ).start()
    try:
        sqs.send_message(QueueUrl=main_url, MessageBody="ok-threaded")
        wait_until(lambda: pump.stats.deleted >= 1, lambda: None, timeout=10)
    finally:
        started = time.monotonic()
        pump.stop()
        assert time.monotonic() - started < 3
        importlib.import_module("flaky_consumer").BATCHES.clear()
    assert queue_depth(moto_aws, main_url) == 0


def test_table_stream_records_reach_the_stream_consumer(
    model: ShopModel, moto_aws: LocalAws, runtime: FunctionRuntime
) -> None:
    (source,) = [s for s in model.event_sources if s.kind == "dynamodb"]
    table = model.table_by_stream_arn(source.source_arn)
    dynamodb = moto_aws.client("dynamodb")
    stream_arn = dynamodb.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    pump = StreamPump(
        streams=moto_aws.client("dynamodbstreams"),
        stream_arn=stream_arn,
        function=source.function,
        invoke=runtime.invoke,
        batch_size=source.batch_size,
        starting_position="LATEST",
    )
    pump.start()
    pump.stop()  # the thread is not needed: poll_once drives it deterministically
    dynamodb.put_item(TableName=table.name, Item={"product_id": {"S": "p-9"}, "category": {"S": "hats"}})
    assert pump.poll_once() == 1
    consumer = importlib.import_module("cache_invalidator")
    try:
        (event,) = consumer.EVENTS
        (record,) = event["Records"]
        assert record["eventName"] == "INSERT"
        assert record["eventSource"] == "aws:dynamodb"
        assert record["eventSourceARN"] == stream_arn
        assert record["dynamodb"]["NewImage"]["product_id"] == {"S": "p-9"}
        assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    finally:
        consumer.EVENTS.clear()


def test_a_failing_stream_batch_is_bisected_then_sent_to_the_on_failure_destination(
    moto_aws: LocalAws, model: ShopModel
) -> None:
    attempts: list[int] = []
    failures: list[dict[str, Any]] = []

    def always_fails(_function: Any, event: dict[str, Any]) -> None:
        attempts.append(len(event["Records"]))
        raise RuntimeError("poison batch")

    (source,) = [s for s in model.event_sources if s.kind == "dynamodb"]
    pump = StreamPump(
        streams=None,
        stream_arn="arn:aws:dynamodb:us-east-1:123456789012:table/local-Products/stream/x",
        function=source.function,
        invoke=always_fails,
        maximum_retry_attempts=1,
        bisect_on_error=True,
        on_failure=failures.append,
        retry_backoff_seconds=0,
    )
    records = [{"dynamodb": {"SequenceNumber": str(n)}} for n in range(2)]
    pump._deliver(records)
    # Whole batch twice (first try + one retry), then each half twice, then each half given up on.
    assert attempts == [2, 2, 1, 1, 1, 1]
    assert [f["DDBStreamBatchInfo"]["batchSize"] for f in failures] == [1, 1]
    assert failures[0]["DDBStreamBatchInfo"]["startSequenceNumber"] == "0"


# -- consumers on shop.platform.queue_consumer: poison messages at once, backoff honoured ------------
# They share the module's queues with the tests above, so their bodies are unique and they look for
# their own messages only.


@pytest.fixture
def strict_pump(model: ShopModel, moto_aws: LocalAws) -> Iterator[Callable[..., QueuePump]]:
    """Pumps into strict_consumer, which uses the shared queue_consumer mechanism."""
    from shop.platform.process_state import reset_process_state

    strict = read_shop_model(shop_templates(visibility_timeout=1, consumer_handler="strict_consumer.handler"))
    runtime = FunctionRuntime(strict, moto_aws.process_environment(), code_root=FAKE_CONSUMERS)
    (source,) = [s for s in strict.event_sources if s.kind == "sqs"]
    main_url, _ = queue_urls(moto_aws)

    def pump(retry_delay_seconds: int | None = None) -> QueuePump:
        return QueuePump(
            sqs=moto_aws.client("sqs"),
            queue_url=main_url,
            queue_arn=source.source_arn,
            function=source.function,
            invoke=runtime.invoke,
            region="us-east-1",
            batch_size=source.batch_size,
            reports_failures=source.report_batch_item_failures,
            wait_seconds=0,
            retry_delay_seconds=retry_delay_seconds,
        )

    reset_process_state()  # the consumer's SQS client must reach this module's moto
    try:
        yield pump
    finally:
        importlib.import_module("strict_consumer").RECEIVED.clear()
        reset_process_state()


def _dead_letters(moto_aws: LocalAws, dlq_url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = (
        moto_aws.client("sqs")
        .receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], VisibilityTimeout=0
        )
        .get("Messages", [])
    )
    return messages


def test_a_poison_message_is_in_the_dlq_within_a_minute_after_one_receive(
    moto_aws: LocalAws, strict_pump: Callable[..., QueuePump]
) -> None:
    main_url, dlq_url = queue_urls(moto_aws)
    sqs = moto_aws.client("sqs")
    poison = f"poison-{uuid.uuid4().hex}"
    for body in ("ok-strict-1", poison, "ok-strict-2"):
        sqs.send_message(QueueUrl=main_url, MessageBody=body)
    pump = strict_pump()

    def parked() -> list[dict[str, Any]]:
        return [m for m in _dead_letters(moto_aws, dlq_url) if m["Body"] == poison]

    wait_until(lambda: queue_depth(moto_aws, main_url) == 0 and bool(parked()), pump.poll_once, timeout=60)

    (dead,) = parked()
    attributes = {name: value["StringValue"] for name, value in dead["MessageAttributes"].items()}
    assert attributes["reason"] == "invalid_test_message"
    assert attributes["receive_count"] == "1"
    assert attributes["source_queue"] == MAIN_QUEUE
    # Received once, not the three receives of SQS's own redrive; the rest of its batch went through.
    received: list[str] = importlib.import_module("strict_consumer").RECEIVED
    assert received == ["ok-strict-1", poison, "ok-strict-2"]
    assert (pump.stats.batches, pump.stats.deleted, pump.stats.failed) == (1, 3, 0)


def test_the_pump_honours_the_consumers_backoff_unless_told_to_retry_sooner(
    moto_aws: LocalAws, strict_pump: Callable[..., QueuePump]
) -> None:
    main_url, _ = queue_urls(moto_aws)
    sqs = moto_aws.client("sqs")
    sqs.send_message(QueueUrl=main_url, MessageBody="later-1")
    faithful = strict_pump()
    assert faithful.poll_once() == 1
    time.sleep(2)  # twice the queue's own visibility timeout
    # Still hidden: the consumer pushed it back by backoff_seconds(1) = 60 s, and the pump kept that.
    assert faithful.poll_once() == 0
    assert queue_depth(moto_aws, main_url) == 1

    sqs.send_message(QueueUrl=main_url, MessageBody="later-2")
    hurried = strict_pump(retry_delay_seconds=1)  # `--retry-delay 1` shortens every wait, backoff too
    assert hurried.poll_once() == 1
    wait_until(lambda: hurried.stats.batches == 2, hurried.poll_once, timeout=10)
    assert importlib.import_module("strict_consumer").RECEIVED == ["later-1", "later-2", "later-2"]
