"""Bodies no route can read get a 400 that says so, never a function error (API Gateway's 502).

Issue #19 found both with schemathesis: a multipart/form-data body without its boundary (Powertools
raises "Missing boundary" before any route runs) on 9 routes, public guest-cart routes among them, and
JSON nested 1,000 deep (Python's parser runs out of recursion) on PUT /me and PUT /me/preferences.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from shop.api.http import unparseable_body_response
from tests.integration.account_events import account_api_caller
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import api_event, shopper_claims

DEEP = "[" * 1000 + "]" * 1000
MULTIPART_WITHOUT_BOUNDARY = {"Content-Type": "multipart/form-data"}


@pytest.fixture
def account_api(shop_env: dict[str, str], lambda_context: LambdaContext) -> Call:
    return account_api_caller(lambda_context)


def carts(shop_env: dict[str, str]) -> list[dict[str, Any]]:
    return list(boto3.resource("dynamodb").Table(shop_env["CART_TABLE"]).scan()["Items"])


def test_multipart_without_a_boundary_is_a_400_on_a_public_guest_cart_route(
    cart_api: Call, shop_env: dict[str, str]
) -> None:
    event = api_event("POST", "/guest/cart/add", headers=MULTIPART_WITHOUT_BOUNDARY, body="product_id=p1")
    response = cart_api(event)
    assert response.status == 400, response.body
    assert response.body["field"] == "body"
    assert "boundary" in response.body["message"]
    assert carts(shop_env) == []


@pytest.mark.parametrize("resource", ["/me", "/me/preferences"])
def test_json_nested_a_thousand_deep_is_a_400(account_api: Call, resource: str) -> None:
    claims = shopper_claims("ada", email="ada@example.com")
    response = account_api(api_event("PUT", resource, claims=claims, body=DEEP))
    assert response.status == 400, response.body
    assert response.body == {
        "error": "bad_request",
        "message": "request body is nested too deeply",
        "field": "body",
    }


def test_a_value_error_from_the_code_is_still_a_bug_not_a_400() -> None:
    """Only ValueErrors raised while Powertools parses the request become 400s."""
    try:
        int("not a number")
    except ValueError as error:
        with pytest.raises(ValueError, match="invalid literal"):
            unparseable_body_response(error)
