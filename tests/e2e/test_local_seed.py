"""`make run`'s shop starts seeded: accounts that can sign in, the sample catalog via the real API
(pictures, apparel variants a shopper buys end to end) and reviews by named shoppers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

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
from cdk_app.local.sample_reviews import SAMPLE_REVIEWS
from cdk_app.local.seed import sign_in
from cdk_app.local.synth import synthesize_local_templates
from tests.e2e.conftest import reset_moto, wait_for

ADDRESS = {"name": "Sam Shopper", "line1": "5 Elm Road", "city": "Springfield", "postal_code": "12345"} | {
    "country": "US"
}


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


def _products_by_sku(shop: LocalShop) -> dict[str, dict[str, Any]]:
    products: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = requests.get(_api(shop, "/products"), params=query, timeout=10).json()
        products += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return {product["sku"]: product for product in products}


def test_stock_covers_sold_out_and_a_digital_download_with_a_real_file(seeded_shop: LocalShop) -> None:
    by_sku = _products_by_sku(seeded_shop)
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


def test_a_shopper_buys_the_tee_in_navy_size_m_and_its_variants_stock_goes_down(
    seeded_shop: LocalShop,
) -> None:
    tee = _products_by_sku(seeded_shop)["AP-TEE-CROSS"]
    assert len(tee["images"]) == 4  # navy (main), heather grey, forest green, the back
    by_choice = {(variant["size"], variant["colour"]): variant for variant in tee["variants"]}
    navy_m = by_choice["M", "Navy"]
    assert navy_m["availability"] == "in_stock"
    assert "stock_quantity" not in navy_m
    assert navy_m["image_url"] == tee["image_url"]  # the first colour's picture is the main one
    picture = requests.get(by_choice["M", "Forest Green"]["image_url"], timeout=10)
    assert picture.status_code == 200
    assert "Cross T-Shirt in Forest Green" in picture.text
    assert by_choice["XXL", "Navy"]["availability"] == "sold_out"
    assert by_choice["XXL", "Heather Grey"]["price"] == 2400  # XXL costs $2 more

    headers = {"Authorization": sign_in(seeded_shop, SHOPPER_EMAIL, LOCAL_PASSWORD)["IdToken"]}

    def add(sku: str) -> requests.Response:
        body = {"product_id": tee["product_id"], "sku": sku, "quantity": 1}
        return requests.post(_api(seeded_shop, "/cart/add"), headers=headers, json=body, timeout=30)

    assert add(by_choice["XXL", "Navy"]["sku"]).status_code == 409  # sold out in that size
    assert add(navy_m["sku"]).status_code == 200
    cart = add(by_choice["XXL", "Heather Grey"]["sku"])
    assert cart.status_code == 200, cart.text
    lines = {line["variant_sku"]: line["unit_price"] for line in cart.json()["items"]}
    assert lines == {"AP-TEE-CROSS-NAVY-M": 2200, "AP-TEE-CROSS-HEATHER-GREY-XXL": 2400}

    created = requests.post(
        _api(seeded_shop, "/orders/create"),
        headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
        json={"shipping_address": ADDRESS},  # no items: the cart's
        timeout=30,
    )
    assert created.status_code == 202, created.text
    order_id, access_token = created.json()["order_id"], created.json()["access_token"]
    assert seeded_shop.payments is not None
    assert seeded_shop.payments.api_base is not None
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    token = requests.post(
        f"{seeded_shop.payments.api_base}/v1/tokens",
        data={f"card[{k}]": v for k, v in card.items()}
        | {"key": seeded_shop.payments.stripe_publishable_key},
        timeout=10,
    ).json()["id"]
    intent = requests.post(
        _api(seeded_shop, "/payment/stripe/intent"),
        json={"order_id": order_id, "access_token": access_token, "card_token": token},
        timeout=30,
    )
    assert intent.status_code == 201, intent.text

    def paid_order() -> dict[str, Any] | None:
        answer = requests.get(_api(seeded_shop, f"/orders/{order_id}"), headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body if body["order_status"] == "paid" else None

    paid = wait_for("the order paid", paid_order)
    assert {(line["variant_sku"], line["unit_price"], line["quantity"]) for line in paid["items"]} == {
        ("AP-TEE-CROSS-NAVY-M", 2200, 1),
        ("AP-TEE-CROSS-HEATHER-GREY-XXL", 2400, 1),
    }
    # Each variant's own stock went down by one; the others' did not.
    assert seeded_shop.aws is not None
    assert seeded_shop.model is not None
    table = next(table.name for table in seeded_shop.model.tables if table.name.endswith("-Products"))
    item = seeded_shop.aws.client("dynamodb").get_item(
        TableName=table, Key={"product_id": {"S": tee["product_id"]}}, ConsistentRead=True
    )["Item"]
    stock = {v["M"]["sku"]["S"]: int(v["M"]["stock_quantity"]["N"]) for v in item["variants"]["L"]}
    assert stock["AP-TEE-CROSS-NAVY-M"] == 13
    assert stock["AP-TEE-CROSS-HEATHER-GREY-XXL"] == 1
    assert stock["AP-TEE-CROSS-NAVY-L"] == 12


def test_seeded_reviews_carry_their_reviewers_names_and_rate_the_product(seeded_shop: LocalShop) -> None:
    by_sku = _products_by_sku(seeded_shop)
    for sku in {review.sku for review in SAMPLE_REVIEWS}:
        expected = [review for review in SAMPLE_REVIEWS if review.sku == sku]
        listed = requests.get(_api(seeded_shop, f"/reviews/{by_sku[sku]['product_id']}"), timeout=10).json()
        assert {(review["user_name"], review["rating"], review["title"]) for review in listed["reviews"]} == {
            (review.reviewer.name, review.rating, review.title) for review in expected
        }
        product = requests.get(_api(seeded_shop, f"/products/{by_sku[sku]['product_id']}"), timeout=10).json()
        assert product["review_count"] == len(expected)
        assert product["rating"] == round(sum(review.rating for review in expected) / len(expected), 2)
    # The products whose page tests expect none have none.
    for sku in ("BK-STUDY-BIBLE", "AP-HOODIE", "AP-POLO"):
        assert by_sku[sku]["review_count"] == 0
