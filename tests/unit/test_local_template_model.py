"""The local runner reads what to run from templates of the shapes CDK synthesizes."""

from __future__ import annotations

import pytest

from cdk_app.local.template_model import RouteModel, ShopModel, read_shop_model
from tests.e2e.handmade_templates import API, shop_templates


@pytest.fixture(scope="module")
def model() -> ShopModel:
    return read_shop_model(shop_templates())


def route(model: ShopModel, method: str, path: str) -> RouteModel:
    return next(r for r in model.routes if r.method == method and r.path == path)


def test_tables_keep_keys_index_types_and_ttl(model: ShopModel) -> None:
    products = next(t for t in model.tables if t.name == "local-Products")
    assert products.partition_key.name == "product_id"
    assert products.sort_key is None
    (index,) = products.indexes
    assert (index.name, index.partition_key.name, index.sort_key) == (
        "category-sales_count-index",
        "category",
        index.sort_key,
    )
    assert index.sort_key is not None
    assert index.sort_key.type == "N"
    assert products.stream_view_type == "NEW_AND_OLD_IMAGES"
    cart = next(t for t in model.tables if t.name == "local-Cart")
    assert cart.ttl_attribute == "expires_at"
    assert cart.sort_key is not None
    assert cart.sort_key.name == "item"


def test_queues_keep_visibility_retention_and_redrive(model: ShopModel) -> None:
    queue = next(q for q in model.queues if q.name == "local-order-processing-queue")
    assert queue.visibility_timeout == 1800
    assert queue.retention_seconds == 345600
    assert queue.dead_letter_target_arn == "arn:aws:sqs:us-east-1:123456789012:local-order-processing-dlq"
    assert queue.max_receive_count == 3
    dlq = next(q for q in model.queues if q.name == "local-order-processing-dlq")
    assert dlq.dead_letter_target_arn is None


def test_user_pool_with_its_client_and_groups(model: ShopModel) -> None:
    (pool,) = model.user_pools
    assert pool.name == "local-shop-users"
    assert pool.username_attributes == ("email",)
    assert [client.name for client in pool.clients] == ["shop-web"]
    assert pool.groups == ("admin",)


def test_functions_keep_handler_and_unresolved_environment(model: ShopModel) -> None:
    shop_api = next(f for f in model.functions if f.address.logical_id == "shopapiFunction15FD6F6C")
    assert shop_api.module_and_attribute == ("shop_api.handler", "handler")
    assert shop_api.is_python
    assert "Fn::ImportValue" in shop_api.environment["PRODUCTS_TABLE"]
    node = next(f for f in model.functions if f.address.logical_id == "NodeCustomResourceProvider")
    assert not node.is_python


def test_sqs_event_source_through_a_cdk_alias_name(model: ShopModel) -> None:
    source = next(s for s in model.event_sources if s.kind == "sqs")
    assert source.function.logical_id == "orderprocessorFunctionE67987B5"
    assert source.source_arn == "arn:aws:sqs:us-east-1:123456789012:local-order-processing-queue"
    assert source.batch_size == 4
    assert source.report_batch_item_failures
    assert source.maximum_concurrency == 5


def test_dynamodb_stream_event_source(model: ShopModel) -> None:
    source = next(s for s in model.event_sources if s.kind == "dynamodb")
    assert source.function.logical_id == "cacheinvalidatorFunctionAAAA1111"
    assert model.table_by_stream_arn(source.source_arn).name == "local-Products"
    assert (source.batch_size, source.maximum_retry_attempts, source.bisect_on_error) == (100, 3, True)


def test_routes_have_full_paths_functions_and_authorizers(model: ShopModel) -> None:
    paths = {(r.method, r.path) for r in model.routes}
    assert {("GET", "/products"), ("POST", "/products"), ("GET", "/products/{id}")} <= paths
    assert {("GET", "/products/featured"), ("ANY", "/{proxy+}"), ("GET", "/")} <= paths
    create = route(model, "POST", "/products")
    assert create.function is not None
    assert create.function.logical_id == "shopapiFunction15FD6F6C"
    assert create.requires_token
    assert create.api_key_required
    assert create.validate_body
    assert create.body_schema is not None
    assert create.body_schema["required"] == ["name", "price"]
    assert not route(model, "GET", "/products").requires_token


def test_stage_method_settings_give_per_route_cache_ttl(model: ShopModel) -> None:
    listing = route(model, "GET", "/products")
    assert (listing.caches, listing.cache_ttl_seconds) == (True, 300)
    assert listing.cache_key_parameters == ("method.request.querystring.category",)
    one = route(model, "GET", "/products/{id}")
    assert (one.caches, one.cache_ttl_seconds) == (True, 600)
    # The stage-wide "/*" setting turns caching off everywhere else.
    assert not route(model, "GET", "/products/featured").caches
    assert not route(model, "POST", "/products").caches
    assert model.api_stage == "v1"


def test_cors_preflight_mock_and_gateway_responses(model: ShopModel) -> None:
    preflight = route(model, "OPTIONS", "/products")
    assert preflight.function is None
    assert preflight.mock_response is not None
    assert preflight.mock_response.status_code == 204
    assert preflight.mock_response.headers["Access-Control-Allow-Origin"] == "*"
    assert model.gateway_response_headers["DEFAULT_4XX"] == {"Access-Control-Allow-Origin": "*"}
    assert model.binary_media_types == ("image/png",)
    assert [key.name for key in model.api_keys] == ["local-shop-api-admin"]


def test_schedules_from_scheduler_and_events_rules(model: ShopModel) -> None:
    by_expression = {s.expression: s for s in model.schedules}
    daily = by_expression["cron(0 10 * * ? *)"]
    assert daily.function.logical_id == "marketingFunction8D095AA7"
    assert daily.timezone == "America/Chicago"
    assert daily.input == '{"job": "daily-marketing-scans"}'
    assert by_expression["rate(1 hour)"].function.logical_id == "marketingFunction8D095AA7"


def test_a_template_without_an_api_still_reads() -> None:
    templates = shop_templates()
    del templates[API]
    model = read_shop_model(templates)
    assert model.routes == ()
    assert model.event_sources == ()
    assert len(model.tables) == 2
