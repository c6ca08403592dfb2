"""SQS records and partial batch responses, as Lambda's event source mapping builds and reads them."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.local.queue_pump import failed_message_ids, sqs_record

QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:local-order-processing-queue"


def test_record_has_lambdas_shape() -> None:
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh-1",
        "Body": '{"order_id": "o-1"}',
        "MD5OfBody": "abc",
        "Attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDA",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
        "MD5OfMessageAttributes": "def",
        "MessageAttributes": {
            "kind": {"StringValue": "order", "DataType": "String"},
            "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary"},
        },
    }
    record = sqs_record(message, queue_arn=QUEUE_ARN, region="us-east-1")
    assert record == {
        "messageId": "m-1",
        "receiptHandle": "rh-1",
        "body": '{"order_id": "o-1"}',
        "attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDA",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
        "messageAttributes": {
            "kind": {
                "stringValue": "order",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            },
            "blob": {
                "binaryValue": "AAE=",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Binary",
            },
        },
        "md5OfBody": "abc",
        "md5OfMessageAttributes": "def",
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
        "awsRegion": "us-east-1",
    }


BATCH = {"a", "b", "c"}


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, {"b"}),
        ({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, BATCH),  # unknown id: whole batch fails
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, BATCH),
        ({"batchItemFailures": "nonsense"}, BATCH),
        ("not an object", set()),
    ],
)
def test_partial_batch_responses_follow_lambdas_rules(response: Any, failed: set[str]) -> None:
    assert failed_message_ids(response, BATCH, reports_failures=True) == failed


def test_without_report_batch_item_failures_the_response_is_ignored() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "b"}]}
    assert failed_message_ids(response, BATCH, reports_failures=False) == set()
