"""Over the local shop's HTTP: every API answer carries HSTS and nosniff, whether a function or the
emulated API Gateway (its DEFAULT_4XX gateway response, read from the template) built it; personal and
error answers are no-store, public catalog GETs are not (issue #19, item 7)."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from cdk_app.local.runner import LocalShop

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture(scope="module")
def shop(seeded_shop: LocalShop) -> LocalShop:
    return seeded_shop


def _get(shop: LocalShop, path: str) -> tuple[int, dict[str, str]]:
    assert shop.server is not None
    try:
        with urllib.request.urlopen(f"{shop.server.url}/api{path}", timeout=30) as response:
            return response.status, {name.lower(): value for name, value in response.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {name.lower(): value for name, value in error.headers.items()}


def test_a_public_catalog_get_is_not_marked_no_store(shop: LocalShop) -> None:
    status, headers = _get(shop, "/products")
    assert status == 200
    assert headers["strict-transport-security"] == HSTS
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in headers.get("cache-control", "")


def test_a_functions_error_and_a_non_catalog_answer_are_no_store(shop: LocalShop) -> None:
    # An unknown unsubscribe token: account_api's 404 (a shopper's own link, never cached).
    for path, expected in (("/unsubscribe?token=not-a-token-the-shop-issued", 404), ("/health", 200)):
        status, headers = _get(shop, path)
        assert status == expected, path
        assert headers["strict-transport-security"] == HSTS, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["cache-control"] == "no-store", path


def test_api_gateways_own_refusal_carries_the_headers(shop: LocalShop) -> None:
    # No token on a personal route: the authorizer refuses before any function runs.
    status, headers = _get(shop, "/me")
    assert status == 401
    assert headers["strict-transport-security"] == HSTS
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
