"""Invoices and credit notes: numbered once when an order is paid or its refund completes, from gapless
per-year series (50 orders paid at once get 50 consecutive numbers), served as PDFs that pypdf reads
back, to the owner, an administrator or a guest with the order's token, and to nobody else.

Payments go through a real localstripe, payment_api and payment_processor, except in the race, where a
recorded provider answers so that fifty settlements can run at the same moment."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from shop.contracts import environment
from shop.orders.invoicing import issue_invoice
from shop.orders.model import Order
from shop.payments.model import PaymentMessage, PaymentState
from shop.payments.settlement import PaymentSettlement
from shop.platform.process_state import reset_process_state
from shop.platform.signed_links import ORDER_LINK, link_token
from tests.integration.conftest import TEST_BRAND, LambdaContext
from tests.integration.events import admin_claims, api_event, shopper_claims
from tests.integration.localstripe_world import CARD_OK, LocalStripe
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    create_order_event,
    make_requests_atomic,
    new_product,
    order_action_event,
    sqs_event_from,
    stored_order,
)
from tests.integration.payment_events import (
    PAYMENT_QUEUE,
    call_payment_api,
    payment_request,
    run_payment_processor,
    stripe_webhook_event,
)

BRAND = TEST_BRAND
SHIP_TO = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Row",
    "line2": "Unit 5B",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
    "phone": "+1 217 555 0142",
}
BILL_TO = {
    "name": "Ada Lovelace",
    "line1": "400 Ledger Street",
    "line2": "Suite 900",
    "city": "Toronto",
    "region": "ON",
    "postal_code": "M5H 2N2",
    "country": "CA",
    "phone": "+1 416 555 0123",
}
RACERS = 50
NUMBER = re.compile(r"^INV-(\d{4})-(\d{6})$")


@pytest.fixture
def world(stripe_world: OrderWorld, monkeypatch: pytest.MonkeyPatch) -> OrderWorld:
    monkeypatch.setenv(environment.BRAND_SETTINGS, json.dumps(BRAND))
    reset_process_state()
    return stripe_world


# -- helpers ------------------------------------------------------------------------------------------


def _place(lines: list[tuple[str, int]], *, user_id: str | None = "alice", **extra: Any) -> dict[str, Any]:
    body = {
        "shipping_address": SHIP_TO,
        "billing_address": BILL_TO,
        "items": [{"product_id": product_id, "quantity": quantity} for product_id, quantity in lines],
        **extra,
    }
    if user_id is None:
        body.setdefault("email", "guest.buyer@example.com")
    reply = call_order_api(create_order_event(body, user_id=user_id))
    assert reply.status == 202, reply.body
    placed: dict[str, Any] = reply.body
    return placed


def _pay(
    world: OrderWorld, localstripe: LocalStripe, order_id: str, *, access_token: str | None = None
) -> str:
    """Pays by card through payment_api, delivers the signed webhook, runs payment_processor."""
    body: dict[str, Any] = {"order_id": order_id, "card_token": localstripe.card_token(CARD_OK)}
    if access_token:
        body["access_token"] = access_token
    reply = call_payment_api(
        payment_request("/payment/stripe/intent", body, user_id=None if access_token else "alice")
    )
    assert reply.status == 201, reply.body
    payment_id = str(reply.body["payment_intent_id"])
    signed, signature = localstripe.inbox.wait_for("payment_intent.succeeded", payment_id)
    assert call_payment_api(stripe_webhook_event(signed, signature)).status == 202
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    return payment_id


def _document(
    order_id: str,
    kind: str,
    *,
    claims: dict[str, str] | None = None,
    token: str | None = None,
    origin: str | None = None,
) -> dict[str, Any]:
    """order_api's raw proxy response for GET /orders/{id}/<kind> (or the guest route with `token` in
    the X-Order-Token header)."""
    from order_api.handler import handler

    resource = f"/orders/{{id}}/{kind}" if token is None else f"/guest/orders/{{id}}/{kind}"
    event = api_event(
        "GET",
        resource,
        path_parameters={"id": order_id},
        claims=claims,
        headers={
            "Accept": "application/pdf",
            **({"Origin": origin} if origin else {}),
            **({"X-Order-Token": token} if token is not None else {}),
        },
    )
    response: dict[str, Any] = handler(event, LambdaContext())
    return response


def _pdf_text(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 200, response.get("body")
    headers = {**(response.get("headers") or {})}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, values[-1])
    assert headers["Content-Type"] == "application/pdf"
    assert response["isBase64Encoded"] is True
    assert headers["Cache-Control"] == "private, no-store"
    pdf = base64.b64decode(response["body"])
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    # One space between words: a long description wraps inside its table cell.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _error(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return response["statusCode"], json.loads(response["body"])


def _counter(series: str, year: str) -> int:
    item = boto3.client("dynamodb").get_item(
        TableName="test-Orders",
        Key={"order_id": {"S": f"{series}#{year}"}, "user_id": {"S": "#counter"}},
        ConsistentRead=True,
    )
    return int(item["Item"]["last_number"]["N"]) if "Item" in item else 0


def _money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d} USD"


# -- invoices -----------------------------------------------------------------------------------------


def test_a_paid_order_gets_an_invoice_whose_pdf_names_seller_buyer_lines_totals_and_payment(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    hymnal = new_product(price=1250, name="Choir Hymnal")
    candles = new_product(price=875, name="Advent Candle Set")
    placed = _place([(hymnal, 2), (candles, 1)], discount_code="SAVE10")
    order_id = placed["order_id"]
    assert stored_order(order_id).invoice_number is None  # unpaid: no number taken yet

    payment_id = _pay(world, localstripe, order_id)
    order = stored_order(order_id)
    assert order.payment_status == "paid"
    match = NUMBER.match(order.invoice_number or "")
    assert match, order.invoice_number
    assert match.group(1) == order.invoice_date[:4]
    assert order.invoice_date[:10] == time.strftime("%Y-%m-%d", time.gmtime())
    assert _counter("INV", order.invoice_date[:4]) == 1
    assert order.discount > 0
    assert order.shipping > 0
    assert order.tax > 0

    response = _document(order_id, "invoice", claims=shopper_claims("alice"), origin="https://shop.test")
    headers = response["multiValueHeaders"]
    assert headers["Content-Disposition"] == [f'attachment; filename="{order.invoice_number}.pdf"']
    # The site is another origin than the API: its script may read the file name only if exposed.
    assert "Content-Disposition" in headers["Access-Control-Expose-Headers"][0]
    text = _pdf_text(response)
    expected = [
        "INVOICE",
        f"Invoice number: {order.invoice_number}",
        f"Invoice date: {order.invoice_date[:10]}",
        order.order_number,
        # the shop and the seller, from the stage's brand settings
        BRAND["shop_name"],
        *BRAND["address_lines"],
        BRAND["seller_name"],
        BRAND["email"],
        BRAND["phone"],
        f"Tax ID: {BRAND['tax_id']}",
        # the buyer, billed and shipped to every field of two different addresses
        "alice@example.com",
        "Ada Lovelace",
        "400 Ledger Street",
        "Suite 900",
        "Toronto, ON M5H 2N2",
        "CA",
        "Phone: +1 416 555 0123",
        "12 Analytical Row",
        "Unit 5B",
        "Springfield, IL 62701",
        "Phone: +1 217 555 0142",
        # each line with its unit price, quantity and line total
        *[
            f"{line.name} {line.sku} {_money(line.unit_price)} {line.quantity} {_money(line.line_total)}"
            for line in order.items
        ],
        f"Subtotal {_money(order.subtotal)}",
        f"Discount (SAVE10) -{_money(order.discount)}",
        f"Shipping {_money(order.shipping)}",
        f"Tax {_money(order.tax)}",
        f"Total {_money(order.total)}",
        "Payment method: Card (Stripe)",
        f"Payment reference: {payment_id}",
    ]
    missing = [part for part in expected if part not in text]
    assert missing == [], text


def test_a_redelivered_payment_does_not_take_a_second_number(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    year = time.strftime("%Y", time.gmtime())
    order_id = _place([(new_product(price=2000), 1)])["order_id"]
    payment_id = _pay(world, localstripe, order_id)
    first = stored_order(order_id)
    assert first.invoice_number == f"INV-{year}-000001"

    # The same payment again, as another event (Stripe sends several for one intent), each delivered
    # more than once by SQS.
    again_event = PaymentMessage(
        provider="stripe",
        event_id="evt_another_event",
        payment_id=payment_id,
        order_id=order_id,
        user_id="alice",
    )
    message = {"Body": again_event.model_dump_json(), "MessageId": "m-again"}
    from payment_processor.handler import handler

    for _delivery in range(3):
        assert handler(sqs_event_from([message], PAYMENT_QUEUE), world.context)["batchItemFailures"] == []
    # A crash after the move but before the number was recorded: the retry sees the order as it was.
    stale = first.model_copy(update={"invoice_number": None, "invoice_date": None})
    assert issue_invoice(stale, actor="test").invoice_number == first.invoice_number

    again = stored_order(order_id)
    assert (again.invoice_number, again.invoice_date) == (first.invoice_number, first.invoice_date)
    assert [entry.status for entry in again.history] == ["pending", "paid"]
    assert _counter("INV", year) == 1


class _RecordedProvider:
    """The provider's answer for each payment of the race: succeeded, for the order's total."""

    name = "stripe"

    def __init__(self, orders: dict[str, Order]) -> None:
        self.orders = orders

    def retrieve(self, payment_id: str) -> PaymentState:
        order = self.orders[payment_id]
        return PaymentState(payment_id, "succeeded", order.total, order.currency.lower(), order.order_id)


@dataclass(frozen=True)
class RaceResult:
    outcomes: list[str]
    numbers: list[str | None]
    sequences: list[int]  # the numbers' sequence parts, sorted
    year: str
    elapsed: float

    @property
    def duplicates(self) -> int:
        return len(self.sequences) - len(set(self.sequences))

    @property
    def gaps(self) -> int:
        return len(set(range(1, max(self.sequences) + 1)) - set(self.sequences))


def _pay_all_at_once(monkeypatch: pytest.MonkeyPatch) -> RaceResult:
    """RACERS orders, each paid by its own payment_processor settlement, 12 running at any moment."""
    product = new_product(stock=RACERS, price=1500)
    orders = {
        f"pi_race_{position:02d}": stored_order(
            _place([(product, 1)], user_id=f"racer-{position}")["order_id"]
        )
        for position in range(RACERS)
    }
    monkeypatch.setattr("shop.payments.settlement.provider_named", lambda _name: _RecordedProvider(orders))
    make_requests_atomic(monkeypatch)

    def settle(payment_id: str) -> str:
        order = orders[payment_id]
        message = PaymentMessage(
            provider="stripe",
            event_id=f"evt_{payment_id}",
            payment_id=payment_id,
            order_id=order.order_id,
            user_id=order.user_id,
        )
        return PaymentSettlement().settle(message).outcome

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(settle, orders))
    elapsed = time.monotonic() - started
    numbers = [stored_order(order.order_id).invoice_number for order in orders.values()]
    parsed = [NUMBER.match(number or "") for number in numbers]
    assert all(parsed), numbers
    return RaceResult(
        outcomes=outcomes,
        numbers=numbers,
        sequences=sorted(int(match.group(2)) for match in parsed if match),
        year=next(match.group(1) for match in parsed if match),
        elapsed=elapsed,
    )


def test_fifty_orders_paid_at_once_get_fifty_consecutive_numbers(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    race = _pay_all_at_once(monkeypatch)
    with capsys.disabled():
        print(
            f"\n{RACERS} orders paid at once: {len(set(race.numbers))} numbers, {race.gaps} gaps, "
            f"{race.duplicates} duplicates, {race.sequences[0]}..{race.sequences[-1]} in {race.elapsed:.1f} s"
        )
    assert race.outcomes == ["paid"] * RACERS
    assert (len(race.sequences), race.duplicates, race.gaps) == (RACERS, 0, 0)
    assert race.sequences == list(range(1, RACERS + 1))
    assert _counter("INV", race.year) == RACERS


def test_the_race_would_hand_out_duplicates_without_the_counters_condition(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The test above would catch a counter raised without checking the value it was read at."""
    from shop.orders.repository import OrderRepository

    conditional = OrderRepository._counter_raise

    def unconditional(self: OrderRepository, *args: Any, **kwargs: Any) -> dict[str, Any]:
        update = conditional(self, *args, **kwargs)
        update["Update"].pop("ConditionExpression")
        update["Update"]["ExpressionAttributeValues"].pop(":last", None)
        return update

    monkeypatch.setattr(OrderRepository, "_counter_raise", unconditional)
    race = _pay_all_at_once(monkeypatch)
    with capsys.disabled():
        print(
            f"\nwithout the counter's condition: {len(set(race.numbers))} numbers, "
            f"{race.duplicates} duplicates"
        )
    assert race.duplicates > 0, race.sequences


# -- credit notes --------------------------------------------------------------------------------------


def test_a_refund_yields_a_credit_note_with_its_own_number_referencing_the_invoice(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    year = time.strftime("%Y", time.gmtime())
    order_id = _place([(new_product(price=3000), 1)])["order_id"]
    _pay(world, localstripe, order_id)
    invoice_number = stored_order(order_id).invoice_number
    assert _error(_document(order_id, "credit-note", claims=shopper_claims("alice")))[0] == 409

    refund = call_order_api(
        order_action_event(
            "POST",
            "/orders/{id}/refund",
            order_id,
            admin_claims(),
            {"amount": 1000, "reason": "scuffed cover"},
        )
    )
    assert refund.status == 202, refund.body
    status, body = _error(_document(order_id, "credit-note", claims=shopper_claims("alice")))
    assert (status, body["error"]) == (409, "document_not_issued")
    assert "refund is not complete" in body["message"]

    (message,) = world.drain(PAYMENT_QUEUE)
    from payment_processor.handler import handler

    for _delivery in range(2):  # a redelivered refund issues no second credit note
        assert handler(sqs_event_from([message], PAYMENT_QUEUE), world.context)["batchItemFailures"] == []
    order = stored_order(order_id)
    assert order.payment_status == "refunded"
    assert order.credit_note_number == f"CN-{year}-000001"
    assert order.credit_note_amount == 1000
    assert order.invoice_number == invoice_number  # the invoice stays; the credit note reduces it
    assert _counter("CN", year) == 1
    assert _counter("INV", year) == 1

    text = _pdf_text(_document(order_id, "credit-note", claims=admin_claims()))
    for part in (
        "CREDIT NOTE",
        f"Credit note number: {order.credit_note_number}",
        f"Credits invoice: {invoice_number} of {order.invoice_date[:10]}",
        f"Partial refund of invoice {invoice_number}: scuffed cover",
        "Total credited -10.00 USD",
        BRAND["seller_name"],
        "400 Ledger Street",
    ):
        assert part in text, (part, text)
    assert f"Invoice number: {invoice_number}" in _pdf_text(
        _document(order_id, "invoice", claims=admin_claims())
    )


def test_an_administrator_recording_a_payment_and_a_refund_issues_both_documents(world: OrderWorld) -> None:
    order_id = _place([(new_product(price=1800), 1)])["order_id"]
    paid = call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, admin_claims(), {"status": "paid"})
    )
    assert paid.status == 200, paid.body
    assert NUMBER.match(paid.body["invoice_number"])
    assert "Payment method: recorded by the shop" in _pdf_text(
        _document(order_id, "invoice", claims=shopper_claims("alice"))
    )
    refunded = call_order_api(
        order_action_event("PUT", "/orders/{id}/status", order_id, admin_claims(), {"status": "refunded"})
    )
    assert refunded.status == 200, refunded.body
    assert refunded.body["credit_note_number"].startswith("CN-")
    assert refunded.body["credit_note_amount"] == refunded.body["total"]


# -- who gets a document ----------------------------------------------------------------------------


def test_an_unpaid_order_has_no_invoice_and_says_why(world: OrderWorld) -> None:
    order_id = _place([(new_product(), 1)])["order_id"]
    status, body = _error(_document(order_id, "invoice", claims=shopper_claims("alice")))
    assert status == 409
    assert body["error"] == "document_not_issued"
    assert "issued when the order is paid" in body["message"]
    assert body["payment_status"] == "unpaid"


def test_strangers_get_404_and_guests_need_the_orders_token(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    placed = _place([(new_product(price=1400), 1)], user_id=None)
    order_id, access_token = placed["order_id"], placed["access_token"]
    _pay(world, localstripe, order_id, access_token=access_token)
    number = stored_order(order_id).invoice_number
    assert number

    # The token given at checkout, and the signed link of the order's emails.
    assert number in _pdf_text(_document(order_id, "invoice", token=access_token))
    assert number in _pdf_text(_document(order_id, "invoice", token=link_token(ORDER_LINK, order_id)))
    # A stranger signed in, a wrong token, no token: the same 404 as a missing order.
    for response in (
        _document(order_id, "invoice", claims=shopper_claims("mallory")),
        _document(order_id, "invoice", token="not-the-token"),
        _document(order_id, "invoice"),
        _document("ord_000000000000000000000000", "invoice", claims=shopper_claims("alice")),
    ):
        status, body = _error(response)
        assert (status, body["error"]) == (404, "not_found"), body
    # An administrator may read any order's invoice.
    assert number in _pdf_text(_document(order_id, "invoice", claims=admin_claims()))


def test_a_number_series_counter_is_never_read_as_an_order(
    world: OrderWorld, localstripe: LocalStripe
) -> None:
    order_id = _place([(new_product(), 1)])["order_id"]
    _pay(world, localstripe, order_id)
    year = time.strftime("%Y", time.gmtime())
    for claims in (shopper_claims("alice"), admin_claims()):
        reply = call_order_api(
            api_event("GET", "/orders/{id}", path_parameters={"id": f"INV#{year}"}, claims=claims)
        )
        assert reply.status == 404, reply.body
    listed = call_order_api(
        api_event("GET", "/orders/admin/list", query={"payment_status": "paid"}, claims=admin_claims())
    )
    assert [order["order_id"] for order in listed.body["orders"]] == [order_id]


def test_a_digital_only_order_is_invoiced_with_nothing_to_ship(
    world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_digital_downloads import BUCKET, digital_product, place_digital

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    monkeypatch.setenv(environment.DIGITAL_FILES_BUCKET, BUCKET)
    reset_process_state()
    placed = place_digital(digital_product(price=999))
    paid = call_order_api(
        order_action_event(
            "PUT", "/orders/{id}/status", placed["order_id"], admin_claims(), {"status": "paid"}
        )
    )
    assert paid.status == 200, paid.body
    assert paid.body["shipping_address"] is None

    text = _pdf_text(_document(placed["order_id"], "invoice", token=placed["access_token"]))
    for part in (
        f"Invoice number: {paid.body['invoice_number']}",
        "Bill to Ada Lovelace reader@example.com",
        "Ship to Nothing to ship: digital delivery",
        "Shipping 0.00 USD",
        f"Total {_money(paid.body['total'])}",
    ):
        assert part in text, (part, text)
