"""Digital goods reach their buyers: a digital order paid through the real localstripe grants download
entitlements; a download is a 302 to a presigned GET that returns the file's bytes from (moto's) S3,
counted atomically against the limit, refused with a named 403/410 when the limit or expiry is reached
or the order was refunded, and refused to anyone without the order's token. Digital-only orders need
no shipping address and pay no shipping."""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests

from shop.contracts import environment
from shop.platform.clock import utc_now
from shop.platform.process_state import reset_process_state
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.localstripe_world import CARD_OK, LocalStripe
from tests.integration.order_events import (
    ADDRESS,
    SITE_URL,
    OrderWorld,
    call_order_api,
    create_order_event,
    make_requests_atomic,
    new_product,
    order_action_event,
    run_queue,
    sent_emails,
    stored_order,
)
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    payment_request,
    run_payment_processor,
    stripe_webhook_event,
)

BUCKET = "test-digital-files"
API_URL = "https://api.shop.test/v1"
BILLING = {"name": "Ada Lovelace", "country": "GB"}
EBOOK = b"%PDF-1.4\n% Hope Rising, the whole book\n%%EOF\n"


@pytest.fixture
def world(stripe_world: OrderWorld, monkeypatch: pytest.MonkeyPatch) -> OrderWorld:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(environment.DIGITAL_FILES_BUCKET, BUCKET)
    monkeypatch.setenv(environment.DOWNLOAD_LIMIT, "3")
    monkeypatch.setenv(environment.DOWNLOAD_DAYS, "30")
    monkeypatch.setenv(environment.API_URL, API_URL)
    reset_process_state()
    return stripe_world


def digital_product(body: bytes = EBOOK, *, file_name: str = "hope-rising.pdf", price: int = 999) -> str:
    """An e-book whose file is in the digital-files bucket (as the admin page leaves it)."""
    file_id = uuid.uuid4().hex
    key = f"files/{file_id}/{uuid.uuid4().hex}"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=body, ContentType="application/pdf")
    return new_product(
        stock=0,
        price=price,
        category="Digital Downloads",
        digital_download=True,
        digital_files=[
            {
                "file_id": file_id,
                "key": key,
                "file_name": file_name,
                "content_type": "application/pdf",
                "size_bytes": len(body),
            }
        ],
    )


def place_digital(product_id: str, *, user_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """A digital-only order: a billing name and country, no shipping address."""
    body = {"billing_address": BILLING, "items": [{"product_id": product_id, "quantity": 1}], **extra}
    if user_id is None:
        body.setdefault("email", "reader@example.com")
    reply = call_order_api(create_order_event(body, user_id=user_id))
    assert reply.status == 202, reply.body
    placed: dict[str, Any] = reply.body
    return placed


def pay(
    world: OrderWorld, localstripe: LocalStripe, order_id: str, *, token: str | None, user_id: str | None
) -> None:
    """A card payment through localstripe, its signed webhook, and payment_processor: the order is paid."""
    body: dict[str, Any] = {"order_id": order_id, "card_token": localstripe.card_token(CARD_OK)}
    if token:
        body["access_token"] = token
    intent = call_payment_api(payment_request("/payment/stripe/intent", body, user_id=user_id))
    assert intent.status == 201, intent.body
    webhook, signature = localstripe.inbox.wait_for(
        "payment_intent.succeeded", intent.body["payment_intent_id"]
    )
    assert call_payment_api(stripe_webhook_event(webhook, signature)).status == 202
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    assert stored_order(order_id).order_status == "paid"


def download(
    order_id: str, product_id: str, *, token: str | None = None, user_id: str | None = None, **query: str
) -> Any:
    """GET the download route as API Gateway passes it: the guest twin with an order token (in the
    X-Order-Token header) or a download token (`download_token=` in the query), or signed in."""
    parameters = {"id": order_id, "product_id": product_id}
    if user_id is not None:
        event = api_event(
            "GET",
            "/orders/{id}/downloads/{product_id}",
            path_parameters=parameters,
            query=query or None,
            claims=shopper_claims(user_id),
        )
    else:
        event = api_event(
            "GET",
            "/guest/orders/{id}/downloads/{product_id}",
            path_parameters=parameters,
            query=query or None,
            headers={"X-Order-Token": token} if token is not None else None,
        )
    return call_order_api(event)


@pytest.fixture
def paid_guest_order(world: OrderWorld, localstripe: LocalStripe) -> dict[str, str]:
    product_id = digital_product()
    placed = place_digital(product_id)
    pay(world, localstripe, placed["order_id"], token=placed["access_token"], user_id=None)
    return {"order_id": placed["order_id"], "token": placed["access_token"], "product_id": product_id}


# -- entitlements and the file's bytes ---------------------------------------------------------------


def test_a_paid_digital_order_grants_a_download_that_redirects_to_the_files_bytes(
    world: OrderWorld, paid_guest_order: dict[str, str]
) -> None:
    order = stored_order(paid_guest_order["order_id"])
    [entitlement] = order.digital_downloads
    assert (entitlement.product_id, entitlement.download_limit, entitlement.downloads_used) == (
        paid_guest_order["product_id"],
        3,
        0,
    )
    granted = entitlement.granted_at
    assert entitlement.expires_at[:10] == (utc_now() + timedelta(days=30)).isoformat()[:10]
    assert granted[:10] == utc_now().isoformat()[:10]
    assert [file.file_name for file in entitlement.files] == ["hope-rising.pdf"]

    reply = download(
        paid_guest_order["order_id"], paid_guest_order["product_id"], token=paid_guest_order["token"]
    )

    assert reply.status == 302, reply.body
    location = reply.headers["Location"]
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.body["downloads_left"] == 2
    signed = parse_qs(urlsplit(location).query)
    assert signed["X-Amz-Expires"] == ["300"]  # minutes, not days
    assert "hope-rising.pdf" in signed["response-content-disposition"][0]
    fetched = requests.get(location, timeout=10)  # moto answers the presigned GET
    assert fetched.status_code == 200
    assert fetched.content == EBOOK
    assert stored_order(paid_guest_order["order_id"]).digital_downloads[0].downloads_used == 1


def test_nobody_reads_the_file_without_a_presigned_url(
    world: OrderWorld, paid_guest_order: dict[str, str]
) -> None:
    [entry] = boto3.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"]
    anonymous = requests.get(f"https://{BUCKET}.s3.amazonaws.com/{entry['Key']}", timeout=10)
    assert anonymous.status_code == 403
    assert EBOOK not in anonymous.content
    # The shopper's own view of the product does not say where the file is.
    from shop_api.handler import handler as shop_api

    product = shop_api(
        api_event("GET", "/products/{id}", path_parameters={"id": paid_guest_order["product_id"]}),
        world.context,
    )
    assert "digital_files" not in json.loads(product["body"])
    assert entry["Key"] not in product["body"]


def test_the_paid_email_carries_a_download_link_that_opens_with_the_emails_token(
    world: OrderWorld, paid_guest_order: dict[str, str]
) -> None:
    [request] = [
        body for body in world.bodies("email-notification") if body["template"] == "payment_received"
    ]
    assert request["data"]["digital_downloads"][0]["product_id"] == paid_guest_order["product_id"]
    # email_sender renders and sends it (the message was drained above: queue it again).
    boto3.client("sqs").send_message(
        QueueUrl=world.queues["email-notification"], MessageBody=json.dumps(request)
    )
    run_queue(world, "email-notification")
    [email] = [mail for mail in sent_emails() if "Payment received" in json.dumps(mail.__dict__, default=str)]
    text = json.dumps(email.__dict__, default=str)
    # The link opens the order's page, the token and the file wanted in the fragment (sent to no server).
    [link] = set(re.findall(re.escape(SITE_URL) + r"/orders\.html[^\s\"'<>\\]+download=[^\s\"'<>\\]+", text))
    parts = urlsplit(link.replace("&amp;", "&"))
    fragment = parse_qs(parts.fragment)
    assert parse_qs(parts.query) == {"id": [paid_guest_order["order_id"]]}
    assert fragment["download"] == [paid_guest_order["product_id"]]
    assert fragment["token"][0] != paid_guest_order["token"]  # the emailed link token, not the access token

    # The page hands that token to the API in the X-Order-Token header.
    reply = download(paid_guest_order["order_id"], paid_guest_order["product_id"], token=fragment["token"][0])
    assert reply.status == 302
    assert requests.get(reply.headers["Location"], timeout=10).content == EBOOK


# -- refusals ------------------------------------------------------------------------------------------


def test_the_limit_refuses_with_403_naming_it(world: OrderWorld, paid_guest_order: dict[str, str]) -> None:
    order_id, product_id, token = (paid_guest_order[key] for key in ("order_id", "product_id", "token"))
    statuses = [download(order_id, product_id, token=token).status for _ in range(3)]
    refused = download(order_id, product_id, token=token)

    assert statuses == [302, 302, 302]
    assert refused.status == 403
    assert refused.body["error"] == "download_limit_reached"
    assert "limit" in refused.body["message"]
    assert "Location" not in refused.headers
    assert stored_order(order_id).digital_downloads[0].downloads_used == 3


def test_an_expired_download_is_410_naming_the_expiry(
    world: OrderWorld, paid_guest_order: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, product_id, token = (paid_guest_order[key] for key in ("order_id", "product_id", "token"))
    expires_at = stored_order(order_id).digital_downloads[0].expires_at
    later = utc_now() + timedelta(days=30, minutes=1)
    monkeypatch.setattr("shop.orders.downloads.utc_now", lambda: later)

    refused = download(order_id, product_id, token=token)

    assert refused.status == 410
    assert refused.body["error"] == "download_expired"
    assert refused.body["expires_at"] == expires_at
    assert stored_order(order_id).digital_downloads[0].downloads_used == 0


def test_a_refund_revokes_the_downloads(world: OrderWorld, paid_guest_order: dict[str, str]) -> None:
    order_id, product_id, token = (paid_guest_order[key] for key in ("order_id", "product_id", "token"))
    assert download(order_id, product_id, token=token).status == 302
    refund = call_order_api(order_action_event("POST", "/orders/{id}/refund", order_id, admin_claims(), {}))
    assert refund.status == 202, refund.body

    requested = download(order_id, product_id, token=token)
    assert (requested.status, requested.body["error"]) == (410, "download_revoked")
    assert "refund" in requested.body["message"]

    run_payment_processor(world)
    assert stored_order(order_id).order_status == "refunded"
    refunded = download(order_id, product_id, token=token)
    assert refunded.status == 410
    assert refunded.body["error"] == "download_revoked"
    assert "refunded" in refunded.body["message"]


def test_an_unpaid_order_downloads_nothing_yet(world: OrderWorld) -> None:
    product_id = digital_product()
    placed = place_digital(product_id)

    reply = download(placed["order_id"], product_id, token=placed["access_token"])

    assert reply.status == 403
    assert reply.body["error"] == "order_not_paid"


def test_a_wrong_token_or_another_buyer_gets_nothing(world: OrderWorld, localstripe: LocalStripe) -> None:
    product_id = digital_product()
    mine = place_digital(product_id)
    theirs = place_digital(product_id, email="someone@example.com")
    pay(world, localstripe, mine["order_id"], token=mine["access_token"], user_id=None)

    for token in ("not-the-token", theirs["access_token"], "", None):
        reply = download(mine["order_id"], product_id, token=token)
        assert reply.status == 404, (token, reply.body)
        assert "Location" not in reply.headers
    signed_in_stranger = download(mine["order_id"], product_id, user_id="mallory")
    assert signed_in_stranger.status == 404
    assert stored_order(mine["order_id"]).digital_downloads[0].downloads_used == 0


def test_a_removed_file_is_410_and_a_file_of_another_product_404(
    world: OrderWorld, paid_guest_order: dict[str, str]
) -> None:
    from shop.catalog.repository import ProductRepository

    order_id, product_id, token = (paid_guest_order[key] for key in ("order_id", "product_id", "token"))
    assert download(order_id, product_id, token=token, file=uuid.uuid4().hex).status == 404
    assert download(order_id, "prod_not_in_this_order", token=token).status == 404
    ProductRepository().update(product_id, {"digital_files": []})

    reply = download(order_id, product_id, token=token)

    assert (reply.status, reply.body["error"]) == (410, "file_unavailable")
    assert stored_order(order_id).digital_downloads[0].downloads_used == 0


def test_concurrent_downloads_never_exceed_the_limit(
    world: OrderWorld, paid_guest_order: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_requests_atomic(monkeypatch)
    order_id, product_id, token = (paid_guest_order[key] for key in ("order_id", "product_id", "token"))
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def one() -> None:
        start.wait()
        status = download(order_id, product_id, token=token).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302] * 3 + [403] * 9
    assert stored_order(order_id).digital_downloads[0].downloads_used == 3


# -- an account's order: signed in, and the orders page's download token -------------------------------


def test_an_accounts_buyer_downloads_signed_in_and_with_the_pages_download_token(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    product_id = digital_product(b"the planner", file_name="planner.pdf")
    placed = place_digital(product_id, user_id="alice")
    pay(world, localstripe, placed["order_id"], token=None, user_id="alice")

    signed_in = download(placed["order_id"], product_id, user_id="alice")
    assert signed_in.status == 302
    assert requests.get(signed_in.headers["Location"], timeout=10).content == b"the planner"

    view = call_order_api(
        api_event(
            "GET", "/orders/{id}", path_parameters={"id": placed["order_id"]}, claims=shopper_claims("alice")
        )
    )
    [line] = view.body["digital_downloads"]
    assert line["downloads_used"] == 1
    assert download(placed["order_id"], product_id, download_token=line["download_token"]).status == 302
    # The download token opens that line's downloads only, not the order.
    guest_view = call_order_api(
        api_event(
            "GET",
            "/guest/orders/{id}",
            path_parameters={"id": placed["order_id"]},
            headers={"X-Order-Token": line["download_token"]},
        )
    )
    assert guest_view.status == 404
    # Administrators see the order but get no download token: a download would be the buyer's.
    admin_view = call_order_api(
        api_event("GET", "/orders/{id}", path_parameters={"id": placed["order_id"]}, claims=admin_claims())
    )
    assert admin_view.status == 200
    assert "download_token" not in admin_view.body["digital_downloads"][0]
    assert "download_tokens_expire_at" not in admin_view.body


def test_an_administrator_recording_a_payment_grants_the_downloads(world: OrderWorld) -> None:
    product_id = digital_product()
    placed = place_digital(product_id)
    reply = call_order_api(
        order_action_event(
            "PUT", "/orders/{id}/status", placed["order_id"], admin_claims(), {"status": "paid"}
        )
    )
    assert reply.status == 200, reply.body
    [entitlement] = stored_order(placed["order_id"]).digital_downloads
    assert entitlement.download_limit == 3
    assert download(placed["order_id"], product_id, token=placed["access_token"]).status == 302


# -- digital-only orders --------------------------------------------------------------------------------


def test_a_digital_only_order_needs_no_shipping_address_and_pays_no_shipping(world: OrderWorld) -> None:
    product_id = digital_product(price=999)
    placed = place_digital(product_id)
    order = stored_order(placed["order_id"])

    assert order.shipping_address is None
    assert order.shipping == 0
    assert (order.billing_address.name, order.billing_address.country) == ("Ada Lovelace", "GB")
    assert order.items[0].requires_shipping is False
    assert order.total == order.subtotal + order.tax


def test_a_digital_only_order_still_needs_a_billing_name_and_country(world: OrderWorld) -> None:
    product_id = digital_product()
    body = {"items": [{"product_id": product_id, "quantity": 1}], "email": "reader@example.com"}
    missing = call_order_api(create_order_event(body, user_id=None))
    no_country = call_order_api(
        create_order_event({**body, "billing_address": {"name": "Ada Lovelace"}}, user_id=None)
    )

    assert (missing.status, missing.body["field"]) == (400, "billing_address")
    assert no_country.status == 422
    assert no_country.body["field"] == "billing_address.country"


def test_an_order_that_ships_still_needs_its_shipping_address(world: OrderWorld) -> None:
    physical = new_product(stock=5)
    ebook = digital_product()
    items = [{"product_id": physical, "quantity": 1}, {"product_id": ebook, "quantity": 1}]
    refused = call_order_api(
        create_order_event({"billing_address": BILLING, "items": items}, user_id="alice")
    )
    placed = call_order_api(
        create_order_event({"shipping_address": ADDRESS, "items": items}, user_id="alice")
    )

    assert (refused.status, refused.body["field"]) == (400, "shipping_address")
    assert placed.status == 202
    order = stored_order(placed.body["order_id"])
    assert order.shipping_address is not None
    assert order.shipping > 0  # a mixed order ships, and pays for it
    assert order.billing_address.line1 == ADDRESS["line1"]


def test_a_digital_product_without_a_file_cannot_be_ordered(world: OrderWorld) -> None:
    from shop.catalog.repository import ProductRepository

    product_id = digital_product()
    ProductRepository().update(product_id, {"digital_files": []})

    reply = call_order_api(
        create_order_event(
            {"billing_address": BILLING, "items": [{"product_id": product_id, "quantity": 1}]},
            user_id="alice",
        )
    )

    assert reply.status == 409
    assert reply.body["field"] == "product_id"


def test_payment_queue_is_left_empty(world: OrderWorld, paid_guest_order: dict[str, str]) -> None:
    # The paid order asked for nothing more from the payment processor (no refund, no cancel).
    assert world.drain(PAYMENT_QUEUE) == []
