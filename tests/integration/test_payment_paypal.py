"""PayPal through paypal-server-sdk, its HTTP answered by `responses`: create, capture, refund, and the
PayPal-Request-Id each money-moving call carries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import responses

from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims
from tests.integration.order_events import OrderWorld, call_order_api, order_action_event, stored_order
from tests.integration.payment_events import (
    STRIPE_SECRETS,
    call_payment_api,
    guest_order,
    payment_request,
    payment_world_in,
    run_payment_processor,
    use_payment_secret,
)

API = "https://api-m.sandbox.paypal.com"
PAYPAL_ORDER = "5O190127TN364715T"
CAPTURE = "3C679366HH908993F"
REFUND = "1JU08902781691411"


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


@pytest.fixture
def paypal(world: OrderWorld, monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    use_payment_secret(monkeypatch)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{API}/v1/oauth2/token",
            json={"access_token": "A21AAF-recorded", "token_type": "Bearer", "expires_in": 32400},
        )
        yield mock


def _money(total: int) -> dict[str, str]:
    return {"currency_code": "USD", "value": f"{Decimal(total) / 100:.2f}"}


def _unit(order_id: str, total: int, captures: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    unit: dict[str, Any] = {"reference_id": order_id, "custom_id": order_id, "amount": _money(total)}
    if captures is not None:
        unit["payments"] = {"captures": captures}
    return unit


def _sent(mock: responses.RequestsMock, method: str, path: str) -> list[Any]:
    return [
        call.request
        for call in mock.calls
        if call.request.method == method and call.request.url == API + path
    ]


def test_a_paypal_payment_and_its_refund_carry_paypal_request_ids(
    world: OrderWorld, paypal: responses.RequestsMock
) -> None:
    order_id, token = guest_order(price=2500, quantity=2)
    total = stored_order(order_id).total
    approve = f"https://www.sandbox.paypal.com/checkoutnow?token={PAYPAL_ORDER}"
    paypal.post(
        f"{API}/v2/checkout/orders",
        status=201,
        json={
            "id": PAYPAL_ORDER,
            "status": "CREATED",
            "links": [{"href": approve, "rel": "approve", "method": "GET"}],
        },
    )
    created = call_payment_api(
        payment_request("/payment/paypal/create", {"order_id": order_id, "access_token": token, "amount": 1})
    )
    assert created.status == 201, created.body
    assert (created.body["paypal_order_id"], created.body["approve_url"]) == (PAYPAL_ORDER, approve)
    (create,) = _sent(paypal, "POST", "/v2/checkout/orders")
    assert create.headers["PayPal-Request-Id"] == f"shop-paypal-create-{order_id}"
    sent_unit = json.loads(create.body)["purchase_units"][0]
    assert sent_unit["amount"] == _money(total)  # the stored total, not the 1 of the request
    assert sent_unit["custom_id"] == order_id
    (token_call,) = _sent(paypal, "POST", "/v1/oauth2/token")
    assert STRIPE_SECRETS["paypal_client_id"] not in token_call.url  # credentials go in the auth header

    paypal.get(
        f"{API}/v2/checkout/orders/{PAYPAL_ORDER}",
        json={"id": PAYPAL_ORDER, "status": "APPROVED", "purchase_units": [_unit(order_id, total)]},
    )
    paypal.post(
        f"{API}/v2/checkout/orders/{PAYPAL_ORDER}/capture",
        status=201,
        json={
            "id": PAYPAL_ORDER,
            "status": "COMPLETED",
            "purchase_units": [
                _unit(order_id, total, [{"id": CAPTURE, "status": "COMPLETED", "amount": _money(total)}])
            ],
        },
    )
    captured = call_payment_api(
        payment_request(
            "/payment/paypal/capture",
            {"order_id": order_id, "access_token": token, "payment_id": PAYPAL_ORDER},
        )
    )
    assert captured.status == 202
    assert stored_order(order_id).order_status == "pending"
    _messages, response = run_payment_processor(world)
    assert response["batchItemFailures"] == []
    (capture,) = _sent(paypal, "POST", f"/v2/checkout/orders/{PAYPAL_ORDER}/capture")
    assert capture.headers["PayPal-Request-Id"] == f"shop-paypal-capture-{order_id}"
    paid = stored_order(order_id)
    assert (paid.order_status, paid.payment_method, paid.payment_id) == ("paid", "paypal", CAPTURE)
    assert [mail["template"] for mail in world.bodies("email-notification")] == ["payment_received"]

    paypal.get(
        f"{API}/v2/payments/captures/{CAPTURE}",
        json={"id": CAPTURE, "status": "COMPLETED", "amount": _money(total)},
    )
    paypal.post(
        f"{API}/v2/payments/captures/{CAPTURE}/refund", status=201, json={"id": REFUND, "status": "COMPLETED"}
    )
    refund = call_order_api(
        order_action_event("POST", "/orders/{id}/refund", order_id, admin_claims(), body={})
    )
    assert refund.status == 202, refund.body
    run_payment_processor(world)
    (refunded_call,) = _sent(paypal, "POST", f"/v2/payments/captures/{CAPTURE}/refund")
    assert refunded_call.headers["PayPal-Request-Id"] == f"shop-refund-{order_id}"
    assert json.loads(refunded_call.body) == {"amount": _money(total)}
    assert stored_order(order_id).order_status == "refunded"
    assert [mail["template"] for mail in world.bodies("email-notification")] == ["order_refunded"]


def test_a_paypal_outage_is_a_503_and_the_order_stays_pending(
    world: OrderWorld, paypal: responses.RequestsMock
) -> None:
    order_id, token = guest_order()
    paypal.post(f"{API}/v2/checkout/orders", status=503, json={"name": "SERVICE_UNAVAILABLE"})
    reply = call_payment_api(
        payment_request("/payment/paypal/create", {"order_id": order_id, "access_token": token})
    )
    assert reply.status == 503
    assert "Retry-After" in reply.headers
    assert stored_order(order_id).order_status == "pending"


def test_a_paypal_rate_limit_says_busy_with_paypals_retry_after_and_leaves_the_circuit_closed(
    world: OrderWorld, paypal: responses.RequestsMock
) -> None:
    from shop.payments.breakers import breaker_for

    order_id, token = guest_order()
    paypal.post(
        f"{API}/v2/checkout/orders",
        status=429,
        json={"name": "RATE_LIMIT_REACHED"},
        headers={"Retry-After": "7"},
    )
    create = payment_request("/payment/paypal/create", {"order_id": order_id, "access_token": token})
    for _attempt in range(6):
        reply = call_payment_api(create)
        assert reply.status == 503
        assert reply.headers["Retry-After"] == "7"  # PayPal's own hint, above the shop's 2 s
        assert reply.body["reason"] == "payment_provider_busy"
    assert len(_sent(paypal, "POST", "/v2/checkout/orders")) == 6  # none refused by the breaker
    assert breaker_for("paypal").state() == "closed"
    assert stored_order(order_id).order_status == "pending"


def _paypal_webhook(body: str, transmission_sig: str | None = "sig-1") -> dict[str, Any]:
    from tests.integration.events import api_event

    event = api_event("POST", "/payment/webhook/paypal", body=body)
    headers = {
        "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        "PAYPAL-CERT-URL": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42",
        "PAYPAL-TRANSMISSION-ID": "69cd13f0-d67a-11e5-baa3-778b53f4ae55",
        "PAYPAL-TRANSMISSION-TIME": "2026-11-21T12:00:00Z",
    }
    if transmission_sig is not None:
        headers["PAYPAL-TRANSMISSION-SIG"] = transmission_sig
    event["headers"].update(headers)
    event["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    return event


def test_a_paypal_webhook_is_verified_by_paypal_before_anything_is_queued(
    world: OrderWorld, paypal: responses.RequestsMock
) -> None:
    order_id, _token = guest_order()
    body = json.dumps(
        {
            "id": "WH-2WR32451HC0233532-67976317FL4543714",
            "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": {
                "id": CAPTURE,
                "custom_id": order_id,
                "supplementary_data": {"related_ids": {"order_id": PAYPAL_ORDER}},
            },
        }
    )
    verify = f"{API}/v1/notifications/verify-webhook-signature"
    paypal.post(verify, json={"verification_status": "FAILURE"})
    assert call_payment_api(_paypal_webhook(body)).status == 400
    assert call_payment_api(_paypal_webhook(body, transmission_sig=None)).status == 400
    assert world.drain("payment-processing") == []

    paypal.replace(responses.POST, verify, json={"verification_status": "SUCCESS"})
    assert call_payment_api(_paypal_webhook(body, "sig-2")).status == 202
    assert call_payment_api(_paypal_webhook(body, "sig-2")).status == 400  # replayed
    sent = json.loads([c.request for c in paypal.calls if c.request.url == verify][-1].body)
    assert sent["webhook_id"] == STRIPE_SECRETS["paypal_webhook_id"]
    assert sent["webhook_event"] == json.loads(body)
    (queued,) = world.bodies("payment-processing")
    assert (queued["provider"], queued["payment_id"], queued["order_id"]) == (
        "paypal",
        PAYPAL_ORDER,
        order_id,
    )
