"""Digital products' files: administrators upload (and replace) them with presigned POST forms to the
private digital-files bucket, every upload is audited, and the product keeps only references."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import boto3
import pytest
import requests

from shop.catalog.digital_files import FileUploadView
from shop.contracts import environment
from shop.contracts.digital_files import MAX_FILE_BYTES
from tests.integration.conftest import Call, reset_module_state
from tests.integration.events import admin_claims, api_event, shopper_claims

BUCKET = "test-digital-files"
PDF = b"%PDF-1.4\n% a sermon outline\n%%EOF\n"


@pytest.fixture
def files_bucket(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(environment.DIGITAL_FILES_BUCKET, BUCKET)
    reset_module_state()
    return s3


def presign(shop_api: Call, body: Any, claims: dict[str, str] | None = None) -> Any:
    return shop_api(api_event("POST", "/admin/product-files", body=body, claims=claims or admin_claims()))


def _audit(action: str) -> list[dict[str, Any]]:
    items = boto3.resource("dynamodb").Table("test-AuditLog").scan()["Items"]
    return [item for item in items if item["action"] == action]


def test_presign_answers_a_post_form_for_a_new_private_key(shop_api: Call, files_bucket: Any) -> None:
    response = presign(shop_api, {"content_type": "application/pdf", "file_name": "Sermon outlines.pdf"})

    assert response.status == 201, response.body
    FileUploadView.model_validate(response.body)
    file_id, key = response.body["file_id"], response.body["key"]
    assert re.fullmatch(r"[0-9a-f]{32}", file_id)
    assert re.fullmatch(rf"files/{file_id}/[0-9a-f]{{32}}", key)  # never the file's own name
    assert response.body["max_bytes"] == MAX_FILE_BYTES
    assert response.body["expires_in"] == 300
    fields = response.body["upload"]["fields"]
    conditions = json.loads(base64.b64decode(fields["policy"]))["conditions"]
    assert {"key": key} in conditions
    assert {"bucket": BUCKET} in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert ["content-length-range", 1, MAX_FILE_BYTES] in conditions
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"


def test_the_browsers_multipart_post_stores_the_file_at_its_key(shop_api: Call, files_bucket: Any) -> None:
    answer = presign(shop_api, {"content_type": "application/pdf", "file_name": "outline.pdf"}).body
    posted = requests.post(
        answer["upload"]["url"],
        data=answer["upload"]["fields"],
        files={"file": ("outline.pdf", PDF, "application/pdf")},
        headers={"Origin": "https://shop.example.com"},
        timeout=10,
    )

    assert posted.status_code in (200, 201, 204), posted.text
    stored = files_bucket.get_object(Bucket=BUCKET, Key=answer["key"])
    assert (stored["ContentType"], stored["Body"].read()) == ("application/pdf", PDF)


def test_a_replacement_keeps_the_file_id_gets_a_new_key_and_both_are_audited(
    shop_api: Call, files_bucket: Any
) -> None:
    first = presign(shop_api, {"content_type": "application/pdf", "file_name": "v1.pdf"}).body
    second = presign(
        shop_api, {"content_type": "application/pdf", "file_name": "v2.pdf", "replaces": first["file_id"]}
    ).body

    assert second["file_id"] == first["file_id"]
    assert second["key"] != first["key"]
    [upload] = _audit("product_file.upload")
    [replace] = _audit("product_file.replace")
    assert upload["entity"] == replace["entity"] == f"product-file#{first['file_id']}"
    assert (upload["actor"], replace["actor"]) == ("admin-1", "admin-1")
    assert replace["after"]["key"] == second["key"]
    assert replace["after"]["file_name"] == "v2.pdf"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "text/html", "file_name": "x.html"}, "content_type"),
        ({"content_type": "application/x-msdownload", "file_name": "x.exe"}, "content_type"),
        ({"file_name": "x.pdf"}, "content_type"),
        ({"content_type": "application/pdf"}, "file_name"),
        ({"content_type": "application/pdf", "file_name": "../../etc/passwd"}, "file_name"),
        ({"content_type": "application/pdf", "file_name": 'a"b.pdf'}, "file_name"),
        ({"content_type": "application/pdf", "file_name": "x.pdf", "replaces": "../other"}, "replaces"),
        ({"content_type": "application/pdf", "file_name": "x.pdf", "key": "files/x"}, "key"),
    ],
)
def test_a_bad_upload_request_is_refused_naming_the_field(
    shop_api: Call, files_bucket: Any, body: dict[str, Any], field: str
) -> None:
    response = presign(shop_api, body)

    assert response.status == 422
    assert response.body["field"] == field
    assert _audit("product_file.upload") == []


def test_file_uploads_are_for_administrators_only(shop_api: Call, files_bucket: Any) -> None:
    body = {"content_type": "application/pdf", "file_name": "x.pdf"}
    shopper = presign(shop_api, body, claims=shopper_claims("user-1"))
    anonymous = shop_api(api_event("POST", "/admin/product-files", body=body))

    assert (shopper.status, shopper.body["error"]) == (403, "forbidden")
    assert anonymous.status == 401
    assert "upload" not in shopper.body


def test_a_product_names_only_keys_of_its_own_files(shop_api: Call, files_bucket: Any) -> None:
    answer = presign(shop_api, {"content_type": "application/pdf", "file_name": "a.pdf"}).body
    reference = {
        "file_id": answer["file_id"],
        "key": answer["key"],
        "file_name": "a.pdf",
        "content_type": "application/pdf",
    }
    elsewhere = {**reference, "key": "product-images/products/0123456789abcdef0123456789abcdef.png"}
    other_file = {**reference, "file_id": "0" * 32}
    for bad in (elsewhere, other_file, {**reference, "content_type": "text/html"}):
        response = shop_api(
            api_event(
                "POST",
                "/products",
                body={
                    "name": "Sermon pack",
                    "category": "Ministry Tools",
                    "price": 2900,
                    "sku": "MT-1",
                    "digital_download": True,
                    "digital_files": [bad],
                },
                claims=admin_claims(),
            )
        )
        assert response.status == 422, bad
        assert response.body["field"].startswith("digital_files"), response.body


def test_a_product_stored_with_the_old_download_url_still_reads(shop_api: Call, files_bucket: Any) -> None:
    boto3.resource("dynamodb").Table("test-Products").put_item(
        Item={
            "product_id": "prod_old",
            "name": "Old e-book",
            "category": "Digital Downloads",
            "price": 500,
            "currency": "USD",
            "sku": "OLD-1",
            "status": "active",
            "digital_download": True,
            "download_url": "https://files.example.com/old.pdf",
            "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z",
        }
    )
    shopper = shop_api(api_event("GET", "/products/{id}", path_parameters={"id": "prod_old"}))
    admin = shop_api(
        api_event("GET", "/products/{id}", path_parameters={"id": "prod_old"}, claims=admin_claims())
    )

    assert shopper.status == admin.status == 200
    assert "download_url" not in shopper.body
    assert admin.body["digital_files"] == []  # the admin page asks for a file to be uploaded
