"""Promotions (issue 18): the table reaches exactly the functions that use it, with the access each
needs; marketing alone gets the stage's personal-code days; the admin routes are admin-only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import (
    api_methods,
    function_ids,
    function_properties,
    merged_api_template,
    policy_statements,
)

VARIABLE = "PROMOTIONS_TABLE"
WRITERS = {"order_api", "inventory_updater", "marketing_automation_api"}
READERS = {"cart_api"}
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem"}


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def _exports(stage: SynthesizedStage) -> set[str]:
    """The Data stack's exports of the Promotions table (its name and its ARN)."""
    [logical_id] = [
        logical_id
        for logical_id, resource in stage.template("Data")["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::GlobalTable"
        and resource["Properties"]["TableName"] == f"{stage.stacks.config.name}-Promotions"
    ]
    return {
        output["Export"]["Name"]
        for output in stage.template("Data").get("Outputs", {}).values()
        if "Export" in output and logical_id in json.dumps(output["Value"])
    }


def _actions_on_table(api: dict[str, Any], name: str, exports: set[str]) -> set[str]:
    actions: set[str] = set()
    for statement in policy_statements(api, name):
        if exports & _imports(statement["Resource"]):
            listed = statement["Action"]
            actions |= set(listed if isinstance(listed, list) else [listed])
    return actions


def _imports(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["Fn::ImportValue"]} if isinstance(value.get("Fn::ImportValue"), str) else set()
        for inner in value.values():
            found |= _imports(inner)
        return found
    if isinstance(value, list):
        return set().union(*(_imports(inner) for inner in value)) if value else set()
    return set()


def test_the_table_reaches_exactly_its_users(api: dict[str, Any], dev: SynthesizedStage) -> None:
    exports = _exports(dev)
    holders = {
        name
        for name in function_ids(api)
        if VARIABLE in function_properties(api, name).get("Environment", {}).get("Variables", {})
    }
    assert holders == WRITERS | READERS
    for name in function_ids(api):
        actions = _actions_on_table(api, name, exports)
        if name in WRITERS:
            assert actions >= WRITE_ACTIONS, name
        elif name in READERS:
            assert "dynamodb:GetItem" in actions, name
            assert not actions & WRITE_ACTIONS, name
        else:
            assert actions == set(), name


def test_personal_code_days_reach_the_marketing_function_only(
    api: dict[str, Any], dev: SynthesizedStage
) -> None:
    for name in function_ids(api):
        variables = function_properties(api, name).get("Environment", {}).get("Variables", {})
        if name == "marketing_automation_api":
            assert dev.stacks.config.personal_code_days == 7
            assert variables["PERSONAL_CODE_DAYS"] == "7"
        else:
            assert "PERSONAL_CODE_DAYS" not in variables, name


def test_the_admin_routes_need_a_cognito_token_and_the_admin_key(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    for method, path in (
        ("GET", "/admin/promotions"),
        ("POST", "/admin/promotions"),
        ("GET", "/admin/promotions/{code}"),
        ("PUT", "/admin/promotions/{code}"),
    ):
        properties = methods[(method, path)].properties
        assert properties["AuthorizationType"] == "COGNITO_USER_POOLS", (method, path)
        assert properties["ApiKeyRequired"] is True, (method, path)
