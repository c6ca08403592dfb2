"""Product images: shop_api may only put new images, browsers may POST them, CloudFront serves them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.synth import SynthesizedStage
from shop.contracts import environment
from tests.infra.api_template import (
    api_methods,
    function_properties,
    merged_api_template,
    policy_statements,
    resources_of,
)


@pytest.fixture(scope="module")
def data(dev: SynthesizedStage) -> dict[str, Any]:
    return dev.template("Data")


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


@pytest.fixture(scope="module")
def web(dev: SynthesizedStage) -> dict[str, Any]:
    return dev.template("Web")


def _images_bucket_id(data: dict[str, Any]) -> str:
    [logical_id] = [
        key for key in resources_of(data, "AWS::S3::Bucket") if key.startswith("ProductImagesBucket")
    ]
    return logical_id


def _imports_of_images_bucket(value: Any, data: dict[str, Any], attribute: str) -> bool:
    """True if `value` is Fn::ImportValue of the Data stack's export of that bucket attribute."""
    if not (isinstance(value, dict) and "Fn::ImportValue" in value):
        return False
    name = value["Fn::ImportValue"].split(":", 1)[1]
    exported = [
        o["Value"] for o in data["Outputs"].values() if o.get("Export", {}).get("Name", "").endswith(name)
    ]
    expected = (
        {"Ref": _images_bucket_id(data)}
        if attribute == "Ref"
        else {"Fn::GetAtt": [_images_bucket_id(data), attribute]}
    )
    return exported == [expected]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_shop_api_may_put_objects_only_under_the_image_prefix(
    api: dict[str, Any], data: dict[str, Any]
) -> None:
    s3_statements = [
        s for s in policy_statements(api, "shop_api") if any(a.startswith("s3:") for a in _actions(s))
    ]
    # One put statement (no read, list or delete), for the images and the digital files' uploads.
    [put] = s3_statements
    assert "s3:PutObject" in _actions(put)
    assert not any(a.startswith(("s3:Get", "s3:Delete", "s3:List")) for a in _actions(put))
    resources = put["Resource"] if isinstance(put["Resource"], list) else [put["Resource"]]
    [suffix] = [
        resource["Fn::Join"][1][1]
        for resource in resources
        if _imports_of_images_bucket(resource["Fn::Join"][1][0], data, "Arn")
    ]
    assert suffix == "/product-images/products/*"
    # No other function may write there.
    for name in ("cart_api", "order_api", "payment_api", "account_api"):
        assert not any("s3:PutObject" in _actions(s) for s in policy_statements(api, name)), name


def test_shop_api_is_told_the_bucket_name(api: dict[str, Any], data: dict[str, Any]) -> None:
    variables = function_properties(api, "shop_api")["Environment"]["Variables"]
    assert _imports_of_images_bucket(variables[environment.PRODUCT_IMAGES_BUCKET], data, "Ref")


def test_upload_route_is_admin_only_with_a_validated_body(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    upload = methods[("POST", "/admin/product-images")].properties
    listing = methods[("GET", "/admin/products")].properties
    for method in (upload, listing):
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
        assert method["ApiKeyRequired"] is True
    [model_ref] = upload["RequestModels"].values()
    model = api["Resources"][model_ref["Ref"]]["Properties"]["Schema"]
    assert model["required"] == ["content_type", "file_name"]
    assert model["properties"]["content_type"]["enum"] == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
    ]
    assert model["properties"]["file_name"] == {"type": "string", "minLength": 1, "maxLength": 200}
    validator = api["Resources"][upload["RequestValidatorId"]["Ref"]]["Properties"]
    assert validator["ValidateRequestBody"] is True


def test_browsers_may_post_uploads_to_the_bucket(data: dict[str, Any], dev: SynthesizedStage) -> None:
    bucket = data["Resources"][_images_bucket_id(data)]["Properties"]
    [rule] = bucket["CorsConfiguration"]["CorsRules"]
    assert "POST" in rule["AllowedMethods"]
    assert rule["AllowedOrigins"] == ["https://*.cloudfront.net"]  # dev: no custom domain
    assert bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True  # still private


def test_only_cloudfront_of_this_account_reads_and_only_the_images_prefix(data: dict[str, Any]) -> None:
    bucket_id = _images_bucket_id(data)
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(data, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    [read] = [s for s in policy if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert read["Effect"] == "Allow"
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/product-images/*"]]}
    assert read["Condition"]["StringEquals"] == {"AWS:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = json.dumps(read["Condition"]["ArnLike"]["AWS:SourceArn"])
    assert "arn:aws:cloudfront::" in source_arn
    assert ":distribution/*" in source_arn
    # TLS is still enforced for everyone.
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    )


def test_site_serves_product_images_from_the_bucket_through_origin_access_control(
    web: dict[str, Any], data: dict[str, Any]
) -> None:
    [distribution] = resources_of(web, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    [behavior] = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/product-images/*"]
    [origin] = [o for o in config["Origins"] if o["Id"] == behavior["TargetOriginId"]]

    assert _imports_of_images_bucket(origin["DomainName"], data, "RegionalDomainName")
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert "OriginPath" not in origin  # the URL path is the object key
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert behavior["ResponseHeadersPolicyId"] == config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    [oac] = resources_of(web, "AWS::CloudFront::OriginAccessControl").values()
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"


def test_data_stack_does_not_depend_on_the_web_stack(data: dict[str, Any]) -> None:
    # The bucket policy names no distribution, so Data exports to Web and never imports from it.
    assert "Fn::ImportValue" not in json.dumps(data)
