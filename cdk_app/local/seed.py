"""Seeds the local shop: an admin, a shopper, the starting promotions, the sample catalog (pictures,
apparel variants) and a few shoppers' reviews, through the real API.

The admin's sign-in needs an authenticator code, as every administrator's does (the pool's pre token
generation trigger leaves `admin` out of the tokens of a user without TOTP): the seed sets up TOTP for
the admin, keeps the secret for `sign_in` and the runner's banner, and answers the challenge itself.

Called by the runner after the resources exist (and after a `--persist` restore), before it serves.
It is idempotent: accounts that exist are kept, a promotion that exists answers 409 and is kept, and
the catalog is created only when it is empty.
Products go in through `POST /products` with an admin token and the admin API key, the same path an
administrator's browser takes, so the seed also proves the admin route works. A digital product's
sample file is uploaded first as the admin page does it: `POST /admin/product-files`, then the
presigned POST form to the private digital-files bucket (moto's S3). The reviews are posted by three
named local shoppers with their own tokens (`POST /reviews`), once, with the catalog. None of them is
a verified purchase: the seed runs before the runner starts the queues and streams that take an order
to paid, so an order placed here would stay pending until after the seed.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import requests

from cdk_app.local.api_gateway import HttpRequest
from cdk_app.local.product_art import image_url, product_images
from cdk_app.local.sample_catalog import (
    ADMIN_EMAIL,
    LOCAL_PASSWORD,
    SAMPLE_PRODUCTS,
    SAMPLE_PROMOTIONS,
    SHOPPER_EMAIL,
    SampleProduct,
    sample_file,
)
from cdk_app.local.sample_products import variants
from cdk_app.local.sample_reviews import SAMPLE_REVIEWERS, SAMPLE_REVIEWS
from cdk_app.local.totp import fresh_totp_code, otpauth_uri

if TYPE_CHECKING:
    from cdk_app.local.runner import LocalShop

logger = logging.getLogger(__name__)
ADMIN_GROUP = "admin"
ADMIN_API_KEY_SUFFIX = "-admin"
TOTP = "SOFTWARE_TOKEN_MFA"  # Cognito's name for an authenticator app
AUTHENTICATOR_ISSUER = "Shop (local)"
# The admin's authenticator secret per user pool id: Cognito never hands a secret out twice.
_admin_secrets: dict[str, str] = {}


def seed(shop: LocalShop) -> None:
    assert shop.model is not None
    assert shop.aws is not None
    assert shop.gateway is not None
    if not shop.model.user_pools:
        return
    cognito = shop.aws.client("cognito-idp")
    pool_id, client_id = _pool_and_client(shop)
    _ensure_user(cognito, pool_id, ADMIN_EMAIL, "Shop Admin", admin=True)
    _ensure_user(cognito, pool_id, SHOPPER_EMAIL, "Sam Shopper", admin=False)
    _ensure_totp(cognito, pool_id, client_id, ADMIN_EMAIL)
    token = sign_in(shop, ADMIN_EMAIL, LOCAL_PASSWORD)["IdToken"]
    api_key = next(
        (value for name, value in shop.api_keys.items() if name.endswith(ADMIN_API_KEY_SUFFIX)), ""
    )
    _create_promotions(shop, token=token, api_key=api_key)
    if _catalog_has_products(shop):
        return
    base_url = shop.server.url if shop.server is not None else ""
    product_ids = {}
    for product in SAMPLE_PRODUCTS:
        files = [_upload_sample_file(shop, product, token=token, api_key=api_key)] if product.digital else []
        product_ids[product.sku] = _create_product(
            shop, product, token=token, api_key=api_key, base_url=base_url, digital_files=files
        )
    _post_reviews(shop, cognito, pool_id, product_ids)
    logger.info("local shop: seeded %d products, %d reviews", len(SAMPLE_PRODUCTS), len(SAMPLE_REVIEWS))


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


def _pool_and_client(shop: LocalShop) -> tuple[str, str]:
    assert shop.model is not None
    pool = shop.model.user_pools[0]
    values = shop.model.resources.values
    return values[pool.address].ref, values[pool.clients[0].address].ref


def _ensure_totp(cognito: Any, pool_id: str, client_id: str, email: str) -> str:
    """TOTP on for `email`, with a secret this process knows; a user whose secret it does not know
    (a restored or earlier run's) gets a new one, as an admin who lost their phone would."""
    enabled = TOTP in (
        cognito.admin_get_user(UserPoolId=pool_id, Username=email).get("UserMFASettingList") or ()
    )
    if enabled and pool_id in _admin_secrets:
        return _admin_secrets[pool_id]
    if enabled:
        cognito.admin_set_user_mfa_preference(
            UserPoolId=pool_id,
            Username=email,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
    # What account.html does: sign in, ask for a secret, prove a code from it, make TOTP the method.
    access_token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": LOCAL_PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    # Base32 is case-blind; authenticator apps and the otpauth URI format expect capitals.
    secret = str(cognito.associate_software_token(AccessToken=access_token)["SecretCode"]).upper()
    cognito.verify_software_token(
        AccessToken=access_token, UserCode=fresh_totp_code(secret), FriendlyDeviceName="local seed"
    )
    cognito.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    _admin_secrets[pool_id] = secret
    logger.info("local shop: %s signs in with an authenticator code (secret %s)", email, secret)
    return secret


def admin_totp_secret(shop: LocalShop) -> str | None:
    """The seeded admin's authenticator secret (None before seeding, or without a user pool)."""
    if shop.model is None or not shop.model.user_pools:
        return None
    return _admin_secrets.get(_pool_and_client(shop)[0])


def admin_otpauth_uri(shop: LocalShop) -> str | None:
    """The `otpauth://` URI an authenticator app imports for the seeded admin."""
    secret = admin_totp_secret(shop)
    return otpauth_uri(secret, account=ADMIN_EMAIL, issuer=AUTHENTICATOR_ISSUER) if secret else None


def sign_in(shop: LocalShop, email: str, password: str) -> dict[str, Any]:
    """Cognito's AuthenticationResult for `email`, signed in as the web site does (USER_PASSWORD_AUTH),
    answering the authenticator-code challenge for the seeded admin."""
    assert shop.aws is not None
    cognito = shop.aws.client("cognito-idp")
    pool_id, client_id = _pool_and_client(shop)
    answer = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    if answer.get("ChallengeName") == TOTP:
        secret = _admin_secrets.get(pool_id) if email == ADMIN_EMAIL else None
        if secret is None:
            raise RuntimeError(f"{email} signs in with an authenticator code, and this process has no secret")
        answer = cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName=TOTP,
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": fresh_totp_code(secret)},
        )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


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


def product_body(product: SampleProduct, *, base_url: str) -> dict[str, Any]:
    """What an administrator would send for `product`: its pictures (main first), variants with their
    colour's picture, and the details a shop page shows."""
    pictures = product_images(product)
    images = [image_url(base_url, product.sku, picture.suffix) for picture in pictures]
    # product_images lists one picture per colour first, in the colours' order.
    colour_images = {colour.name: images[index] for index, colour in enumerate(product.colours)}
    body: dict[str, Any] = {
        "name": product.name,
        "description": product.description,
        "category": product.category,
        "subcategory": product.subcategory,
        "price": product.price_cents,
        "currency": "USD",
        "sku": product.sku,
        "stock_quantity": product.stock,
        "image_url": images[0],
        "images": images,
        "tags": list(product.tags),
        "featured": product.featured,
        "digital_download": product.digital,
        "variants": [
            {
                "sku": variant.sku,
                "size": variant.size,
                "colour": variant.colour.name,
                "price": variant.price_cents,
                "stock_quantity": variant.stock,
                "image_url": colour_images[variant.colour.name],
            }
            for variant in variants(product)
        ],
    }
    if product.weight_lb is not None:
        body["weight"] = product.weight_lb
    if product.dimensions_in is not None:
        length, width, height = product.dimensions_in
        body["dimensions"] = {"length": length, "width": width, "height": height, "unit": "in"}
    return body


def _create_product(
    shop: LocalShop,
    product: SampleProduct,
    *,
    token: str,
    api_key: str,
    base_url: str,
    digital_files: list[dict[str, Any]],
) -> str:
    """Creates `product` as an administrator does; its product id."""
    body = product_body(product, base_url=base_url)
    if digital_files:
        body["digital_files"] = digital_files
    response = _admin_call(shop, "POST", "/products", body, token=token, api_key=api_key)
    if response.status not in (200, 201):
        raise RuntimeError(
            f"seed: creating {product.sku} answered {response.status}: {response.body[:300]!r}"
        )
    return str(json.loads(response.body)["product_id"])


def _post_reviews(shop: LocalShop, cognito: Any, pool_id: str, product_ids: dict[str, str]) -> None:
    """Each sample reviewer signs in and posts their reviews, as a shopper's browser does."""
    assert shop.gateway is not None
    tokens = {}
    for reviewer in SAMPLE_REVIEWERS:
        _ensure_user(cognito, pool_id, reviewer.email, reviewer.name, admin=False)
        tokens[reviewer.email] = sign_in(shop, reviewer.email, LOCAL_PASSWORD)["IdToken"]
    for review in SAMPLE_REVIEWS:
        body = {
            "product_id": product_ids[review.sku],
            "rating": review.rating,
            "title": review.title,
            "review_text": review.text,
            "user_name": review.reviewer.name,
        }
        response = shop.gateway.handle(
            HttpRequest(
                method="POST",
                path="/reviews",
                headers=(
                    ("Authorization", tokens[review.reviewer.email]),
                    ("Content-Type", "application/json"),
                ),
                body=json.dumps(body).encode(),
            )
        )
        if response.status not in (200, 201):
            answer = f"{response.status}: {response.body[:300]!r}"
            raise RuntimeError(f"seed: {review.reviewer.email}'s review of {review.sku} answered {answer}")
