"""Web: private bucket behind CloudFront with OAC, HTTPS only, security headers, config.json generated."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from tests.infra.api_template import resources_of


@pytest.fixture(scope="module")
def web(dev: SynthesizedStage) -> dict[str, Any]:
    return dev.template("Web")


def _one(template: dict[str, Any], type_: str) -> tuple[str, dict[str, Any]]:
    [(logical_id, resource)] = resources_of(template, type_).items()
    return logical_id, resource


def _site_bucket_id(web: dict[str, Any]) -> str:
    distribution = _one(web, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]
    return str(distribution["Origins"][0]["DomainName"]["Fn::GetAtt"][0])


def test_site_bucket_is_private_encrypted_versioned(web: dict[str, Any]) -> None:
    bucket = web["Resources"][_site_bucket_id(web)]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "BucketEncryption" in bucket
    assert "WebsiteConfiguration" not in bucket  # served only through CloudFront


def test_only_cloudfront_of_this_distribution_reads_the_bucket_over_tls(web: dict[str, Any]) -> None:
    bucket_id = _site_bucket_id(web)
    distribution_id = _one(web, "AWS::CloudFront::Distribution")[0]
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(web, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    )
    [read] = [s for s in policy if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert read["Action"] == "s3:GetObject"
    assert {"Ref": distribution_id} in read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]


def test_distribution_uses_origin_access_control_https_compression_and_error_page(
    web: dict[str, Any],
) -> None:
    config = _one(web, "AWS::CloudFront::Distribution")[1]["Properties"]["DistributionConfig"]
    origin = config["Origins"][0]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    assert behavior["Compress"] is True
    assert config["DefaultRootObject"] == "index.html"
    assert {r["ErrorCode"]: r["ResponsePagePath"] for r in config["CustomErrorResponses"]} == {
        403: "/404.html",
        404: "/404.html",
    }
    assert "Logging" in config
    oac = _one(web, "AWS::CloudFront::OriginAccessControl")[1]["Properties"]["OriginAccessControlConfig"]
    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"


def _rendered(value: Any) -> str:
    """A CloudFormation string, with each deploy-time part (a Ref or import in an Fn::Join) as `<token>`."""
    if isinstance(value, str):
        return value
    [separator, parts] = value["Fn::Join"]
    return str(separator).join(part if isinstance(part, str) else "<token>" for part in parts)


def test_security_headers(web: dict[str, Any]) -> None:
    headers = _one(web, "AWS::CloudFront::ResponseHeadersPolicy")[1]["Properties"][
        "ResponseHeadersPolicyConfig"
    ]
    security = headers["SecurityHeadersConfig"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    policy = _rendered(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_deploy_writes_config_json_from_the_other_stacks_and_invalidates_cloudfront(
    web: dict[str, Any],
) -> None:
    _, deployment = _one(web, "Custom::CDKBucketDeployment")
    properties = deployment["Properties"]
    assert properties["DistributionPaths"] == ["/*"]
    assert properties["Prune"] is True
    markers = json.dumps(properties["SourceMarkers"])
    assert "Shop-dev-Api:ExportsOutputRefRestApi" in markers  # API URL
    assert "Shop-dev-Auth:ExportsOutputRefShoppersUserPool" in markers  # pool and client ids


def test_config_json_carries_api_url_user_pool_client_and_stage(dev: SynthesizedStage) -> None:
    [config_file] = list(dev.assembly_dir.glob("asset.*/config.json"))
    # Deploy-time values are markers the deployment replaces with the other stacks' outputs.
    text = re.sub(r"<<marker:0xbaba:(\d+)>>", r'"marker-\1"', config_file.read_text())
    config = json.loads(text)
    assert set(config) >= {"apiUrl", "userPoolId", "userPoolClientId", "region", "stage"}
    assert config["stage"] == "dev"
    assert config["apiUrl"].startswith("marker-")
    # The brand and the money rules the pages show (the cart's free-shipping progress).
    assert config["brand"]["shopName"] == dev.stacks.config.brand["shop_name"]
    assert (
        config["pricing"]["freeShippingThresholdCents"]
        == dev.stacks.config.pricing["free_shipping_threshold_cents"]
    )


def test_the_deployed_pages_are_rendered_with_the_stage_brand(dev: SynthesizedStage) -> None:
    """The site asset is web/ rendered (cdk_app/site_pages.py), not its templates."""
    [index] = list(dev.assembly_dir.glob("asset.*/index.html"))
    html = index.read_text()
    assert f'<span class="brand-name">{dev.stacks.config.brand["shop_name"]}</span>' in html
    assert "{%" not in html
    site = index.parent
    assert (site / "css" / "brand.css").read_text().count(dev.stacks.config.brand["colours"]["primary"]) == 1
    assert not (site / "_layout").exists()


def test_config_json_names_the_payment_scripts_and_the_policy_allows_exactly_them(
    dev: SynthesizedStage, web: dict[str, Any]
) -> None:
    [config_file] = list(dev.assembly_dir.glob("asset.*/config.json"))
    config = json.loads(re.sub(r"<<marker:0xbaba:(\d+)>>", r'"marker-\1"', config_file.read_text()))
    assert config["stripeJsUrl"] == "https://js.stripe.com/v3/"
    assert config["paypalSdkUrl"] == "https://www.paypal.com/sdk/js"
    # Publishable values only, from cdk.json (empty: not offered yet on dev).
    assert config["stripePublishableKey"] == dev.stacks.config.stripe_publishable_key
    assert config["paypalClientId"] == dev.stacks.config.paypal_client_id
    assert "paymentMode" not in config
    policy = _rendered(
        _one(web, "AWS::CloudFront::ResponseHeadersPolicy")[1]["Properties"]["ResponseHeadersPolicyConfig"][
            "SecurityHeadersConfig"
        ]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    )
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"].split() == ["'self'", "https://js.stripe.com", "https://www.paypal.com"]
    assert "https://api.stripe.com" in directives["connect-src"].split()
    assert set(directives["frame-src"].split()) == {
        "https://js.stripe.com",
        "https://hooks.stripe.com",
        "https://www.paypal.com",
        "https://www.sandbox.paypal.com",
    }
    assert directives["frame-ancestors"] == "'none'"
