"""Whole journeys over real HTTP against the local shop: shopper, admin, and failure modes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from cdk_app.local.redis_server import free_port
from cdk_app.local.runner import LocalShop, LocalShopOptions
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD
from cdk_app.local.seed import sign_in
from tests.e2e.conftest import running_shop, wait_for

ADMIN_API_KEY_NAME = "local-shop-api-admin"
ADDRESS = {
    "name": "Journey Tester",
    "line1": "1 Test Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


@pytest.fixture(scope="module")
def shop(local_templates: dict[str, dict[str, Any]]) -> Iterator[LocalShop]:
    with running_shop(
        LocalShopOptions(
            port=free_port(),
            templates=local_templates,
            run_schedules=False,
            seed=True,
            retry_delay_seconds=1,
        )
    ) as started:
        yield started


def _api(shop: LocalShop, path: str) -> str:
    assert shop.server is not None
    return f"{shop.server.url}/api{path}"


def _pool_ids(shop: LocalShop) -> tuple[str, str]:
    assert shop.model is not None
    pool = shop.model.user_pools[0]
    values = shop.model.resources.values
    return values[pool.address].ref, values[pool.clients[0].address].ref


def _id_token(shop: LocalShop, email: str, password: str = LOCAL_PASSWORD) -> str:
    # The seeded admin signs in with an authenticator code; seed.sign_in answers that challenge.
    token: str = sign_in(shop, email, password)["IdToken"]
    return token


def _sign_up(shop: LocalShop) -> tuple[str, str]:
    assert shop.aws is not None
    pool_id, client_id = _pool_ids(shop)
    cognito = shop.aws.client("cognito-idp")
    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    cognito.sign_up(
        ClientId=client_id,
        Username=email,
        Password=LOCAL_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Journey Tester"}],
    )
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    return email, _id_token(shop, email)


def _admin_headers(shop: LocalShop) -> dict[str, str]:
    return {"Authorization": _id_token(shop, ADMIN_EMAIL), "X-Api-Key": shop.api_keys[ADMIN_API_KEY_NAME]}


def _table(shop: LocalShop, suffix: str) -> str:
    assert shop.model is not None
    return next(table.name for table in shop.model.tables if table.name.endswith(suffix))


def _stored_stock(shop: LocalShop, product_id: str) -> int:
    assert shop.aws is not None
    item = shop.aws.client("dynamodb").get_item(
        TableName=_table(shop, "-Products"), Key={"product_id": {"S": product_id}}, ConsistentRead=True
    )["Item"]
    return int(item["stock_quantity"]["N"])


def _order_count(shop: LocalShop) -> int:
    assert shop.aws is not None
    found = shop.aws.client("dynamodb").scan(TableName=_table(shop, "-Orders"), Select="COUNT")
    return int(found["Count"])


def _mails_to(email: str) -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    texts = []
    for message in list(sent):
        text = " ".join(
            str(getattr(message, name, ""))
            for name in ("destinations", "subject", "body", "raw_data", "template", "template_data")
        )
        if email.lower() in text.lower():
            texts.append(text)
    return texts


def _product_with_stock(shop: LocalShop) -> dict[str, Any]:
    page = requests.get(_api(shop, "/products"), params={"limit": "100"}, timeout=10).json()
    return next(
        product
        for product in page["items"]
        # Shoppers see availability only: "in_stock" means more than the few a page counts down.
        if product["availability"] == "in_stock" and not product.get("digital_download")
    )


def _get_order(shop: LocalShop, token: str, order_id: str) -> dict[str, Any]:
    response = requests.get(_api(shop, f"/orders/{order_id}"), headers={"Authorization": token}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _guest_get(shop: LocalShop, order_id: str, access_token: str) -> dict[str, Any]:
    response = requests.get(
        _api(shop, f"/guest/orders/{order_id}"), headers={"X-Order-Token": access_token}, timeout=10
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _guest_order(shop: LocalShop, email: str, product_id: str, quantity: int = 1) -> tuple[str, str]:
    created = requests.post(
        _api(shop, "/guest/orders/create"),
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={
            "email": email,
            "shipping_address": ADDRESS,
            "items": [{"product_id": product_id, "quantity": quantity}],
        },
        timeout=30,
    )
    assert created.status_code == 202, created.text
    return created.json()["order_id"], created.json()["access_token"]


def _card_token(shop: LocalShop, number: str = "4242424242424242") -> str:
    """What Stripe.js does in the checkout page: the card goes to (local)stripe, the shop gets a token."""
    assert shop.payments is not None
    assert shop.payments.api_base is not None
    token = requests.post(
        f"{shop.payments.api_base}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": shop.payments.stripe_publishable_key,
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    return str(token.json()["id"])


def _pay_as_guest(shop: LocalShop, order_id: str, access_token: str) -> None:
    """Pays by card and waits for localstripe's signed webhook to mark the order paid (the page does not
    call /payment/stripe/confirm unless the webhook is late)."""
    intent = requests.post(
        _api(shop, "/payment/stripe/intent"),
        json={"order_id": order_id, "access_token": access_token, "card_token": _card_token(shop)},
        timeout=30,
    )
    assert intent.status_code == 201, intent.text
    assert intent.json()["status"] == "succeeded"
    wait_for(
        f"order {order_id} paid",
        lambda: _guest_get(shop, order_id, access_token)["order_status"] == "paid",
    )


def _paid_guest_order(shop: LocalShop, email: str, product_id: str) -> str:
    order_id, access_token = _guest_order(shop, email, product_id)
    assert _guest_get(shop, order_id, access_token)["order_status"] == "pending"
    _pay_as_guest(shop, order_id, access_token)
    return order_id


def test_shopper_browses_signs_up_merges_cart_checks_out_and_reviews(shop: LocalShop) -> None:
    everything = requests.get(_api(shop, "/products"), params={"limit": "100"}, timeout=10).json()["items"]
    target = next(p for p in everything if p["availability"] == "in_stock" and not p.get("digital_download"))
    in_category = requests.get(
        _api(shop, "/products"), params={"category": target["category"], "limit": "100"}, timeout=10
    )
    assert in_category.status_code == 200
    category_items = in_category.json()["items"]
    assert target["product_id"] in {p["product_id"] for p in category_items}
    assert {p["category"] for p in category_items} == {target["category"]}
    assert len(category_items) < len(everything)
    word = target["name"].split()[-1]
    searched = requests.get(_api(shop, "/products"), params={"q": word}, timeout=10).json()["items"]
    assert target["product_id"] in {p["product_id"] for p in searched}
    assert len(searched) < len(everything)

    product_id = target["product_id"]
    page = requests.get(_api(shop, f"/products/{product_id}"), timeout=10)
    assert page.status_code == 200
    assert page.json()["name"] == target["name"]
    stock_before = _stored_stock(shop, product_id)

    added = requests.post(
        _api(shop, "/guest/cart/add"), json={"product_id": product_id, "quantity": 2}, timeout=10
    )
    assert added.status_code in (200, 201), added.text
    cart_id = added.json()["cart_id"]
    guest_cart = requests.get(_api(shop, "/guest/cart"), headers={"X-Cart-Id": cart_id}, timeout=10)
    assert guest_cart.status_code == 200, guest_cart.text

    email, token = _sign_up(shop)
    auth = {"Authorization": token}
    merged = requests.post(_api(shop, "/cart/merge"), headers=auth, json={"cart_id": cart_id}, timeout=10)
    assert merged.status_code == 200, merged.text
    cart = requests.get(_api(shop, "/cart"), headers=auth, timeout=10).json()
    assert [(line["product_id"], line["quantity"]) for line in cart["items"]] == [(product_id, 2)]

    created = requests.post(
        _api(shop, "/orders/create"),
        headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
        json={"shipping_address": ADDRESS},
        timeout=30,
    )
    assert created.status_code == 202, created.text
    order_id = created.json()["order_id"]
    assert _get_order(shop, token, order_id)["order_status"] == "pending"

    wait_for(
        "an order confirmation mail",
        lambda: any("Thank you for your order" in mail for mail in _mails_to(email)),
    )
    wait_for("stock decremented", lambda: _stored_stock(shop, product_id) == stock_before - 2)

    listed = requests.get(_api(shop, "/orders"), headers=auth, timeout=10)
    assert listed.status_code == 200
    assert order_id in {o["order_id"] for o in listed.json()["orders"]}

    review = requests.post(
        _api(shop, "/reviews"),
        headers=auth,
        json={"product_id": product_id, "rating": 5, "title": "Journey", "review_text": "Worth it."},
        timeout=10,
    )
    assert review.status_code in (200, 201), review.text
    wait_for(
        "the review listed",
        lambda: "Worth it." in requests.get(_api(shop, f"/reviews/{product_id}"), timeout=10).text,
    )


def test_a_guest_order_paid_by_card_through_localstripe_becomes_paid_and_mails_a_receipt(
    shop: LocalShop,
) -> None:
    product_id = _product_with_stock(shop)["product_id"]
    email = f"payer-{uuid.uuid4().hex[:8]}@example.com"
    order_id, access_token = _guest_order(shop, email, product_id)
    assert _guest_get(shop, order_id, access_token)["payment_status"] == "unpaid"
    _pay_as_guest(shop, order_id, access_token)
    order = _guest_get(shop, order_id, access_token)
    assert order["payment_status"] == "paid"
    assert order["payment_id"]
    wait_for(
        "the payment_received mail",
        lambda: any("Payment received for order" in mail for mail in _mails_to(email)),
    )


def test_a_signed_in_shopper_pays_for_their_own_order_with_its_access_token(shop: LocalShop) -> None:
    # The payment routes are public (guests pay too), so every order comes with an access token.
    _, token = _sign_up(shop)
    product_id = _product_with_stock(shop)["product_id"]
    created = requests.post(
        _api(shop, "/orders/create"),
        headers={"Authorization": token, "Idempotency-Key": uuid.uuid4().hex},
        json={"shipping_address": ADDRESS, "items": [{"product_id": product_id, "quantity": 1}]},
        timeout=30,
    )
    assert created.status_code == 202, created.text
    order_id, access_token = created.json()["order_id"], created.json()["access_token"]
    intent = requests.post(
        _api(shop, "/payment/stripe/intent"),
        json={"order_id": order_id, "access_token": access_token, "card_token": _card_token(shop)},
        timeout=30,
    )
    assert intent.status_code == 201, intent.text
    wait_for(
        "the signed-in order to be paid",
        lambda: (
            requests.get(_api(shop, f"/orders/{order_id}"), headers={"Authorization": token}, timeout=30)
            .json()
            .get("payment_status")
            == "paid"
        ),
    )


def test_admin_creates_edits_archives_ships_and_refunds(shop: LocalShop) -> None:
    admin = _admin_headers(shop)
    sku = f"JR-{uuid.uuid4().hex[:6].upper()}"
    created = requests.post(
        _api(shop, "/products"),
        headers=admin,
        json={
            "name": "Journey Lantern",
            "description": "A lantern made by the admin journey.",
            "category": "Merchandise",
            "price": 2500,
            "currency": "USD",
            "sku": sku,
            "stock_quantity": 20,
        },
        timeout=30,
    )
    assert created.status_code in (200, 201), created.text
    product_id = created.json()["product_id"]
    product_url = _api(shop, f"/products/{product_id}")
    assert requests.get(product_url, timeout=10).json()["name"] == "Journey Lantern"

    edited = requests.put(product_url, headers=admin, json={"name": "Journey Lantern Deluxe"}, timeout=30)
    assert edited.status_code == 200, edited.text
    wait_for(
        "the edit visible to shoppers",
        lambda: requests.get(product_url, timeout=10).json().get("name") == "Journey Lantern Deluxe",
    )

    # A paid order of the new product, then ship and refund it.
    email = f"customer-{uuid.uuid4().hex[:8]}@example.com"
    order_id = _paid_guest_order(shop, email, product_id)
    listed = requests.get(
        _api(shop, "/orders/admin/list"), headers=admin, params={"status": "paid", "limit": "100"}, timeout=30
    )
    assert listed.status_code == 200, listed.text
    paid = listed.json()["orders"]
    assert order_id in {o["order_id"] for o in paid}
    assert {o["order_status"] for o in paid} == {"paid"}
    pending = requests.get(
        _api(shop, "/orders/admin/list"), headers=admin, params={"status": "pending"}, timeout=30
    ).json()["orders"]
    assert order_id not in {o["order_id"] for o in pending}

    moved = requests.put(
        _api(shop, f"/orders/{order_id}/status"), headers=admin, json={"status": "processing"}, timeout=30
    )
    assert moved.status_code == 200, moved.text
    tracked = requests.put(
        _api(shop, f"/orders/{order_id}/tracking"),
        headers=admin,
        json={"carrier": "UPS", "tracking_number": "1Z999"},
        timeout=30,
    )
    assert tracked.status_code == 200, tracked.text
    assert tracked.json()["order_status"] == "shipped"
    wait_for("the shipped mail", lambda: any("has shipped" in mail for mail in _mails_to(email)))

    refund = requests.post(
        _api(shop, f"/orders/{order_id}/refund"), headers=admin, json={"reason": "journey"}, timeout=30
    )
    assert refund.status_code == 202, refund.text
    assert refund.json()["payment_status"] == "refund_requested"

    def order_status() -> dict[str, Any]:
        found = requests.get(_api(shop, f"/orders/{order_id}"), headers=admin, timeout=30)
        assert found.status_code == 200, found.text
        body: dict[str, Any] = found.json()
        return body

    wait_for("the order refunded", lambda: order_status()["order_status"] == "refunded")
    assert order_status()["payment_status"] == "refunded"

    archived = requests.delete(product_url, headers=admin, timeout=30)
    assert archived.status_code == 200, archived.text
    wait_for("the archived product gone", lambda: requests.get(product_url, timeout=10).status_code == 404)


def _queue(shop: LocalShop, fragment: str) -> Any:
    assert shop.model is not None
    matches = [q for q in shop.model.queues if fragment in q.name.lower() and "dlq" not in q.name.lower()]
    assert len(matches) == 1, [q.name for q in shop.model.queues]
    return matches[0]


def _queue_url(shop: LocalShop, arn: str) -> str:
    assert shop.model is not None
    return shop.model.resources.values[shop.model.queue_by_arn(arn).address].ref


def _depth(shop: LocalShop, url: str) -> int:
    assert shop.aws is not None
    attributes = shop.aws.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_a_poison_message_ends_in_the_dlq_and_later_orders_still_process(shop: LocalShop) -> None:
    assert shop.aws is not None
    queue = _queue(shop, "order-processing")
    assert queue.dead_letter_target_arn
    queue_url = shop.model.resources.values[queue.address].ref if shop.model else ""
    dlq_url = _queue_url(shop, queue.dead_letter_target_arn)
    sqs = shop.aws.client("sqs")
    poison = "{not json" + uuid.uuid4().hex
    sqs.send_message(QueueUrl=queue_url, MessageBody=poison)

    product_id = _product_with_stock(shop)["product_id"]
    email = f"after-poison-{uuid.uuid4().hex[:8]}@example.com"
    order_id, access_token = _guest_order(shop, email, product_id)
    wait_for("the valid order's confirmation mail", lambda: _mails_to(email))
    wait_for(
        "the valid order reserved",
        lambda: (
            _guest_get(shop, order_id, access_token)["order_status"] == "pending"
            and _stored_stock_reserved(shop, order_id)
        ),
    )

    def poison_in_dlq() -> list[dict[str, Any]]:
        received = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
        )
        return [m for m in received.get("Messages", []) if m["Body"] == poison]

    # Put there by order_processor itself after one receive (its DLQ URL comes from the synthesized
    # template), not by SQS's redrive after three.
    (parked,) = wait_for("the poison message in the DLQ", poison_in_dlq)
    assert parked["MessageAttributes"]["reason"]["StringValue"] == "malformed_message"
    assert parked["MessageAttributes"]["receive_count"]["StringValue"] == "1"


def _stored_stock_reserved(shop: LocalShop, order_id: str) -> bool:
    assert shop.aws is not None
    found = shop.aws.client("dynamodb").scan(
        TableName=_table(shop, "-Orders"),
        FilterExpression="order_id = :id",
        ExpressionAttributeValues={":id": {"S": order_id}},
    )["Items"]
    return bool(found) and found[0].get("stock_reserved", {}).get("BOOL") is True


@pytest.mark.parametrize(
    ("case", "body_of"),
    [
        ("missing address", lambda pid: {"items": [{"product_id": pid, "quantity": 1}]}),
        ("empty items", lambda pid: {"shipping_address": ADDRESS, "items": []}),
        (
            "negative quantity",
            lambda pid: {"shipping_address": ADDRESS, "items": [{"product_id": pid, "quantity": -1}]},
        ),
        (
            "unknown product",
            lambda pid: {
                "shipping_address": ADDRESS,
                "items": [{"product_id": "no-such-product", "quantity": 1}],
            },
        ),
    ],
)
def test_bad_checkout_input_is_refused_and_writes_and_queues_nothing(
    shop: LocalShop, case: str, body_of: Callable[[str], dict[str, Any]]
) -> None:
    product_id = _product_with_stock(shop)["product_id"]
    queue_url = _queue_url(shop, _queue(shop, "order-processing").arn)
    wait_for("an idle order queue", lambda: _depth(shop, queue_url) == 0)
    orders_before = _order_count(shop)
    email = f"bad-{uuid.uuid4().hex[:8]}@example.com"
    refused = requests.post(
        _api(shop, "/guest/orders/create"),
        headers={"Idempotency-Key": uuid.uuid4().hex},
        json={"email": email, **body_of(product_id)},
        timeout=30,
    )
    assert 400 <= refused.status_code < 500, (case, refused.status_code, refused.text)
    assert _order_count(shop) == orders_before
    assert _depth(shop, queue_url) == 0
    time.sleep(2)  # a queued order would be confirmed by mail within this
    assert _mails_to(email) == []


def test_catalog_reads_survive_redis_going_away(shop: LocalShop) -> None:
    # Last in the module: the shop keeps running without its cache.
    assert shop.gateway is not None
    listed = requests.get(_api(shop, "/products"), params={"limit": "100"}, timeout=10).json()["items"]
    product_id = listed[-1]["product_id"]
    assert shop.redis is not None
    shop.redis.stop()
    shop.gateway.cache.flush()  # every answer below comes from the function, not the stage cache
    listing = requests.get(_api(shop, "/products"), params={"limit": "7"}, timeout=30)
    assert listing.status_code == 200, listing.text
    assert listing.json()["items"]
    one = requests.get(_api(shop, f"/products/{product_id}"), timeout=30)
    assert one.status_code == 200, one.text
    assert one.json()["product_id"] == product_id
    # A query no cache has seen must be answered from DynamoDB.
    fresh = requests.get(_api(shop, "/products"), params={"q": "book", "limit": "3"}, timeout=30)
    assert fresh.status_code == 200, fresh.text
