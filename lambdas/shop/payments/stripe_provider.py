"""Stripe through its SDK: PaymentIntents create and retrieve, refunds; idempotency keys on writes.

The SDK is imported here only, on the payment code paths, so the handlers' cold start does not pay
for it. Stripe's own network retries are off: the queue retries with backoff, and the circuit
breaker must see every failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shop.orders.model import Order
from shop.payments.model import (
    PaymentSession,
    PaymentState,
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
    idempotency_key,
)
from shop.payments.secrets import payment_secrets

T = TypeVar("T")
# The breaker abandons a call after 30 s; the socket gives up before that.
REQUEST_TIMEOUT_SECONDS = 20


def _translated(call: Callable[[], T]) -> T:
    """Stripe's errors as the shop's: outages are transient, refusals are not."""
    import stripe

    try:
        return call()
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise ProviderUnavailable(f"stripe: {type(error).__name__}") from error
    except stripe.StripeError as error:
        status = error.http_status or 0
        if status >= 500 or status in (408, 409):
            # 409: an idempotent request is still in flight at Stripe; trying again later is right.
            raise ProviderUnavailable(f"stripe answered {status}") from error
        raise ProviderRejected(f"stripe refused: {error.code or status}") from error


class StripeProvider:
    """Implements PaymentProvider with a `stripe.StripeClient`."""

    name: ProviderName = "stripe"

    def __init__(self, client: Any) -> None:
        self.client = client

    @classmethod
    def from_secrets(cls, http_client: Any = None) -> StripeProvider:
        """A client with the secret key from the payment secret; `http_client` lets tests serve responses."""
        import stripe

        key = payment_secrets().stripe_secret_key.get_secret_value()
        client = stripe.StripeClient(
            key,
            http_client=http_client or stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
            max_network_retries=0,
        )
        return cls(client)

    def create_payment(self, order: Order) -> PaymentSession:
        intent = _translated(
            lambda: self.client.v1.payment_intents.create(
                params={
                    "amount": order.total,
                    "currency": order.currency.lower(),
                    "automatic_payment_methods": {"enabled": True},
                    "metadata": {"order_id": order.order_id, "user_id": order.user_id},
                    "description": f"Order {order.order_number}",
                },
                options={"idempotency_key": idempotency_key("intent", order.order_id)},
            )
        )
        return PaymentSession(
            payment_id=str(intent.id),
            client_secret=str(intent.client_secret),
            amount=int(intent.amount),
            currency=str(intent.currency),
        )

    def retrieve(self, payment_id: str) -> PaymentState:
        intent = _translated(lambda: self.client.v1.payment_intents.retrieve(payment_id))
        status = str(intent.status)
        if status == "succeeded":
            settled = "succeeded"
        elif status == "canceled" or (status == "requires_payment_method" and intent.last_payment_error):
            settled = "failed"
        else:
            settled = "pending"
        metadata = intent.metadata.to_dict() if intent.metadata else {}
        return PaymentState(
            payment_id=str(intent.id),
            status=settled,  # type: ignore[arg-type]
            amount=int(intent.amount_received if settled == "succeeded" else intent.amount),
            currency=str(intent.currency),
            order_id=metadata.get("order_id"),
        )

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str:
        refund = _translated(
            lambda: self.client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        )
        return str(refund.id)
