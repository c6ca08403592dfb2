"""The local runner's per-invocation call counter (cdk_app/local/call_counter.py, issue 20).

The counter patches botocore's Session.create_client and redis-py's send_packed_command for the rest of
the process, so each test runs it in a child interpreter: nothing leaks into the other unit tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from cdk_app.local.call_counter import call_detail, command_names, describe_event, short_name

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, tmp_path: Path) -> list[dict[str, object]]:
    log = tmp_path / "calls.jsonl"
    code = textwrap.dedent(script).replace("LOG_PATH", repr(str(log)))
    subprocess.run(  # this interpreter, a script of this test
        [sys.executable, "-c", code],
        cwd=ROOT,
        check=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_counts_aws_calls_per_invocation_from_any_session_with_tables_and_refusals(tmp_path: Path) -> None:
    records = _run(
        """
        import os
        os.environ.update(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1")
        from cdk_app.local.call_counter import CallCounter
        counter = CallCounter(LOG_PATH).install()   # before any client exists, as the worker does
        from moto import mock_aws
        import boto3
        with mock_aws():
            client = boto3.client("dynamodb")
            client.create_table(
                TableName="local-Orders",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            # A client of a session of its own, as Powertools' idempotency layer makes one.
            own_session = boto3.session.Session().client("dynamodb")
            event = {"httpMethod": "POST", "resource": "/orders/create", "path": "/orders/create",
                     "headers": {"X-Call-Tag": "t1"}}
            with counter.invocation("order_api", event) as outcome:
                client.put_item(TableName="local-Orders", Item={"id": {"S": "1"}})
                try:
                    own_session.put_item(TableName="local-Orders", Item={"id": {"S": "1"}},
                                         ConditionExpression="attribute_not_exists(id)")
                except own_session.exceptions.ConditionalCheckFailedException:
                    pass
                own_session.get_item(TableName="local-Orders", Key={"id": {"S": "1"}})
                outcome["result"] = {"statusCode": 202}
            # Between invocations (the runner's own kind of work): no invocation's.
            client.get_item(TableName="local-Orders", Key={"id": {"S": "1"}})
            with counter.invocation("order_api", event):
                pass
        """,
        tmp_path,
    )
    first, second = records
    assert (first["route"], first["tag"], first["status"]) == ("POST /orders/create", "t1", 202)
    assert first["aws"] == {"dynamodb.GetItem": 1, "dynamodb.PutItem": 2}
    assert first["calls"] == ["dynamodb.PutItem Orders", "dynamodb.PutItem Orders", "dynamodb.GetItem Orders"]
    assert first["errors"] == ["dynamodb.PutItem ConditionalCheckFailedException"]
    assert first["cold"] is True
    # The call between invocations belongs to neither.
    assert (second["aws_calls"], second["cold"]) == (0, False)


def test_counts_redis_round_trips_a_pipeline_as_one(tmp_path: Path) -> None:
    records = _run(
        """
        from cdk_app.local.call_counter import CallCounter
        counter = CallCounter(LOG_PATH).install()
        import fakeredis
        client = fakeredis.FakeRedis()
        client.ping()  # the connection is made before the invocation
        with counter.invocation("cart_api", {"Records": [{"eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:1:local-OrderProcessing"}]}):
            client.mget(["a", "b"])
            pipeline = client.pipeline(transaction=False)
            pipeline.set("g", 1, nx=True)
            pipeline.get("g")
            pipeline.execute()
        """,
        tmp_path,
    )
    (record,) = records
    assert record["redis"] == ["MGET", "SET+GET"]
    assert record["redis_round_trips"] == 2
    assert (record["trigger"], record["route"]) == ("sqs", "sqs OrderProcessing")


def test_command_names_decode_resp_including_binary_arguments() -> None:
    from redis.connection import Connection

    packed = Connection().pack_commands([("SCRIPT", "EXISTS", "abc"), ("EVALSHA", "abc", 1, b"\r\n\x00")])
    assert command_names(packed) == "SCRIPT EXISTS+EVALSHA"
    assert command_names(b"garbage") == "?"


def test_call_details_name_tables_indexes_transactions_and_queues() -> None:
    assert call_detail("dynamodb", "Query", {"TableName": "local-Products", "IndexName": "by_category"}) == (
        "Products/by_category"
    )
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "local-Orders"}},
            {"Update": {"TableName": "local-Products"}},
        ]
    }
    assert call_detail("dynamodb", "TransactWriteItems", transaction) == "[Put:Orders,Update:Products]"
    assert call_detail("sqs", "SendMessage", {"QueueUrl": "http://x/123/local-OrderProcessing"}) == (
        "OrderProcessing"
    )
    assert short_name("plain") == "plain"
    assert describe_event({"triggerSource": "TokenGeneration_Authentication"})["trigger"] == "cognito"
