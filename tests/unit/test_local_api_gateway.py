"""HTTP ⇄ API Gateway proxy events, route precedence and API Gateway's own answers, locally."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection
from typing import Any

import pytest

from cdk_app.local.api_gateway import (
    ApiGateway,
    HttpRequest,
    MalformedProxyResponseError,
    RouteTable,
    authorizer_claims,
    http_response,
    proxy_event,
)
from cdk_app.local.cognito_tokens import InvalidTokenError
from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.template_model import RouteModel, ShopModel, read_shop_model
from tests.e2e.handmade_templates import shop_templates

FUNCTION = ResourceAddress("Shop-local-Api", "fn")


def make_route(method: str, path: str, **kwargs: Any) -> RouteModel:
    return RouteModel(method=method, path=path, function=FUNCTION, **kwargs)


class StaticVerifier:
    """Accepts the token `good`, as if Cognito had signed it."""

    def verify(self, token: str, *, scopes: Collection[str] = ()) -> dict[str, Any]:
        if token != "good":
            raise InvalidTokenError("bad token")
        return {"sub": "user-1", "email": "a@example.com", "cognito:groups": ["admin", "staff"], "exp": 0}


class RecordingHandler:
    def __init__(self, response: Any = None) -> None:
        self.events: list[Any] = []
        self.response = response or {"statusCode": 200, "body": json.dumps({"ok": True})}

    def __call__(self, address: ResourceAddress, event: Any) -> Any:
        self.events.append(event)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


@pytest.fixture(scope="module")
def model() -> ShopModel:
    return read_shop_model(shop_templates())


def gateway_for(model: ShopModel, handler: RecordingHandler, *, greedy: bool = True) -> ApiGateway:
    return ApiGateway(
        [route for route in model.routes if greedy or "+}" not in route.path],
        handler,
        stage=model.api_stage,
        verifier=StaticVerifier(),
        binary_media_types=model.binary_media_types,
        api_keys={"admin-key": "AdminKey"},
        gateway_response_headers=model.gateway_response_headers,
    )


# --- route precedence ----------------------------------------------------------------------------------


def test_literal_segments_beat_parameters_which_beat_greedy_paths() -> None:
    table = RouteTable(
        [
            make_route("GET", "/products/{id}"),
            make_route("GET", "/products/featured"),
            make_route("ANY", "/{proxy+}"),
            make_route("GET", "/products/{id}/reviews"),
        ]
    )
    featured = table.match("GET", "/products/featured")
    assert featured is not None
    assert featured.route.path == "/products/featured"
    one = table.match("GET", "/products/p-1")
    assert one is not None
    assert (one.route.path, one.path_parameters) == ("/products/{id}", {"id": "p-1"})
    greedy = table.match("DELETE", "/anything/else/here")
    assert greedy is not None
    assert (greedy.route.path, greedy.path_parameters) == ("/{proxy+}", {"proxy": "anything/else/here"})


def test_path_parameters_are_url_decoded() -> None:
    table = RouteTable([make_route("GET", "/products/{id}")])
    matched = table.match("GET", "/products/a%20b")
    assert matched is not None
    assert matched.path_parameters == {"id": "a b"}


def test_a_resource_without_the_method_does_not_fall_back_to_another_resource() -> None:
    table = RouteTable([make_route("POST", "/products/featured"), make_route("GET", "/products/{id}")])
    assert table.match("GET", "/products/featured") is None


def test_any_method_serves_methods_without_their_own_route() -> None:
    table = RouteTable([make_route("ANY", "/cart"), make_route("GET", "/cart")])
    get = table.match("GET", "/cart")
    put = table.match("PUT", "/cart")
    assert get is not None
    assert put is not None
    assert (get.route.method, put.route.method) == ("GET", "ANY")


# --- events --------------------------------------------------------------------------------------------


def test_proxy_event_has_every_field_api_gateway_sends() -> None:
    table = RouteTable([make_route("GET", "/products/{id}")])
    match = table.match("GET", "/products/p-1")
    assert match is not None
    request = HttpRequest(
        method="GET",
        path="/products/p-1",
        query="tag=a&tag=b&q=shoes&empty",
        headers=[("Host", "localhost:8000"), ("X-Multi", "1"), ("X-Multi", "2"), ("User-Agent", "pytest")],
        source_ip="10.0.0.9",
    )
    event = proxy_event(match, request, stage="v1", request_id="req-1", now=1_700_000_000.0)
    assert event["resource"] == "/products/{id}"
    assert event["path"] == "/products/p-1"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "p-1"}
    assert event["queryStringParameters"] == {"tag": "b", "q": "shoes", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "q": ["shoes"], "empty": [""]}
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "v1"
    assert context["requestId"] == "req-1"
    assert context["resourcePath"] == "/products/{id}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/v1/products/p-1"
    assert context["identity"]["sourceIp"] == "10.0.0.9"
    assert context["identity"]["userAgent"] == "pytest"
    assert context["requestTimeEpoch"] == 1_700_000_000_000
    assert "authorizer" not in context


def test_no_query_no_headers_no_path_parameters_are_null_as_in_aws() -> None:
    match = RouteTable([make_route("GET", "/health")]).match("GET", "/health")
    assert match is not None
    event = proxy_event(match, HttpRequest(method="GET", path="/health"), stage="v1")
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert event["headers"] is None


def test_binary_media_types_arrive_base64_encoded_and_text_does_not() -> None:
    match = RouteTable([make_route("POST", "/images")]).match("POST", "/images")
    assert match is not None
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    binary = proxy_event(
        match,
        HttpRequest(method="POST", path="/images", headers=[("Content-Type", "image/png")], body=png),
        stage="v1",
        binary_media_types=("image/png",),
    )
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == png
    text = proxy_event(
        match,
        HttpRequest(
            method="POST", path="/images", headers=[("Content-Type", "application/json")], body=b'{"a":1}'
        ),
        stage="v1",
        binary_media_types=("image/png",),
    )
    assert (text["body"], text["isBase64Encoded"]) == ('{"a":1}', False)


def test_claims_are_strings_like_the_rest_api_cognito_authorizer_passes_them() -> None:
    claims = authorizer_claims(
        {"sub": "u", "cognito:groups": ["admin", "staff"], "exp": 0, "email_verified": True}
    )
    assert claims == {
        "sub": "u",
        "cognito:groups": "admin,staff",
        "exp": "Thu Jan 01 00:00:00 UTC 1970",
        "email_verified": "true",
    }


# --- responses -----------------------------------------------------------------------------------------


def test_handler_result_becomes_the_http_response() -> None:
    response = http_response(
        {
            "statusCode": 201,
            "headers": {"X-One": "1", "Set-Cookie": "ignored-because-multi-has-it"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"id": "p-1"}',
        }
    )
    assert response.status == 201
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2"]
    assert response.header("X-One") == "1"
    assert response.header("Content-Type") == "application/json"
    assert response.body == b'{"id": "p-1"}'


def test_base64_response_bodies_are_decoded() -> None:
    response = http_response(
        {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(b"\x00\x01").decode()}
    )
    assert response.body == b"\x00\x01"


@pytest.mark.parametrize(
    ("accept", "as_bytes"),
    [
        ("application/pdf", True),
        ("application/pdf, application/json", True),
        ("application/pdf;q=0.9", True),
        # API Gateway looks at the first Accept type only: a browser's navigation gets the base64 text.
        ("text/html,application/xhtml+xml,application/pdf", False),
        ("application/json, application/pdf", False),
        (None, False),
    ],
)
def test_a_base64_body_is_bytes_only_for_a_client_whose_first_accept_type_is_binary(
    accept: str | None, as_bytes: bool
) -> None:
    pdf = b"%PDF-1.3 \x00\xff"
    encoded = base64.b64encode(pdf).decode()
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "application/pdf"},
        "isBase64Encoded": True,
        "body": encoded,
    }
    response = http_response(result, binary_media_types=("application/pdf",), accept=accept)
    assert response.body == (pdf if as_bytes else encoded.encode())


@pytest.mark.parametrize(
    "result", [None, "text", {"body": "no status"}, {"statusCode": 200, "body": {"not": "a string"}}]
)
def test_malformed_proxy_responses_are_refused(result: Any) -> None:
    with pytest.raises(MalformedProxyResponseError):
        http_response(result)


# --- the gateway ---------------------------------------------------------------------------------------


def test_unknown_route_is_403_missing_authentication_token_with_cors_headers(model: ShopModel) -> None:
    gateway = gateway_for(model, RecordingHandler(), greedy=False)
    response = gateway.handle(HttpRequest(method="GET", path="/products/p-1/nope"))
    assert response.status == 403
    assert json.loads(response.body) == {"message": "Missing Authentication Token"}
    assert response.header("Access-Control-Allow-Origin") == "*"


def test_route_with_authorizer_refuses_missing_or_bad_tokens_with_401(model: ShopModel) -> None:
    handler = RecordingHandler()
    gateway = gateway_for(model, handler)
    body = json.dumps({"name": "Shoe", "price": 100}).encode()
    for headers in ([], [("Authorization", "Bearer forged")]):
        response = gateway.handle(HttpRequest(method="POST", path="/products", headers=headers, body=body))
        assert response.status == 401
        assert json.loads(response.body) == {"message": "Unauthorized"}
    assert handler.events == []


def test_valid_token_passes_claims_and_the_api_key_is_checked_after_it(model: ShopModel) -> None:
    handler = RecordingHandler()
    gateway = gateway_for(model, handler)
    body = json.dumps({"name": "Shoe", "price": 100}).encode()
    no_key = gateway.handle(
        HttpRequest(method="POST", path="/products", headers=[("Authorization", "good")], body=body)
    )
    assert no_key.status == 403
    assert json.loads(no_key.body) == {"message": "Forbidden"}
    ok = gateway.handle(
        HttpRequest(
            method="POST",
            path="/products",
            headers=[
                ("Authorization", "Bearer good"),
                ("x-api-key", "admin-key"),
                ("Content-Type", "application/json"),
            ],
            body=body,
        )
    )
    assert ok.status == 200
    (event,) = handler.events
    assert event["requestContext"]["authorizer"]["claims"]["cognito:groups"] == "admin,staff"
    assert event["requestContext"]["authorizer"]["claims"]["sub"] == "user-1"
    # As API Gateway does on a key-protected method: the key and its id, which functions check
    # against the route's usage plan (shop.api.api_keys).
    assert event["requestContext"]["identity"]["apiKey"] == "admin-key"
    assert event["requestContext"]["identity"]["apiKeyId"] == "AdminKey"


def test_methods_without_a_key_pass_no_key_id(model: ShopModel) -> None:
    handler = RecordingHandler()
    gateway_for(model, handler).handle(
        HttpRequest(method="GET", path="/products/featured", headers=[("x-api-key", "admin-key")])
    )
    (event,) = handler.events
    assert event["requestContext"]["identity"]["apiKeyId"] is None


def test_request_validator_refuses_a_body_that_breaks_the_model(model: ShopModel) -> None:
    handler = RecordingHandler()
    gateway = gateway_for(model, handler)
    headers = [("Authorization", "good"), ("x-api-key", "admin-key")]
    response = gateway.handle(
        HttpRequest(method="POST", path="/products", headers=headers, body=json.dumps({"name": ""}).encode())
    )
    assert response.status == 400
    assert json.loads(response.body) == {"message": "Invalid request body"}
    assert handler.events == []


def test_handler_exception_and_malformed_response_are_502(model: ShopModel) -> None:
    for failure in (RuntimeError("boom"), {"body": "no status code"}):
        response = gateway_for(model, RecordingHandler(failure)).handle(
            HttpRequest(method="GET", path="/products/featured")
        )
        assert response.status == 502
        assert json.loads(response.body) == {"message": "Internal server error"}


def test_cors_preflight_is_answered_by_the_mock_integration(model: ShopModel) -> None:
    handler = RecordingHandler()
    response = gateway_for(model, handler).handle(HttpRequest(method="OPTIONS", path="/products"))
    assert response.status == 204
    assert response.header("Access-Control-Allow-Methods") == "GET,POST"
    assert handler.events == []


def test_required_query_strings_are_checked_when_the_method_validates_parameters() -> None:
    route = make_route(
        "GET",
        "/search",
        validate_parameters=True,
        request_parameters={"method.request.querystring.q": True, "method.request.querystring.page": False},
    )
    handler = RecordingHandler()
    gateway = ApiGateway([route], handler, stage="v1")
    missing = gateway.handle(HttpRequest(method="GET", path="/search", query="page=2"))
    assert missing.status == 400
    assert json.loads(missing.body) == {"message": "Missing required request parameters: [q]"}
    assert gateway.handle(HttpRequest(method="GET", path="/search", query="q=shoes")).status == 200
    assert len(handler.events) == 1
