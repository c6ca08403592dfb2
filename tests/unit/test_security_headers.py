"""Every answer of the API functions carries HSTS and nosniff; every answer but a public catalog GET is
`Cache-Control: no-store` (issue 19), whether a route, an error handler or the 404 built it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import Response, content_types

from cdk_app.api_routes import ROUTES
from shop.api.http import build_resolver, is_public_catalog
from shop.platform.errors import BadRequest, NotFound
from tests.integration.events import api_event

HSTS = "max-age=31536000; includeSubDomains"


class _Context:
    function_name = "shop_api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:shop_api"
    aws_request_id = "req-1"


def _app() -> Any:
    app = build_resolver()

    @app.get("/products")
    def _products() -> dict[str, Any]:
        return {"products": []}

    @app.get("/products/<product_id>")
    def _product(product_id: str) -> dict[str, Any]:
        raise NotFound(f"no product {product_id}")

    @app.get("/me")
    def _me() -> dict[str, Any]:
        return {"user_id": "u1"}

    @app.put("/me")
    def _update_me() -> dict[str, Any]:
        raise BadRequest("name is too long", field="name")

    @app.get("/orders/<order_id>/downloads/<product_id>")
    def _download(order_id: str, product_id: str) -> Response[str]:
        # A route that sets its own Cache-Control keeps it.
        return Response(
            status_code=302,
            content_type=content_types.APPLICATION_JSON,
            body="",
            headers={"Location": "https://example.com/file", "Cache-Control": "private, no-store"},
        )

    return app


def _resolve(method: str, resource: str, **kwargs: Any) -> dict[str, list[str]]:
    event = api_event(method, resource, **kwargs)
    response: dict[str, Any] = _app().resolve(event, _Context())  # type: ignore[arg-type]
    headers: dict[str, list[str]] = response["multiValueHeaders"]
    return headers


@pytest.mark.parametrize(
    ("method", "resource", "path_parameters"),
    [
        ("GET", "/products", {}),
        ("GET", "/products/{id}", {"id": "prod_missing"}),  # an error answer
        ("GET", "/me", {}),
        ("PUT", "/me", {}),  # a domain error
        ("GET", "/no/such/route", {}),  # the 404 of no route
        ("GET", "/orders/{id}/downloads/{product_id}", {"id": "o1", "product_id": "p1"}),
    ],
)
def test_every_answer_carries_hsts_and_nosniff(
    method: str, resource: str, path_parameters: dict[str, str]
) -> None:
    headers = _resolve(method, resource, path_parameters=path_parameters)
    assert headers["Strict-Transport-Security"] == [HSTS]
    assert headers["X-Content-Type-Options"] == ["nosniff"]


def test_personal_answers_are_never_stored() -> None:
    assert _resolve("GET", "/me")["Cache-Control"] == ["no-store"]
    assert _resolve("PUT", "/me", body={"name": "x"})["Cache-Control"] == ["no-store"]
    assert _resolve("GET", "/no/such/route")["Cache-Control"] == ["no-store"]


def test_public_catalog_gets_keep_their_own_caching() -> None:
    assert "Cache-Control" not in _resolve("GET", "/products")
    assert "Cache-Control" not in _resolve("GET", "/products/{id}", path_parameters={"id": "prod_1"})


def test_a_routes_own_cache_control_wins() -> None:
    headers = _resolve(
        "GET", "/orders/{id}/downloads/{product_id}", path_parameters={"id": "o1", "product_id": "p1"}
    )
    assert headers["Cache-Control"] == ["private, no-store"]


def _sample_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_only_the_stage_cached_routes_count_as_public_catalog(route: Any) -> None:
    """The function's rule and the route table agree: exactly the routes API Gateway caches for
    everyone may be kept by browsers; every other route (personal, admin, writes) is no-store."""
    assert is_public_catalog(route.method, _sample_path(route.path)) is route.cached
