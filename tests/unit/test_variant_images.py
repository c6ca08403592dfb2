"""A variant may name its own picture (its colour's), which shoppers see with its availability."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shop.catalog.model import Product, ProductDraft, Variant

NAVY = "https://shop.example/img/products/TEE-NAVY.svg"


def test_a_variant_carries_its_colours_picture_to_shoppers() -> None:
    product = Product.model_validate(
        {
            "product_id": "p_1",
            "name": "Tee",
            "category": "Apparel",
            "price": 2200,
            "sku": "TEE",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "variants": [
                {"sku": "TEE-NAVY-M", "size": "M", "colour": "Navy", "stock_quantity": 3, "image_url": NAVY},
                {"sku": "TEE-GREY-M", "size": "M", "colour": "Grey", "stock_quantity": 9},
            ],
        }
    )
    shown = product.public_view()["variants"]
    assert isinstance(shown, list)
    navy, grey = shown
    assert navy == {
        "sku": "TEE-NAVY-M",
        "size": "M",
        "colour": "Navy",
        "price": None,
        "image_url": NAVY,
        "availability": "low_stock",
        "low_stock_quantity": 3,
    }
    assert grey["image_url"] is None
    assert "stock_quantity" not in grey  # the figure stays with administrators
    assert product.public_view(for_admin=True)["variants"][1]["stock_quantity"] == 9  # type: ignore[index]


def test_an_image_url_that_is_not_a_url_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        ProductDraft.model_validate(
            {
                "name": "Tee",
                "category": "Apparel",
                "price": 2200,
                "sku": "TEE",
                "variants": [{"sku": "TEE-M", "image_url": "navy.svg"}],
            }
        )
    assert [error["loc"] for error in refused.value.errors()] == [("variants", 0, "image_url")]


def test_other_unknown_variant_fields_are_still_refused() -> None:
    with pytest.raises(ValidationError, match="picture"):
        Variant.model_validate({"sku": "TEE-M", "picture": NAVY})
    assert Variant.model_validate({"sku": "TEE-M"}).image_url is None
