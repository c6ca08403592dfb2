"""Which product changes flush API Gateway's cached catalog."""

from __future__ import annotations

from typing import Any

import pytest

from shop.catalog.changes import changes_cached_catalog

PRODUCT: dict[str, Any] = {
    "product_id": "p1",
    "name": "Mug",
    "price": 1299,
    "status": "active",
    "stock_quantity": 5,
    "sales_count": 10,
    "cache_version": 3,
    "rating": 4.5,
    "review_count": 2,
}


def test_creation_and_removal_flush() -> None:
    assert changes_cached_catalog(None, PRODUCT)
    assert changes_cached_catalog(PRODUCT, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Big mug"),
        ("price", 999),
        ("status", "archived"),
        ("featured_key", "FEATURED"),
        ("review_count", 3),
    ],
)
def test_shopper_visible_changes_flush(field: str, value: Any) -> None:
    assert changes_cached_catalog(PRODUCT, {**PRODUCT, field: value})


def test_a_sale_that_keeps_what_shoppers_see_does_not_flush() -> None:
    plenty = {**PRODUCT, "stock_quantity": 40}
    after_sale = {**plenty, "stock_quantity": 39, "sales_count": 11}
    assert not changes_cached_catalog(plenty, after_sale)


@pytest.mark.parametrize(("before", "after"), [(6, 5), (5, 4), (1, 0), (0, 3)])
def test_a_stock_change_shoppers_see_flushes(before: int, after: int) -> None:
    """6 → 5 turns "In stock" into "Only 5 left"; 5 → 4 changes the number shown."""
    assert changes_cached_catalog({**PRODUCT, "stock_quantity": before}, {**PRODUCT, "stock_quantity": after})


def test_variant_stock_flushes_only_when_its_availability_changes() -> None:
    shirts = {**PRODUCT, "variants": [{"sku": "S", "size": "S", "stock_quantity": 30}]}
    sold_one = {**shirts, "variants": [{"sku": "S", "size": "S", "stock_quantity": 29}]}
    nearly_gone = {**shirts, "variants": [{"sku": "S", "size": "S", "stock_quantity": 2}]}
    renamed = {**shirts, "variants": [{"sku": "S", "size": "Small", "stock_quantity": 30}]}
    assert not changes_cached_catalog(shirts, sold_one)
    assert changes_cached_catalog(sold_one, nearly_gone)
    assert changes_cached_catalog(shirts, renamed)


def test_selling_out_and_restocking_flush() -> None:
    sold_out = {**PRODUCT, "stock_quantity": 0, "sales_count": 15}
    assert changes_cached_catalog(PRODUCT, sold_out)
    assert changes_cached_catalog(sold_out, PRODUCT)


def test_digital_downloads_never_sell_out() -> None:
    ebook = {**PRODUCT, "digital_download": True, "stock_quantity": 0}
    assert not changes_cached_catalog(ebook, {**ebook, "sales_count": 99})
