"""The Products stream flushes API Gateway's stage cache only for shopper-visible changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from catalog_cache_invalidator import handler as invalidator

from shop.platform.settings import get_settings

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/local-Products/stream/2026-11-21T00:00:00.000"


def _image(product: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB stream image, typed the way the stream sends it."""
    typed: dict[str, Any] = {}
    for key, value in product.items():
        typed[key] = {"N": str(value)} if isinstance(value, int) else {"S": str(value)}
    return typed


def _record(old: dict[str, Any] | None, new: dict[str, Any] | None, sequence: str) -> dict[str, Any]:
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    dynamodb: dict[str, Any] = {
        "ApproximateCreationDateTime": 1763700000,
        "Keys": {"product_id": {"S": "p1"}},
        "SequenceNumber": sequence,
        "SizeBytes": 200,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        dynamodb["OldImage"] = _image(old)
    if new is not None:
        dynamodb["NewImage"] = _image(new)
    return {
        "eventID": f"event-{sequence}",
        "eventName": name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": dynamodb,
        "eventSourceARN": STREAM_ARN,
    }


PRODUCT = {
    "product_id": "p1",
    "name": "Mug",
    "price": 1299,
    "status": "active",
    "stock_quantity": 5,
    "sales_count": 1,
}


@pytest.fixture
def api_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    monkeypatch.setenv("REST_API_ID", "abc123")
    monkeypatch.setenv("REST_API_STAGE", "v1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    get_settings.cache_clear()
    invalidator._api_gateway.cache_clear()
    client = invalidator._api_gateway()
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
    get_settings.cache_clear()
    invalidator._api_gateway.cache_clear()


def test_a_price_change_flushes_the_stage_cache_once(api_gateway: Stubber, lambda_context: Any) -> None:
    api_gateway.add_response("flush_stage_cache", {}, {"restApiId": "abc123", "stageName": "v1"})
    event = {
        "Records": [
            _record(PRODUCT, {**PRODUCT, "price": 999}, "1"),
            _record(PRODUCT, {**PRODUCT, "name": "Big mug"}, "2"),
        ]
    }
    assert invalidator.handler(event, lambda_context) == {"records": 2, "catalog_changes": 2}


def test_sales_that_keep_what_shoppers_see_do_not_flush(api_gateway: Stubber, lambda_context: Any) -> None:
    plenty = {**PRODUCT, "stock_quantity": 40}
    event = {"Records": [_record(plenty, {**plenty, "stock_quantity": 39, "sales_count": 2}, "3")]}
    # No stubbed response: a flush call would fail the test.
    assert invalidator.handler(event, lambda_context) == {"records": 1, "catalog_changes": 0}


def test_a_sale_that_changes_the_few_left_flushes(api_gateway: Stubber, lambda_context: Any) -> None:
    """Shoppers read "Only 5 left" from the cache: after a sale it must say 4."""
    api_gateway.add_response("flush_stage_cache", {}, {"restApiId": "abc123", "stageName": "v1"})
    event = {"Records": [_record(PRODUCT, {**PRODUCT, "stock_quantity": 4, "sales_count": 2}, "3")]}
    assert invalidator.handler(event, lambda_context) == {"records": 1, "catalog_changes": 1}


def test_a_failed_flush_fails_the_batch_so_it_is_retried(api_gateway: Stubber, lambda_context: Any) -> None:
    api_gateway.add_client_error("flush_stage_cache", service_error_code="TooManyRequestsException")
    event = {"Records": [_record(PRODUCT, {**PRODUCT, "status": "archived"}, "4")]}
    with pytest.raises(Exception, match="TooManyRequests"):
        invalidator.handler(event, lambda_context)
