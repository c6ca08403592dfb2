"""The public catalog shows availability, never the stock or sales figures; administrators see both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shop.catalog.model import LOW_STOCK_SHOWN_AT
from tests.integration.conftest import Call
from tests.integration.events import admin_claims, api_event

CreateProduct = Callable[..., dict[str, Any]]


def public_product(shop_api: Call, product_id: str) -> dict[str, Any]:
    response = shop_api(api_event("GET", "/products/{id}", path_parameters={"id": product_id}))
    assert response.status == 200, response.body
    body: dict[str, Any] = response.body
    return body


@pytest.mark.parametrize(
    ("stock", "shown"),
    [
        (LOW_STOCK_SHOWN_AT + 1, {"availability": "in_stock"}),
        (LOW_STOCK_SHOWN_AT, {"availability": "low_stock", "low_stock_quantity": LOW_STOCK_SHOWN_AT}),
        (1, {"availability": "low_stock", "low_stock_quantity": 1}),
        (0, {"availability": "sold_out"}),
    ],
)
def test_shoppers_see_availability_instead_of_stock(
    shop_api: Call, create_product: CreateProduct, stock: int, shown: dict[str, Any]
) -> None:
    product = public_product(shop_api, create_product(stock_quantity=stock)["product_id"])
    assert {name: product[name] for name in shown} == shown
    assert ("low_stock_quantity" in product) is ("low_stock_quantity" in shown)
    assert "stock_quantity" not in product
    assert "sales_count" not in product


def test_every_public_listing_hides_the_figures(shop_api: Call, create_product: CreateProduct) -> None:
    create_product(stock_quantity=3, featured=True)
    for resource in ("/products", "/featured", "/bestsellers"):
        response = shop_api(api_event("GET", resource))
        assert response.status == 200, resource
        items = response.body["items"]
        assert items, resource
        for item in items:
            assert "stock_quantity" not in item, resource
            assert "sales_count" not in item, resource
            assert item["availability"] in {"in_stock", "low_stock", "sold_out"}, resource


def test_variants_show_their_own_availability(shop_api: Call, create_product: CreateProduct) -> None:
    variants = [
        {"sku": "TEE-S", "size": "S", "stock_quantity": 0},
        {"sku": "TEE-M", "size": "M", "stock_quantity": 2},
        {"sku": "TEE-L", "size": "L", "stock_quantity": 50},
    ]
    product = public_product(shop_api, create_product(category="Apparel", variants=variants)["product_id"])
    assert [(v["sku"], v["availability"], v.get("low_stock_quantity")) for v in product["variants"]] == [
        ("TEE-S", "sold_out", None),
        ("TEE-M", "low_stock", 2),
        ("TEE-L", "in_stock", None),
    ]
    assert all("stock_quantity" not in variant for variant in product["variants"])
    assert product["availability"] == "in_stock"  # 52 units across its variants


def test_a_download_is_always_in_stock(shop_api: Call, create_product: CreateProduct) -> None:
    ebook_file = {
        "file_id": "0123456789abcdef0123456789abcdef",
        "key": "files/0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210",
        "file_name": "ebook.pdf",
        "content_type": "application/pdf",
    }
    created = create_product(
        category="Digital Downloads", digital_download=True, digital_files=[ebook_file], stock_quantity=0
    )
    assert public_product(shop_api, created["product_id"])["availability"] == "in_stock"


def test_administrators_keep_the_raw_figures(shop_api: Call, create_product: CreateProduct) -> None:
    created = create_product(stock_quantity=3)
    assert created["stock_quantity"] == 3
    assert created["sales_count"] == 0
    listing = shop_api(api_event("GET", "/admin/products", claims=admin_claims()))
    assert listing.status == 200, listing.body
    mine = next(item for item in listing.body["items"] if item["product_id"] == created["product_id"])
    assert (mine["stock_quantity"], mine["sales_count"], mine["availability"]) == (3, 0, "low_stock")
