"""Issue 19's infrastructure hardening, read from the synthesized templates: API timeouts under API
Gateway's 29 s, reserved concurrency, on-failure destinations of asynchronous runs, least-privilege
grants (tables, uploads, the alarm key) and the security headers of API Gateway's own answers."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.api_routes import ROUTES
from cdk_app.synth import SynthesizedStage
from shop.contracts.tables import ALL_TABLES
from stacks.domain_stack import reserves_concurrency
from tests.infra.api_template import (
    alias_ids,
    function_ids,
    function_properties,
    merged_api_template,
    policy_statements,
    referenced_ids,
    resources_of,
)
from tests.infra.conftest import template_of

# Seconds, chosen from what each does (docs/decisions.md, "API timeouts and reserved concurrency").
API_TIMEOUTS = {
    "shop_api": 15,
    "cart_api": 15,
    "order_api": 20,
    "payment_api": 25,
    "tracking_api": 15,
    "account_api": 15,
}
API_GATEWAY_INTEGRATION_TIMEOUT = 29
# Written out here, not imported: the test must fail when the catalog's numbers move unnoticed.
RESERVED = {
    "order_api": 100,
    "payment_api": 50,
    "cart_api": 100,
    "shop_api": 200,
    "tracking_api": 50,
    "account_api": 20,
    "marketing_automation_api": 10,
    "catalog_cache_invalidator": 5,
    "order_processor": 10,
    "payment_processor": 10,
    "email_sender": 10,
    "inventory_updater": 10,
    "tracking_processor": 5,
}
ACCOUNT_DEFAULT_CONCURRENCY = 1000
UNRESERVED_MINIMUM = 100

TABLES = tuple(spec.logical_name for spec in ALL_TABLES)
READ = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
}
WRITE = READ | {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
SCAN = "dynamodb:Scan"
# catalog_cache_invalidator's stream event source: on the Products stream, not on a table.
STREAM_ACTIONS = {
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
}
# Every (function, table) whose code reads the table whole (grep `.scan` / `"scan"` in lambdas/shop).
SCANS = {
    ("account_api", "AuditLog"),  # GET /admin/audit-log without a filter
    ("account_api", "Reviews"),  # a shopper's review votes, for export and deletion
    ("marketing_automation_api", "Cart"),  # abandoned carts
    ("marketing_automation_api", "ProductViews"),  # browse abandonment, weekly recommendations
    ("marketing_automation_api", "WatchList"),  # price-drop and restock alerts
    ("marketing_automation_api", "MarketingQueue"),  # analytics
}


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _table_of(resource: Any) -> tuple[str, bool]:
    """(table, is an index ARN) of a policy resource, found by the Data stack's logical id."""
    text = str(resource)
    [table] = [table for table in TABLES if f"{table}Table" in text]
    return table, "/index/" in text


def _table_actions(api: dict[str, Any], name: str) -> dict[tuple[str, bool], set[str]]:
    """(table, index?) -> the DynamoDB actions the function's role holds on it."""
    held: dict[tuple[str, bool], set[str]] = {}
    for statement in policy_statements(api, name):
        actions = {
            action
            for action in _listed(statement["Action"])
            if action.startswith("dynamodb:") and action not in STREAM_ACTIONS
        }
        if not actions:
            continue
        for resource in _listed(statement["Resource"]):
            held.setdefault(_table_of(resource), set()).update(actions)
    return held


# -- timeouts and concurrency -------------------------------------------------------------------------


def test_every_api_function_times_out_before_api_gateway(api: dict[str, Any]) -> None:
    behind_the_api = {route.function for route in ROUTES}
    # marketing_automation_api also runs the daily and weekly scans (minutes): an admin's manual scan
    # gets API Gateway's 504 after 29 s while the run finishes (docs/decisions.md).
    assert behind_the_api - {"marketing_automation_api"} == set(API_TIMEOUTS)
    for name, seconds in API_TIMEOUTS.items():
        timeout = function_properties(api, name)["Timeout"]
        assert timeout == seconds, name
        assert timeout <= API_GATEWAY_INTEGRATION_TIMEOUT - 4, f"{name} leaves under 4 s of margin"


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_reserved_concurrency_of_every_function(synthesized: Any, stage: str) -> None:
    template = merged_api_template(synthesized(stage))
    names = function_ids(template)
    assert set(names) == set(RESERVED)
    for name, reserved in RESERVED.items():
        assert function_properties(template, name)["ReservedConcurrentExecutions"] == reserved, name
    assert sum(RESERVED.values()) <= ACCOUNT_DEFAULT_CONCURRENCY - UNRESERVED_MINIMUM
    # Checkout and payments together hold more than the public routes that could flood.
    assert RESERVED["order_api"] + RESERVED["payment_api"] >= RESERVED["tracking_api"] + 100


def test_a_stage_may_turn_the_reservations_off(dev: SynthesizedStage) -> None:
    """Accounts whose concurrency limit is below the reservations plus 100 (new accounts may have 10)
    set `reserved_concurrency: false`; without the setting every function is reserved."""
    config = dev.stacks.config
    assert reserves_concurrency(config) is True
    assert reserves_concurrency(config.model_copy(update={"reserved_concurrency": False})) is False


def test_queue_consumers_never_poll_beyond_their_reservation(api: dict[str, Any]) -> None:
    by_alias = {alias: name for name, alias in alias_ids(api).items()}
    mappings = [
        mapping["Properties"]
        for mapping in resources_of(api, "AWS::Lambda::EventSourceMapping").values()
        if "ScalingConfig" in mapping["Properties"]
    ]
    assert len(mappings) == 5
    for mapping in mappings:
        [alias] = referenced_ids(mapping["FunctionName"]) & set(by_alias)
        name = by_alias[alias]
        maximum = mapping["ScalingConfig"]["MaximumConcurrency"]
        reserved = function_properties(api, name)["ReservedConcurrentExecutions"]
        # Above its reservation SQS would hand the function batches it throttles back to the queue.
        assert maximum <= reserved, name


# -- asynchronous runs keep their failures ------------------------------------------------------------


def test_every_asynchronously_invoked_function_has_an_on_failure_destination(api: dict[str, Any]) -> None:
    aliases = alias_ids(api)
    by_alias = {alias: name for name, alias in aliases.items()}
    scheduled = {
        by_alias[schedule["Properties"]["Target"]["Arn"]["Ref"]]
        for schedule in resources_of(api, "AWS::Scheduler::Schedule").values()
    }
    # Services that invoke with InvocationType Event through a resource policy (S3, SNS, EventBridge
    # rules, CloudWatch Logs): none today; any added later needs the same destination.
    async_services = ("s3.", "sns.", "events.", "logs.", "ses.", "iot.")
    permitted = {
        next(iter(referenced_ids(permission["Properties"]["FunctionName"]) & set(by_alias)), None)
        for permission in resources_of(api, "AWS::Lambda::Permission").values()
        if any(str(permission["Properties"]["Principal"]).startswith(service) for service in async_services)
    }
    invoked_async = scheduled | {by_alias[alias] for alias in permitted if alias}
    assert invoked_async == {"marketing_automation_api", "order_processor"}
    by_function = {function: name for name, function in function_ids(api).items()}
    configs = {
        by_function[config["Properties"]["FunctionName"]["Ref"]]: config["Properties"]
        for config in resources_of(api, "AWS::Lambda::EventInvokeConfig").values()
    }
    for name in invoked_async:
        config = configs[name]
        # The `live` alias: the qualifier the schedules invoke (its ARN's last part).
        assert referenced_ids(config["Qualifier"]) == {aliases[name]}, name
        assert config["MaximumRetryAttempts"] == 2, name
        destination = config["DestinationConfig"]["OnFailure"]["Destination"]
        assert "ScheduleFailuresQueue" in str(destination), name
    assert configs["order_processor"]["MaximumEventAgeInSeconds"] == 300  # one sweep interval
    assert configs["marketing_automation_api"]["MaximumEventAgeInSeconds"] == 2 * 3600


def test_the_functions_may_send_their_failed_runs_to_the_dlq(api: dict[str, Any]) -> None:
    for name in ("marketing_automation_api", "order_processor"):
        assert any(
            "sqs:SendMessage" in _listed(statement["Action"])
            and "ScheduleFailuresQueue" in str(statement["Resource"])
            for statement in policy_statements(api, name)
        ), name


def test_the_dlq_of_failed_runs_pages(dev: SynthesizedStage) -> None:
    alarms = resources_of(dev.template("Monitoring"), "AWS::CloudWatch::Alarm").values()
    assert any(
        "critical-dlq-schedule-failures" in str(alarm["Properties"].get("AlarmName")) for alarm in alarms
    )


# -- least privilege -----------------------------------------------------------------------------------


def test_audit_log_is_append_only_for_writers_and_read_only_for_its_reader(api: dict[str, Any]) -> None:
    for writer in ("shop_api", "order_api"):
        held = _table_actions(api, writer)
        assert held[("AuditLog", False)] == {"dynamodb:PutItem"}, writer
        assert ("AuditLog", True) not in held, writer  # no read of the actor index either
    reader = _table_actions(api, "account_api")
    assert reader[("AuditLog", False)] == READ | {SCAN}
    assert reader[("AuditLog", True)] == READ | {SCAN}
    holders = {
        name for name in function_ids(api) if any(t == "AuditLog" for t, _ in _table_actions(api, name))
    }
    assert holders == {"shop_api", "order_api", "account_api"}


def test_scan_only_where_the_code_scans(api: dict[str, Any]) -> None:
    scanning = {
        (name, table)
        for name in function_ids(api)
        for (table, _index), actions in _table_actions(api, name).items()
        if SCAN in actions
    }
    assert scanning == SCANS


def test_every_other_table_grant_is_exactly_read_or_read_write(api: dict[str, Any]) -> None:
    for name in function_ids(api):
        for (table, _index), actions in _table_actions(api, name).items():
            if table == "AuditLog" or "dynamodb:Query" not in actions:
                continue  # AuditLog above; GetItem-only grants (kill switches, signing keys) are narrower
            assert actions - {SCAN} in (READ, WRITE), (name, table, sorted(actions))
            assert (SCAN in actions) is ((name, table) in SCANS), (name, table)


def test_uploads_may_only_put_objects(api: dict[str, Any]) -> None:
    s3_actions = {
        action
        for name in function_ids(api)
        for statement in policy_statements(api, name)
        for action in _listed(statement["Action"])
        if action.startswith("s3:")
    }
    assert s3_actions == {"s3:PutObject", "s3:GetObject"}
    uploads = [
        statement
        for statement in policy_statements(api, "shop_api")
        if any(action.startswith("s3:") for action in _listed(statement["Action"]))
    ]
    resources = []
    for statement in uploads:
        assert _listed(statement["Action"]) == ["s3:PutObject"]
        resources += [str(resource) for resource in _listed(statement["Resource"])]
    # Product images and digital files, one prefix each, never a whole bucket.
    assert len(resources) == 2
    assert any("/product-images/products/*" in resource for resource in resources)
    assert any("/files/*" in resource for resource in resources)


def test_only_this_stages_alarms_may_use_the_alarm_key(dev: SynthesizedStage) -> None:
    template = dev.template("Monitoring")
    [key] = resources_of(template, "AWS::KMS::Key").values()
    statements = [
        statement
        for statement in key["Properties"]["KeyPolicy"]["Statement"]
        if "cloudwatch.amazonaws.com" in _listed(statement["Principal"].get("Service", []))
    ]
    assert len(statements) == 1
    [statement] = statements
    assert statement["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = str(statement["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":alarm:Shop-dev-*" in source_arn


# -- API Gateway's own answers ---------------------------------------------------------------------------


@pytest.mark.parametrize("response_type", ["DEFAULT_4XX", "DEFAULT_5XX"])
def test_gateway_responses_carry_the_security_headers(dev: SynthesizedStage, response_type: str) -> None:
    template = template_of(dev, "ApiStage")  # beside the stage: they name the site's origin
    [response] = template.find_resources(
        "AWS::ApiGateway::GatewayResponse", {"Properties": {"ResponseType": response_type}}
    ).values()
    headers = response["Properties"]["ResponseParameters"]
    assert (
        headers["gatewayresponse.header.Strict-Transport-Security"] == "'max-age=31536000; includeSubDomains'"
    )
    assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
    assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'"
