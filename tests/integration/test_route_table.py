"""Every route API Gateway sends to a function is a route that function's resolver serves.

The route table (cdk_app/api_routes.py) builds API Gateway; the handlers declare their own routes.
This test sends each declared route to its handler and fails on the resolver's "no route" answer.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

import boto3
import pytest

from cdk_app.api_routes import ROUTES, Access, Route
from shop.contracts.queues import ALL_QUEUES
from tests.integration.events import admin_claims, api_event, shopper_claims


@pytest.fixture
def queues(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = boto3.client("sqs")
    for spec in ALL_QUEUES:
        url = sqs.create_queue(QueueName=spec.queue_name("test"))["QueueUrl"]
        monkeypatch.setenv(spec.env_var, url)
    from shop.platform.settings import get_settings

    get_settings.cache_clear()


def _event(route: Route) -> dict[str, Any]:
    claims = {
        Access.ADMIN: admin_claims(),
        Access.CUSTOMER: shopper_claims("shopper-1"),
    }.get(route.access)
    return api_event(
        route.method,
        route.path,
        path_parameters=dict.fromkeys(route.path_params, "missing-1"),
        query=dict.fromkeys(route.required_query, "x") or None,
        body=json.dumps({}) if route.method in ("POST", "PUT", "DELETE") else None,
        claims=claims,
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_route_reaches_a_handler_route(route: Route, queues: None, lambda_context: Any) -> None:
    handler = importlib.import_module(f"{route.function}.handler").handler
    response = handler(_event(route), lambda_context)
    # A binary answer (the open pixel's GIF) is base64, and the sitemap XML: neither is JSON, and both
    # came from the route itself (the resolver's "no route" answer is JSON).
    headers = {
        **(response.get("headers") or {}),
        **{k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()},
    }
    is_json = (
        response.get("body")
        and not response.get("isBase64Encoded")
        and "xml" not in str(headers.get("Content-Type", ""))
    )
    body = json.loads(response["body"]) if is_json else {}
    assert not str(body.get("message", "")).startswith("no route"), body
    assert response["statusCode"] != 500, body
