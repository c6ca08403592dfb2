"""One REST API across stacks: resources in Api, methods in their domain's stack, the stage in ApiStage."""

from __future__ import annotations

import dataclasses

from cdk_app.api_routes import ROUTES
from cdk_app.function_catalog import Domain, functions_of
from cdk_app.synth import SynthesizedStage
from constructs_lib.shop_rest_api import PREFLIGHT_OWNERS, deployment_fingerprint
from tests.infra.api_template import resources_of


def test_each_domain_stack_holds_the_methods_of_its_own_functions(dev: SynthesizedStage) -> None:
    for domain in Domain:
        names = {spec.name for spec in functions_of(domain)}
        methods = resources_of(dev.template(domain.value), "AWS::ApiGateway::Method").values()
        routes = [method for method in methods if method["Properties"]["HttpMethod"] != "OPTIONS"]
        owners = {method["Properties"]["OperationName"].split(":")[0] for method in routes}
        expected = {route.function for route in ROUTES if route.function in names}
        assert owners == expected, domain
        # Each path's CORS preflight comes with the path's first route, in that route's stack.
        preflights = len(methods) - len(routes)
        assert preflights == sum(first.function in names for first in PREFLIGHT_OWNERS.values()), domain
        for method in methods:
            # The path's resource and the API itself come from the Api stack.
            assert "Fn::ImportValue" in method["Properties"]["ResourceId"], domain
            assert "Fn::ImportValue" in method["Properties"]["RestApiId"], domain


def test_the_api_stack_holds_resources_and_one_mock_root_preflight_only(dev: SynthesizedStage) -> None:
    """The preflights name the site's origin, which the Web stack makes after this stack: they are the
    domain stacks'. CDK wants one method in the API's own stack: a mock OPTIONS / with no CORS headers."""
    template = dev.template("Api")
    [root_preflight] = resources_of(template, "AWS::ApiGateway::Method").values()
    assert root_preflight["Properties"]["HttpMethod"] == "OPTIONS"
    assert root_preflight["Properties"]["Integration"]["Type"] == "MOCK"
    assert "ResponseParameters" not in root_preflight["Properties"]["Integration"]["IntegrationResponses"][0]
    assert not resources_of(template, "AWS::ApiGateway::GatewayResponse")
    assert not resources_of(template, "AWS::ApiGateway::Deployment")
    assert not resources_of(template, "AWS::ApiGateway::Stage")
    (authorizer,) = resources_of(template, "AWS::ApiGateway::Authorizer").values()
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["IdentitySource"] == "method.request.header.Authorization"


def test_the_stage_deploys_after_every_domain_stack(dev: SynthesizedStage) -> None:
    stage_stack = dev.stacks.api_stage
    depended_on = {stack.stack_name for stack in stage_stack.dependencies}
    assert {dev.stacks.config.stack_name(domain.value) for domain in Domain} <= depended_on
    template = dev.template("ApiStage")
    (deployment_id,) = resources_of(template, "AWS::ApiGateway::Deployment")
    (stage,) = resources_of(template, "AWS::ApiGateway::Stage").values()
    assert stage["Properties"]["DeploymentId"] == {"Ref": deployment_id}
    assert stage["Properties"]["StageName"] == "v1"
    assert len(resources_of(template, "AWS::ApiGateway::UsagePlan")) == 2


def test_the_deployment_id_changes_with_any_route_and_only_then() -> None:
    fingerprint = deployment_fingerprint(ROUTES)
    assert deployment_fingerprint(ROUTES) == fingerprint
    first = ROUTES[0]
    for change in (
        {"path": first.path + "/x"},
        {"function": "other_api"},
        {"cache_ttl_seconds": first.cache_ttl_seconds + 60},
        {"body": {"type": "object"}},
    ):
        changed = (dataclasses.replace(first, **change), *ROUTES[1:])
        assert deployment_fingerprint(changed) != fingerprint, change
