"""Seeds the local shop: an admin, a shopper, and the sample catalog, through the real API.

Called by the runner after the resources exist (and after a `--persist` restore), before it serves.
It is idempotent: accounts that exist are kept, and the catalog is created only when it is empty.
Products go in through `POST /products` with an admin token and the admin API key, the same path an
administrator's browser takes, so the seed also proves the admin route works.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from cdk_app.local.api_gateway import HttpRequest
from cdk_app.local.sample_catalog import (
    ADMIN_EMAIL,
    LOCAL_PASSWORD,
    SAMPLE_PRODUCTS,
    SHOPPER_EMAIL,
    SampleProduct,
)

if TYPE_CHECKING:
    from cdk_app.local.runner import LocalShop

logger = logging.getLogger(__name__)
ADMIN_GROUP = "admin"
ADMIN_API_KEY_SUFFIX = "-admin"


def seed(shop: LocalShop) -> None:
    assert shop.model is not None
    assert shop.aws is not None
    assert shop.gateway is not None
    if not shop.model.user_pools:
        return
    cognito = shop.aws.client("cognito-idp")
    pool = shop.model.user_pools[0]
    pool_id = shop.model.resources.values[pool.address].ref
    client_id = shop.model.resources.values[pool.clients[0].address].ref
    _ensure_user(cognito, pool_id, ADMIN_EMAIL, "Shop Admin", admin=True)
    _ensure_user(cognito, pool_id, SHOPPER_EMAIL, "Sam Shopper", admin=False)
    if _catalog_has_products(shop):
        return
    token = _id_token(cognito, client_id, ADMIN_EMAIL)
    api_key = next(
        (value for name, value in shop.api_keys.items() if name.endswith(ADMIN_API_KEY_SUFFIX)), ""
    )
    base_url = shop.server.url if shop.server is not None else ""
    downloads = _DownloadStore(shop)
    for product in SAMPLE_PRODUCTS:
        download_url = downloads.put(product) if product.digital else None
        _create_product(
            shop, product, token=token, api_key=api_key, base_url=base_url, download_url=download_url
        )
    logger.info("local shop: seeded %d products", len(SAMPLE_PRODUCTS))


def _ensure_user(cognito: Any, pool_id: str, email: str, name: str, *, admin: bool) -> None:
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=email)
    except cognito.exceptions.UserNotFoundException:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name},
            ],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=LOCAL_PASSWORD, Permanent=True
        )
    if admin:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=ADMIN_GROUP)


def _id_token(cognito: Any, client_id: str, email: str) -> str:
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": LOCAL_PASSWORD},
    )
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def _catalog_has_products(shop: LocalShop) -> bool:
    # Straight to the table: GET /products may be answered from the emulated stage cache.
    assert shop.model is not None
    assert shop.aws is not None
    products = next(table for table in shop.model.tables if table.name.endswith("-Products"))
    found = shop.aws.client("dynamodb").scan(TableName=products.name, Limit=1, Select="COUNT")
    return bool(found["Count"])


class _DownloadStore:
    """Digital products' files live in the product-images bucket (locally: moto's S3)."""

    def __init__(self, shop: LocalShop) -> None:
        assert shop.model is not None
        assert shop.aws is not None
        bucket = next(b for b in shop.model.buckets if b.address.logical_id.startswith("ProductImages"))
        self._bucket = bucket.name
        self._endpoint = shop.aws.endpoint_url
        self._s3 = shop.aws.client("s3")

    def put(self, product: SampleProduct) -> str:
        key = f"downloads/{product.sku}.txt"
        self._s3.put_object(
            Bucket=self._bucket,
            Key=key,
            Body=f"{product.name}\n\n{product.description}\n".encode(),
            ContentType="text/plain",
        )
        return f"{self._endpoint}/{self._bucket}/{key}"


def _create_product(
    shop: LocalShop,
    product: SampleProduct,
    *,
    token: str,
    api_key: str,
    base_url: str,
    download_url: str | None,
) -> None:
    assert shop.gateway is not None
    image = f"{base_url}/img/products/{product.sku}.svg"
    body = {
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "price": product.price_cents,
        "currency": "USD",
        "sku": product.sku,
        "stock_quantity": product.stock,
        "image_url": image,
        "images": [image],
        "tags": list(product.tags),
        "featured": product.featured,
        "digital_download": product.digital,
    }
    if download_url:
        body["download_url"] = download_url
    response = shop.gateway.handle(
        HttpRequest(
            method="POST",
            path="/products",
            headers=(("Authorization", token), ("X-Api-Key", api_key), ("Content-Type", "application/json")),
            body=json.dumps(body).encode(),
        )
    )
    if response.status not in (200, 201):
        raise RuntimeError(
            f"seed: creating {product.sku} answered {response.status}: {response.body[:300]!r}"
        )
