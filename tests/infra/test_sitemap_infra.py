"""The sitemap at the site's own /sitemap.xml: CloudFront forwards that path to the API's stage, whose
public route (no API key, no authorizer) shop_api answers."""

from __future__ import annotations

from typing import Any

from cdk_app.api_routes import API_STAGE_NAME, ROUTES, SITEMAP_PATH, Access
from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import resources_of


def _distribution(dev: SynthesizedStage) -> dict[str, Any]:
    [distribution] = resources_of(dev.template("Web"), "AWS::CloudFront::Distribution").values()
    config: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return config


def test_cloudfront_serves_sitemap_xml_from_the_api_stage(dev: SynthesizedStage) -> None:
    config = _distribution(dev)
    [behavior] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == SITEMAP_PATH]
    [origin] = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]

    assert origin["OriginPath"] == f"/{API_STAGE_NAME}"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    # <restApiId>.execute-api.<region>.<suffix>: the id is the Api stack's, imported at deploy time.
    separator, parts = origin["DomainName"]["Fn::Join"]
    text = separator.join(part if isinstance(part, str) else "<token>" for part in parts)
    assert text.startswith("<token>.execute-api.")
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    # No origin request policy: API Gateway gets its own Host header, and one copy serves everyone.
    assert "OriginRequestPolicyId" not in behavior


def test_the_sitemap_route_is_public_with_a_dotted_path_part(dev: SynthesizedStage) -> None:
    [route] = [route for route in ROUTES if route.path == SITEMAP_PATH]
    assert (route.method, route.function, route.access) == ("GET", "shop_api", Access.PUBLIC)
    assert route.cache_ttl_seconds > 0
    # API Gateway takes a path part with a dot: the Api stack holds the resource as named.
    api_resources = resources_of(dev.template("Api"), "AWS::ApiGateway::Resource").values()
    assert [r["Properties"]["PathPart"] for r in api_resources].count("sitemap.xml") == 1
    [method] = [
        method["Properties"]
        for method in resources_of(dev.template("Catalog"), "AWS::ApiGateway::Method").values()
        if method["Properties"].get("OperationName") == f"shop_api:GET {SITEMAP_PATH}"
    ]
    assert method["AuthorizationType"] == "NONE"
    assert method.get("ApiKeyRequired", False) is False
