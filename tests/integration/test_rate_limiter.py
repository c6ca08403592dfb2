"""The per-caller rate limiter over the RateLimits table, alone and in front of cart_api and shop_api."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from shop.cart.guest_ids import issue_guest_cart_id
from shop.contracts.alarm_metric_names import LIMIT_DIMENSION, RATE_LIMITED, SERVICE_DIMENSION
from shop.platform import rate_limiter as rate_limiter_module
from shop.platform.errors import TooManyRequests
from shop.platform.rate_limiter import (
    ADMIN_LIMIT,
    CART_LIMIT,
    RATE_LIMITER_UNAVAILABLE,
    RateLimit,
    RateLimiter,
    limit_key,
    shared_rate_limiter,
)
from tests.integration.account_events import (
    FakeClock,
    dimension_sets,
    make_aws_calls_atomic,
    metrics_by_dimension,
)
from tests.integration.conftest import Call, product_payload
from tests.integration.events import admin_claims, api_event, shopper_claims

# 15 seconds into a window: 45 seconds are left in it.
WINDOW_START = 1_795_254_000 - (1_795_254_000 % 60)
NOW = WINDOW_START + 15


@pytest.fixture
def clock(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Freeze the shared limiter's clock (the one the handlers use) at NOW."""
    fake = FakeClock(NOW)
    monkeypatch.setattr(shared_rate_limiter(), "clock", fake)
    return fake


def stored_count(shop_env: dict[str, str], limit: RateLimit, subject: str, minute: int) -> dict[str, Any]:
    item: dict[str, Any] = (
        boto3.resource("dynamodb")
        .Table(shop_env["RATE_LIMITS_TABLE"])
        .get_item(Key={"limit_key": limit_key(limit, subject, minute)}, ConsistentRead=True)["Item"]
    )
    return item


def seed_count(shop_env: dict[str, str], limit: RateLimit, subject: str, count: int) -> None:
    boto3.resource("dynamodb").Table(shop_env["RATE_LIMITS_TABLE"]).put_item(
        Item={"limit_key": limit_key(limit, subject, NOW // 60), "count": count, "expires_at": NOW + 600}
    )


def test_concurrent_requests_are_counted_exactly(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_aws_calls_atomic(monkeypatch)
    limiter = RateLimiter(clock=FakeClock(NOW))
    allowed: list[int] = []
    refused: list[int] = []
    guard = threading.Lock()

    def request(n: int) -> None:
        try:
            limiter.hit(CART_LIMIT, "user#busy")
        except TooManyRequests:
            with guard:
                refused.append(n)
        else:
            with guard:
                allowed.append(n)

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(request, range(160)))

    assert (len(allowed), len(refused)) == (100, 60)
    # Refused requests are not counted: the condition fails before ADD applies.
    assert stored_count(shop_env, CART_LIMIT, "user#busy", NOW // 60)["count"] == 100


def test_a_new_window_starts_from_zero_and_retry_after_is_the_rest_of_the_window(
    shop_env: dict[str, str],
) -> None:
    clock = FakeClock(NOW)
    limiter = RateLimiter(clock=clock)
    for _ in range(ADMIN_LIMIT.max_requests):
        limiter.hit(ADMIN_LIMIT, "user#admin-1")
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit(ADMIN_LIMIT, "user#admin-1")
    assert refused.value.retry_after_seconds == 45
    limiter.hit(ADMIN_LIMIT, "user#admin-2")  # another admin has their own count

    clock.now = WINDOW_START + 59.2
    with pytest.raises(TooManyRequests) as still_refused:
        limiter.hit(ADMIN_LIMIT, "user#admin-1")
    assert still_refused.value.retry_after_seconds == 1

    clock.now = WINDOW_START + 60
    limiter.hit(ADMIN_LIMIT, "user#admin-1")
    item = stored_count(shop_env, ADMIN_LIMIT, "user#admin-1", WINDOW_START // 60 + 1)
    assert item["count"] == 1
    # TTL: the end of the window plus the margin, in epoch seconds.
    assert item["expires_at"] == WINDOW_START + 120 + rate_limiter_module.EXPIRY_MARGIN_SECONDS


def test_keys_hold_no_user_id_or_ip(shop_env: dict[str, str]) -> None:
    RateLimiter(clock=FakeClock(NOW)).hit(CART_LIMIT, "ip#198.51.100.7")
    items = boto3.resource("dynamodb").Table(shop_env["RATE_LIMITS_TABLE"]).scan()["Items"]
    assert len(items) == 1
    key = items[0]["limit_key"]
    assert key.startswith("cart#")
    assert key.endswith(f"#{NOW // 60}")
    assert "198.51.100.7" not in str(items[0])


def test_cart_api_answers_429_with_retry_after_once_a_shopper_passes_100_a_minute(
    cart_api: Call, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(100):
        assert cart_api(api_event("GET", "/cart", claims=shopper_claims("shopper-1"))).status == 200
    capsys.readouterr()

    refused = cart_api(api_event("GET", "/cart", claims=shopper_claims("shopper-1")))

    assert refused.status == 429
    assert refused.headers["Retry-After"] == "45"
    assert refused.body == {
        "error": "rate_limited",
        "message": "too many requests: at most 100 per minute",
        "retry_after_seconds": 45,
        "limit": "cart",
    }
    output = capsys.readouterr().out
    assert metrics_by_dimension(output, LIMIT_DIMENSION)[(RATE_LIMITED, "cart")] == 1
    assert dimension_sets(output, RATE_LIMITED) == [{LIMIT_DIMENSION, SERVICE_DIMENSION}]
    # Every cart route shares the limit; another shopper is not affected.
    add = api_event(
        "POST", "/cart/add", body={"product_id": "p-1", "quantity": 1}, claims=shopper_claims("shopper-1")
    )
    assert cart_api(add).status == 429
    assert cart_api(api_event("GET", "/cart", claims=shopper_claims("shopper-2"))).status == 200

    clock.now = WINDOW_START + 60
    assert cart_api(api_event("GET", "/cart", claims=shopper_claims("shopper-1"))).status == 200


def test_guests_are_limited_per_cart_id_and_otherwise_per_ip(
    cart_api: Call, clock: FakeClock, shop_env: dict[str, str]
) -> None:
    cart_id, other_cart_id = issue_guest_cart_id(), issue_guest_cart_id()
    seed_count(shop_env, CART_LIMIT, f"cart#{cart_id}", 100)
    seed_count(shop_env, CART_LIMIT, "ip#198.51.100.7", 100)

    by_cart = cart_api(api_event("GET", "/guest/cart", headers={"X-Cart-Id": cart_id}))
    other_cart = cart_api(api_event("GET", "/guest/cart", headers={"X-Cart-Id": other_cart_id}))
    no_cart = cart_api(api_event("GET", "/guest/cart"))

    assert (by_cart.status, other_cart.status, no_cart.status) == (429, 200, 429)


def test_the_limiter_fails_open_when_its_table_errors(
    cart_api: Call,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("RATE_LIMITS_TABLE", "test-NoSuchTable")  # ResourceNotFoundException
    from shop.platform.settings import get_settings

    get_settings.cache_clear()
    capsys.readouterr()

    response = cart_api(api_event("GET", "/cart", claims=shopper_claims("shopper-1")))

    assert response.status == 200
    output = capsys.readouterr().out
    assert metrics_by_dimension(output, LIMIT_DIMENSION)[(RATE_LIMITER_UNAVAILABLE, "cart")] == 1
    assert "rate limiter unavailable; request allowed" in caplog.text


def test_the_limiter_fails_open_when_dynamodb_cannot_be_reached(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Unreachable:
        def update_item(self, **_arguments: Any) -> None:
            raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    monkeypatch.setattr(rate_limiter_module, "table", lambda _name: Unreachable())
    RateLimiter(clock=FakeClock(NOW)).hit(ADMIN_LIMIT, "user#admin-1")  # no exception
    output = capsys.readouterr().out
    assert metrics_by_dimension(output, LIMIT_DIMENSION)[(RATE_LIMITER_UNAVAILABLE, "admin")] == 1


def test_admin_product_routes_are_limited_per_admin(
    shop_api: Call, clock: FakeClock, shop_env: dict[str, str]
) -> None:
    seed_count(shop_env, ADMIN_LIMIT, "user#admin-1", 50)

    refused = shop_api(api_event("POST", "/products", body=product_payload(), claims=admin_claims("admin-1")))
    allowed = shop_api(api_event("POST", "/products", body=product_payload(), claims=admin_claims("admin-2")))

    assert refused.status == 429
    assert refused.body["limit"] == "admin"
    assert allowed.status == 201
    # A shopper is refused as a non-admin (403) before counting against anything.
    assert (
        shop_api(api_event("POST", "/products", body=product_payload(), claims=shopper_claims("s"))).status
        == 403
    )


def test_limit_payment_counts_per_user_else_per_order(
    clock: FakeClock, shop_env: dict[str, str], lambda_context: Any
) -> None:
    from shop.api.http import build_resolver, caller_of
    from shop.api.rate_limits import limit_payment
    from shop.platform.rate_limiter import PAYMENT_LIMIT

    payments = build_resolver()

    @payments.post("/payment/stripe/intent")
    def intent() -> dict[str, str]:
        body = payments.current_event.json_body
        limit_payment(caller_of(payments), payments, order_id=body["order_id"])
        return {"ok": "yes"}

    def pay(order_id: str, user: str | None = None) -> int:
        claims = shopper_claims(user) if user else None
        event = api_event("POST", "/payment/stripe/intent", body={"order_id": order_id}, claims=claims)
        status: int = payments.resolve(event, lambda_context)["statusCode"]
        return status

    assert [pay("o-1") for _ in range(11)] == [200] * 10 + [429]
    assert pay("o-2") == 200  # guests: per order
    assert [pay("o-1", user="payer") for _ in range(11)] == [200] * 10 + [429]
    assert pay("o-3", user="payer") == 429  # signed in: per user, whatever the order
    assert stored_count(shop_env, PAYMENT_LIMIT, "order#o-1", NOW // 60)["count"] == 10
