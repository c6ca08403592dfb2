"""Seeds the local shop: an admin, a shopper, the starting promotions and the sample catalog, through
the real API.

Called by the runner after the resources exist (and after a `--persist` restore), before it serves.
It is idempotent: accounts that exist are kept, a promotion that exists answers 409 and is kept, and
the catalog is created only when it is empty.
Products go in through `POST /products` with an admin token and the admin API key, the same path an
administrator's browser takes, so the seed also proves the admin route works. A digital product's
sample file is uploaded first as the admin page does it: `POST /admin/product-files`, then the
presigned POST form to the private digital-files bucket (moto's S3).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import requests

from cdk_app.local.api_gateway import HttpRequest
from cdk_app.local.sample_catalog import (
    ADMIN_EMAIL,
    LOCAL_PASSWORD,
    SAMPLE_PRODUCTS,
    SAMPLE_PROMOTIONS,
    SHOPPER_EMAIL,
    SampleProduct,
    sample_file,
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
    token = _id_token(cognito, client_id, ADMIN_EMAIL)
    api_key = next(
        (value for name, value in shop.api_keys.items() if name.endswith(ADMIN_API_KEY_SUFFIX)), ""
    )
    _create_promotions(shop, token=token, api_key=api_key)
    if _catalog_has_products(shop):
        return
    base_url = shop.server.url if shop.server is not None else ""
    for product in SAMPLE_PRODUCTS:
        files = [_upload_sample_file(shop, product, token=token, api_key=api_key)] if product.digital else []
        _create_product(shop, product, token=token, api_key=api_key, base_url=base_url, digital_files=files)
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


def _create_promotions(shop: LocalShop, *, token: str, api_key: str) -> None:
    """The starting codes, as an administrator creates promotions (409: kept from an earlier run)."""
    for terms in SAMPLE_PROMOTIONS:
        response = _admin_call(shop, "POST", "/admin/promotions", terms, token=token, api_key=api_key)
        if response.status not in (201, 409):
            answer = f"{response.status}: {response.body[:300]!r}"
            raise RuntimeError(f"seed: creating promotion {terms['code']} answered {answer}")


def _catalog_has_products(shop: LocalShop) -> bool:
    # Straight to the table: GET /products may be answered from the emulated stage cache.
    assert shop.model is not None
    assert shop.aws is not None
    products = next(table for table in shop.model.tables if table.name.endswith("-Products"))
    found = shop.aws.client("dynamodb").scan(TableName=products.name, Limit=1, Select="COUNT")
    return bool(found["Count"])


def _admin_call(shop: LocalShop, method: str, path: str, body: Any, *, token: str, api_key: str) -> Any:
    assert shop.gateway is not None
    return shop.gateway.handle(
        HttpRequest(
            method=method,
            path=path,
            headers=(("Authorization", token), ("X-Api-Key", api_key), ("Content-Type", "application/json")),
            body=json.dumps(body).encode(),
        )
    )


def _upload_sample_file(
    shop: LocalShop, product: SampleProduct, *, token: str, api_key: str
) -> dict[str, Any]:
    """The product's sample file in the digital-files bucket, uploaded as the admin page does it; the
    reference that goes into the product's `digital_files`."""
    file = sample_file(product)
    request = {"content_type": file.content_type, "file_name": file.file_name}
    response = _admin_call(shop, "POST", "/admin/product-files", request, token=token, api_key=api_key)
    if response.status != 201:
        raise RuntimeError(
            f"seed: presigning {product.sku}'s file answered {response.status}: {response.body[:300]!r}"
        )
    grant = json.loads(response.body)
    posted = requests.post(
        grant["upload"]["url"],
        data=grant["upload"]["fields"],
        files={"file": (file.file_name, file.body, file.content_type)},
        timeout=30,
    )
    if posted.status_code not in (200, 201, 204):
        raise RuntimeError(
            f"seed: uploading {product.sku}'s file answered {posted.status_code}: {posted.text[:300]}"
        )
    return {
        "file_id": grant["file_id"],
        "key": grant["key"],
        "file_name": file.file_name,
        "content_type": file.content_type,
        "size_bytes": len(file.body),
    }


def _create_product(
    shop: LocalShop,
    product: SampleProduct,
    *,
    token: str,
    api_key: str,
    base_url: str,
    digital_files: list[dict[str, Any]],
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
    if digital_files:
        body["digital_files"] = digital_files
    response = _admin_call(shop, "POST", "/products", body, token=token, api_key=api_key)
    if response.status not in (200, 201):
        raise RuntimeError(
            f"seed: creating {product.sku} answered {response.status}: {response.body[:300]!r}"
        )
