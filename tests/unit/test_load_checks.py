"""bench/load_checks.py's deployed-stage half, which the local smoke test (tests/e2e/test_locust_smoke.py)
cannot reach: a stage's resources found from its CloudFormation stacks, and the cache hit rates from
CloudWatch and from EMF lines."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load_checks

QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/dev-order-processing-queue"
DLQ = "https://sqs.eu-west-1.amazonaws.com/123456789012/dev-order-processing-dlq"


def _resource(kind: str, physical: str) -> dict[str, Any]:
    return {
        "LogicalResourceId": physical.rsplit("/", 1)[-1].replace("-", ""),
        "PhysicalResourceId": physical,
        "ResourceType": kind,
        "LastUpdatedTimestamp": datetime(2026, 12, 1, tzinfo=UTC),
        "ResourceStatus": "CREATE_COMPLETE",
    }


def _summary(name: str, status: str = "UPDATE_COMPLETE") -> dict[str, Any]:
    return {"StackName": name, "StackStatus": status, "CreationTime": datetime(2026, 12, 1, tzinfo=UTC)}


def test_a_deployed_stage_is_found_from_its_own_stacks_only() -> None:
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(cloudformation) as stub:
        stacks = [
            _summary("Shop-dev-Data"),
            _summary("Shop-dev-Messaging"),
            _summary("Shop-dev-Api"),
            _summary("Shop-prod-Data"),  # another stage in the same account
            _summary("Shop-dev-Old", "DELETE_COMPLETE"),
        ]
        stub.add_response("list_stacks", {"StackSummaries": stacks})
        data = [
            _resource("AWS::DynamoDB::Table", "dev-Orders"),
            _resource("AWS::DynamoDB::Table", "dev-Cart"),
        ]
        stub.add_response(
            "list_stack_resources", {"StackResourceSummaries": data}, {"StackName": "Shop-dev-Data"}
        )
        queues = [_resource("AWS::SQS::Queue", QUEUE), _resource("AWS::SQS::Queue", DLQ)]
        stub.add_response(
            "list_stack_resources", {"StackResourceSummaries": queues}, {"StackName": "Shop-dev-Messaging"}
        )
        api = [_resource("AWS::ApiGateway::RestApi", "a1b2c3"), _resource("AWS::Lambda::Function", "fn")]
        stub.add_response(
            "list_stack_resources", {"StackResourceSummaries": api}, {"StackName": "Shop-dev-Api"}
        )

        resources = load_checks.resources_from_stacks(cloudformation, "dev")

        stub.assert_no_pending_responses()
    assert resources.orders_table == "dev-Orders"
    assert resources.rest_api_id == "a1b2c3"
    assert resources.work_queues == {"dev-order-processing-queue": QUEUE}
    assert resources.dead_letter_queues == {"dev-order-processing-dlq": DLQ}


def test_no_stacks_for_the_stage_is_an_error_naming_it() -> None:
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(cloudformation) as stub:
        stub.add_response("list_stacks", {"StackSummaries": [_summary("Shop-prod-Data")]})
        with pytest.raises(RuntimeError, match=r"Shop-dev-\*"):
            load_checks.resources_from_stacks(cloudformation, "dev")


def test_cloudwatch_cache_rates_sum_every_dimension_set_per_cache() -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1")
    start, end = datetime(2026, 12, 6, 4, tzinfo=UTC), datetime(2026, 12, 6, 4, 10, tzinfo=UTC)

    def metric(name: str, cache: str, service: str) -> dict[str, Any]:
        dimensions = [{"Name": "cache", "Value": cache}, {"Name": "service", "Value": service}]
        return {"Namespace": "Shop", "MetricName": name, "Dimensions": dimensions}

    def sums(*values: float) -> dict[str, Any]:
        return {"Datapoints": [{"Sum": value, "Timestamp": start} for value in values]}

    with Stubber(cloudwatch) as stub:
        hits = [metric("CacheHit", "catalog", "shop_api"), metric("CacheHit", "cart", "cart_api")]
        stub.add_response("list_metrics", {"Metrics": hits}, {"Namespace": "Shop", "MetricName": "CacheHit"})
        stub.add_response("get_metric_statistics", sums(90, 5), _statistics_params("CacheHit"))
        stub.add_response("get_metric_statistics", sums(10), _statistics_params("CacheHit"))
        misses = [metric("CacheMiss", "catalog", "shop_api")]
        stub.add_response(
            "list_metrics", {"Metrics": misses}, {"Namespace": "Shop", "MetricName": "CacheMiss"}
        )
        stub.add_response("get_metric_statistics", sums(5), _statistics_params("CacheMiss"))

        rates = load_checks.cloudwatch_cache_rates(cloudwatch, start, end)

    assert rates["catalog"].hits == 95
    assert rates["catalog"].misses == 5
    assert rates["catalog"].rate == pytest.approx(0.95)
    assert rates["cart"].rate == 1.0


def _statistics_params(name: str) -> dict[str, Any]:
    return {
        "Namespace": "Shop",
        "MetricName": name,
        "Dimensions": ANY,
        "StartTime": ANY,
        "EndTime": ANY,
        "Period": 60,
        "Statistics": ["Sum"],
    }


def test_emf_lines_after_the_offset_are_counted_per_cache(tmp_path: Path) -> None:
    def emf(name: str, cache: str, value: float) -> str:
        metrics = [{"Namespace": "Shop", "Dimensions": [["cache", "service"]], "Metrics": [{"Name": name}]}]
        record = {"_aws": {"Timestamp": 1, "CloudWatchMetrics": metrics}, "cache": cache, name: [value]}
        return json.dumps(record) + "\n"

    log = tmp_path / "functions.log"
    log.write_text(emf("CacheHit", "catalog", 1000) + '{"level":"INFO","message":"not a metric"}\n')
    offset = log.stat().st_size  # what happened before the run is not counted
    with log.open("a") as out:
        out.write(
            emf("CacheHit", "catalog", 30) + emf("CacheMiss", "catalog", 10) + emf("CacheHit", "cart", 4)
        )

    caches = load_checks.EmfTally.of_log(log, offset).caches

    assert (caches["catalog"].hits, caches["catalog"].misses) == (30, 10)
    assert caches["catalog"].rate == 0.75
    assert caches["cart"].rate == 1.0
