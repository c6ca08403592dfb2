"""docs/openapi.json describes every route API Gateway exposes: what each answers, who may call it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app import openapi
from cdk_app.api_routes import ROUTES, Access


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(openapi.OPENAPI_DOCUMENT.read_text())
    return loaded


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_committed_document_is_current() -> None:
    assert openapi.OPENAPI_DOCUMENT.read_text() == openapi.render(), (
        "docs/openapi.json is stale: run `make openapi` and commit the result"
    )


def test_document_has_exactly_the_routes_api_gateway_exposes(document: dict[str, Any]) -> None:
    assert set(operations(document)) == {(route.method, route.path) for route in ROUTES}


def test_every_function_with_routes_is_described() -> None:
    assert set(openapi.API_FUNCTIONS) == {
        "shop_api",
        "cart_api",
        "order_api",
        "payment_api",
        "tracking_api",
        "marketing_automation_api",
        "account_api",
    }


def test_path_parameters_carry_the_gateways_names(document: dict[str, Any]) -> None:
    documented = operations(document)
    for route in ROUTES:
        parameters = documented[(route.method, route.path)].get("parameters", [])
        in_path = [parameter["name"] for parameter in parameters if parameter["in"] == "path"]
        assert sorted(in_path) == sorted(route.path_params), f"{route.method} {route.path}"


def test_security_follows_who_may_call_each_route(document: dict[str, Any]) -> None:
    documented = operations(document)
    for route in ROUTES:
        operation = documented[(route.method, route.path)]
        security = operation.get("security")
        where = f"{route.method} {route.path}"
        if route.access is Access.CUSTOMER:
            assert security == [{"cognitoIdToken": []}], where
        elif route.access is Access.ADMIN:
            assert security == [{"cognitoIdToken": [], "apiKey": []}], where
        elif route.access is Access.PARTNER:
            assert security == [{"apiKey": []}], where
        else:
            # Public: nothing required (an optional cart id or token at most).
            assert security is None or {} in security, where
    assert set(document["components"]["securitySchemes"]) == set(openapi.SECURITY_SCHEMES)


def test_guest_cart_routes_name_the_cart_id_header(document: dict[str, Any]) -> None:
    guest_cart = [route for route in ROUTES if route.path.startswith("/guest/cart")]
    assert guest_cart
    for route in guest_cart:
        assert {"guestCartId": []} in operations(document)[(route.method, route.path)]["security"]


def test_each_route_documents_its_success_and_the_gateways_refusals(document: dict[str, Any]) -> None:
    documented = operations(document)
    for route in ROUTES:
        where = f"{route.method} {route.path}"
        responses = documented[(route.method, route.path)]["responses"]
        assert any(status.startswith(("2", "3")) for status in responses), where
        assert {"403", "413", "429"} <= set(responses), where
        if route.access in (Access.CUSTOMER, Access.ADMIN):
            assert "401" in responses, where
        if route.body is not None or route.required_query:
            assert "400" in responses, where


def test_routes_declare_their_own_refusals(document: dict[str, Any]) -> None:
    """A sample of what handlers declare on the route (responses=), not the generator."""
    documented = operations(document)
    assert "404" in documented[("GET", "/products/{id}")]["responses"]
    assert "409" in documented[("POST", "/reviews")]["responses"]
    assert "402" in documented[("POST", "/payment/stripe/intent")]["responses"]
    assert "503" in documented[("POST", "/guest/orders/create")]["responses"]
    assert "302" in documented[("GET", "/m/click/{message_id}")]["responses"]
    invoice = documented[("GET", "/orders/{id}/invoice")]["responses"]["200"]
    assert set(invoice["content"]) == {"application/pdf"}


def test_refusals_have_the_shops_error_body(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert not set(openapi.POWERTOOLS_VALIDATION_SCHEMAS) & set(schemas)
    assert schemas[openapi.ERROR_SCHEMA]["required"] == ["message"]
    for (method, path), operation in operations(document).items():
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = response["content"]["application/json"]["schema"]
                assert schema == openapi.ERROR_REF, f"{method} {path} {status}"


def test_422_only_where_there_is_input_to_refuse(document: dict[str, Any]) -> None:
    for (method, path), operation in operations(document).items():
        takes_input = bool(operation.get("parameters")) or "requestBody" in operation
        assert ("422" in operation["responses"]) == takes_input, f"{method} {path}"


def test_routes_reading_their_own_body_still_show_it(document: dict[str, Any]) -> None:
    body = document["paths"]["/payment/stripe/intent"]["post"]["requestBody"]
    gateway_model, function_model = body["content"]["application/json"]["schema"]["allOf"]
    assert function_model["required"] == ["order_id"]
    assert "card_token" in function_model["properties"]
    assert gateway_model["required"] == ["order_id"]


def test_bodies_are_what_api_gateways_validator_accepts_too(document: dict[str, Any]) -> None:
    """The gateway refuses what its draft-4 model refuses before the function's model sees it: a
    client that follows the document must satisfy both."""
    documented = operations(document)
    for route in ROUTES:
        if route.body is None:
            continue
        body = documented[(route.method, route.path)]["requestBody"]
        schema = body["content"]["application/json"]["schema"]
        assert body["required"] is True, route.path
        assert route.body in schema.get("allOf", [schema]), f"{route.method} {route.path}"


def test_parameters_the_gateway_requires_are_required(document: dict[str, Any]) -> None:
    documented = operations(document)
    checked = 0
    for route in ROUTES:
        parameters = documented[(route.method, route.path)].get("parameters", [])
        for location, names in (("query", route.required_query), ("header", route.required_headers)):
            for name in names:
                found = [p for p in parameters if p["in"] == location and p["name"].lower() == name.lower()]
                assert found, f"{route.method} {route.path} {name}"
                assert found[0]["required"] is True, f"{route.method} {route.path} {name}"
                checked += 1
    assert checked > 0


def _function_document(path: str, method: str = "get") -> dict[str, Any]:
    operation = {"operationId": "op", "responses": {"200": {"description": "ok"}}}
    return {"openapi": "3.1.0", "paths": {path: {method: operation}}, "components": {"schemas": {}}}


def test_a_gateway_route_no_function_serves_is_refused() -> None:
    documents = {function: _function_document("/nothing") for function in openapi.API_FUNCTIONS}
    with pytest.raises(openapi.OpenApiMergeError, match="has no such route"):
        openapi.exposed_paths(documents)


def test_a_function_route_the_gateway_never_reaches_is_refused() -> None:
    from cdk_app.version import product_version

    documents = {
        function: openapi.function_document(function, product_version()) for function in openapi.API_FUNCTIONS
    }
    documents["shop_api"]["paths"]["/unrouted"] = {"get": {"operationId": "x", "responses": {}}}
    with pytest.raises(openapi.OpenApiMergeError, match="never reaches"):
        openapi.exposed_paths(documents)


def test_schemas_that_differ_between_functions_are_refused() -> None:
    first = _function_document("/a")
    second = _function_document("/b")
    first["components"]["schemas"]["Thing"] = {"type": "object"}
    second["components"]["schemas"]["Thing"] = {"type": "string"}
    with pytest.raises(openapi.OpenApiMergeError, match="Thing"):
        openapi.merged_schemas({"shop_api": first, "cart_api": second})
