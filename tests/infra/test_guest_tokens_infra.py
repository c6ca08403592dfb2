"""Guest tokens kept out of URLs and guest cart ids signed: API Gateway requires the X-Order-Token header
(not a `token` query parameter) on the guest order routes, every CORS answer allows that header, and
cart_api holds the signing key it signs guest cart ids with."""

from __future__ import annotations

from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from shop.contracts.order_tokens import ORDER_TOKEN_HEADER
from shop.contracts.tables import SIGNING_KEYS
from tests.infra.api_template import (
    api_methods,
    function_properties,
    merged_api_template,
    policy_statements,
    resources_of,
)

GUEST_ORDER_ROUTES = ("/guest/orders/{id}", "/guest/orders/{id}/invoice", "/guest/orders/{id}/credit-note")
GUEST_DOWNLOAD = "/guest/orders/{id}/downloads/{product_id}"


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def test_guest_order_routes_require_the_header_and_no_query_token(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    for path in GUEST_ORDER_ROUTES:
        parameters = methods[("GET", path)].properties["RequestParameters"]
        assert parameters[f"method.request.header.{ORDER_TOKEN_HEADER}"] is True, path
        assert not any(name.startswith("method.request.querystring.") for name in parameters), path
    # A download link carries the header (API clients) or a download token (the page's links):
    # neither is required by API Gateway, and the old `token` parameter is not declared at all.
    download = methods[("GET", GUEST_DOWNLOAD)].properties.get("RequestParameters", {})
    assert "method.request.querystring.token" not in download


def test_every_cors_answer_allows_the_order_token_header(api: dict[str, Any]) -> None:
    # Every CORS preflight (the API root's is a plain mock that declares no CORS headers).
    cors_preflights = {
        path: response["ResponseParameters"]["method.response.header.Access-Control-Allow-Headers"]
        for (http_method, path), method in api_methods(api).items()
        if http_method == "OPTIONS"
        for response in method.properties["Integration"]["IntegrationResponses"]
        if "method.response.header.Access-Control-Allow-Headers" in response.get("ResponseParameters", {})
    }
    assert {*GUEST_ORDER_ROUTES, GUEST_DOWNLOAD} <= cors_preflights.keys()
    for path, allowed in cors_preflights.items():
        assert ORDER_TOKEN_HEADER in allowed.strip("'").split(","), path
    for gateway_response in resources_of(api, "AWS::ApiGateway::GatewayResponse").values():
        parameters = gateway_response["Properties"]["ResponseParameters"]
        allowed = parameters["gatewayresponse.header.Access-Control-Allow-Headers"]
        assert ORDER_TOKEN_HEADER in allowed.strip("'").split(",")


def test_cart_api_holds_the_signing_key_for_guest_cart_ids(api: dict[str, Any]) -> None:
    variables = function_properties(api, "cart_api")["Environment"]["Variables"]
    assert SIGNING_KEYS.env_var in variables
    actions = {
        action
        for statement in policy_statements(api, "cart_api")
        if "SigningKeys" in str(statement["Resource"])
        or str(variables[SIGNING_KEYS.env_var]) in str(statement)
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if action.startswith("dynamodb:")
    }
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem"}
