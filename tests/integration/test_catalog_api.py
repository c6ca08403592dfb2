"""shop_api's catalog routes through the real handler, moto and a real Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shop.catalog.model import ProductPageView, ProductView
from shop.contracts.metric_names import CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE, CATALOG_CACHE
from shop.platform.cache import shared_redis_outage
from tests.integration.conftest import Call, emitted_metrics, product_payload
from tests.integration.events import admin_claims, api_event, shopper_claims

# A file reference as the admin page saves it after the presigned upload (POST /admin/product-files).
EBOOK_FILE = {
    "file_id": "0123456789abcdef0123456789abcdef",
    "key": "files/0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210",
    "file_name": "ebook.pdf",
    "content_type": "application/pdf",
    "size_bytes": 1234,
}

CreateProduct = Callable[..., dict[str, Any]]


def get_product(shop_api: Call, product_id: str, **kwargs: Any) -> Any:
    return shop_api(api_event("GET", "/products/{id}", path_parameters={"id": product_id}, **kwargs))


def list_products(shop_api: Call, **query: str) -> Any:
    return shop_api(api_event("GET", "/products", query=query or None))


def test_created_product_is_served_and_then_cached(
    shop_api: Call, create_product: CreateProduct, capsys: pytest.CaptureFixture[str]
) -> None:
    created = create_product()
    assert created["product_id"].startswith("prod_")
    assert created["price"] == 2999
    assert created["currency"] == "USD"
    assert created["cache_version"] == 1
    assert created["rating"] == 0.0
    capsys.readouterr()

    first = get_product(shop_api, created["product_id"])
    second = get_product(shop_api, created["product_id"])

    assert first.status == second.status == 200
    assert first.body == second.body
    assert first.body["name"] == "Study Bible"
    assert "digital_files" not in first.body
    # The body is what the OpenAPI document promises.
    # (Its administrator-only fields are absent for shoppers, and low_stock_quantity when not low.)
    assert (
        ProductView.model_validate(first.body).model_dump(
            mode="json", exclude={"digital_files", "stock_quantity", "sales_count", "low_stock_quantity"}
        )
        == first.body
    )
    metrics = emitted_metrics(capsys.readouterr().out)
    # Creation wrote the product through, so both reads are hits.
    assert metrics[(CACHE_HIT, CATALOG_CACHE)] == 2
    assert metrics[(CACHE_MISS, CATALOG_CACHE)] == 0


def test_unknown_product_is_404(shop_api: Call) -> None:
    response = get_product(shop_api, "prod_missing")
    assert response.status == 404
    assert response.body["error"] == "not_found"


def test_admin_routes_refuse_shoppers_and_anonymous_callers(
    shop_api: Call, create_product: CreateProduct
) -> None:
    product = create_product()
    shopper = shopper_claims("user-1")
    anonymous_create = shop_api(api_event("POST", "/products", body=product_payload(name="X")))
    shopper_create = shop_api(api_event("POST", "/products", body=product_payload(name="X"), claims=shopper))
    shopper_update = shop_api(
        api_event(
            "PUT",
            "/products/{id}",
            path_parameters={"id": product["product_id"]},
            body={"price": 1},
            claims=shopper,
        )
    )
    shopper_delete = shop_api(
        api_event("DELETE", "/products/{id}", path_parameters={"id": product["product_id"]}, claims=shopper)
    )

    assert anonymous_create.status == 401
    assert shopper_create.status == shopper_update.status == shopper_delete.status == 403
    listing = list_products(shop_api)
    assert [item["product_id"] for item in listing.body["items"]] == [product["product_id"]]
    assert listing.body["items"][0]["price"] == 2999


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"price": -1}, "price"),
        ({"category": "Weapons"}, "category"),
        ({"name": ""}, "name"),
        ({"stock_quantity": "many"}, "stock_quantity"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_product_is_rejected_naming_the_field_and_nothing_is_written(
    shop_api: Call, override: dict[str, Any], field: str
) -> None:
    response = shop_api(
        api_event("POST", "/products", body=product_payload(**override), claims=admin_claims())
    )

    assert response.status == 422
    assert field in response.body["field"]
    assert list_products(shop_api).body["items"] == []


def test_digital_download_needs_a_file_and_hides_it_from_shoppers(
    shop_api: Call, create_product: CreateProduct
) -> None:
    missing_file = shop_api(
        api_event(
            "POST",
            "/products",
            body=product_payload(category="Digital Downloads", digital_download=True),
            claims=admin_claims(),
        )
    )
    assert (missing_file.status, missing_file.body["field"]) == (422, "digital_files")
    # The free-form URL of old is gone: files are uploaded to the private bucket instead.
    old_style = shop_api(
        api_event(
            "POST",
            "/products",
            body=product_payload(digital_download=True, download_url="https://files.example.com/a.pdf"),
            claims=admin_claims(),
        )
    )
    assert old_style.status == 422

    product = create_product(category="Digital Downloads", digital_download=True, digital_files=[EBOOK_FILE])
    assert product["digital_files"] == [EBOOK_FILE]
    shopper_view = get_product(shop_api, product["product_id"]).body
    assert "digital_files" not in shopper_view
    assert EBOOK_FILE["key"] not in str(shopper_view)
    admin_view = get_product(shop_api, product["product_id"], claims=admin_claims())
    assert admin_view.body["digital_files"] == [EBOOK_FILE]


def test_malformed_json_is_a_400_not_a_500(shop_api: Call) -> None:
    response = shop_api(api_event("POST", "/products", body="{not json", claims=admin_claims()))
    assert 400 <= response.status < 500
    assert list_products(shop_api).body["items"] == []


def test_update_invalidates_every_cached_view(shop_api: Call, create_product: CreateProduct) -> None:
    product = create_product()
    product_id = product["product_id"]
    assert get_product(shop_api, product_id).body["price"] == 2999  # now cached
    assert list_products(shop_api).body["items"][0]["price"] == 2999  # listing cached too
    assert list_products(shop_api, max_price="2999").body["total"] == 1

    updated = shop_api(
        api_event(
            "PUT",
            "/products/{id}",
            path_parameters={"id": product_id},
            body={"price": 3499, "name": "Study Bible, 2nd edition"},
            claims=admin_claims(),
        )
    )

    assert updated.status == 200
    assert updated.body["cache_version"] == 2
    detail = get_product(shop_api, product_id).body
    assert (detail["price"], detail["name"]) == (3499, "Study Bible, 2nd edition")
    assert list_products(shop_api).body["items"][0]["price"] == 3499
    assert list_products(shop_api, max_price="2999").body["total"] == 0


def test_update_that_would_leave_an_invalid_product_is_refused(
    shop_api: Call, create_product: CreateProduct
) -> None:
    product = create_product()
    response = shop_api(
        api_event(
            "PUT",
            "/products/{id}",
            path_parameters={"id": product["product_id"]},
            body={"digital_download": True},
            claims=admin_claims(),
        )
    )
    assert (response.status, response.body["field"]) == (422, "digital_files")
    assert get_product(shop_api, product["product_id"]).body["digital_download"] is False


def test_update_of_unknown_product_is_404(shop_api: Call) -> None:
    response = shop_api(
        api_event(
            "PUT",
            "/products/{id}",
            path_parameters={"id": "prod_nope"},
            body={"price": 5},
            claims=admin_claims(),
        )
    )
    assert response.status == 404


def test_delete_archives_the_product_for_shoppers_but_not_for_admins(
    shop_api: Call, create_product: CreateProduct
) -> None:
    product = create_product(featured=True)
    product_id = product["product_id"]
    assert get_product(shop_api, product_id).status == 200
    assert len(shop_api(api_event("GET", "/featured")).body["items"]) == 1

    deleted = shop_api(
        api_event("DELETE", "/products/{id}", path_parameters={"id": product_id}, claims=admin_claims())
    )

    assert deleted.status == 200
    assert deleted.body["status"] == "archived"
    assert get_product(shop_api, product_id).status == 404
    assert get_product(shop_api, product_id, claims=admin_claims()).body["status"] == "archived"
    assert list_products(shop_api).body["items"] == []
    assert shop_api(api_event("GET", "/featured")).body["items"] == []


def test_pagination_walks_every_product_once(shop_api: Call, create_product: CreateProduct) -> None:
    created = {
        create_product(name=f"Book {n:02d}", sku=f"BK-{n:04d}", price=1000 + n)["product_id"]
        for n in range(23)
    }
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = {"limit": "10", "sort": "price_asc"} | ({"cursor": cursor} if cursor else {})
        page = list_products(shop_api, **query)
        assert page.status == 200
        assert page.body["total"] == 23
        ProductPageView.model_validate(page.body)
        seen.extend(item["product_id"] for item in page.body["items"])
        pages += 1
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created


def test_cursor_from_another_query_or_garbage_is_a_400(shop_api: Call, create_product: CreateProduct) -> None:
    for n in range(3):
        create_product(sku=f"BK-{n}")
    cursor = list_products(shop_api, limit="1").body["next_cursor"]
    assert cursor
    other_query = list_products(shop_api, limit="1", sort="price_desc", cursor=cursor)
    garbage = list_products(shop_api, cursor="!!!not-a-cursor")
    assert other_query.status == garbage.status == 400
    assert other_query.body["field"] == garbage.body["field"] == "cursor"


def test_filters_and_search(shop_api: Call, create_product: CreateProduct) -> None:
    bible = create_product(name="Study Bible", price=2999, tags=["bible", "study"], sku="A1")
    create_product(
        name="Faith T-Shirt",
        category="Apparel",
        price=1999,
        tags=["shirt"],
        sku="A2",
        description="Cotton tee",
    )
    hoodie = create_product(
        name="Hoodie",
        category="Apparel",
        price=4599,
        tags=["winter"],
        description="Warm Bible verse hoodie",
        sku="A3",
    )

    def ids(**query: str) -> set[str]:
        response = list_products(shop_api, **query)
        assert response.status == 200, response.body
        return {item["name"] for item in response.body["items"]}

    assert ids(category="Apparel") == {"Faith T-Shirt", "Hoodie"}
    assert ids(min_price="2000", max_price="4000") == {"Study Bible"}
    assert ids(category="Apparel", min_price="2000") == {"Hoodie"}
    assert ids(tags="bible,study") == {"Study Bible"}
    assert ids(tags="bible,winter") == set()
    assert ids(q="bible") == {"Study Bible", "Hoodie"}
    assert ids(q="WARM bible") == {"Hoodie"}
    assert bible["product_id"] != hoodie["product_id"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"sort": "cheapest"}, "sort"),
        ({"category": "Weapons"}, "category"),
        ({"min_price": "-5"}, "min_price"),
        ({"min_price": "500", "max_price": "100"}, "min_price"),
    ],
)
def test_bad_listing_parameters_name_the_field(shop_api: Call, query: dict[str, str], field: str) -> None:
    response = list_products(shop_api, **query)
    assert response.status in (400, 422)
    assert field in response.body["field"]


def test_sort_orders(shop_api: Call, create_product: CreateProduct) -> None:
    cheap = create_product(name="Cheap", price=500, sku="S1")["product_id"]
    dear = create_product(name="Dear", price=9000, sku="S2")["product_id"]
    middle = create_product(name="Middle", price=2500, sku="S3")["product_id"]
    for user, rating in (("u1", 5), ("u2", 4)):
        assert (
            shop_api(
                api_event(
                    "POST",
                    "/reviews",
                    body={"product_id": middle, "rating": rating},
                    claims=shopper_claims(user),
                )
            ).status
            == 201
        )

    def order(sort: str) -> list[str]:
        return [item["product_id"] for item in list_products(shop_api, sort=sort).body["items"]]

    assert order("price_asc") == [cheap, middle, dear]
    assert order("price_desc") == [dear, middle, cheap]
    assert order("newest") == [middle, dear, cheap]
    assert order("rating")[0] == middle


def test_categories_count_active_products(shop_api: Call, create_product: CreateProduct) -> None:
    create_product(sku="C1")
    create_product(sku="C2", category="Apparel")
    archived = create_product(sku="C3", category="Apparel")
    shop_api(
        api_event(
            "DELETE", "/products/{id}", path_parameters={"id": archived["product_id"]}, claims=admin_claims()
        )
    )

    response = shop_api(api_event("GET", "/categories"))

    counts = {entry["name"]: entry["product_count"] for entry in response.body["categories"]}
    assert counts == {
        "Books": 1,
        "Apparel": 1,
        "Resources": 0,
        "Digital Downloads": 0,
        "Merchandise": 0,
        "Ministry Tools": 0,
    }


def test_featured_and_bestsellers(shop_api: Call, create_product: CreateProduct) -> None:
    from shop.catalog.repository import ProductRepository

    featured = create_product(sku="F1", featured=True)["product_id"]
    plain = create_product(sku="F2")["product_id"]
    # Sales are counted by the order pipeline; a direct update stands in for it here.
    ProductRepository().update(plain, {"sales_count": 40})
    ProductRepository().update(featured, {"sales_count": 3})

    assert [item["product_id"] for item in shop_api(api_event("GET", "/featured")).body["items"]] == [
        featured
    ]
    bestsellers = shop_api(api_event("GET", "/bestsellers")).body["items"]
    assert [item["product_id"] for item in bestsellers] == [plain, featured]


def test_listing_never_scans_the_table(shop_api: Call, create_product: CreateProduct) -> None:
    from shop.platform.dynamodb import dynamodb_resource

    create_product(sku="N1")
    scans: list[str] = []
    dynamodb_resource().meta.client.meta.events.register(
        "before-call.dynamodb.Scan", lambda **kwargs: scans.append(kwargs["model"].name)
    )
    for query in ({}, {"category": "Books"}, {"sort": "price_desc", "q": "bible"}):
        assert list_products(shop_api, **query).status == 200
    for route in ("/categories", "/featured", "/bestsellers"):
        assert shop_api(api_event("GET", route)).status == 200
    assert scans == []


def test_redis_down_serves_from_dynamodb_and_counts_the_outage(
    shop_env: dict[str, str],
    create_product: CreateProduct,
    shop_api: Call,
    redis_down: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    product = create_product(sku="R1")

    detail = get_product(shop_api, product["product_id"])
    listing = list_products(shop_api)
    again = get_product(shop_api, product["product_id"])

    assert detail.status == listing.status == again.status == 200
    assert detail.body["name"] == again.body["name"] == "Study Bible"
    assert [item["product_id"] for item in listing.body["items"]] == [product["product_id"]]
    assert not shared_redis_outage.open  # the breaker is holding Redis off instead of retrying per call
    metrics = emitted_metrics(capsys.readouterr().out)
    assert metrics[(CACHE_UNAVAILABLE, CATALOG_CACHE)] >= 3
    assert metrics[(CACHE_HIT, CATALOG_CACHE)] == 0


def test_health_and_partner_routes(shop_api: Call, create_product: CreateProduct) -> None:
    product = create_product(category="Digital Downloads", digital_download=True, digital_files=[EBOOK_FILE])
    health = shop_api(api_event("GET", "/health"))
    feed = shop_api(api_event("GET", "/partner/products", query={"category": "Digital Downloads"}))
    one = shop_api(api_event("GET", "/partner/products/{id}", path_parameters={"id": product["product_id"]}))
    assert health.status == 200
    assert health.body["cache"] == "up"
    assert [item["product_id"] for item in feed.body["items"]] == [product["product_id"]]
    assert one.status == 200
    assert "digital_files" not in one.body
