"""The edge of the shop: WAF in front of the API and the site (prod), the site's origin as the API's one
CORS origin and the base of emails' links, a custom domain with TLS 1.2, per-route stage throttles from
the load model, and a CSP that names the exact origins the pages call."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from cdk_app.api_routes import ROUTES, Route
from cdk_app.build import build_app
from cdk_app.synth import SynthesizedStage, cdk_context
from cdk_app.traffic_limits import (
    API_RATE_PER_IP,
    ORDER_PLACING_PATHS,
    PAYMENTS_RATE_PER_IP,
    SITE_RATE_PER_IP,
    RouteClass,
    class_throttle,
    planned_load,
    route_throttle,
)
from constructs_lib.shop_rest_api import method_option_key
from tests.infra.api_template import function_properties, merged_api_template

CUSTOM_DOMAIN = {
    "domain_name": "shop.example.org",
    "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
}


def _resources(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == type_}


def _one(template: dict[str, Any], type_: str) -> dict[str, Any]:
    [(_, resource)] = _resources(template, type_).items()
    return resource


def _distribution(stage: SynthesizedStage) -> dict[str, Any]:
    config: dict[str, Any] = _one(stage.template("Web"), "AWS::CloudFront::Distribution")["Properties"][
        "DistributionConfig"
    ]
    return config


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Prod with a custom domain and twice its planned peak (two settings, one synth: each costs ~1
    min): templates by stack short name (no cdk-nag: prod's run covers it)."""
    context = cdk_context("prod")
    stages = copy.deepcopy(context["shop:stages"])
    stages["prod"]["custom_domain"] = CUSTOM_DOMAIN
    stages["prod"]["peak_requests_per_minute"] = 2 * stages["prod"]["peak_requests_per_minute"]
    context["shop:stages"] = stages
    app = App(context=context, outdir=str(tmp_path_factory.mktemp("cdk-custom-domain")))
    stacks = build_app(app, nag=False)
    assembly = app.synth()
    prefix = stacks.config.stack_name("")
    return {stack.stack_name.removeprefix(prefix): dict(stack.template) for stack in assembly.stacks}


# -- WAF ------------------------------------------------------------------------------------------


def test_prod_puts_a_regional_web_acl_on_the_api_stage(prod: SynthesizedStage) -> None:
    template = prod.template("ApiStage")
    acl = _one(template, "AWS::WAFv2::WebACL")["Properties"]
    assert acl["Scope"] == "REGIONAL"
    assert acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert set(rules) == {
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesCommonRuleSet",
        API_RATE_PER_IP.name,
        PAYMENTS_RATE_PER_IP.name,
    }
    payments = rules[PAYMENTS_RATE_PER_IP.name]["Statement"]["RateBasedStatement"]
    assert (payments["Limit"], payments["EvaluationWindowSec"]) == (10, 60)
    assert payments["AggregateKeyType"] == "IP"
    # The payment routes, but not the providers' webhooks.
    scope = json.dumps(payments["ScopeDownStatement"])
    assert "/payment/" in scope
    assert '"NotStatement"' in scope
    assert "/payment/webhook/" in scope
    api = rules[API_RATE_PER_IP.name]["Statement"]["RateBasedStatement"]
    assert (api["Limit"], api["EvaluationWindowSec"]) == (API_RATE_PER_IP.limit, 300)
    assert "/payment/webhook/" in json.dumps(api["ScopeDownStatement"])
    common = rules["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert common["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    for rule in acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    association = _one(template, "AWS::WAFv2::WebACLAssociation")["Properties"]
    [(stage_id, _)] = _resources(template, "AWS::ApiGateway::Stage").items()
    assert stage_id in json.dumps(association["ResourceArn"])
    [(acl_id, _)] = _resources(template, "AWS::WAFv2::WebACL").items()
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}


def test_prod_puts_a_cloudfront_web_acl_on_the_site(prod: SynthesizedStage) -> None:
    template = prod.template("Web")
    acl = _one(template, "AWS::WAFv2::WebACL")["Properties"]
    assert acl["Scope"] == "CLOUDFRONT"
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert set(rules) == {"AWSManagedRulesAmazonIpReputationList", SITE_RATE_PER_IP.name}
    assert rules[SITE_RATE_PER_IP.name]["Statement"]["RateBasedStatement"]["Limit"] == SITE_RATE_PER_IP.limit
    [(acl_id, _)] = _resources(template, "AWS::WAFv2::WebACL").items()
    assert _distribution(prod)["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}


def test_dev_has_no_web_acl(dev: SynthesizedStage) -> None:
    for stack in ("ApiStage", "Web"):
        assert not _resources(dev.template(stack), "AWS::WAFv2::WebACL")
    assert "WebACLId" not in _distribution(dev)


# -- The site's origin -----------------------------------------------------------------------------


def _is_site_origin(value: Any) -> bool:
    """The Web stack's distribution domain, imported: `https://` + an import of the Web stack's export."""
    text = json.dumps(value)
    return "https://" in text and "Shop-prod-Web:" in text and "Distribution" in text


def test_every_preflight_and_gateway_answer_allows_the_sites_origin_only(prod: SynthesizedStage) -> None:
    api = merged_api_template(prod)
    preflights = [
        method["Properties"]
        for method in _resources(api, "AWS::ApiGateway::Method").values()
        if method["Properties"]["HttpMethod"] == "OPTIONS"
        and "ResponseParameters" in method["Properties"]["Integration"]["IntegrationResponses"][0]
    ]
    assert len(preflights) == len({route.path for route in ROUTES})
    for method in preflights:
        headers = method["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        origin = headers["method.response.header.Access-Control-Allow-Origin"]
        assert origin != "'*'"
        assert _is_site_origin(origin), origin
        assert "X-Order-Token" in headers["method.response.header.Access-Control-Allow-Headers"]
    responses = _resources(prod.template("ApiStage"), "AWS::ApiGateway::GatewayResponse")
    assert {r["Properties"]["ResponseType"] for r in responses.values()} == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for response in responses.values():
        parameters = response["Properties"]["ResponseParameters"]
        assert _is_site_origin(parameters["gatewayresponse.header.Access-Control-Allow-Origin"])
        assert "X-Order-Token" in parameters["gatewayresponse.header.Access-Control-Allow-Headers"]
    assert not _resources(prod.template("Api"), "AWS::ApiGateway::GatewayResponse")


def test_functions_answer_cors_for_and_link_to_the_sites_origin(prod: SynthesizedStage) -> None:
    api = merged_api_template(prod)
    for name in ("shop_api", "cart_api", "order_api", "email_sender", "marketing_automation_api"):
        variables = function_properties(api, name)["Environment"]["Variables"]
        assert _is_site_origin(variables["WEB_ORIGIN"]), (name, variables["WEB_ORIGIN"])
        if "SITE_URL" in variables:
            assert variables["SITE_URL"] == variables["WEB_ORIGIN"]
    assert "SITE_URL" in function_properties(api, "email_sender")["Environment"]["Variables"]


def test_the_web_stack_is_deployed_before_the_domain_stacks(prod: SynthesizedStage) -> None:
    stacks = prod.stacks
    web = stacks.web
    for domain_stack in stacks.domains.values():
        assert web in domain_stack.dependencies
    assert stacks.api_stage not in web.dependencies


def test_a_custom_domain_brings_its_certificate_tls_1_2_and_the_cors_origin(
    custom: dict[str, dict[str, Any]],
) -> None:
    distribution = _one(custom["Web"], "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    assert distribution["Aliases"] == [CUSTOM_DOMAIN["domain_name"]]
    certificate = distribution["ViewerCertificate"]
    assert certificate["AcmCertificateArn"] == CUSTOM_DOMAIN["certificate_arn"]
    assert certificate["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert certificate["SslSupportMethod"] == "sni-only"
    origin = f"https://{CUSTOM_DOMAIN['domain_name']}"
    gateway = _resources(custom["ApiStage"], "AWS::ApiGateway::GatewayResponse")
    for response in gateway.values():
        assert (
            response["Properties"]["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
            == f"'{origin}'"
        )
    email_sender = next(
        resource["Properties"]
        for resource in _resources(custom["Email"], "AWS::Lambda::Function").values()
        if "SITE_URL" in resource["Properties"]["Environment"]["Variables"]
    )
    assert email_sender["Environment"]["Variables"]["SITE_URL"] == origin
    for bucket in _resources(custom["Data"], "AWS::S3::Bucket").values():
        for rule in bucket["Properties"].get("CorsConfiguration", {}).get("CorsRules", []):
            assert rule["AllowedOrigins"] == [origin]


def test_without_a_custom_domain_uploads_admit_cloudfront_origins_only(dev: SynthesizedStage) -> None:
    rules = [
        rule
        for bucket in _resources(dev.template("Data"), "AWS::S3::Bucket").values()
        for rule in bucket["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
    ]
    assert len(rules) == 2
    assert all(rule["AllowedOrigins"] == ["https://*.cloudfront.net"] for rule in rules)


# -- Throttles and CSP ------------------------------------------------------------------------------


def _method_settings(stage: SynthesizedStage | dict[str, Any]) -> dict[str, dict[str, Any]]:
    template = stage if isinstance(stage, dict) else stage.template("ApiStage")
    properties = _one(template, "AWS::ApiGateway::Stage")["Properties"]
    return {
        f"{setting['ResourcePath'][1:].replace('~1', '/')}/{setting['HttpMethod']}": setting
        for setting in properties["MethodSettings"]
    }


def test_every_route_has_its_class_throttle(prod: SynthesizedStage) -> None:
    settings = _method_settings(prod)
    for route in ROUTES:
        setting = settings[method_option_key(route)]
        throttle = route_throttle(route)
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (
            throttle.rate_per_second,
            throttle.burst,
        ), route
        assert setting["CachingEnabled"] is route.cached


def test_doubling_the_stages_planned_peak_doubles_its_route_throttles(
    prod: SynthesizedStage, custom: dict[str, dict[str, Any]]
) -> None:
    """cdk.json's peak_requests_per_minute reaches the deployed stage: `custom` plans prod's peak
    twice over, and the catalog's and payment's throttles and bursts double with it, checkout's rate
    too (its burst was at the floor of 10). Every route has what traffic_limits derives for 2x."""
    plain, doubled = _method_settings(prod), _method_settings(custom["ApiStage"])
    peak = prod.stacks.config.peak_requests_per_minute
    for method, path, fields in (
        ("GET", "/products", ("ThrottlingRateLimit", "ThrottlingBurstLimit")),
        ("POST", "/payment/stripe/intent", ("ThrottlingRateLimit", "ThrottlingBurstLimit")),
        ("POST", "/orders/create", ("ThrottlingRateLimit",)),
    ):
        key = method_option_key(_route(method, path))
        for field in fields:
            assert doubled[key][field] == 2 * plain[key][field], (key, field)
    for route in ROUTES:
        throttle = route_throttle(route, planned_load(2 * peak))
        setting = doubled[method_option_key(route)]
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (
            throttle.rate_per_second,
            throttle.burst,
        ), route


def test_class_throttles_follow_the_load_model() -> None:
    """1000 requests/min split by share, times 3 headroom, at least 2/s; keys' routes 5x their plan;
    payments and webhooks at least the two order-placing routes together."""
    assert class_throttle(RouteClass.CATALOG).rate_per_second == 28  # 1000/60 * 0.55 * 3 = 27.5
    assert class_throttle(RouteClass.ENGAGEMENT).rate_per_second == 2  # the 2/s floor
    assert class_throttle(RouteClass.ORDERS).rate_per_second == 3  # 1000/60 * 0.06 * 3 = 3
    assert class_throttle(RouteClass.PAYMENTS).rate_per_second == 6  # 2 order-placing routes x 3/s
    assert class_throttle(RouteClass.ADMIN).rate_per_second == 5  # 5 x 50/min
    assert all(class_throttle(kind).burst >= 10 for kind in RouteClass)


def test_every_order_the_stage_admits_can_pay_and_be_confirmed() -> None:
    """Refusing the payment (or the provider's webhook) of an order already placed would hold its stock
    for the payment hold: the payment and webhook routes admit what the order-placing routes admit."""
    placing = [route for route in ROUTES if route.method == "POST" and route.path in ORDER_PLACING_PATHS]
    assert len(placing) == len(ORDER_PLACING_PATHS)  # every path names a route of the API
    admitted = sum(route_throttle(route).rate_per_second for route in placing)
    following = [route for route in ROUTES if route.function == "payment_api" and route.method == "POST"]
    assert {route.path for route in following} >= {"/payment/stripe/intent", "/payment/webhook/stripe"}
    for route in following:
        assert route_throttle(route).rate_per_second >= admitted, route.path


def _route(method: str, path: str) -> Route:
    return next(route for route in ROUTES if (route.method, route.path) == (method, path))


def test_payment_routes_are_throttled_tighter_than_browsing() -> None:
    payments = route_throttle(_route("POST", "/payment/stripe/intent"))
    browsing = route_throttle(_route("GET", "/products"))
    assert payments.rate_per_second < browsing.rate_per_second


def test_the_sites_csp_connects_to_exact_origins_only(prod: SynthesizedStage) -> None:
    policy = _one(prod.template("Web"), "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]
    csp = json.dumps(
        policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ]
    )
    assert "*.amazonaws.com" not in csp
    assert "execute-api" in csp
    assert "cognito-idp." in csp


def test_the_config_json_api_url_needs_no_api_stage_reference(prod: SynthesizedStage) -> None:
    assert "Shop-prod-ApiStage" not in json.dumps(prod.template("Web"))


def test_the_prod_stage_config_keeps_waf_on(prod: SynthesizedStage, dev: SynthesizedStage) -> None:
    assert prod.stacks.config.waf is True
    assert dev.stacks.config.waf is False


def test_waf_needs_us_east_1(tmp_path: Path) -> None:
    from cdk_app.config import ConfigError, load_stage_config

    context = cdk_context("prod")
    stages = copy.deepcopy(context["shop:stages"])
    stages["prod"]["region"] = "eu-west-1"
    context["shop:stages"] = stages
    with pytest.raises(ConfigError, match="us-east-1"):
        load_stage_config(context, "prod")
