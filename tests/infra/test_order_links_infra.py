"""Order emails link to the stage's own site, guests' links are signed with a key only three functions
hold (marketing_automation_api for the links of marketing emails), and API Gateway's address models
take every address field and two-letter countries."""

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
    resources_of,
)

LINK_KEY_VARIABLE = "SIGNING_KEYS_TABLE"


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def environment_of(api: dict[str, Any], name: str) -> dict[str, Any]:
    variables: dict[str, Any] = function_properties(api, name)["Environment"]["Variables"]
    return variables


def test_the_email_function_links_to_the_stages_site(api: dict[str, Any], prod: SynthesizedStage) -> None:
    """SITE_URL is the Web stack's origin (its CloudFront domain here: neither stage sets a custom
    domain), imported; tests/infra/test_edge_security.py covers a custom domain."""
    for stage_api, stage in ((api, "dev"), (merged_api_template(prod), "prod")):
        url = json.dumps(environment_of(stage_api, "email_sender")["SITE_URL"])
        assert '"https://"' in url
        assert f"Shop-{stage}-Web:" in url
        assert "Distribution" in url


def test_only_the_link_signing_functions_hold_the_signing_keys(
    api: dict[str, Any], dev: SynthesizedStage
) -> None:
    """The functions that sign or check links may read a key or make it on first use (GetItem and
    PutItem on SigningKeys) and do nothing else with that table; no other function names it."""
    holders = {name for name in function_ids(api) if LINK_KEY_VARIABLE in environment_of(api, name)}
    assert {"order_api", "email_sender", "marketing_automation_api"} <= holders
    assert not holders & {"shop_api", "payment_api", "payment_processor", "account_api", "tracking_api"}
    data = dev.template("Data")
    [table_id] = [
        logical_id
        for logical_id, table in resources_of(data, "AWS::DynamoDB::GlobalTable").items()
        if table["Properties"]["KeySchema"] == [{"AttributeName": "key_name", "KeyType": "HASH"}]
    ]
    assert not resources_of(data, "AWS::SecretsManager::Secret").keys() - {
        logical_id
        for logical_id, secret in resources_of(data, "AWS::SecretsManager::Secret").items()
        if "payment" in secret["Properties"]["Name"]
    }, "the only secret left in Data is the payment providers'"
    for name in holders:
        assert table_id in str(environment_of(api, name)[LINK_KEY_VARIABLE])
        on_keys = [
            statement for statement in policy_statements(api, name) if table_id in str(statement["Resource"])
        ]
        assert on_keys, f"{name} cannot read the signing keys"
        actions = {action for statement in on_keys for action in _as_list(statement["Action"])}
        assert actions == {"dynamodb:GetItem", "dynamodb:PutItem"}, (name, actions)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_address_models_take_every_field_and_a_two_letter_country(api: dict[str, Any]) -> None:
    models = resources_of(api, "AWS::ApiGateway::Model")

    def body_schema(method: str, path: str) -> dict[str, Any]:
        reference = api_methods(api)[(method, path)].properties["RequestModels"]["application/json"]
        schema: dict[str, Any] = models[reference["Ref"]]["Properties"]["Schema"]
        return schema

    order = body_schema("POST", "/orders/create")["properties"]
    saved = body_schema("POST", "/me/addresses")
    for address in (order["shipping_address"], order["billing_address"], saved):
        properties = address["properties"]
        assert {"line2", "region", "phone"} <= set(properties)
        assert properties["country"]["pattern"] == "^[A-Za-z]{2}$"
        assert properties["line2"]["type"] == ["string", "null"]  # an optional field may be sent as null
