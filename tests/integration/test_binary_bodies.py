"""A body that is not UTF-8 text gets a 400, and one of a type no route reads a 415 in the shop's
error body; never a function error (API Gateway's 502) nor Powertools' own error shape.

Found by the schemathesis run (tests/e2e/test_api_fuzz.py): a body that is not UTF-8 reaches the
function base64-encoded (the local runner passes undeclared binary so; API Gateway does for its binary
media types), and Powertools' body accessor raised UnicodeDecodeError decoding it, whether the request
validation or the route itself (payment_api reads json_body) asked for the body.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from shop.api.http import unparseable_body_response
from tests.integration.account_events import account_api_caller
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import api_event, shopper_claims

NOT_UTF8 = base64.b64encode(b"\xc2\x00\xff\xfe").decode()


def binary_event(
    method: str, resource: str, content_type: str = "application/json", **kwargs: Any
) -> dict[str, Any]:
    """The event of a body that is not text: base64, flagged."""
    event = api_event(method, resource, headers={"Content-Type": content_type}, body="-", **kwargs)
    event["body"] = NOT_UTF8
    event["isBase64Encoded"] = True
    return event


def test_a_body_that_is_not_utf8_is_a_400_where_the_validation_reads_it(
    shop_env: dict[str, str], lambda_context: LambdaContext
) -> None:
    account_api = account_api_caller(lambda_context)
    claims = shopper_claims("ada", email="ada@example.com")
    response = account_api(binary_event("PUT", "/me", claims=claims))
    assert response.status == 400, response.body
    assert response.body["field"] == "body"
    assert "cannot be read" in response.body["message"]


def test_a_body_that_is_not_utf8_is_a_400_where_the_route_reads_it(
    shop_env: dict[str, str], lambda_context: LambdaContext
) -> None:
    from payment_api.handler import handler

    from tests.integration.conftest import _invoke

    response = _invoke(handler, lambda_context)(binary_event("POST", "/payment/stripe/intent"))
    assert response.status == 400, response.body
    assert response.body["field"] == "body"


def test_a_unicode_error_of_the_code_itself_is_still_a_bug() -> None:
    try:
        b"\xff".decode()
    except UnicodeDecodeError as error:
        with pytest.raises(UnicodeDecodeError):
            unparseable_body_response(error)


def test_cart_routes_refuse_it_too(cart_api: Call) -> None:
    response = cart_api(binary_event("POST", "/guest/cart/add"))
    assert response.status == 400, response.body


def test_a_body_of_a_type_no_route_reads_is_a_415_in_the_shops_error_body(cart_api: Call) -> None:
    response = cart_api(binary_event("POST", "/guest/cart/add", content_type="image/png"))
    assert response.status == 415, response.body
    assert response.body["error"] == "unsupported_media_type"
    assert response.body["field"] == "Content-Type"
