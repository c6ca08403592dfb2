"""Every number an administrator enters has an upper bound; beyond it, a 422 naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shop.contracts.admin_limits import MAX_DIMENSION, MAX_PRICE_CENTS, MAX_STOCK, MAX_WEIGHT
from tests.integration.conftest import Call, product_payload
from tests.integration.events import admin_claims, api_event

CreateProduct = Callable[..., dict[str, Any]]
HUGE = 10**30  # what the admin API accepted as stock before (issue #19)


@pytest.mark.parametrize(
    ("overrides", "field", "largest"),
    [
        ({"stock_quantity": HUGE}, "stock_quantity", {"stock_quantity": MAX_STOCK}),
        ({"stock_quantity": MAX_STOCK + 1}, "stock_quantity", {"stock_quantity": MAX_STOCK}),
        ({"price": MAX_PRICE_CENTS + 1}, "price", {"price": MAX_PRICE_CENTS}),
        ({"weight": MAX_WEIGHT + 0.5}, "weight", {"weight": MAX_WEIGHT}),
        (
            {"dimensions": {"length": MAX_DIMENSION + 1, "width": 1, "height": 1}},
            "dimensions.length",
            {"dimensions": {"length": MAX_DIMENSION, "width": 1, "height": 1}},
        ),
        (
            {"variants": [{"sku": "V-1", "stock_quantity": MAX_STOCK + 1}]},
            "variants.0.stock_quantity",
            {"variants": [{"sku": "V-1", "stock_quantity": MAX_STOCK}]},
        ),
        (
            {"variants": [{"sku": "V-1", "price": MAX_PRICE_CENTS + 1}]},
            "variants.0.price",
            {"variants": [{"sku": "V-1", "price": MAX_PRICE_CENTS}]},
        ),
    ],
)
def test_create_refuses_numbers_beyond_their_bound_and_takes_the_bound(
    shop_api: Call, overrides: dict[str, Any], field: str, largest: dict[str, Any]
) -> None:
    refused = shop_api(
        api_event("POST", "/products", body=product_payload(**overrides), claims=admin_claims())
    )
    assert refused.status == 422, refused.body
    assert refused.body["field"] == field
    taken = shop_api(api_event("POST", "/products", body=product_payload(**largest), claims=admin_claims()))
    assert taken.status == 201, taken.body


def test_update_refuses_stock_beyond_the_bound(shop_api: Call, create_product: CreateProduct) -> None:
    product = create_product()
    response = shop_api(
        api_event(
            "PUT",
            "/products/{id}",
            path_parameters={"id": product["product_id"]},
            body={"stock_quantity": HUGE},
            claims=admin_claims(),
        )
    )
    assert response.status == 422, response.body
    assert response.body["field"] == "stock_quantity"
