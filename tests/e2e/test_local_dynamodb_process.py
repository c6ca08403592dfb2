"""moto's DynamoDB in a process of its own (cdk_app/local/dynamodb_process.py): still atomic, still
reachable through the one AWS_ENDPOINT_URL, and gone when the runner stops it."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from cdk_app.local.aws_services import DYNAMODB_ENDPOINT_ENV_VARS, LocalAws, start_aws

TABLE = "race-Products"


@pytest.fixture(scope="module")
def table(moto_aws: LocalAws) -> str:
    moto_aws.client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "product_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "product_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return TABLE


def _reserve_all_at_once(product_id: str, contenders: int) -> list[bool]:
    """`contenders` threads, each with its own client (its own connections, as each function worker
    has), take one unit at the same moment with the shop's conditional decrement; True per success."""
    clients = [boto3.client("dynamodb", region_name="us-east-1") for _ in range(contenders)]
    start = threading.Barrier(contenders)
    outcomes: list[bool] = [False] * contenders

    def reserve(index: int) -> None:
        client = clients[index]
        start.wait()
        try:
            client.update_item(
                TableName=TABLE,
                Key={"product_id": {"S": product_id}},
                UpdateExpression="SET stock_quantity = stock_quantity - :one",
                ConditionExpression="stock_quantity >= :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            outcomes[index] = True
        except client.exceptions.ConditionalCheckFailedException:
            outcomes[index] = False

    threads = [threading.Thread(target=reserve, args=(index,)) for index in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _stock(moto_aws: LocalAws, product_id: str) -> int:
    item = moto_aws.client("dynamodb").get_item(
        TableName=TABLE, Key={"product_id": {"S": product_id}}, ConsistentRead=True
    )["Item"]
    return int(item["stock_quantity"]["N"])


def _put_stock(moto_aws: LocalAws, product_id: str, units: int) -> None:
    moto_aws.client("dynamodb").put_item(
        TableName=TABLE, Item={"product_id": {"S": product_id}, "stock_quantity": {"N": str(units)}}
    )


def test_two_reservations_of_the_last_unit_exactly_one_succeeds(moto_aws: LocalAws, table: str) -> None:
    for round_number in range(10):  # a race lost once in ten would show
        product_id = f"last-unit-{round_number}"
        _put_stock(moto_aws, product_id, 1)
        outcomes = _reserve_all_at_once(product_id, 2)
        assert sorted(outcomes) == [False, True], f"round {round_number}: {outcomes}"
        assert _stock(moto_aws, product_id) == 0


def test_many_shoppers_for_a_few_units_never_oversell(moto_aws: LocalAws, table: str) -> None:
    _put_stock(moto_aws, "few-units", 5)
    outcomes = _reserve_all_at_once("few-units", 24)
    assert outcomes.count(True) == 5
    assert _stock(moto_aws, "few-units") == 0


def test_dynamodb_answers_from_its_own_process_and_through_the_one_endpoint(
    moto_aws: LocalAws, table: str
) -> None:
    own = moto_aws.dynamodb_endpoint_url
    assert own is not None
    assert own != moto_aws.endpoint_url
    # The handlers' clients (the process environment) reach it without naming it.
    assert all(os.environ[name] == own for name in DYNAMODB_ENDPOINT_ENV_VARS)
    assert moto_aws.process_environment()["AWS_ENDPOINT_URL_DYNAMODB"] == own
    _put_stock(moto_aws, "forwarded", 3)
    # A client given only AWS_ENDPOINT_URL (bench/, an old script) sees the same item and stream.
    via_main: Any = boto3.client("dynamodb", endpoint_url=moto_aws.endpoint_url, region_name="us-east-1")
    item = via_main.get_item(TableName=TABLE, Key={"product_id": {"S": "forwarded"}})["Item"]
    assert item["stock_quantity"] == {"N": "3"}
    with pytest.raises(via_main.exceptions.ConditionalCheckFailedException):
        via_main.put_item(
            TableName=TABLE,
            Item={"product_id": {"S": "forwarded"}},
            ConditionExpression="attribute_not_exists(product_id)",
        )
    stream_arn = via_main.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", endpoint_url=moto_aws.endpoint_url, region_name="us-east-1")
    assert streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    # The in-runner moto holds no DynamoDB data of its own: the item lives in the other process only.
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    assert TABLE not in dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables


@pytest.fixture
def second_aws() -> Iterator[LocalAws]:
    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    aws = start_aws()
    try:
        yield aws
    finally:
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)


def test_stopping_the_runners_aws_ends_the_dynamodb_process(second_aws: LocalAws) -> None:
    process = second_aws.dynamodb_process
    assert process is not None
    assert process.process.poll() is None
    second_aws.stop()
    assert process.process.poll() is not None


ORDERS = "race-Orders"


@pytest.fixture(scope="module")
def orders_table(moto_aws: LocalAws, table: str) -> str:
    moto_aws.client("dynamodb").create_table(
        TableName=ORDERS,
        KeySchema=[
            {"AttributeName": "order_id", "KeyType": "HASH"},
            {"AttributeName": "line", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "order_id", "AttributeType": "S"},
            {"AttributeName": "line", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return ORDERS


def _stream_records(moto_aws: LocalAws, table_name: str) -> list[dict[str, Any]]:
    dynamodb = moto_aws.client("dynamodb")
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return list(streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"])


def _order_and_stock(product_id: str, order_id: str, units: int) -> list[dict[str, Any]]:
    """The shape of the shop's order transaction: store the order, take the stock under a condition."""
    return [
        {"Put": {"TableName": ORDERS, "Item": {"order_id": {"S": order_id}, "line": {"N": "1"}}}},
        {
            "Update": {
                "TableName": TABLE,
                "Key": {"product_id": {"S": product_id}},
                "UpdateExpression": "SET stock_quantity = stock_quantity - :n",
                "ConditionExpression": "stock_quantity >= :n",
                "ExpressionAttributeValues": {":n": {"N": str(units)}},
            }
        },
    ]


def test_a_cancelled_transaction_leaves_its_items_and_streams_as_they_were(
    moto_aws: LocalAws, orders_table: str
) -> None:
    # Rolled back item by item (cdk_app/local/dynamodb_transactions.py), not by copying whole tables.
    dynamodb = moto_aws.client("dynamodb")
    _put_stock(moto_aws, "rollback", 2)
    dynamodb.put_item(TableName=ORDERS, Item={"order_id": {"S": "kept"}, "line": {"N": "1"}, "n": {"N": "1"}})
    before = {name: _stream_records(moto_aws, name) for name in (TABLE, ORDERS)}

    # The order's Put is applied before the stock condition fails: it must be undone.
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=_order_and_stock("rollback", "too-many", 3))
    reasons = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    # An overwrite of an existing item, then a failure: the old item comes back as it was.
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": ORDERS, "Item": {"order_id": {"S": "kept"}, "line": {"N": "1"}}}},
                *_order_and_stock("rollback", "also-too-many", 5)[1:],
            ]
        )

    key = {"order_id": {"S": "too-many"}, "line": {"N": "1"}}
    assert "Item" not in dynamodb.get_item(TableName=ORDERS, Key=key, ConsistentRead=True)
    kept = dynamodb.get_item(TableName=ORDERS, Key={"order_id": {"S": "kept"}, "line": {"N": "1"}})["Item"]
    assert kept["n"] == {"N": "1"}
    assert _stock(moto_aws, "rollback") == 2
    assert {name: _stream_records(moto_aws, name) for name in (TABLE, ORDERS)} == before

    # And one that succeeds is applied whole, with its stream records.
    dynamodb.transact_write_items(TransactItems=_order_and_stock("rollback", "fits", 2))
    assert _stock(moto_aws, "rollback") == 0
    assert len(_stream_records(moto_aws, ORDERS)) == len(before[ORDERS]) + 1


def test_a_transactions_cost_does_not_grow_with_its_tables(moto_aws: LocalAws, orders_table: str) -> None:
    # moto alone copies every named table per transaction: 12 ms at 30 products, 146 ms at 1,000.
    dynamodb = moto_aws.client("dynamodb")
    _put_stock(moto_aws, "bulk-hot", 10_000)

    def median_transaction_seconds(rounds: int, tag: str) -> float:
        spent = []
        for index in range(rounds):
            started = time.perf_counter()
            dynamodb.transact_write_items(TransactItems=_order_and_stock("bulk-hot", f"{tag}-{index}", 1))
            spent.append(time.perf_counter() - started)
        return statistics.median(spent)

    small = median_transaction_seconds(15, "small")
    for start in range(0, 3000, 25):  # 3,000 more products, with their stream records
        ids = [f"bulk-{n}" for n in range(start, start + 25)]
        items = [{"product_id": {"S": product_id}, "stock_quantity": {"N": "1"}} for product_id in ids]
        puts = [{"Put": {"TableName": TABLE, "Item": item}} for item in items]
        dynamodb.transact_write_items(TransactItems=puts)
    large = median_transaction_seconds(15, "large")
    # Whole-table copies would make it several times slower; item-level saves keep it flat.
    assert large < small * 2 + 0.01, (
        f"{small * 1000:.1f} ms at first, {large * 1000:.1f} ms with 3,000 more items"
    )
