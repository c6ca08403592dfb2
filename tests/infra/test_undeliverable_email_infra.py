"""email_sender records an address SES refuses for good on its order (shop.orders.email_status), so
it is given the Orders table: its name, and the item reads and the update that takes."""

from __future__ import annotations

import json
from typing import Any

from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import function_properties, merged_api_template, policy_statements

RECORDING_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"}


def _orders_exports(stage: SynthesizedStage) -> set[str]:
    data = stage.template("Data")
    [logical_id] = [
        logical_id
        for logical_id, resource in data["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::GlobalTable"
        and resource["Properties"]["TableName"] == f"{stage.stacks.config.name}-Orders"
    ]
    return {
        output["Export"]["Name"]
        for output in data.get("Outputs", {}).values()
        if "Export" in output and logical_id in json.dumps(output["Value"])
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_email_sender_may_read_and_update_orders(dev: SynthesizedStage) -> None:
    api = merged_api_template(dev)
    exports = _orders_exports(dev)
    variable = function_properties(api, "email_sender")["Environment"]["Variables"]["ORDERS_TABLE"]
    assert variable.get("Fn::ImportValue") in exports, variable
    granted: set[str] = set()
    for statement in policy_statements(api, "email_sender"):
        resources = json.dumps(statement["Resource"])
        if any(export in resources for export in exports):
            granted.update(_as_list(statement["Action"]))
    assert granted >= RECORDING_ACTIONS, granted
    assert "dynamodb:Scan" not in granted
