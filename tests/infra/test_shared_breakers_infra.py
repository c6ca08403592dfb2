"""The functions outside the VPC keep their circuit breakers in the CircuitBreakers table (TTL, on
demand), and payment_api verifies shoppers' ID tokens itself, so it knows its pool and web client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.function_catalog import FUNCTIONS
from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import function_properties, merged_api_template, policy_statements

BREAKER_FUNCTIONS = ("payment_api", "payment_processor", "email_sender")
BREAKER_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _breakers_table(stage: SynthesizedStage) -> tuple[str, dict[str, Any]]:
    [(logical_id, table)] = [
        (logical_id, resource)
        for logical_id, resource in stage.template("Data")["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::GlobalTable"
        and resource["Properties"]["TableName"] == f"{stage.stacks.config.name}-CircuitBreakers"
    ]
    return logical_id, table


def _breakers_exports(stage: SynthesizedStage) -> set[str]:
    logical_id, _ = _breakers_table(stage)
    return {
        output["Export"]["Name"]
        for output in stage.template("Data").get("Outputs", {}).values()
        if "Export" in output and logical_id in json.dumps(output["Value"])
    }


def test_the_breakers_table_expires_items_and_bills_per_request(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    _, table = _breakers_table(dev)
    properties = table["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [{"AttributeName": "circuit", "KeyType": "HASH"}]
    assert properties["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
    _, prod_table = _breakers_table(prod)
    assert prod_table["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("name", BREAKER_FUNCTIONS)
def test_each_function_outside_the_vpc_reads_and_writes_its_breakers(
    name: str, api: dict[str, Any], dev: SynthesizedStage
) -> None:
    assert not FUNCTIONS[name].in_vpc
    exports = _breakers_exports(dev)
    variable = function_properties(api, name)["Environment"]["Variables"]["CIRCUIT_BREAKERS_TABLE"]
    assert variable.get("Fn::ImportValue") in exports, variable
    granted: set[str] = set()
    for statement in policy_statements(api, name):
        resources = _as_list(statement["Resource"])
        if any(isinstance(r, dict) and r.get("Fn::ImportValue") in exports for r in resources):
            granted.update(_as_list(statement["Action"]))
    assert granted >= BREAKER_ACTIONS, name


def test_no_other_function_gets_the_breakers_table(api: dict[str, Any]) -> None:
    holders = {
        name
        for name in FUNCTIONS
        if "CIRCUIT_BREAKERS_TABLE"
        in function_properties(api, name).get("Environment", {}).get("Variables", {})
    }
    assert holders == set(BREAKER_FUNCTIONS)


def test_payment_api_knows_the_pool_and_client_whose_tokens_it_verifies(api: dict[str, Any]) -> None:
    variables = function_properties(api, "payment_api")["Environment"]["Variables"]
    for variable in ("USER_POOL_ID", "USER_POOL_CLIENT_ID"):
        # References to the Auth stack's pool and web client, never a literal copied at synth time.
        assert isinstance(variables[variable], dict), variable
