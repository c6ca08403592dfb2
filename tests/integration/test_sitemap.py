"""GET /sitemap.xml through shop_api's real handler (moto and a real Redis): the site's pages and every
active product, current with the catalog, and read from the catalog cache after the first request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest

from shop.platform.dynamodb import dynamodb_resource
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import Call, LambdaContext
from tests.integration.events import admin_claims, api_event

CreateProduct = Callable[..., dict[str, Any]]
SITE = "https://shop.example.org"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def site(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WEB_ORIGIN", SITE)
    reset_process_state()  # the settings are read once per process
    return SITE


def fetch(lambda_context: LambdaContext) -> tuple[dict[str, Any], dict[str, str | None]]:
    """The raw answer and {loc: lastmod} of the sitemap (the body is XML, not the JSON `Call` reads)."""
    from shop_api.handler import handler

    answer = handler(api_event("GET", "/sitemap.xml"), lambda_context)
    root = ElementTree.fromstring(answer["body"])
    urls = {
        url.findtext("s:loc", namespaces=NS) or "": url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }
    return answer, urls


def test_the_sitemap_lists_the_pages_and_every_active_product(
    site: str, shop_api: Call, create_product: CreateProduct, lambda_context: LambdaContext
) -> None:
    kept = create_product(sku="S1")
    archived = create_product(sku="S2")

    answer, before = fetch(lambda_context)
    deleted = shop_api(
        api_event(
            "DELETE", "/products/{id}", path_parameters={"id": archived["product_id"]}, claims=admin_claims()
        )
    )
    added = create_product(sku="S3")
    _answer, after = fetch(lambda_context)

    assert answer["statusCode"] == 200
    headers = answer.get("headers") or {}
    content_type = headers.get("Content-Type") or answer["multiValueHeaders"]["Content-Type"][0]
    assert content_type == "application/xml"
    for page in ("/", "/shop.html", "/shop.html?category=Books", "/shop.html?category=Digital+Downloads"):
        assert f"{site}{page}" in before
    for page in ("terms.html", "privacy.html", "shipping.html", "returns.html", "contact.html"):
        assert f"{site}/{page}" in before
    product_page = f"{site}/product.html?id={kept['product_id']}"
    assert before[product_page] == kept["updated_at"][:10]
    assert f"{site}/product.html?id={archived['product_id']}" in before
    # Current with the catalog: an archived product leaves, a new one arrives.
    assert deleted.status == 200
    assert f"{site}/product.html?id={archived['product_id']}" not in after
    assert f"{site}/product.html?id={added['product_id']}" in after
    assert product_page in after


def test_a_cached_sitemap_reads_nothing_from_dynamodb(
    site: str, create_product: CreateProduct, lambda_context: LambdaContext
) -> None:
    create_product(sku="C1")
    calls: list[tuple[str, str]] = []

    def record(model: Any, params: dict[str, Any], **_kwargs: Any) -> None:
        calls.append((model.name, str(params.get("TableName", ""))))

    dynamodb_resource().meta.client.meta.events.register("before-parameter-build.dynamodb", record)

    fetch(lambda_context)
    first = [call for call in calls if call[1].endswith("Products")]
    calls.clear()
    fetch(lambda_context)

    # The first request reads the active products once (one Query, no Scan); the next one nothing at all.
    assert first == [("Query", "test-Products")]
    assert calls == []
