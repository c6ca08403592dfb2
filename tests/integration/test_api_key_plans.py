"""shop_api answers a key-protected route only to its own usage plan's key (issue #19, item 9)."""

from __future__ import annotations

from typing import Any

import pytest

from shop.contracts.api_keys import API_KEY_ROUTES, api_key_id_variable, encode_key_routes
from tests.integration.conftest import Call, product_payload
from tests.integration.events import admin_claims, api_event

ADMIN_KEY_ID = "a1admin"
PARTNER_KEY_ID = "p1partner"


@pytest.fixture
def bound_keys(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment the stacks give shop_api (a part of its routes is enough here)."""
    routes = {
        "POST /products": "admin",
        "GET /partner/products": "partner",
        "GET /partner/products/{id}": "partner",
    }
    monkeypatch.setenv(API_KEY_ROUTES, encode_key_routes(routes))
    monkeypatch.setenv(api_key_id_variable("admin"), ADMIN_KEY_ID)
    monkeypatch.setenv(api_key_id_variable("partner"), PARTNER_KEY_ID)


def with_key(event: dict[str, Any], key_id: str | None) -> dict[str, Any]:
    """As API Gateway passes a key-protected request: the id of the key the caller sent."""
    event["requestContext"]["identity"]["apiKeyId"] = key_id
    return event


def create(shop_api: Call, key_id: str | None) -> Any:
    return shop_api(
        with_key(api_event("POST", "/products", body=product_payload(), claims=admin_claims()), key_id)
    )


def partner_feed(shop_api: Call, key_id: str | None) -> Any:
    return shop_api(with_key(api_event("GET", "/partner/products"), key_id))


@pytest.mark.usefixtures("bound_keys")
def test_the_partner_key_does_not_open_admin_routes(shop_api: Call) -> None:
    response = create(shop_api, PARTNER_KEY_ID)
    assert response.status == 403
    assert response.body["error"] == "wrong_api_key"
    assert response.body["field"] == "X-Api-Key"
    assert "needs the admin API key" in response.body["message"]


@pytest.mark.usefixtures("bound_keys")
def test_the_admin_key_does_not_open_the_partner_feed(shop_api: Call) -> None:
    response = partner_feed(shop_api, ADMIN_KEY_ID)
    assert response.status == 403
    assert "needs the partner API key" in response.body["message"]


@pytest.mark.usefixtures("bound_keys")
def test_a_key_protected_route_without_a_key_id_is_refused(shop_api: Call) -> None:
    assert partner_feed(shop_api, None).status == 403


@pytest.mark.usefixtures("bound_keys")
def test_each_key_opens_its_own_plans_routes(shop_api: Call) -> None:
    created = create(shop_api, ADMIN_KEY_ID)
    assert created.status == 201, created.body
    feed = partner_feed(shop_api, PARTNER_KEY_ID)
    assert feed.status == 200, feed.body
    one = shop_api(
        with_key(
            api_event("GET", "/partner/products/{id}", path_parameters={"id": created.body["product_id"]}),
            PARTNER_KEY_ID,
        )
    )
    assert one.status == 200, one.body


@pytest.mark.usefixtures("bound_keys")
def test_routes_without_a_key_are_untouched(shop_api: Call) -> None:
    assert shop_api(api_event("GET", "/products")).status == 200
