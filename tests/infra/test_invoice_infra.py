"""Invoices in the templates: the four PDF routes on order_api, never cached; application/pdf a binary
media type of the REST API; the stage's seller settings in order_api's environment and nowhere else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cdk_app.config import ConfigError, load_stage_config
from cdk_app.synth import SynthesizedStage, cdk_context
from shop.contracts.brand import Brand
from tests.infra.api_template import (
    api_methods,
    function_ids,
    function_properties,
    merged_api_template,
    resources_of,
)
from tests.infra.conftest import template_of

DOCUMENT_ROUTES = {
    ("GET", "/orders/{id}/invoice"): "COGNITO_USER_POOLS",
    ("GET", "/orders/{id}/credit-note"): "COGNITO_USER_POOLS",
    ("GET", "/guest/orders/{id}/invoice"): "NONE",
    ("GET", "/guest/orders/{id}/credit-note"): "NONE",
}


@pytest.fixture(scope="module")
def api(dev: SynthesizedStage) -> dict[str, Any]:
    return merged_api_template(dev)


def test_invoice_and_credit_note_routes_reach_order_api_signed_in_or_with_the_guest_token(
    api: dict[str, Any],
) -> None:
    methods = api_methods(api)
    for (verb, path), authorization in DOCUMENT_ROUTES.items():
        method = methods[(verb, path)].properties
        assert method["OperationName"] == f"order_api:{verb} {path}"
        assert method["AuthorizationType"] == authorization, path
        assert not method.get("ApiKeyRequired"), path
        assert method["Integration"]["Type"] == "AWS_PROXY"
        if path.startswith("/guest/"):
            # The guest's token travels in a header, never the URL (docs/decisions.md).
            assert method["RequestParameters"]["method.request.header.X-Order-Token"] is True
            assert "method.request.querystring.token" not in method["RequestParameters"]


def test_documents_are_never_served_from_the_stage_cache(api: dict[str, Any]) -> None:
    """The cache keys on the path, not on the caller: one buyer's invoice must never answer another."""
    [stage] = resources_of(api, "AWS::ApiGateway::Stage").values()
    settings = stage["Properties"]["MethodSettings"]
    [default] = [setting for setting in settings if setting["ResourcePath"] == "/*"]
    assert default["CachingEnabled"] is False
    cached_paths = {
        setting["ResourcePath"].replace("~1", "/") for setting in settings if setting.get("CachingEnabled")
    }
    assert not {path for path in cached_paths if "invoice" in path or "credit-note" in path}
    for verb, path in DOCUMENT_ROUTES:
        assert "CacheKeyParameters" not in api_methods(api)[(verb, path)].properties["Integration"]


def test_pdf_is_a_binary_media_type_of_the_rest_api(dev: SynthesizedStage) -> None:
    [rest_api] = resources_of(template_of(dev, "Api").to_json(), "AWS::ApiGateway::RestApi").values()
    # image/*: the open pixel of marketing emails (tests/infra/test_email_engagement_infra.py).
    assert rest_api["Properties"]["BinaryMediaTypes"] == ["application/pdf", "image/*"]


def test_the_stage_brand_reaches_the_invoices_and_emails_only(
    dev: SynthesizedStage, prod: SynthesizedStage
) -> None:
    printers = {"Orders": "order_api", "Email": "email_sender"}  # invoices; every email's header and footer
    for stage in (dev, prod):
        brand = stage.stacks.config.brand
        for short_name, function in printers.items():
            template = template_of(stage, short_name).to_json()
            environment = function_properties(template, function)["Environment"]["Variables"]
            seller = Brand.model_validate_json(environment["BRAND_SETTINGS"])
            assert seller == Brand.model_validate(brand)
            assert seller.seller_name.startswith("Shop Example")
            assert seller.tax_id
            assert seller.shop_name == "Christian Conservatives Today"
        for short_name in ("Orders", "Payments", "Catalog", "Email"):
            template = template_of(stage, short_name).to_json()
            for name in function_ids(template):
                if name != printers.get(short_name):
                    variables = function_properties(template, name)["Environment"]["Variables"]
                    assert "BRAND_SETTINGS" not in variables, name


def test_a_stage_without_a_complete_seller_is_refused_at_synth() -> None:
    context = cdk_context("dev")
    stages = json.loads(json.dumps(context["shop:stages"]))
    del stages["dev"]["brand"]["tax_id"]
    with pytest.raises(ConfigError, match="brand"):
        load_stage_config({**context, "shop:stages": stages}, "dev")
