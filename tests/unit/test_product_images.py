"""Product images: the route table agrees with the handler's model, and the local site serves the bucket."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from cdk_app.api_routes import ROUTES
from cdk_app.local.api_gateway import ApiGateway
from cdk_app.local.product_images import PATH_PREFIX, ProductImageFiles
from cdk_app.local.server import ShopHttpServer
from shop.catalog.images import (
    IMAGE_CONTENT_TYPES,
    ImageUploadRequest,
    new_image_key,
)
from shop.contracts.product_images import KEY_PREFIX, SITE_PATH_PREFIX

BUCKET = "local-product-images"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _upload_route_body() -> dict[str, Any]:
    [route] = [r for r in ROUTES if (r.method, r.path) == ("POST", "/admin/product-images")]
    assert route.body is not None
    return route.body


def test_api_gateway_model_and_handler_model_accept_the_same_content_types() -> None:
    properties = _upload_route_body()["properties"]
    assert properties["content_type"]["enum"] == list(IMAGE_CONTENT_TYPES)
    for content_type in IMAGE_CONTENT_TYPES:
        ImageUploadRequest(content_type=content_type, file_name="x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="content_type"):
        ImageUploadRequest(content_type="image/svg+xml", file_name="x")  # type: ignore[arg-type]
    limits = properties["file_name"]
    assert (limits["minLength"], limits["maxLength"]) == (1, 200)
    ImageUploadRequest(content_type="image/png", file_name="x" * 200)
    with pytest.raises(ValidationError, match="file_name"):
        ImageUploadRequest(content_type="image/png", file_name="x" * 201)


def test_keys_live_under_the_path_the_site_serves() -> None:
    key = new_image_key("image/webp")
    assert key.startswith(KEY_PREFIX)
    assert KEY_PREFIX.startswith(f"{SITE_PATH_PREFIX}/")
    assert f"/{key}".startswith(PATH_PREFIX)  # the local runner serves exactly the keys handed out
    assert key.endswith(".webp")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        client.put_object(
            Bucket=BUCKET, Key="product-images/products/abc 1.png", Body=PNG, ContentType="image/png"
        )
        client.put_object(
            Bucket=BUCKET, Key="downloads/BK-1.txt", Body=b"paid file", ContentType="text/plain"
        )
        yield client


def test_serves_an_image_by_its_key_with_its_content_type(s3: Any) -> None:
    files = ProductImageFiles(s3, BUCKET)

    found = files.get("/product-images/products/abc%201.png")
    missing = files.get("/product-images/products/nope.png")

    assert found.status == 200
    assert found.body == PNG
    assert found.header("Content-Type") == "image/png"
    assert missing.status == 404


def test_serves_nothing_outside_the_images_prefix(s3: Any) -> None:
    files = ProductImageFiles(s3, BUCKET)
    assert not files.serves("/downloads/BK-1.txt")
    assert files.get("/downloads/BK-1.txt").status == 404


def test_local_site_serves_product_images_from_the_bucket(s3: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>shop</title>")
    server = ShopHttpServer(
        ApiGateway([], lambda address, event: None, stage="v1"),
        web_root=tmp_path,
        config=lambda base: {},
        port=0,
        product_images=ProductImageFiles(s3, BUCKET),
    ).start()
    try:
        with urllib.request.urlopen(f"{server.url}/product-images/products/abc%201.png", timeout=5) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"] == "image/png"
            assert answer.read() == PNG
        with pytest.raises(urllib.error.HTTPError) as unknown:
            urllib.request.urlopen(f"{server.url}/product-images/products/missing.png", timeout=5)
        assert unknown.value.code == 404
        with urllib.request.urlopen(f"{server.url}/index.html", timeout=5) as page:
            assert b"shop" in page.read()  # the rest of the site is still web/
    finally:
        server.stop()
