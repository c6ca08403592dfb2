"""shop.api.api_keys: a key-protected route accepts its own plan's key id and nothing else."""

from __future__ import annotations

import pytest

from shop.api.api_keys import WrongApiKey, bindings_from_environment
from shop.contracts.api_keys import API_KEY_ROUTES, api_key_id_variable, encode_key_routes
from shop.platform.settings import MissingSetting

ROUTES = encode_key_routes({"POST /products": "admin", "GET /partner/products": "partner"})
ENVIRONMENT = {API_KEY_ROUTES: ROUTES, "ADMIN_API_KEY_ID": "k-admin", "PARTNER_API_KEY_ID": "k-partner"}


def test_variable_names_are_per_plan() -> None:
    assert api_key_id_variable("partner") == "PARTNER_API_KEY_ID"


@pytest.mark.parametrize(
    ("method", "resource", "key_id"),
    [
        ("POST", "/products", "k-partner"),
        ("GET", "/partner/products", "k-admin"),
        ("POST", "/products", None),
    ],
)
def test_another_plans_key_or_none_is_refused(method: str, resource: str, key_id: str | None) -> None:
    with pytest.raises(WrongApiKey):
        bindings_from_environment(ENVIRONMENT).check(method, resource, key_id)


def test_the_right_key_and_unprotected_routes_pass() -> None:
    bindings = bindings_from_environment(ENVIRONMENT)
    bindings.check("POST", "/products", "k-admin")
    bindings.check("GET", "/partner/products", "k-partner")
    bindings.check("GET", "/products", None)


def test_a_function_without_key_routes_checks_nothing() -> None:
    bindings_from_environment({}).check("POST", "/products", None)


def test_a_plan_without_its_key_id_is_a_wiring_error() -> None:
    with pytest.raises(MissingSetting, match="PARTNER_API_KEY_ID"):
        bindings_from_environment({API_KEY_ROUTES: ROUTES, "ADMIN_API_KEY_ID": "k-admin"})


def test_a_malformed_route_table_is_refused() -> None:
    with pytest.raises(ValueError, match=API_KEY_ROUTES):
        bindings_from_environment({API_KEY_ROUTES: '["POST /products"]'})
