"""cart_api through its real handler: guests and shoppers, stock caps, merge, totals, cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from shop.contracts.metric_names import CACHE_HIT, CACHE_UNAVAILABLE, CART_CACHE
from tests.integration.conftest import Call, emitted_metrics
from tests.integration.events import admin_claims, api_event, shopper_claims

CreateProduct = Callable[..., dict[str, Any]]


def cart_call(
    cart_api: Call,
    method: str,
    route: str,
    *,
    cart_id: str | None = None,
    user: str | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> Any:
    headers = {"X-Cart-Id": cart_id} if cart_id else None
    claims = shopper_claims(user) if user else None
    # Guests reach the same function through the public /guest/cart/* resources.
    resource = route if user or route == "/cart/merge" else f"/guest{route}"
    return cart_api(api_event(method, resource, headers=headers, claims=claims, body=body, query=query))


def guest_key(cart_id: str) -> str:
    """The Cart item key of a guest cart: its issued id without the signature."""
    return "guest#" + cart_id.rsplit(".", 1)[0]


def stored_cart(shop_env: dict[str, str], owner_key: str) -> dict[str, Any] | None:
    item: dict[str, Any] | None = (
        boto3.resource("dynamodb")
        .Table(shop_env["CART_TABLE"])
        .get_item(Key={"user_id": owner_key})
        .get("Item")
    )
    return item


def test_guest_gets_a_cart_id_on_first_add_and_sees_totals(
    cart_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> None:
    product_id = create_product(price=1250, stock_quantity=5)["product_id"]

    added = cart_call(cart_api, "POST", "/cart/add", body={"product_id": product_id, "quantity": 2})

    assert added.status == 200
    cart_id = added.body["cart_id"]
    assert len(cart_id) >= 22
    fetched = cart_call(cart_api, "GET", "/cart", cart_id=cart_id)
    assert fetched.body["items"][0]["quantity"] == 2
    assert fetched.body["items"][0]["line_total"] == 2500
    # 2500 subtotal: under the 5000 free-shipping threshold, 8.25 % tax rounded half up.
    assert fetched.body["totals"] == {
        "subtotal": 2500,
        "discount": 0,
        "tax": 206,
        "shipping": 599,
        "total": 3305,
        "currency": "USD",
        "discount_code": None,
    }
    item = stored_cart(shop_env, guest_key(cart_id))
    assert item is not None
    assert abs(int(item["expires_at"]) - (time.time() + 30 * 86400)) < 120


def test_adding_beyond_stock_is_409_with_the_available_quantity_and_writes_nothing(
    cart_api: Call, create_product: CreateProduct
) -> None:
    product_id = create_product(stock_quantity=3)["product_id"]
    cart_id = cart_call(cart_api, "POST", "/cart/add", body={"product_id": product_id, "quantity": 2}).body[
        "cart_id"
    ]

    refused = cart_call(
        cart_api, "POST", "/cart/add", cart_id=cart_id, body={"product_id": product_id, "quantity": 2}
    )

    assert refused.status == 409
    assert refused.body["available"] == 3
    assert refused.body["in_cart"] == 2
    assert cart_call(cart_api, "GET", "/cart", cart_id=cart_id).body["items"][0]["quantity"] == 2


def test_update_remove_and_clear(
    cart_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> None:
    first = create_product(sku="P1", stock_quantity=10)["product_id"]
    second = create_product(sku="P2", stock_quantity=10, price=700)["product_id"]
    user = "shopper-1"
    cart_call(cart_api, "POST", "/cart/add", user=user, body={"product_id": first})
    cart_call(cart_api, "POST", "/cart/add", user=user, body={"product_id": second})

    updated = cart_call(cart_api, "PUT", "/cart/update", user=user, body={"product_id": first, "quantity": 4})
    too_many = cart_call(
        cart_api, "PUT", "/cart/update", user=user, body={"product_id": first, "quantity": 11}
    )
    not_in_cart = cart_call(
        cart_api, "PUT", "/cart/update", user=user, body={"product_id": "prod_x", "quantity": 1}
    )
    removed = cart_call(cart_api, "DELETE", "/cart/remove", user=user, body={"product_id": second})
    missing = cart_call(cart_api, "DELETE", "/cart/remove", user=user, query={"product_id": second})
    unnamed = cart_call(cart_api, "DELETE", "/cart/remove", user=user)

    assert updated.status == 200
    assert "cart_id" not in updated.body
    assert {line["product_id"]: line["quantity"] for line in updated.body["items"]} == {first: 4, second: 1}
    assert too_many.status == 409
    assert too_many.body["available"] == 10
    assert not_in_cart.status == 404
    assert [line["product_id"] for line in removed.body["items"]] == [first]
    assert missing.status == 404
    assert unnamed.status == 400
    assert unnamed.body["field"] == "product_id"
    assert stored_cart(shop_env, user)["items"][0]["quantity"] == 4  # type: ignore[index]

    zeroed = cart_call(cart_api, "PUT", "/cart/update", user=user, body={"product_id": first, "quantity": 0})
    assert zeroed.body["items"] == []
    cart_call(cart_api, "POST", "/cart/add", user=user, body={"product_id": first})
    cleared = cart_call(cart_api, "DELETE", "/cart/clear", user=user)
    assert cleared.status == 200
    assert cleared.body["items"] == []
    assert stored_cart(shop_env, user) is None
    assert cart_call(cart_api, "GET", "/cart", user=user).body["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 1}, "product_id"),
        ({"product_id": "p", "quantity": 0}, "quantity"),
        ({"product_id": "p", "quantity": 100}, "quantity"),
        ({"product_id": "p", "quantity": "two"}, "quantity"),
        ({"product_id": "p", "colour": "red"}, "colour"),
    ],
)
def test_bad_cart_input_names_the_field_and_writes_nothing(
    cart_api: Call, shop_env: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = cart_call(cart_api, "POST", "/cart/add", user="u1", body=body)
    assert response.status == 422
    assert field in response.body["field"]
    assert stored_cart(shop_env, "u1") is None


def test_invalid_cart_id_header_and_unknown_product(cart_api: Call, shop_env: dict[str, str]) -> None:
    bad_header = cart_call(cart_api, "GET", "/cart", cart_id="short")
    unknown = cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": "prod_missing"})
    assert bad_header.status == 400
    assert bad_header.body["field"] == "X-Cart-Id"
    assert unknown.status == 404
    assert unknown.body["field"] == "product_id"
    assert stored_cart(shop_env, "u1") is None


def test_variants_need_a_known_sku_and_use_their_own_stock_and_price(
    cart_api: Call, create_product: CreateProduct
) -> None:
    shirt = create_product(
        category="Apparel",
        price=2000,
        stock_quantity=0,
        variants=[
            {
                "sku": "TS-S",
                "size": "S",
                "colour": "navy",
                "stock_quantity": 2,
                "image_url": "https://shop.example/img/ts-navy.svg",
            },
            {"sku": "TS-XL", "size": "XL", "price": 2200, "stock_quantity": 5},
        ],
        image_url="https://shop.example/img/ts.svg",
    )["product_id"]
    no_variant = cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": shirt})
    unknown = cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": shirt, "sku": "TS-M"})
    small = cart_call(
        cart_api,
        "POST",
        "/cart/add",
        user="u1",
        body={"product_id": shirt, "variant_sku": "TS-S", "quantity": 3},
    )
    large = cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": shirt, "sku": "TS-XL"})

    assert no_variant.status == unknown.status == 400
    assert no_variant.body["field"] == "variant_sku"
    assert small.status == 409
    assert small.body["available"] == 2
    assert large.status == 200
    assert large.body["items"][0]["unit_price"] == 2200
    # The line says which variant, and shows the chosen colour's picture where it has one.
    assert large.body["items"][0]["variant_label"] == "XL"
    assert large.body["items"][0]["image_url"] == "https://shop.example/img/ts.svg"
    navy = cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": shirt, "sku": "TS-S"})
    line = next(item for item in navy.body["items"] if item["variant_sku"] == "TS-S")
    assert line["variant_label"] == "S / navy"
    assert line["image_url"] == "https://shop.example/img/ts-navy.svg"


def test_changes_reprice_from_the_catalog_and_drop_archived_products(
    cart_api: Call, shop_api: Call, create_product: CreateProduct
) -> None:
    kept = create_product(sku="K1", price=1000)["product_id"]
    dropped = create_product(sku="K2", price=500)["product_id"]
    cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": kept})
    cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": dropped})
    shop_api(
        api_event(
            "PUT", "/products/{id}", path_parameters={"id": kept}, body={"price": 1500}, claims=admin_claims()
        )
    )
    shop_api(api_event("DELETE", "/products/{id}", path_parameters={"id": dropped}, claims=admin_claims()))

    changed = cart_call(cart_api, "PUT", "/cart/update", user="u1", body={"product_id": kept, "quantity": 2})

    assert [(line["product_id"], line["unit_price"]) for line in changed.body["items"]] == [(kept, 1500)]
    assert changed.body["totals"]["subtotal"] == 3000
    assert {"product_id": dropped, "variant_sku": None, "notice": "no_longer_sold"} in changed.body["notices"]


def test_merge_adds_quantities_caps_at_stock_and_deletes_the_guest_cart(
    cart_api: Call, create_product: CreateProduct, shop_env: dict[str, str]
) -> None:
    shared = create_product(sku="M1", stock_quantity=5)["product_id"]
    guest_only = create_product(sku="M2", stock_quantity=5)["product_id"]
    cart_id = cart_call(cart_api, "POST", "/cart/add", body={"product_id": shared, "quantity": 4}).body[
        "cart_id"
    ]
    cart_call(cart_api, "POST", "/cart/add", cart_id=cart_id, body={"product_id": guest_only, "quantity": 1})
    cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": shared, "quantity": 3})

    anonymous = cart_call(cart_api, "POST", "/cart/merge", body={"cart_id": cart_id})
    merged = cart_call(cart_api, "POST", "/cart/merge", user="u1", body={"cart_id": cart_id})
    repeated = cart_call(cart_api, "POST", "/cart/merge", user="u1", body={"cart_id": cart_id})

    assert anonymous.status == 401
    assert merged.status == 200
    assert {line["product_id"]: line["quantity"] for line in merged.body["items"]} == {
        shared: 5,
        guest_only: 1,
    }
    assert any(notice["notice"] == "quantity_capped" for notice in merged.body["notices"])
    assert stored_cart(shop_env, guest_key(cart_id)) is None
    assert cart_call(cart_api, "GET", "/cart", cart_id=cart_id).body["items"] == []
    assert {line["product_id"]: line["quantity"] for line in repeated.body["items"]} == {
        shared: 5,
        guest_only: 1,
    }
    bad = cart_call(cart_api, "POST", "/cart/merge", user="u1", body={"cart_id": "x"})
    assert bad.status == 422
    assert bad.body["field"] == "cart_id"


def test_guest_routes_without_a_cart_id(cart_api: Call) -> None:
    assert cart_call(cart_api, "GET", "/cart").body["items"] == []
    assert cart_call(cart_api, "DELETE", "/cart/clear").status == 200
    no_cart = cart_call(cart_api, "PUT", "/cart/update", body={"product_id": "p", "quantity": 1})
    assert no_cart.status == 404
    assert no_cart.body["field"] == "X-Cart-Id"


def test_discount_codes_apply_to_the_preview_and_unknown_codes_are_400(
    cart_api: Call, create_product: CreateProduct
) -> None:
    product_id = create_product(price=3000, stock_quantity=5)["product_id"]
    cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": product_id, "quantity": 2})

    ten_percent = cart_call(cart_api, "GET", "/cart", user="u1", query={"discount_code": "save10"}).body[
        "totals"
    ]
    unknown = cart_call(cart_api, "GET", "/cart", user="u1", query={"discount_code": "FREE"})

    assert ten_percent["discount"] == 600
    assert ten_percent["discount_code"] == "SAVE10"
    assert ten_percent["shipping"] == 0  # 5400 after the discount is over the threshold
    assert ten_percent["total"] == 5400 + ten_percent["tax"]
    assert unknown.status == 400
    assert unknown.body["field"] == "discount_code"


def test_cart_reads_are_cached_and_writes_go_through(
    cart_api: Call, create_product: CreateProduct, capsys: pytest.CaptureFixture[str]
) -> None:
    product_id = create_product(stock_quantity=5)["product_id"]
    cart_call(cart_api, "POST", "/cart/add", user="u1", body={"product_id": product_id})
    capsys.readouterr()

    before = cart_call(cart_api, "GET", "/cart", user="u1")
    cart_call(cart_api, "PUT", "/cart/update", user="u1", body={"product_id": product_id, "quantity": 3})
    after = cart_call(cart_api, "GET", "/cart", user="u1")

    assert before.body["items"][0]["quantity"] == 1
    assert after.body["items"][0]["quantity"] == 3
    # Three hits: both reads, and the change, which starts from the cart Redis holds (issue 20).
    assert emitted_metrics(capsys.readouterr().out)[(CACHE_HIT, CART_CACHE)] == 3


def test_cart_works_while_redis_is_down(
    shop_env: dict[str, str],
    create_product: CreateProduct,
    cart_api: Call,
    redis_down: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    product_id = create_product(stock_quantity=5)["product_id"]
    capsys.readouterr()

    added = cart_call(
        cart_api, "POST", "/cart/add", user="u1", body={"product_id": product_id, "quantity": 2}
    )
    fetched = cart_call(cart_api, "GET", "/cart", user="u1")

    assert added.status == fetched.status == 200
    assert fetched.body["items"][0]["quantity"] == 2
    assert emitted_metrics(capsys.readouterr().out)[(CACHE_UNAVAILABLE, CART_CACHE)] >= 2
