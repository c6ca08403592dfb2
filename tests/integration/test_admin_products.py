"""The admin shop page's backend: presigned product-image uploads and the all-statuses product listing."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import boto3
import pytest
import requests

from shop.catalog.admin_listing import AdminProductPageView
from shop.catalog.images import ImageUploadView
from shop.contracts import environment
from tests.integration.conftest import Call, reset_module_state
from tests.integration.events import admin_claims, api_event, shopper_claims

CreateProduct = Callable[..., dict[str, Any]]
BUCKET = "test-product-images"
# The smallest valid PNG: 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def images_bucket(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(environment.PRODUCT_IMAGES_BUCKET, BUCKET)
    reset_module_state()
    return s3


def presign(shop_api: Call, body: Any, claims: dict[str, str] | None = None) -> Any:
    return shop_api(api_event("POST", "/admin/product-images", body=body, claims=claims or admin_claims()))


def admin_list(
    shop_api: Call, query: Mapping[str, str] | None = None, *, claims: dict[str, str] | None = None
) -> Any:
    parameters: dict[str, str | list[str]] = dict(query or {})
    return shop_api(
        api_event("GET", "/admin/products", query=parameters or None, claims=claims or admin_claims())
    )


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return document


# -- POST /admin/product-images ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "extension"),
    [("image/png", "png"), ("image/jpeg", "jpg"), ("image/webp", "webp"), ("image/gif", "gif")],
)
def test_presign_answers_a_post_form_for_a_new_key_of_that_type(
    shop_api: Call, images_bucket: Any, content_type: str, extension: str
) -> None:
    response = presign(shop_api, {"content_type": content_type, "file_name": "cover photo.PNG"})

    assert response.status == 201, response.body
    ImageUploadView.model_validate(response.body)
    key = response.body["key"]
    assert re.fullmatch(rf"product-images/products/[0-9a-f]{{32}}\.{extension}", key)
    # Site-relative: CloudFront (and the local runner) serve the bucket's product-images/* at that path.
    assert response.body["image_url"] == key
    assert response.body["max_bytes"] == 5 * 1024 * 1024
    assert response.body["expires_in"] == 300
    fields = response.body["upload"]["fields"]
    assert fields["key"] == key
    assert fields["Content-Type"] == content_type
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert BUCKET in response.body["upload"]["url"]
    conditions = _policy(fields)["conditions"]
    assert {"key": key} in conditions
    assert {"bucket": BUCKET} in conditions
    assert {"Content-Type": content_type} in conditions
    assert ["content-length-range", 1, 5 * 1024 * 1024] in conditions


def test_every_presign_gets_its_own_key(shop_api: Call, images_bucket: Any) -> None:
    body = {"content_type": "image/png", "file_name": "same.png"}
    keys = {presign(shop_api, body).body["key"] for _ in range(3)}
    assert len(keys) == 3


def test_browser_style_multipart_post_stores_the_image_at_the_key(shop_api: Call, images_bucket: Any) -> None:
    answer = presign(shop_api, {"content_type": "image/png", "file_name": "pixel.png"}).body
    upload = answer["upload"]

    # What the page sends: every field, then the file last (S3 ignores fields after `file`).
    posted = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("pixel.png", PNG, "image/png")},
        headers={"Origin": "https://shop.example.com"},
        timeout=10,
    )

    assert posted.status_code in (200, 201, 204), posted.text
    stored = images_bucket.get_object(Bucket=BUCKET, Key=answer["key"])
    assert stored["ContentType"] == "image/png"
    assert stored["Body"].read() == PNG


def test_presign_is_recorded_in_the_audit_log(shop_api: Call, images_bucket: Any) -> None:
    answer = presign(shop_api, {"content_type": "image/gif", "file_name": "banner.gif"}).body
    entries = boto3.resource("dynamodb").Table("test-AuditLog").scan()["Items"]
    [entry] = [item for item in entries if item["action"] == "product_image.presign"]
    assert entry["entity"] == f"product-image#{answer['key']}"
    assert entry["actor"] == "admin-1"
    assert "banner.gif" in json.dumps(entry["after"], default=str)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "image/svg+xml", "file_name": "x.svg"}, "content_type"),
        ({"content_type": "text/html", "file_name": "x.html"}, "content_type"),
        ({"file_name": "x.png"}, "content_type"),
        ({"content_type": "image/png"}, "file_name"),
        ({"content_type": "image/png", "file_name": ""}, "file_name"),
        ({"content_type": "image/png", "file_name": "x" * 201}, "file_name"),
        ({"content_type": "image/png", "file_name": "x.png", "key": "../other"}, "key"),
    ],
)
def test_bad_upload_request_is_refused_naming_the_field(
    shop_api: Call, images_bucket: Any, body: dict[str, Any], field: str
) -> None:
    response = presign(shop_api, body)

    assert response.status == 422
    assert response.body["field"] == field
    assert images_bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0


def test_image_uploads_are_for_administrators_only(shop_api: Call, images_bucket: Any) -> None:
    body = {"content_type": "image/png", "file_name": "x.png"}
    shopper = presign(shop_api, body, claims=shopper_claims("user-1"))
    anonymous = shop_api(api_event("POST", "/admin/product-images", body=body))

    assert shopper.status == 403
    assert shopper.body["error"] == "forbidden"
    assert anonymous.status == 401
    assert "upload" not in shopper.body


# -- GET /admin/products -------------------------------------------------------------------------------


@pytest.fixture
def catalog(shop_api: Call, create_product: CreateProduct) -> dict[str, str]:
    """Four products, one of each kind the admin page must see."""
    products = {
        "bible": create_product(name="Study Bible", sku="BK-1", category="Books", stock_quantity=40),
        "shirt": create_product(
            name="Mission Shirt", description="Cotton tee", sku="AP-1", category="Apparel", stock_quantity=2
        ),
        "hymnal": create_product(name="Old Hymnal", sku="BK-2", category="Books", stock_quantity=0),
        "draft": create_product(
            name="Upcoming Journal", sku="BK-3", category="Books", stock_quantity=9, status="draft"
        ),
    }
    archived = shop_api(
        api_event(
            "DELETE",
            "/products/{id}",
            path_parameters={"id": products["hymnal"]["product_id"]},
            claims=admin_claims(),
        )
    )
    assert archived.status == 200
    return {name: product["product_id"] for name, product in products.items()}


def _ids(response: Any) -> set[str]:
    assert response.status == 200, response.body
    AdminProductPageView.model_validate(response.body)
    return {item["product_id"] for item in response.body["items"]}


def test_admin_listing_includes_archived_and_draft_products(shop_api: Call, catalog: dict[str, str]) -> None:
    everything = admin_list(shop_api)

    assert _ids(everything) == set(catalog.values())
    assert everything.body["next_cursor"] is None
    assert everything.body["low_stock_threshold"] == 5
    statuses = {item["product_id"]: item["status"] for item in everything.body["items"]}
    assert statuses[catalog["hymnal"]] == "archived"
    assert statuses[catalog["draft"]] == "draft"
    # Shoppers' listing, for contrast, hides both.
    public = shop_api(api_event("GET", "/products"))
    assert {item["product_id"] for item in public.body["items"]} == {catalog["bible"], catalog["shirt"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "archived"}, {"hymnal"}),
        ({"status": "active"}, {"bible", "shirt"}),
        ({"status": "all"}, {"bible", "shirt", "hymnal", "draft"}),
        ({"category": "Books"}, {"bible", "hymnal", "draft"}),
        ({"category": "Books", "status": "active"}, {"bible"}),
        ({"q": "hymnal"}, {"hymnal"}),
        ({"q": "COTTON"}, {"shirt"}),
        ({"low_stock": "true"}, {"shirt", "hymnal"}),
        ({"low_stock": "false"}, {"bible", "shirt", "hymnal", "draft"}),
        ({"low_stock": "true", "status": "active"}, {"shirt"}),
    ],
)
def test_admin_listing_filters(
    shop_api: Call, catalog: dict[str, str], query: dict[str, str], expected: set[str]
) -> None:
    assert _ids(admin_list(shop_api, query)) == {catalog[name] for name in expected}


def test_a_digital_download_is_never_low_on_stock(shop_api: Call, create_product: CreateProduct) -> None:
    ebook = create_product(
        name="Devotional eBook",
        sku="DG-1",
        category="Digital Downloads",
        stock_quantity=0,
        digital_download=True,
        digital_files=[
            {
                "file_id": "0123456789abcdef0123456789abcdef",
                "key": "files/0123456789abcdef0123456789abcdef/fedcba9876543210fedcba9876543210",
                "file_name": "devotional.pdf",
                "content_type": "application/pdf",
            }
        ],
    )
    low = admin_list(shop_api, {"low_stock": "true"})
    assert ebook["product_id"] not in _ids(low)
    assert ebook["product_id"] in _ids(admin_list(shop_api))


def test_low_stock_follows_the_inventory_threshold(
    shop_api: Call, catalog: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOW_STOCK_THRESHOLD", "10")
    response = admin_list(shop_api, {"low_stock": "true"})
    assert response.body["low_stock_threshold"] == 10
    assert _ids(response) == {catalog["shirt"], catalog["hymnal"], catalog["draft"]}


def test_admin_listing_pages_through_every_status_once(shop_api: Call, create_product: CreateProduct) -> None:
    created = [create_product(name=f"Item {n:02d}", sku=f"IT-{n:03d}")["product_id"] for n in range(9)]
    for product_id in created[:4]:
        shop_api(
            api_event("DELETE", "/products/{id}", path_parameters={"id": product_id}, claims=admin_claims())
        )
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = admin_list(shop_api, {"limit": "2"} | ({"cursor": cursor} if cursor else {}))
        assert page.status == 200, page.body
        assert 1 <= len(page.body["items"]) <= 2  # never an empty page
        seen.extend(item["product_id"] for item in page.body["items"])
        pages += 1
        cursor = page.body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert sorted(seen) == sorted(created)


def test_paging_with_a_selective_filter_skips_nothing(shop_api: Call, create_product: CreateProduct) -> None:
    wanted = {
        create_product(name=f"Rare {n}", sku=f"RR-{n}", stock_quantity=1)["product_id"] for n in range(3)
    }
    for n in range(6):
        create_product(name=f"Common {n}", sku=f"CM-{n}", stock_quantity=50)
    first = admin_list(shop_api, {"limit": "2", "low_stock": "true"})
    second = admin_list(shop_api, {"limit": "2", "low_stock": "true", "cursor": first.body["next_cursor"]})

    assert len(first.body["items"]) == 2
    assert second.body["next_cursor"] is None
    assert _ids(first) | _ids(second) == wanted


def test_admin_listing_reads_the_status_index_never_a_scan(shop_api: Call, catalog: dict[str, str]) -> None:
    from shop.platform.dynamodb import dynamodb_resource

    calls: list[tuple[str, str | None]] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if params.get("TableName") == "test-Products":
            calls.append((model.name, params.get("IndexName")))

    dynamodb_resource().meta.client.meta.events.register("before-parameter-build.dynamodb", record)
    assert _ids(admin_list(shop_api)) == set(catalog.values())
    # One query per status partition (active, draft, archived); never a Scan, never the cache.
    assert calls == [("Query", "status-sales_count-index")] * 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"category": "Weapons"}, "category"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"low_stock": "maybe"}, "low_stock"),
        ({"q": "!!!"}, "q"),
        ({"cursor": "!!!not-a-cursor"}, "cursor"),
    ],
)
def test_bad_listing_parameters_name_the_field(shop_api: Call, query: dict[str, str], field: str) -> None:
    response = admin_list(shop_api, query)
    assert 400 <= response.status < 500
    assert response.body["field"] == field


def test_cursor_of_another_query_or_tampered_is_a_400(shop_api: Call, create_product: CreateProduct) -> None:
    for n in range(3):
        create_product(sku=f"CU-{n}")
    cursor = admin_list(shop_api, {"limit": "1"}).body["next_cursor"]
    assert cursor
    other_query = admin_list(shop_api, {"limit": "1", "status": "archived", "cursor": cursor})
    state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    state["k"] = {"product_id": "x", "sales_count": "not-a-number"}
    tampered_raw = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
    tampered = admin_list(shop_api, {"limit": "1", "cursor": tampered_raw})

    assert other_query.status == tampered.status == 400
    assert other_query.body["field"] == tampered.body["field"] == "cursor"


def test_admin_listing_is_for_administrators_only(shop_api: Call, catalog: dict[str, str]) -> None:
    shopper = admin_list(shop_api, claims=shopper_claims("user-1"))
    anonymous = shop_api(api_event("GET", "/admin/products"))

    assert shopper.status == 403
    assert "items" not in shopper.body
    assert anonymous.status == 401
