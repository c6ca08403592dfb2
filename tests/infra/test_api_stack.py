"""Api: every function of seed 001 with its size and placement, every route, cache, limits, triggers."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.api_routes import ROUTES, Access
from cdk_app.synth import SynthesizedStage
from cdk_app.traffic_limits import route_throttle
from tests.infra.api_template import (
    alias_ids,
    api_methods,
    function_ids,
    function_properties,
    merged_api_template,
    policy_statements,
    referenced_ids,
    resources_of,
)

# From seed 001: memory MB, timeout s, in the VPC; the API functions' timeouts below API Gateway's 29 s
# since issue 19 (seed 001 had 30 s for shop_api, order_api and payment_api).
SEED_FUNCTIONS = {
    "shop_api": (512, 15, True),
    "cart_api": (256, 15, True),
    "order_api": (512, 20, True),
    "payment_api": (512, 25, False),
    "order_processor": (512, 300, True),
    "payment_processor": (512, 300, False),
    "email_sender": (256, 120, False),
    "inventory_updater": (256, 60, True),
    "tracking_api": (256, 15, True),
    "marketing_automation_api": (512, 300, True),
}
# From seed 001's endpoint lists (+ /health).
SEED_ENDPOINTS = {
    ("GET", "/health"): "shop_api",
    ("GET", "/products"): "shop_api",
    ("GET", "/products/{id}"): "shop_api",
    ("POST", "/products"): "shop_api",
    ("PUT", "/products/{id}"): "shop_api",
    ("DELETE", "/products/{id}"): "shop_api",
    ("GET", "/categories"): "shop_api",
    ("GET", "/featured"): "shop_api",
    ("GET", "/bestsellers"): "shop_api",
    ("POST", "/reviews"): "shop_api",
    ("GET", "/reviews/{product_id}"): "shop_api",
    ("GET", "/cart"): "cart_api",
    ("POST", "/cart/add"): "cart_api",
    ("PUT", "/cart/update"): "cart_api",
    ("DELETE", "/cart/remove"): "cart_api",
    ("DELETE", "/cart/clear"): "cart_api",
    ("POST", "/cart/merge"): "cart_api",
    ("POST", "/orders/create"): "order_api",
    ("GET", "/orders"): "order_api",
    ("GET", "/orders/{id}"): "order_api",
    ("PUT", "/orders/{id}/status"): "order_api",
    ("POST", "/orders/{id}/cancel"): "order_api",
    ("GET", "/orders/admin/list"): "order_api",
    ("POST", "/orders/{id}/refund"): "order_api",
    ("PUT", "/orders/{id}/tracking"): "order_api",
    ("POST", "/payment/paypal/create"): "payment_api",
    ("POST", "/payment/paypal/capture"): "payment_api",
    ("POST", "/payment/stripe/intent"): "payment_api",
    ("POST", "/payment/stripe/confirm"): "payment_api",
    ("POST", "/payment/webhook/paypal"): "payment_api",
    ("POST", "/payment/webhook/stripe"): "payment_api",
    ("POST", "/track/view"): "tracking_api",
    ("POST", "/track/cart-add"): "tracking_api",
    ("POST", "/track/purchase"): "tracking_api",
    ("GET", "/track/recommendations/{user_id}"): "tracking_api",
    ("POST", "/track/watchlist/add"): "tracking_api",
    ("DELETE", "/track/watchlist/remove"): "tracking_api",
    ("POST", "/marketing/scan-abandoned-carts"): "marketing_automation_api",
    ("POST", "/marketing/scan-browse-abandonment"): "marketing_automation_api",
    ("POST", "/marketing/scan-price-drops"): "marketing_automation_api",
    ("POST", "/marketing/scan-restock"): "marketing_automation_api",
    ("GET", "/marketing/analytics"): "marketing_automation_api",
}
# Seed 001's API Gateway cache TTLs (seconds).
SEED_CACHE_TTLS = {
    "/products": 300,
    "/categories": 3600,
    "/featured": 900,
    "/bestsellers": 900,
    "/products/{id}": 600,
    "/reviews/{product_id}": 300,
}


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


@pytest.fixture(scope="module")
def prod_api(prod: SynthesizedStage) -> dict[str, Any]:
    """The stage cache exists only where the stage setting `api_cache` asks for it (prod)."""
    return merged_api_template(prod)


@pytest.mark.parametrize("name", sorted(SEED_FUNCTIONS))
def test_function_size_timeout_and_placement(api: dict[str, Any], name: str) -> None:
    memory, timeout, in_vpc = SEED_FUNCTIONS[name]
    properties = function_properties(api, name)
    assert properties["MemorySize"] == memory
    assert properties["Timeout"] == timeout
    assert ("VpcConfig" in properties) is in_vpc
    if in_vpc:
        assert len(properties["VpcConfig"]["SubnetIds"]) == 2
        assert len(properties["VpcConfig"]["SecurityGroupIds"]) == 1


def test_every_function_shares_runtime_architecture_tracing_logging_and_layer(api: dict[str, Any]) -> None:
    names = function_ids(api)
    assert set(SEED_FUNCTIONS) <= set(names)
    assert "tracking_processor" in names  # the consumer of tracking-events
    for name in names:
        properties = function_properties(api, name)
        assert properties["Runtime"] == "python3.14", name
        assert properties["Architectures"] == ["arm64"], name
        assert properties["TracingConfig"] == {"Mode": "Active"}, name
        assert properties["LoggingConfig"]["LogFormat"] == "JSON", name
        assert "LogGroup" in properties["LoggingConfig"], name
        assert len(properties["Layers"]) == 1, name
        assert properties["Handler"] == f"{name}.handler.handler"
        env = properties["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Shop"
        assert env["SHOP_STAGE"] == "dev"


def test_function_logs_are_retained_for_the_stage_period(api: dict[str, Any]) -> None:
    groups = resources_of(api, "AWS::Logs::LogGroup")
    assert len(groups) >= len(function_ids(api))
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == 14


def test_every_function_is_published_behind_the_live_alias(api: dict[str, Any]) -> None:
    assert set(alias_ids(api)) == set(function_ids(api))


def test_function_environment_names_its_tables_and_queues(api: dict[str, Any]) -> None:
    env = function_properties(api, "order_api")["Environment"]["Variables"]
    for variable in (
        "ORDERS_TABLE",
        "PRODUCTS_TABLE",
        "IDEMPOTENCY_TABLE",
        "ORDER_PROCESSING_QUEUE_URL",
        "REDIS_HOST",
    ):
        assert variable in env, variable
    assert "CART_TABLE" not in function_properties(api, "payment_api")["Environment"]["Variables"]


def test_every_seed_endpoint_is_routed_to_its_function(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    aliases = alias_ids(api)
    for (verb, path), function in SEED_ENDPOINTS.items():
        method = methods[(verb, path)].properties
        integration = method["Integration"]
        assert integration["Type"] == "AWS_PROXY", (verb, path)
        assert {"Ref": aliases[function]} in integration["Uri"]["Fn::Join"][1], (verb, path)


def test_route_table_and_template_agree(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    aliases = alias_ids(api)
    routed = {key for key in methods if key[0] != "OPTIONS"}
    assert routed == {(route.method, route.path) for route in ROUTES}
    for route in ROUTES:
        assert {"Ref": aliases[route.function]} in methods[(route.method, route.path)].properties[
            "Integration"
        ]["Uri"]["Fn::Join"][1]


def test_authorizer_and_api_keys_follow_route_access(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    [authorizer_id] = resources_of(api, "AWS::ApiGateway::Authorizer")
    authorizer = api["Resources"][authorizer_id]["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    for route in ROUTES:
        method = methods[(route.method, route.path)].properties
        signed_in = route.access in (Access.CUSTOMER, Access.ADMIN)
        assert method["AuthorizationType"] == ("COGNITO_USER_POOLS" if signed_in else "NONE"), route.path
        assert (method.get("AuthorizerId") == {"Ref": authorizer_id}) is signed_in, route.path
        assert method["ApiKeyRequired"] is (route.access in (Access.ADMIN, Access.PARTNER)), route.path


def test_customer_routes_need_a_token_and_public_ones_do_not(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    for verb, path in [
        ("GET", "/orders"),
        ("POST", "/reviews"),
        ("GET", "/cart"),
        ("POST", "/track/watchlist/add"),
    ]:
        assert methods[(verb, path)].properties["AuthorizationType"] == "COGNITO_USER_POOLS", path
    for verb, path in [
        ("GET", "/products"),
        ("GET", "/guest/cart"),
        ("POST", "/guest/orders/create"),
        ("POST", "/payment/webhook/stripe"),
        ("GET", "/reviews/{product_id}"),
    ]:
        assert methods[(verb, path)].properties["AuthorizationType"] == "NONE", path
    for verb, path in [
        ("POST", "/products"),
        ("GET", "/orders/admin/list"),
        ("POST", "/marketing/scan-restock"),
        ("POST", "/marketing/scan-weekly-recommendations"),
    ]:
        method = methods[(verb, path)].properties
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", path
        assert method["ApiKeyRequired"] is True, path


def _stage(api: dict[str, Any]) -> dict[str, Any]:
    [stage] = resources_of(api, "AWS::ApiGateway::Stage").values()
    return stage["Properties"]  # type: ignore[no-any-return]


def test_stage_cache_is_half_a_gigabyte_and_encrypted(prod_api: dict[str, Any]) -> None:
    stage = _stage(prod_api)
    assert stage["CacheClusterEnabled"] is True
    assert stage["CacheClusterSize"] == "0.5"
    [default] = [setting for setting in stage["MethodSettings"] if setting["ResourcePath"] == "/*"]
    assert default["CachingEnabled"] is False  # nothing is cached unless a route asks for it
    assert default["CacheDataEncrypted"] is True


def test_seed_ttls_are_cached_with_their_keys_and_nothing_else_is(prod_api: dict[str, Any]) -> None:
    api = prod_api
    stage = _stage(api)
    cached = {
        (setting["ResourcePath"][1:].replace("~1", "/"), setting["HttpMethod"]): setting
        for setting in stage["MethodSettings"]
        if setting.get("CachingEnabled")
    }
    for path, ttl in SEED_CACHE_TTLS.items():
        setting = cached[(path, "GET")]
        assert setting["CacheTtlInSeconds"] == ttl, path
        assert setting["CacheDataEncrypted"] is True
        assert setting["LoggingLevel"] == "INFO"
    methods = api_methods(api)
    for (path, verb), _setting in cached.items():
        method = methods[(verb, path)].properties
        assert verb == "GET"
        assert method["AuthorizationType"] == "NONE", f"{path} is user-specific and must not be cached"
    products = methods[("GET", "/products")].properties
    keys = products["Integration"]["CacheKeyParameters"]
    for query in ("category", "min_price", "max_price", "q", "sort", "cursor", "limit"):
        assert f"method.request.querystring.{query}" in keys
    assert methods[("GET", "/products/{id}")].properties["Integration"]["CacheKeyParameters"] == [
        "method.request.path.id"
    ]
    assert (
        "method.request.path.product_id"
        in methods[("GET", "/reviews/{product_id}")].properties["Integration"]["CacheKeyParameters"]
    )


def test_the_stage_default_throttle_is_the_tightest_route_class(api: dict[str, Any]) -> None:
    """Every route has its own class limit (tests/infra/test_edge_security.py); a method without one
    would get the smallest."""
    [default] = [setting for setting in _stage(api)["MethodSettings"] if setting["ResourcePath"] == "/*"]
    assert default["ThrottlingRateLimit"] == min(route_throttle(route).rate_per_second for route in ROUTES)
    assert default["ThrottlingBurstLimit"] == min(route_throttle(route).burst for route in ROUTES)


def test_stage_has_json_access_logs_tracing_and_no_data_trace(api: dict[str, Any]) -> None:
    stage = _stage(api)
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["Format"].startswith("{")
    for setting in stage["MethodSettings"]:
        assert setting["DataTraceEnabled"] is False


def test_usage_plans_and_api_keys(api: dict[str, Any]) -> None:
    plans = {
        plan["Properties"]["UsagePlanName"].rsplit("-", 1)[1]: plan["Properties"]
        for plan in resources_of(api, "AWS::ApiGateway::UsagePlan").values()
    }
    assert plans["admin"]["Throttle"]["RateLimit"] == pytest.approx(50 / 60)
    assert plans["partner"]["Quota"] == {"Limit": 1_000_000, "Period": "MONTH"}
    assert len(resources_of(api, "AWS::ApiGateway::ApiKey")) == 2
    assert len(resources_of(api, "AWS::ApiGateway::UsagePlanKey")) == 2


def test_bodies_and_required_parameters_are_validated(api: dict[str, Any]) -> None:
    validators = [
        props["Properties"] for props in resources_of(api, "AWS::ApiGateway::RequestValidator").values()
    ]
    assert any(validator["ValidateRequestBody"] for validator in validators)
    methods = api_methods(api)
    add = methods[("POST", "/cart/add")].properties
    assert "application/json" in add["RequestModels"]
    assert "RequestValidatorId" in add
    guest_order = methods[("GET", "/guest/orders/{id}")].properties
    # The order token is a header (X-Order-Token), never a query parameter API Gateway would log.
    assert guest_order["RequestParameters"]["method.request.header.X-Order-Token"] is True
    assert "method.request.querystring.token" not in guest_order["RequestParameters"]
    webhook = methods[("POST", "/payment/webhook/stripe")].properties
    assert "RequestModels" not in webhook  # the raw body reaches the signature check untouched


def test_cors_preflight_and_gateway_errors_carry_cors_headers(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    assert ("OPTIONS", "/cart/add") in methods
    responses = resources_of(api, "AWS::ApiGateway::GatewayResponse").values()
    types = {response["Properties"]["ResponseType"] for response in responses}
    assert types == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses:
        assert (
            "gatewayresponse.header.Access-Control-Allow-Origin"
            in response["Properties"]["ResponseParameters"]
        )


CONSUMERS = {
    "order_processor": "order-processing",
    "payment_processor": "payment-processing",
    "email_sender": "email-notification",
    "inventory_updater": "inventory-update",
    "tracking_processor": "tracking-events",
}


def test_queue_consumers_take_batches_of_ten_with_partial_failures_through_the_alias(
    api: dict[str, Any],
) -> None:
    aliases = alias_ids(api)
    mappings = [
        mapping["Properties"]
        for mapping in resources_of(api, "AWS::Lambda::EventSourceMapping").values()
        if "sqs" in str(mapping["Properties"].get("EventSourceArn"))
        or "Queue" in str(mapping["Properties"].get("EventSourceArn"))
    ]
    assert len(mappings) == len(CONSUMERS)
    targets = set()
    for mapping in mappings:
        assert mapping["BatchSize"] == 10
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["ScalingConfig"]["MaximumConcurrency"] >= 2
        targets |= referenced_ids(mapping["FunctionName"])
    assert targets == {aliases[name] for name in CONSUMERS}


def _queue_actions(api: dict[str, Any], name: str) -> dict[str, set[str]]:
    """Queue export name -> SQS actions the function holds on it."""
    held: dict[str, set[str]] = {}
    for statement in policy_statements(api, name):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        sqs_actions = {action for action in actions if action.startswith("sqs:")}
        if not sqs_actions:
            continue
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for resource in resources:
            held.setdefault(str(resource), set()).update(sqs_actions)
    return held


@pytest.mark.parametrize("name", sorted(CONSUMERS))
def test_each_consumer_reads_only_its_own_queue(api: dict[str, Any], name: str) -> None:
    received = [
        resource for resource, actions in _queue_actions(api, name).items() if "sqs:ReceiveMessage" in actions
    ]
    assert len(received) == 1
    assert CONSUMERS[name].replace("-", "") in received[0].lower().replace("-", "")


def _table_access(api: dict[str, Any], name: str) -> dict[str, set[str]]:
    """Table export fragment -> DynamoDB actions the function holds on it."""
    held: dict[str, set[str]] = {}
    for statement in policy_statements(api, name):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        dynamo = {action for action in actions if action.startswith("dynamodb:")}
        if not dynamo:
            continue
        resources = (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
        for resource in resources:
            held.setdefault(str(resource), set()).update(dynamo)
    return held


def _tables_touched(api: dict[str, Any], name: str, *, write: bool) -> set[str]:
    touched = set()
    for resource, actions in _table_access(api, name).items():
        if write and not actions & {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}:
            continue
        for table in (
            "Products",
            "Orders",
            "Cart",
            "Reviews",
            "ProductViews",
            "MarketingQueue",
            "EmailPreferences",
            "WatchList",
            "Users",
            "RateLimits",
            "Idempotency",
            "AuditLog",
        ):
            if f"{table}Table" in resource:
                touched.add(table)
    return touched


def test_least_privilege_on_tables(api: dict[str, Any]) -> None:
    assert "Cart" not in _tables_touched(api, "payment_api", write=False)
    assert _tables_touched(api, "cart_api", write=True) == {"Cart", "RateLimits"}
    # Orders: a permanent SES refusal of the shopper's address is recorded on the order.
    assert _tables_touched(api, "email_sender", write=True) == {"Idempotency", "Orders"}
    assert "Orders" not in _tables_touched(api, "shop_api", write=True)
    assert _tables_touched(api, "tracking_processor", write=False) == {"ProductViews"}


def test_no_function_holds_a_wildcard_on_a_table(api: dict[str, Any]) -> None:
    for name in function_ids(api):
        for resource in _table_access(api, name):
            assert "*" not in resource, (name, resource)


def test_only_the_invalidator_can_flush_the_api_cache(prod_api: dict[str, Any]) -> None:
    api = prod_api
    for name in function_ids(api):
        flush = [s for s in policy_statements(api, name) if s["Action"] == "apigateway:DELETE"]
        assert bool(flush) is (name == "catalog_cache_invalidator"), name


def test_dev_has_no_stage_cache_and_nothing_to_flush(api: dict[str, Any]) -> None:
    """dev's `api_cache: false`: no cache cluster billed by the hour, no method cached, and the
    invalidator has no stream feeding it (docs/decisions.md, "Fixed cost per stage")."""
    stage = _stage(api)
    assert stage["CacheClusterEnabled"] is False
    assert "CacheClusterSize" not in stage
    assert not [setting for setting in stage["MethodSettings"] if setting.get("CachingEnabled")]
    aliases = alias_ids(api)
    assert not [
        mapping
        for mapping in resources_of(api, "AWS::Lambda::EventSourceMapping").values()
        if aliases["catalog_cache_invalidator"] in referenced_ids(mapping["Properties"]["FunctionName"])
    ]


def test_product_changes_stream_into_the_cache_invalidator_with_a_dlq(prod_api: dict[str, Any]) -> None:
    api = prod_api
    aliases = alias_ids(api)
    [stream] = [
        mapping["Properties"]
        for mapping in resources_of(api, "AWS::Lambda::EventSourceMapping").values()
        if aliases["catalog_cache_invalidator"] in referenced_ids(mapping["Properties"]["FunctionName"])
    ]
    assert "ProductsTable" in str(stream["EventSourceArn"])
    assert stream["BisectBatchOnFunctionError"] is True
    assert "OnFailure" in stream["DestinationConfig"]


def test_marketing_runs_daily_at_ten_in_the_stage_time_zone_with_retries_and_a_dlq(
    api: dict[str, Any],
) -> None:
    properties = _marketing_schedule(api, "daily-marketing-scans")
    assert properties["ScheduleExpression"] == "cron(0 10 * * ? *)"
    assert properties["ScheduleExpressionTimezone"] == "America/Chicago"
    target = properties["Target"]
    assert target["Arn"] == {"Ref": alias_ids(api)["marketing_automation_api"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert "DeadLetterConfig" in target
    assert '"job":"daily-marketing-scans"' in target["Input"].replace(" ", "")


def _marketing_schedule(api: dict[str, Any], job: str) -> dict[str, Any]:
    """The properties of the one schedule that starts marketing_automation_api with this job."""
    marketing = {"Ref": alias_ids(api)["marketing_automation_api"]}
    [properties] = [
        schedule["Properties"]
        for schedule in resources_of(api, "AWS::Scheduler::Schedule").values()
        if schedule["Properties"]["Target"]["Arn"] == marketing
        and f'"job":"{job}"' in schedule["Properties"]["Target"]["Input"].replace(" ", "")
    ]
    return properties


def test_recommendations_go_out_weekly_with_retries_and_the_schedule_dlq(api: dict[str, Any]) -> None:
    properties = _marketing_schedule(api, "weekly-recommendations")
    assert properties["ScheduleExpression"] == "cron(0 9 ? * MON *)"
    assert properties["ScheduleExpressionTimezone"] == "America/Chicago"
    target = properties["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    # The same DLQ as the daily run's: one alarm watches every schedule's failures.
    daily = _marketing_schedule(api, "daily-marketing-scans")["Target"]["DeadLetterConfig"]
    assert target["DeadLetterConfig"] == daily


def test_inventory_updater_may_send_restock_alerts_and_nothing_more(api: dict[str, Any]) -> None:
    written = _tables_touched(api, "inventory_updater", write=True)
    assert {"WatchList", "MarketingQueue"} <= written
    assert "EmailPreferences" in _tables_touched(api, "inventory_updater", write=False)
    assert "EmailPreferences" not in written
    sent_to = [
        resource
        for resource, actions in _queue_actions(api, "inventory_updater").items()
        if "sqs:SendMessage" in actions
    ]
    # Besides email-notification, only its own DLQ (poison messages go there at once).
    assert len(sent_to) == 2
    assert sum("emailnotification" in resource.lower() for resource in sent_to) == 1
    assert sum("inventoryupdatedeadletter" in resource.lower() for resource in sent_to) == 1


def test_payment_keys_come_from_secrets_manager_not_plain_environment(api: dict[str, Any]) -> None:
    env = function_properties(api, "payment_api")["Environment"]["Variables"]
    assert "PAYMENT_SECRETS_ARN" in env
    for forbidden in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "PAYPAL_CLIENT_SECRET"):
        assert forbidden not in env


def _deployment_groups(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        group["Properties"] for group in resources_of(template, "AWS::CodeDeploy::DeploymentGroup").values()
    ]


def test_every_function_deploys_through_codedeploy_and_rolls_back_on_its_alarms(
    prod_api: dict[str, Any],
) -> None:
    api = prod_api
    groups = _deployment_groups(api)
    assert len(groups) == len(function_ids(api))
    alarms = resources_of(api, "AWS::CloudWatch::Alarm")
    for group in groups:
        rollback = group["AutoRollbackConfiguration"]
        assert rollback["Enabled"] is True
        assert set(rollback["Events"]) >= {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"}
        assert group["AlarmConfiguration"]["Enabled"] is True
        alarm_names = [ref["Name"]["Ref"] for ref in group["AlarmConfiguration"]["Alarms"]]
        metrics = sorted(alarms[name]["Properties"]["MetricName"] for name in alarm_names)
        # Queue consumers have no throttle alarm: SQS keeps them below their reservation
        # (tests/infra/test_snapstart_infra.py names which).
        assert metrics in (["Duration", "Errors", "Throttles"], ["Duration", "Errors"])
        for name in alarm_names:
            dimensions = {d["Name"] for d in alarms[name]["Properties"]["Dimensions"]}
            assert dimensions == {"FunctionName", "Resource"}  # the alias's own metrics, not the function's


def test_dev_deploys_all_at_once_without_rollback_alarms(api: dict[str, Any]) -> None:
    """An all-at-once shift is over before a two-minute alarm could fire: dev pays for no rollback
    alarms, and still rolls back a deployment that fails or is stopped."""
    groups = _deployment_groups(api)
    assert len(groups) == len(function_ids(api))
    for group in groups:
        assert "AlarmConfiguration" not in group or not group["AlarmConfiguration"].get("Alarms")
        assert set(group["AutoRollbackConfiguration"]["Events"]) == {
            "DEPLOYMENT_FAILURE",
            "DEPLOYMENT_STOP_ON_REQUEST",
        }
    assert not [name for name in resources_of(api, "AWS::CloudWatch::Alarm") if "deploy" in name.lower()]


def test_dev_shifts_all_at_once_and_prod_uses_a_ten_percent_canary(
    api: dict[str, Any], prod: SynthesizedStage
) -> None:
    dev_configs = {str(group["DeploymentConfigName"]) for group in _deployment_groups(api)}
    prod_configs = {
        str(group["DeploymentConfigName"]) for group in _deployment_groups(merged_api_template(prod))
    }
    assert dev_configs == {"CodeDeployDefault.LambdaAllAtOnce"}
    assert len(prod_configs) == 1
    assert "Canary10Percent5Minutes" in prod_configs.pop()


def test_api_stack_stays_under_the_cloudformation_resource_limit(dev: SynthesizedStage) -> None:
    # The Api stack holds every route's resource, CORS method and model (the methods live in the
    # domain stacks, each limited on its own by test_stack_limits): hard limit 500, half for growth.
    assert len(dev.template("Api")["Resources"]) < 250


def test_cart_and_orders_price_with_the_stage_rules(api: dict[str, Any], dev: SynthesizedStage) -> None:
    import json

    for name in ("cart_api", "order_api"):
        rules = json.loads(function_properties(api, name)["Environment"]["Variables"]["PRICING_RULES"])
        assert rules == dev.stacks.config.pricing
    assert "PRICING_RULES" not in function_properties(api, "payment_api")["Environment"]["Variables"]


def test_payment_functions_read_keys_from_the_secret_and_never_a_sandbox_mode(api: dict[str, Any]) -> None:
    for name in ("payment_api", "payment_processor"):
        env = function_properties(api, name)["Environment"]["Variables"]
        assert "PAYMENT_SECRETS_ARN" in env
        # Deployed stages talk to Stripe itself; only the local shop points the SDK elsewhere.
        assert "STRIPE_API_BASE" not in env
        assert "PAYMENT_PROVIDER_MODE" not in env
    assert (
        "PAYMENT_PROCESSING_QUEUE_URL"
        in function_properties(api, "payment_processor")["Environment"]["Variables"]
    )
