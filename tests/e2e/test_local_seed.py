"""`make run`'s shop starts seeded: accounts that can sign in, and the sample catalog via the real API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from cdk_app.local.redis_server import free_port
from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.sample_catalog import (
    ADMIN_EMAIL,
    LOCAL_PASSWORD,
    SAMPLE_PRODUCTS,
    SHOPPER_EMAIL,
    sample_file,
)
from cdk_app.local.synth import synthesize_local_templates
from tests.e2e.conftest import reset_moto


@pytest.fixture(scope="module")
def seeded_shop() -> Iterator[LocalShop]:
    # moto's backends are process-wide: start from nothing, or another module's tables would count.
    reset_moto()
    shop = LocalShop(
        LocalShopOptions(
            port=free_port(), templates=synthesize_local_templates(), run_schedules=False, seed=True
        )
    ).start()
    try:
        yield shop
    finally:
        shop.stop()


def _api(shop: LocalShop, path: str) -> str:
    assert shop.server is not None
    return f"{shop.server.url}/api{path}"


def test_the_six_categories_hold_the_whole_sample_catalog(seeded_shop: LocalShop) -> None:
    categories = requests.get(_api(seeded_shop, "/categories"), timeout=10).json()["categories"]
    assert {category["name"] for category in categories} == {
        "Books",
        "Apparel",
        "Resources",
        "Digital Downloads",
        "Merchandise",
        "Ministry Tools",
    }
    assert sum(category["product_count"] for category in categories) == len(SAMPLE_PRODUCTS) >= 30


def test_stock_covers_sold_out_and_a_digital_download_with_a_real_file(seeded_shop: LocalShop) -> None:
    products: list[dict[str, object]] = []
    cursor = None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = requests.get(_api(seeded_shop, "/products"), params=query, timeout=10).json()
        products += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            break
    by_sku = {product["sku"]: product for product in products}
    assert by_sku["BK-COMMENTARY"]["availability"] == "sold_out"
    assert "stock_quantity" not in by_sku["BK-COMMENTARY"]  # the figure is for administrators
    assert by_sku["DD-EBOOK-HOPE"]["digital_download"] is True
    assert "digital_files" not in by_sku["DD-EBOOK-HOPE"]  # where the file is stays private
    # Each digital product's sample file was uploaded, through the presigned form, to the private
    # digital-files bucket: the buyers' downloads are real files.
    assert seeded_shop.model is not None
    assert seeded_shop.aws is not None
    [bucket] = [b for b in seeded_shop.model.buckets if b.address.logical_id.startswith("DigitalFiles")]
    s3 = seeded_shop.aws.client("s3")
    keys = [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket.name).get("Contents", [])]
    expected = {sample_file(product).body for product in SAMPLE_PRODUCTS if product.digital}
    assert {s3.get_object(Bucket=bucket.name, Key=key)["Body"].read() for key in keys} == expected
    assert all(key.startswith("files/") for key in keys)
    image = requests.get(str(by_sku["MC-MUG"]["image_url"]), timeout=10)
    assert image.status_code == 200
    assert image.text.startswith("<svg")


def test_admin_and_shopper_can_sign_in_and_only_the_admin_is_an_admin(seeded_shop: LocalShop) -> None:
    assert seeded_shop.model is not None
    assert seeded_shop.aws is not None
    cognito = seeded_shop.aws.client("cognito-idp")
    pool_id = seeded_shop.model.resources.values[seeded_shop.model.user_pools[0].address].ref
    for email, groups in ((ADMIN_EMAIL, ["admin"]), (SHOPPER_EMAIL, [])):
        listed = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=email)["Groups"]
        assert [group["GroupName"] for group in listed] == groups
    client_id = seeded_shop.model.resources.values[seeded_shop.model.user_pools[0].clients[0].address].ref
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": SHOPPER_EMAIL, "PASSWORD": LOCAL_PASSWORD},
    )["AuthenticationResult"]
    assert tokens["IdToken"]


def test_seeding_again_creates_nothing_twice(seeded_shop: LocalShop) -> None:
    from cdk_app.local.seed import seed

    seed(seeded_shop)
    categories = requests.get(_api(seeded_shop, "/categories"), timeout=10).json()["categories"]
    assert sum(category["product_count"] for category in categories) == len(SAMPLE_PRODUCTS)


def test_the_local_shop_pays_through_localstripe_with_the_production_code(seeded_shop: LocalShop) -> None:
    import json

    assert seeded_shop.payments is not None
    assert seeded_shop.aws is not None
    assert seeded_shop.model is not None
    api_base = seeded_shop.payments.api_base
    assert api_base is not None
    assert api_base.startswith("http://127.0.0.1:")
    # The one difference from a deployed stage: where the Stripe SDK sends its calls.
    assert seeded_shop.payments.function_environment() == {"STRIPE_API_BASE": api_base}
    secrets = seeded_shop.aws.client("secretsmanager")
    (secret,) = [
        each
        for each in secrets.list_secrets()["SecretList"]
        if each["Name"].endswith("shop/payment-providers")
    ]
    stored = json.loads(secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"])
    assert stored["stripe_secret_key"] == "sk_test_localstripe"
    assert stored["stripe_webhook_secret"].startswith("whsec_")
