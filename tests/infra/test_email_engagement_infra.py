"""The open pixel and click-through routes of marketing emails: public, on marketing_automation_api,
which holds the link key (read through the VPC's Secrets Manager endpoint), the site's URL and the
stage's attribution window; the pixel is a binary image."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import (
    api_methods,
    function_properties,
    merged_api_template,
    policy_statements,
    resources_of,
)
from tests.infra.conftest import template_of

ROUTES = {
    ("GET", "/m/open/{message_id}"): ("t",),
    ("GET", "/m/click/{message_id}"): ("u", "t"),
}
FUNCTION = "marketing_automation_api"


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def test_the_engagement_routes_are_public_and_reach_the_marketing_function(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    for (verb, path), required in ROUTES.items():
        method = methods[(verb, path)].properties
        assert method["OperationName"] == f"{FUNCTION}:{verb} {path}"
        assert method["AuthorizationType"] == "NONE", path
        assert not method.get("ApiKeyRequired"), path
        assert method["Integration"]["Type"] == "AWS_PROXY"
        for name in required:
            assert method["RequestParameters"][f"method.request.querystring.{name}"] is True
        # Every open must reach the function: never answered from the stage cache.
        assert "CacheKeyParameters" not in method["Integration"]


def test_the_marketing_function_signs_checks_and_attributes(
    api: dict[str, Any], dev: SynthesizedStage
) -> None:
    properties = function_properties(api, FUNCTION)
    variables = properties["Environment"]["Variables"]
    assert variables["SITE_URL"] == variables["WEB_ORIGIN"]  # the Web stack's site origin
    assert variables["ATTRIBUTION_DAYS"] == str(dev.stacks.config.attribution_days) == "7"
    assert "SigningKeys" in str(variables["SIGNING_KEYS_TABLE"])  # the Data stack's table, imported
    assert any(
        "dynamodb:GetItem" in statement["Action"] and "SigningKeys" in str(statement["Resource"])
        for statement in policy_statements(api, FUNCTION)
    )
    # In the VPC: the key is reached through DynamoDB's gateway endpoint (no NAT, no interface endpoint).
    assert properties["VpcConfig"]["SubnetIds"]
    network = template_of(dev, "Network").to_json()
    gateways = [
        str(endpoint["Properties"]["ServiceName"])
        for endpoint in resources_of(network, "AWS::EC2::VPCEndpoint").values()
        if endpoint["Properties"].get("VpcEndpointType", "Gateway") == "Gateway"
    ]
    assert any("dynamodb" in service for service in gateways), gateways


def test_the_pixel_is_a_binary_image(dev: SynthesizedStage) -> None:
    [rest_api] = resources_of(template_of(dev, "Api").to_json(), "AWS::ApiGateway::RestApi").values()
    assert "image/*" in rest_api["Properties"]["BinaryMediaTypes"]
