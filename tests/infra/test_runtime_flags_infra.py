"""The kill switches live in a DynamoDB table that only shop_api, cart_api and order_api may read, one
item at a time; no SSM parameter and no SSM interface endpoint (docs/decisions.md, "Kill switches in
DynamoDB, not SSM")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import function_ids, function_properties, merged_api_template, policy_statements

READERS = {"shop_api", "cart_api", "order_api"}
VARIABLE = "RUNTIME_FLAGS_TABLE"


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def _flags_table(stage: SynthesizedStage) -> tuple[str, dict[str, Any]]:
    [(logical_id, table)] = [
        (logical_id, resource)
        for logical_id, resource in stage.template("Data")["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::GlobalTable"
        and resource["Properties"]["TableName"] == f"{stage.stacks.config.name}-RuntimeFlags"
    ]
    return logical_id, table


def _flags_exports(stage: SynthesizedStage) -> set[str]:
    """The Data stack's exports of the flags table (its name and its ARN)."""
    logical_id, _ = _flags_table(stage)
    return {
        output["Export"]["Name"]
        for output in stage.template("Data").get("Outputs", {}).values()
        if "Export" in output and logical_id in json.dumps(output["Value"])
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_stack_declares_an_ssm_parameter(dev: SynthesizedStage, prod: SynthesizedStage) -> None:
    for stage in (dev, prod):
        for stack_name, template in stage.templates.items():
            kinds = {resource["Type"] for resource in template.get("Resources", {}).values()}
            assert "AWS::SSM::Parameter" not in kinds, stack_name


def test_the_flags_table_is_keyed_by_flag_set_and_kept_like_the_others(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    _, table = _flags_table(dev)
    properties = table["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "flag_set", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "flag_set", "AttributeType": "S"}]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    assert properties["Replicas"][0]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert "GlobalSecondaryIndexes" not in properties
    assert "StreamSpecification" not in properties
    _, prod_table = _flags_table(prod)
    assert prod_table["DeletionPolicy"] == "Retain"
    assert prod_table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True


def test_only_the_three_api_functions_get_the_table(api: dict[str, Any], dev: SynthesizedStage) -> None:
    exports = _flags_exports(dev)
    holders = {
        name
        for name in function_ids(api)
        if VARIABLE in function_properties(api, name).get("Environment", {}).get("Variables", {})
    }
    assert holders == READERS
    for name in READERS:
        value = function_properties(api, name)["Environment"]["Variables"][VARIABLE]
        assert value.get("Fn::ImportValue") in exports, value


def test_readers_may_get_the_item_and_nothing_else_and_nobody_else_may_touch_it(
    api: dict[str, Any], dev: SynthesizedStage
) -> None:
    exports = _flags_exports(dev)
    for name in function_ids(api):
        on_flags = [
            statement
            for statement in policy_statements(api, name)
            if any(
                isinstance(resource, dict) and resource.get("Fn::ImportValue") in exports
                for resource in _as_list(statement["Resource"])
            )
        ]
        if name in READERS:
            assert [_as_list(statement["Action"]) for statement in on_flags] == [["dynamodb:GetItem"]], name
            assert [len(_as_list(statement["Resource"])) for statement in on_flags] == [1], name
        else:
            assert on_flags == [], name
