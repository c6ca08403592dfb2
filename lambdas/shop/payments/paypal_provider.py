"""PayPal through paypal-server-sdk: Orders v2 create and capture, refunds through the Payments API.

Every call that creates or moves money sends `PayPal-Request-Id` derived from the shop's order, so
PayPal answers a repeat with the first result. Verifying a PayPal payment captures it: the buyer has
approved the PayPal order, and the capture (idempotent through its request id) is what takes the
money; the stored `payment_id` is then the capture id, which refunds need.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from shop.orders.model import Order
from shop.payments.model import (
    PaymentSession,
    PaymentState,
    ProviderBusy,
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
    idempotency_key,
    retry_after_hint,
)
from shop.payments.secrets import payment_secrets
from shop.platform.settings import get_settings

T = TypeVar("T")
REQUEST_TIMEOUT_SECONDS = 20
CAPTURE_STATES = {"COMPLETED": "succeeded", "DECLINED": "failed", "FAILED": "failed"}


def decimal_amount(cents: int) -> str:
    """PayPal's amounts are decimal strings in the major unit ("54.13"); the shop's are cents."""
    return f"{Decimal(cents) / 100:.2f}"


def cents(value: str) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def _translated(call: Callable[[], Any]) -> dict[str, Any]:
    """The JSON body of a PayPal answer; outages as ProviderUnavailable, refusals as ProviderRejected."""
    import requests
    from paypalserversdk.exceptions.api_exception import ApiException

    try:
        response = call()
    except ApiException as error:
        status = error.response_code or 0
        if status == 429:
            hint = retry_after_hint(getattr(error.response, "headers", None))
            raise ProviderBusy("paypal", "paypal answered 429", retry_after_seconds=hint) from error
        if status >= 500 or status in (408, 409):
            raise ProviderUnavailable(f"paypal answered {status}") from error
        raise ProviderRejected(f"paypal refused with {status}") from error
    except requests.RequestException as error:
        raise ProviderUnavailable(f"paypal: {type(error).__name__}") from error
    body: dict[str, Any] = json.loads(response.text) if response.text else {}
    return body


class PayPalProvider:
    """Implements PaymentProvider with a `PaypalServersdkClient`."""

    name: ProviderName = "paypal"

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def from_secrets(cls) -> PayPalProvider:
        from paypalserversdk.configuration import Environment
        from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
        from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

        secrets = payment_secrets()
        if secrets.paypal_client_id is None or secrets.paypal_client_secret is None:
            raise ProviderRejected("the payment secret has no PayPal credentials")
        # Only prod takes real money; every other stage talks to PayPal's sandbox.
        environment = Environment.PRODUCTION if get_settings().stage == "prod" else Environment.SANDBOX
        client = PaypalServersdkClient(
            client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
                o_auth_client_id=secrets.paypal_client_id.get_secret_value(),
                o_auth_client_secret=secrets.paypal_client_secret.get_secret_value(),
            ),
            environment=environment,
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=0,  # the queue retries with backoff; the breaker must see every failure
        )
        return cls(client)

    def create_payment(self, order: Order, *, card_token: str | None = None) -> PaymentSession:
        """A PayPal order the buyer approves in PayPal's own window; `card_token` is Stripe's only."""
        from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
        from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
        from paypalserversdk.models.order_request import OrderRequest
        from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest

        request = OrderRequest(
            intent=CheckoutPaymentIntent.CAPTURE,
            purchase_units=[
                PurchaseUnitRequest(
                    amount=AmountWithBreakdown(
                        currency_code=order.currency.upper(), value=decimal_amount(order.total)
                    ),
                    reference_id=order.order_id,
                    custom_id=order.order_id,
                    invoice_id=order.order_number,
                )
            ],
        )
        body = _translated(
            lambda: self.client.orders.create_order(
                {"body": request, "paypal_request_id": idempotency_key("paypal-create", order.order_id)}
            )
        )
        approve = next(
            (
                link["href"]
                for link in body.get("links", [])
                if link.get("rel") in ("approve", "payer-action")
            ),
            "",
        )
        return PaymentSession(
            payment_id=str(body["id"]),
            client_secret="",
            amount=order.total,
            currency=order.currency.lower(),
            approve_url=approve or None,
        )

    def retrieve(self, payment_id: str) -> PaymentState:
        """The PayPal order's payment; an approved order is captured here (once, by request id)."""
        body = _translated(lambda: self.client.orders.get_order({"id": payment_id}))
        unit = (body.get("purchase_units") or [{}])[0]
        order_id = unit.get("custom_id") or unit.get("reference_id")
        status = body.get("status")
        if status == "APPROVED":
            if not order_id:
                raise ProviderRejected(f"PayPal order {payment_id} names no shop order")
            body = _translated(
                lambda: self.client.orders.capture_order(
                    {"id": payment_id, "paypal_request_id": idempotency_key("paypal-capture", order_id)}
                )
            )
            unit = (body.get("purchase_units") or [unit])[0]
            status = body.get("status")
        captures = (unit.get("payments") or {}).get("captures") or []
        if status == "VOIDED":
            return PaymentState(payment_id, "failed", 0, "", order_id)
        if not captures:
            return PaymentState(payment_id, "pending", 0, "", order_id)
        capture = captures[0]
        return PaymentState(
            payment_id=str(capture["id"]),
            status=CAPTURE_STATES.get(str(capture.get("status")), "pending"),  # type: ignore[arg-type]
            amount=cents(str(capture["amount"]["value"])),
            currency=str(capture["amount"]["currency_code"]).lower(),
            order_id=order_id,
        )

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str:
        from paypalserversdk.models.money import Money
        from paypalserversdk.models.refund_request import RefundRequest

        capture = _translated(lambda: self.client.payments.get_captured_payment({"capture_id": payment_id}))
        currency = str(capture["amount"]["currency_code"])
        body = _translated(
            lambda: self.client.payments.refund_captured_payment(
                {
                    "capture_id": payment_id,
                    "paypal_request_id": idempotency_key,
                    "body": RefundRequest(amount=Money(currency_code=currency, value=decimal_amount(amount))),
                }
            )
        )
        return str(body["id"])

    def cancel(self, payment_id: str) -> None:
        """Nothing to call: a PayPal order that is never captured takes no money and PayPal voids it
        itself after three hours. The order it was for is cancelled, so a late capture is refunded."""
        del payment_id

    def verify_webhook(self, headers: dict[str, str], body: str, webhook_id: str) -> bool:
        """PayPal's verify-webhook-signature API on the delivery's transmission headers; True when valid."""
        import requests

        wanted = {name.lower(): value for name, value in headers.items()}
        try:
            fields = {
                "auth_algo": wanted["paypal-auth-algo"],
                "cert_url": wanted["paypal-cert-url"],
                "transmission_id": wanted["paypal-transmission-id"],
                "transmission_sig": wanted["paypal-transmission-sig"],
                "transmission_time": wanted["paypal-transmission-time"],
            }
        except KeyError:
            return False
        token = self.client.auth_managers["Oauth2"].fetch_token()
        try:
            response = requests.post(
                f"{self.client.config.get_base_uri()}/v1/notifications/verify-webhook-signature",
                json={**fields, "webhook_id": webhook_id, "webhook_event": json.loads(body)},
                headers={"Authorization": f"Bearer {token.access_token}"},
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            raise ProviderUnavailable(f"paypal: {type(error).__name__}") from error
        if response.status_code == 429:
            hint = retry_after_hint(response.headers)
            raise ProviderBusy("paypal", "paypal answered 429", retry_after_seconds=hint)
        if response.status_code >= 500:
            raise ProviderUnavailable(f"paypal answered {response.status_code}")
        return response.ok and response.json().get("verification_status") == "SUCCESS"
