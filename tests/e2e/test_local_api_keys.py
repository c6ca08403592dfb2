"""Over the local shop's HTTP: each API key opens its own usage plan's routes only (issue #19).

The local gateway passes the key's id in requestContext.identity.apiKeyId as API Gateway does, and
the functions compare it with the key id of the route's plan that the templates give them.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from cdk_app.local.runner import LocalShop
from tests.e2e.test_journeys import _admin_headers, _api

ADMIN_KEY = "local-shop-api-admin"
PARTNER_KEY = "local-shop-api-partner"


@pytest.fixture(scope="module")
def shop(seeded_shop: LocalShop) -> LocalShop:
    return seeded_shop


def _product(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "category": "Books",
        "price": 1500,
        "sku": f"KEY-{uuid.uuid4().hex[:8]}",
        "stock_quantity": 7,
    }


def _with_key(shop: LocalShop, headers: dict[str, str], plan_key: str) -> dict[str, str]:
    return {**headers, "X-Api-Key": shop.api_keys[plan_key]}


def test_the_local_shop_has_one_key_per_plan(shop: LocalShop) -> None:
    assert set(shop.api_keys) == {ADMIN_KEY, PARTNER_KEY}
    assert shop.api_keys[ADMIN_KEY] != shop.api_keys[PARTNER_KEY]


def test_the_partner_key_on_an_admin_route_is_403(shop: LocalShop) -> None:
    headers = _with_key(shop, _admin_headers(shop), PARTNER_KEY)
    response = requests.post(
        _api(shop, "/products"), json=_product("Partner try"), headers=headers, timeout=10
    )
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "wrong_api_key"
    assert response.json()["field"] == "X-Api-Key"


def test_the_admin_key_on_the_partner_feed_is_403(shop: LocalShop) -> None:
    headers = {"X-Api-Key": shop.api_keys[ADMIN_KEY]}
    for path in ("/partner/products", "/partner/products/prod_any"):
        response = requests.get(_api(shop, path), headers=headers, timeout=10)
        assert response.status_code == 403, (path, response.text)
        assert "needs the partner API key" in response.json()["message"], path


def test_each_key_opens_its_own_plans_routes(shop: LocalShop) -> None:
    created = requests.post(
        _api(shop, "/products"),
        json=_product("Admin made"),
        headers=_with_key(shop, _admin_headers(shop), ADMIN_KEY),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    partner = {"X-Api-Key": shop.api_keys[PARTNER_KEY]}
    feed = requests.get(_api(shop, "/partner/products"), headers=partner, timeout=10)
    assert feed.status_code == 200, feed.text
    one = requests.get(
        _api(shop, f"/partner/products/{created.json()['product_id']}"), headers=partner, timeout=10
    )
    assert one.status_code == 200, one.text
    assert one.json()["availability"] == "in_stock"
    assert "stock_quantity" not in one.json()


def test_a_cached_partner_answer_never_reaches_the_admin_key(shop: LocalShop) -> None:
    """The stage cache keys partner answers by API key: the admin key misses and is refused."""
    partner = {"X-Api-Key": shop.api_keys[PARTNER_KEY]}
    for _ in range(2):
        assert requests.get(_api(shop, "/partner/products"), headers=partner, timeout=10).status_code == 200
    admin = {"X-Api-Key": shop.api_keys[ADMIN_KEY]}
    refused = requests.get(_api(shop, "/partner/products"), headers=admin, timeout=10)
    assert refused.status_code == 403, refused.text
