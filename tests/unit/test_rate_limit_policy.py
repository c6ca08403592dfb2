"""The limiter's rules without AWS: seed 001's numbers, window keys, Retry-After and fail-open."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from shop.api.http import error_headers
from shop.contracts.alarm_metric_names import LIMITS
from shop.platform import rate_limiter
from shop.platform.errors import TooManyRequests
from shop.platform.rate_limiter import ADMIN_LIMIT, CART_LIMIT, PAYMENT_LIMIT, RateLimiter, limit_key


class RecordingTable:
    """Stands in for the boto3 Table: records the request, then fails the way it was told to."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.requests: list[dict[str, Any]] = []

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.error:
            raise self.error
        return {}


def conditional_failure() -> ClientError:
    return ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "no"}}, "UpdateItem")


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> RecordingTable:
    recorded = RecordingTable()
    monkeypatch.setattr(rate_limiter, "table", lambda _name: recorded)
    return recorded


def test_the_limits_are_seed_001s_and_name_alarm_dimensions() -> None:
    assert (PAYMENT_LIMIT.max_requests, CART_LIMIT.max_requests, ADMIN_LIMIT.max_requests) == (10, 100, 50)
    assert {PAYMENT_LIMIT.name, CART_LIMIT.name, ADMIN_LIMIT.name} <= set(LIMITS)


def test_one_atomic_conditional_add_per_request(recording: RecordingTable) -> None:
    RateLimiter(clock=lambda: 6_000_030.5).hit(CART_LIMIT, "user#u-1")

    (request,) = recording.requests
    assert request["Key"] == {"limit_key": limit_key(CART_LIMIT, "user#u-1", 100_000)}
    assert request["Key"]["limit_key"].startswith("cart#")
    assert request["Key"]["limit_key"].endswith("#100000")
    assert "u-1" not in request["Key"]["limit_key"]
    assert request["UpdateExpression"].startswith("ADD #count :one")
    assert request["ConditionExpression"] == "attribute_not_exists(#count) OR #count < :max"
    assert request["ExpressionAttributeValues"][":max"] == 100
    assert (
        request["ExpressionAttributeValues"][":expires_at"] == 6_000_060 + rate_limiter.EXPIRY_MARGIN_SECONDS
    )


@pytest.mark.parametrize(("now", "retry_after"), [(6_000_000.0, 60), (6_000_030.5, 30), (6_000_059.9, 1)])
def test_over_the_limit_retry_after_is_the_rest_of_the_window(
    recording: RecordingTable, now: float, retry_after: int
) -> None:
    recording.error = conditional_failure()
    with pytest.raises(TooManyRequests) as refused:
        RateLimiter(clock=lambda: now).hit(PAYMENT_LIMIT, "order#o-1")
    assert refused.value.retry_after_seconds == retry_after
    assert error_headers(refused.value) == {"Retry-After": str(retry_after)}
    assert refused.value.body()["limit"] == "payment"


@pytest.mark.parametrize(
    "error",
    [
        ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "UpdateItem"
        ),
        EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    ],
    ids=["throttled", "unreachable"],
)
def test_table_errors_let_the_request_through(recording: RecordingTable, error: Exception) -> None:
    recording.error = error
    RateLimiter(clock=lambda: 6_000_000.0).hit(ADMIN_LIMIT, "user#admin-1")  # no exception
    assert len(recording.requests) == 1


def test_windows_are_whole_epoch_minutes(recording: RecordingTable) -> None:
    limiter = RateLimiter(clock=lambda: 6_000_059.999)
    limiter.hit(ADMIN_LIMIT, "user#a")
    limiter.clock = lambda: 6_000_060.0
    limiter.hit(ADMIN_LIMIT, "user#a")
    keys = [request["Key"]["limit_key"] for request in recording.requests]
    assert [key.rsplit("#", 1)[1] for key in keys] == ["100000", "100001"]
