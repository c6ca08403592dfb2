"""Digital downloads on the templates: a private bucket of their own that only order_api reads and only
shop_api writes (no CloudFront, no listing, no public access, TLS only), the download routes (never
cached), the upload route, the stage's download limit and days, and the API URL of the emails."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.api_routes import API_STAGE_NAME
from cdk_app.function_catalog import FUNCTIONS
from cdk_app.synth import SynthesizedStage
from shop.contracts import environment
from shop.contracts.digital_files import CONTENT_TYPES
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


def _bucket_id(data: dict[str, Any]) -> str:
    [logical_id] = [
        key for key in resources_of(data, "AWS::S3::Bucket") if key.startswith("DigitalFilesBucket")
    ]
    return logical_id


def _export_names(data: dict[str, Any], value: Any) -> set[str]:
    """Names of the Data stack's exports whose value is `value` (the bucket's Ref or Arn)."""
    return {
        output["Export"]["Name"]
        for output in data["Outputs"].values()
        if "Export" in output and output["Value"] == value
    }


def _names_bucket(value: Any, data: dict[str, Any]) -> bool:
    """True if `value` imports (or, joined, starts with an import of) the bucket's ARN or name."""
    bucket = _bucket_id(data)
    exports = _export_names(data, {"Fn::GetAtt": [bucket, "Arn"]}) | _export_names(data, {"Ref": bucket})
    return any(name in json.dumps(value) for name in exports)


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_the_files_bucket_is_private_encrypted_tls_only_and_unreachable_by_cloudfront(
    data: dict[str, Any], dev: SynthesizedStage
) -> None:
    bucket_id = _bucket_id(data)
    bucket = data["Resources"][bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "LoggingConfiguration" in bucket
    # Browsers may only POST (the admin's presigned uploads); downloads are navigations, not CORS.
    [rule] = bucket["CorsConfiguration"]["CorsRules"]
    # dev has no custom domain: the site's CloudFront domain, which this earlier stack cannot name.
    assert (rule["AllowedMethods"], rule["AllowedOrigins"]) == (["POST"], ["https://*.cloudfront.net"])
    [policy] = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources_of(data, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in policy
    )
    # No CloudFront, no public read: the only Allow is CDK's emptying of a dev bucket on stack
    # deletion, which never reads an object.
    [allowed] = [s for s in policy if s["Effect"] == "Allow"]
    assert "CustomS3AutoDeleteObjects" in json.dumps(allowed["Principal"])
    assert not any(action.startswith("s3:GetObject") for action in _actions(allowed))


def test_a_retained_stage_allows_nobody_anything_in_the_bucket_policy(prod: SynthesizedStage) -> None:
    data = prod.template("Data")
    bucket_id = _bucket_id(data)
    statements = [
        s
        for p in resources_of(data, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert statements
    assert {s["Effect"] for s in statements} == {"Deny"}


def test_no_distribution_serves_the_files(dev: SynthesizedStage, data: dict[str, Any]) -> None:
    web = dev.template("Web")
    [distribution] = resources_of(web, "AWS::CloudFront::Distribution").values()
    assert not _names_bucket(distribution, data)
    # The Web stack names the bucket in one place only: the CSP lets the admin page POST uploads to it.
    for logical_id, resource in web["Resources"].items():
        if resource["Type"] != "AWS::CloudFront::ResponseHeadersPolicy":
            assert not _names_bucket(resource, data), logical_id


def test_only_shop_api_puts_and_only_order_api_gets_and_nobody_lists(
    api: dict[str, Any], data: dict[str, Any]
) -> None:
    touching: dict[str, list[str]] = {}
    for name in FUNCTIONS:
        for statement in policy_statements(api, name):
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            mine = [resource for resource in resources if _names_bucket(resource, data)]
            if not mine:
                continue
            touching.setdefault(name, []).extend(_actions(statement))
            # Objects under files/ only, never the bucket itself (that is where listing lives).
            for resource in mine:
                assert resource["Fn::Join"][1][-1] == "/files/*", (name, resource)
    assert set(touching) == {"shop_api", "order_api"}
    assert "s3:PutObject" in touching["shop_api"]
    assert not any(action.startswith(("s3:Get", "s3:List", "s3:Delete")) for action in touching["shop_api"])
    assert touching["order_api"] == ["s3:GetObject"]


def test_the_functions_are_told_the_bucket_the_stages_limits_and_the_api_url(
    api: dict[str, Any], data: dict[str, Any], dev: SynthesizedStage
) -> None:
    config = dev.stacks.config
    assert (config.download_limit, config.download_days) == (5, 30)
    for name in FUNCTIONS:
        variables = function_properties(api, name).get("Environment", {}).get("Variables", {})
        if name in ("shop_api", "order_api"):
            assert _names_bucket(variables[environment.DIGITAL_FILES_BUCKET], data), name
        else:
            assert environment.DIGITAL_FILES_BUCKET not in variables, name
        if name in ("order_api", "payment_processor"):
            assert variables[environment.DOWNLOAD_LIMIT] == "5", name
            assert variables[environment.DOWNLOAD_DAYS] == "30", name
        else:
            assert environment.DOWNLOAD_LIMIT not in variables, name
        if name == "email_sender":
            url = json.dumps(variables[environment.API_URL])
            assert "https://" in url
            assert ".execute-api." in url
            assert f"/{API_STAGE_NAME}" in url
        else:
            assert environment.API_URL not in variables, name


def test_the_download_routes_and_their_guest_twin_are_never_cached(api: dict[str, Any]) -> None:
    methods = api_methods(api)
    signed_in = methods[("GET", "/orders/{id}/downloads/{product_id}")].properties
    guest = methods[("GET", "/guest/orders/{id}/downloads/{product_id}")].properties
    assert signed_in["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert guest["AuthorizationType"] == "NONE"
    # The order token (X-Order-Token) or the line's download token: either, so the function checks.
    assert "method.request.querystring.token" not in guest.get("RequestParameters", {})
    for method in (signed_in, guest):
        assert method["Integration"]["Type"] == "AWS_PROXY"  # the function's 302 and Location pass through
        assert "CacheKeyParameters" not in method["Integration"]
    [stage] = resources_of(api, "AWS::ApiGateway::Stage").values()
    cached = [
        setting
        for setting in stage["Properties"].get("MethodSettings", [])
        if setting.get("CachingEnabled") and "downloads" in setting["ResourcePath"]
    ]
    assert cached == []


def test_the_upload_route_is_admin_only_with_a_validated_body(api: dict[str, Any]) -> None:
    upload = api_methods(api)[("POST", "/admin/product-files")].properties
    assert upload["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert upload["ApiKeyRequired"] is True
    [model_ref] = upload["RequestModels"].values()
    model = api["Resources"][model_ref["Ref"]]["Properties"]["Schema"]
    assert model["required"] == ["content_type", "file_name"]
    assert model["properties"]["content_type"]["enum"] == list(CONTENT_TYPES)
    assert model["properties"]["replaces"]["pattern"] == "^[0-9a-f]{32}$"


def test_an_orders_shipping_address_is_for_the_handler_to_require(api: dict[str, Any]) -> None:
    create = api_methods(api)[("POST", "/orders/create")].properties
    [model_ref] = create["RequestModels"].values()
    schema = api["Resources"][model_ref["Ref"]]["Properties"]["Schema"]
    assert "required" not in schema or "shipping_address" not in schema["required"]
    assert schema["properties"]["shipping_address"]["required"] == [
        "name",
        "line1",
        "city",
        "postal_code",
        "country",
    ]
    assert schema["properties"]["billing_address"]["required"] == ["name", "country"]
