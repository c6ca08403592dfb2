"""Order emails link to the stage's own site, guests' links are signed with a key only three functions
hold (marketing_automation_api for the links of marketing emails), and API Gateway's address models
take every address field and two-letter countries."""

from __future__ import annotations

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

LINK_KEY_VARIABLE = "ORDER_LINK_KEY_SECRET_ARN"


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def environment_of(api: dict[str, Any], name: str) -> dict[str, Any]:
    variables: dict[str, Any] = function_properties(api, name)["Environment"]["Variables"]
    return variables


def test_the_email_function_links_to_the_stages_site(
    api: dict[str, Any], dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    assert environment_of(api, "email_sender")["SITE_URL"] == dev.stacks.config.site_url
    prod_api = merged_api_template(prod)
    prod_url = environment_of(prod_api, "email_sender")["SITE_URL"]
    assert prod_url == prod.stacks.config.site_url
    assert prod_url.startswith("https://")
    assert not prod_url.endswith("/")


def test_only_order_api_email_sender_and_marketing_hold_the_order_link_key(
    api: dict[str, Any], dev: SynthesizedStage
) -> None:
    holders = {name for name in function_ids(api) if LINK_KEY_VARIABLE in environment_of(api, name)}
    assert holders == {"order_api", "email_sender", "marketing_automation_api"}
    data = dev.template("Data")
    [(key_id, key)] = [
        (logical_id, secret)
        for logical_id, secret in resources_of(data, "AWS::SecretsManager::Secret").items()
        if secret["Properties"]["Name"] == "dev-shop/order-link-key"
    ]
    assert key["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    for name in holders:
        arn = environment_of(api, name)[LINK_KEY_VARIABLE]
        assert key_id in str(arn)  # the Data stack's key, imported
        readable = [
            statement
            for statement in policy_statements(api, name)
            if "secretsmanager:GetSecretValue" in statement["Action"]
            and arn in _as_list(statement["Resource"])
        ]
        assert readable, f"{name} cannot read the order-link key"


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
