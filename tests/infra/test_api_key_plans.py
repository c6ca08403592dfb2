"""Each API key is bound to its usage plan: the functions of admin and partner routes know which
plan's key each route accepts, and that key's id (issue #19: the partner key opened admin routes)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.api_routes import ROUTES, USAGE_PLANS, Access
from cdk_app.synth import SynthesizedStage
from shop.contracts.api_keys import API_KEY_ROUTES, api_key_id_variable
from tests.infra.api_template import api_methods, function_properties, merged_api_template, resources_of


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def _keys_by_plan(api: dict[str, Any]) -> dict[str, str]:
    """Plan name → logical id of its API key, by the key's name (`...-shop-api-<plan>`)."""
    return {
        key["Properties"]["Name"].rsplit("-", 1)[1]: logical_id
        for logical_id, key in resources_of(api, "AWS::ApiGateway::ApiKey").items()
    }


def test_the_keys_live_in_the_api_stack_which_the_domain_stacks_already_depend_on(
    dev: SynthesizedStage,
) -> None:
    names = {
        key["Properties"]["Name"]
        for key in resources_of(dev.template("Api"), "AWS::ApiGateway::ApiKey").values()
    }
    assert names == {dev.stacks.config.resource_name(f"shop-api-{plan.name}") for plan in USAGE_PLANS}
    assert not resources_of(dev.template("ApiStage"), "AWS::ApiGateway::ApiKey")


def test_each_usage_plan_holds_its_own_key_only(api: dict[str, Any]) -> None:
    keys = _keys_by_plan(api)
    plan_ids = {
        plan["Properties"]["UsagePlanName"].rsplit("-", 1)[1]: logical_id
        for logical_id, plan in resources_of(api, "AWS::ApiGateway::UsagePlan").items()
    }
    pairs = {
        (link["Properties"]["UsagePlanId"]["Ref"], link["Properties"]["KeyId"]["Ref"])
        for link in resources_of(api, "AWS::ApiGateway::UsagePlanKey").values()
    }
    assert pairs == {(plan_ids[plan.name], keys[plan.name]) for plan in USAGE_PLANS}


def test_functions_of_key_routes_get_each_routes_plan_and_that_plans_key_id(api: dict[str, Any]) -> None:
    keys = _keys_by_plan(api)
    plan_of = {access: plan.name for plan in USAGE_PLANS for access in plan.routes}
    expected: dict[str, dict[str, str]] = {}
    for route in ROUTES:
        if route.access in (Access.ADMIN, Access.PARTNER):
            expected.setdefault(route.function, {})[f"{route.method} {route.path}"] = plan_of[route.access]
    assert expected["shop_api"]["GET /partner/products"] == "partner"
    assert expected["shop_api"]["POST /products"] == "admin"
    for function, plans in expected.items():
        variables = function_properties(api, function)["Environment"]["Variables"]
        assert json.loads(variables[API_KEY_ROUTES]) == plans, function
        for plan in set(plans.values()):
            assert variables[api_key_id_variable(plan)] == {"Ref": keys[plan]}, (function, plan)
        for other in {p.name for p in USAGE_PLANS} - set(plans.values()):
            assert api_key_id_variable(other) not in variables, (function, other)


def test_a_function_without_key_routes_gets_no_key_ids(api: dict[str, Any]) -> None:
    variables = function_properties(api, "cart_api")["Environment"]["Variables"]
    assert API_KEY_ROUTES not in variables
    assert not {api_key_id_variable(plan.name) for plan in USAGE_PLANS} & variables.keys()


def test_cached_partner_answers_are_cached_per_key(api: dict[str, Any]) -> None:
    """The function checks the key on a cache miss only: another plan's key must miss too."""
    methods = api_methods(api)
    for path in ("/partner/products", "/partner/products/{id}"):
        method = methods[("GET", path)].properties
        assert "method.request.header.X-Api-Key" in method["Integration"]["CacheKeyParameters"], path
        assert method["RequestParameters"]["method.request.header.X-Api-Key"] is False, path
    public = methods[("GET", "/products")].properties
    assert "method.request.header.X-Api-Key" not in public["Integration"]["CacheKeyParameters"]
