"""Handlers against moto (mock_aws) and a real redis-server, called with real API Gateway events."""

from __future__ import annotations

import json
import shutil
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import redis
from moto import mock_aws

from cdk_app.local.redis_server import RedisServer
from shop.contracts import environment as env_vars
from shop.contracts.tables import ALL_TABLES, TableSpec
from shop.platform.process_state import reset_process_state
from shop.promotions.model import PromotionTerms
from shop.promotions.service import Promotions

if TYPE_CHECKING:
    from tests.integration.localstripe_world import LocalStripe
    from tests.integration.order_events import OrderWorld

# A brand unlike every stage's, so a test sees that emails print the brand they are given.
TEST_BRAND = {
    "shop_name": "Gospel Supply",
    "tagline": "Everything a small church needs",
    "description": (
        "Bibles, hymnals, communion ware and Sunday school supplies for small churches, shipped fast."
    ),
    "logo": "img/brand/logo.svg",
    "colours": {"primary": "#234e52", "accent": "#8a2c0d"},
    "contact_email": "hello@gospel-supply.example",
    "seller_name": "Gospel Supply Co.",
    "address_lines": ["77 Invoice Way, Floor 3", "Dallas, TX 75201", "United States"],
    "email": "accounts@gospel-supply.example",
    "phone": "+1 214 555 0199",
    "website": "https://gospel-supply.example",
    "tax_id": "EIN 98-7654321",
}
TEST_PRICING_RULES = {
    "currency": "USD",
    "tax_rate_bps": 825,
    "flat_shipping_cents": 599,
    "free_shipping_threshold_cents": 5000,
}
# Stored in the Promotions table of every test (the codes once fixed in TEST_PRICING_RULES).
TEST_PROMOTIONS = (
    {"code": "SAVE10", "kind": "percent", "value": 10},
    {"code": "FIVEOFF", "kind": "fixed", "value": 500, "min_subtotal": 2000},
)


def reset_module_state() -> None:
    """Forget every per-process singleton so the next call builds it from the current environment."""
    reset_process_state()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is not on PATH: the integration tests need a real Redis "
            "(apt-get install redis-server)"
        )
    server = RedisServer().start()
    yield server
    server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def dead_redis_url() -> str:
    """A loopback port nothing listens on: connections are refused at once."""
    return f"redis://127.0.0.1:{_free_port()}/0"


def _create_table(client: Any, spec: TableSpec) -> None:
    keys = [spec.partition_key] + ([spec.sort_key] if spec.sort_key else [])
    attributes = {key.name: key.type for key in keys}
    for index in spec.indexes:
        attributes[index.partition_key.name] = index.partition_key.type
        if index.sort_key:
            attributes[index.sort_key.name] = index.sort_key.type
    arguments: dict[str, Any] = {
        "TableName": f"test-{spec.logical_name}",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in attributes.items()
        ],
        "KeySchema": [{"AttributeName": spec.partition_key.name, "KeyType": "HASH"}]
        + ([{"AttributeName": spec.sort_key.name, "KeyType": "RANGE"}] if spec.sort_key else []),
    }
    if spec.indexes:
        arguments["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": [{"AttributeName": index.partition_key.name, "KeyType": "HASH"}]
                + ([{"AttributeName": index.sort_key.name, "KeyType": "RANGE"}] if index.sort_key else []),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    client.create_table(**arguments)
    if spec.ttl_attribute:
        client.update_time_to_live(
            TableName=arguments["TableName"],
            TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
        )


@pytest.fixture
def shop_env(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto with every table of shop.contracts.tables, a flushed Redis, and the stacks' environment."""
    environment = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "shop-tests",
        env_vars.STAGE: "test",
        env_vars.REDIS_URL: redis_server.url,
        env_vars.PRICING_RULES: json.dumps(TEST_PRICING_RULES),
        env_vars.BRAND_SETTINGS: json.dumps(TEST_BRAND),
        **{spec.env_var: f"test-{spec.logical_name}" for spec in ALL_TABLES},
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    # Hermetic even after a local shop ran in this process: no endpoint or moto id strategy of its own.
    for leftover in (
        "AWS_ENDPOINT_URL",
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY",
    ):
        monkeypatch.delenv(leftover, raising=False)
    redis.Redis.from_url(redis_server.url).flushall()
    with mock_aws():
        client = boto3.client("dynamodb")
        for spec in ALL_TABLES:
            _create_table(client, spec)
        reset_module_state()
        Promotions().seed([PromotionTerms.model_validate(terms) for terms in TEST_PROMOTIONS])
        yield environment
    reset_module_state()


@pytest.fixture
def redis_down(shop_env: dict[str, str], dead_redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the functions at a Redis that refuses connections."""
    monkeypatch.setenv(env_vars.REDIS_URL, dead_redis_url)
    reset_module_state()


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that Powertools reads."""

    function_name: str = "shop-test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:shop-test-function"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/shop-test-function"
    log_stream_name: str = "2026/11/21/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


@dataclass
class ApiResponse:
    status: int
    body: Any
    headers: dict[str, str]


Call = Callable[[dict[str, Any]], ApiResponse]


def _invoke(handler: Callable[[dict[str, Any], Any], dict[str, Any]], context: LambdaContext) -> Call:
    def call(event: dict[str, Any]) -> ApiResponse:
        response = handler(event, context)
        body = json.loads(response["body"]) if response.get("body") else None
        headers = {**(response.get("headers") or {})}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers.setdefault(name, values[-1])
        return ApiResponse(status=response["statusCode"], body=body, headers=headers)

    return call


@pytest.fixture
def shop_api(shop_env: dict[str, str], lambda_context: LambdaContext) -> Call:
    """Calls shop_api's real handler."""
    from shop_api.handler import handler

    return _invoke(handler, lambda_context)


@pytest.fixture
def cart_api(shop_env: dict[str, str], lambda_context: LambdaContext) -> Call:
    """Calls cart_api's real handler."""
    from cart_api.handler import handler

    return _invoke(handler, lambda_context)


def emitted_metrics(output: str) -> Counter[tuple[str, str]]:
    """Sum the EMF records in captured stdout by (metric name, cache dimension)."""
    totals: Counter[tuple[str, str]] = Counter()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == "Shop"
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                totals[(metric["Name"], record.get("cache", ""))] += (
                    sum(value) if isinstance(value, list) else value
                )
    return totals


def product_payload(**overrides: Any) -> dict[str, Any]:
    """A valid POST /products body."""
    payload: dict[str, Any] = {
        "name": "Study Bible",
        "description": "A study Bible with notes and maps",
        "category": "Books",
        "price": 2999,
        "currency": "USD",
        "sku": "BK-0001",
        "stock_quantity": 10,
        "images": ["https://images.example.com/bible.jpg"],
        "weight": 2.5,
        "dimensions": {"length": 9.0, "width": 6.0, "height": 2.0, "unit": "in"},
        "tags": ["bible", "study"],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def create_product(shop_api: Call) -> Callable[..., dict[str, Any]]:
    """Create a product through POST /products as an administrator; returns the product JSON."""
    from tests.integration.events import admin_claims, api_event

    def create(**overrides: Any) -> dict[str, Any]:
        response = shop_api(
            api_event("POST", "/products", body=product_payload(**overrides), claims=admin_claims())
        )
        assert response.status == 201, response.body
        product: dict[str, Any] = response.body
        return product

    return create


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """One real localstripe process for the session (tests/integration/localstripe_world.py)."""
    from tests.integration.localstripe_world import running_localstripe

    yield from running_localstripe()


@pytest.fixture
def stripe_world(
    shop_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    lambda_context: LambdaContext,
    localstripe: LocalStripe,
) -> Iterator[OrderWorld]:
    """The order pipeline's queues (payment_world_in) with the payment secret and STRIPE_API_BASE
    pointing at the session's localstripe: what every test that pays by card starts from."""
    from tests.integration.localstripe_world import localstripe_in
    from tests.integration.payment_events import payment_world_in

    for each in payment_world_in(monkeypatch, lambda_context):
        localstripe_in(monkeypatch, localstripe)
        yield each
