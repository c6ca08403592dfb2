"""Stripe through its SDK: PaymentIntents create, confirm, retrieve and cancel, refunds; idempotency
keys on writes.

The checkout page turns the card into a token with Stripe.js (the card never reaches the shop), and
the PaymentIntent is created and confirmed here with that card ("finalize payments on the server"):
a decline is known at once, and when the bank wants 3-D Secure the intent comes back
`requires_action` and the page runs it with Stripe.js. The signed webhook then reports the outcome.
Every write carries an idempotency key derived from the order (and the card token), so a double click
or a retry never charges twice.

The SDK is imported here only, on the payment code paths, so the handlers' cold start does not pay
for it. Stripe's own network retries are off: the queue retries with backoff, and the circuit
breaker must see every failure. STRIPE_API_BASE (Settings.stripe_api_base) points the client at
another Stripe API, such as the local shop's localstripe; deployed stages leave it unset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shop.orders.model import Order
from shop.payments.model import (
    PaymentSession,
    PaymentState,
    ProviderBusy,
    ProviderDeclined,
    ProviderName,
    ProviderRejected,
    ProviderUnavailable,
    idempotency_key,
    retry_after_hint,
)
from shop.payments.secrets import payment_secrets
from shop.platform.settings import get_settings

T = TypeVar("T")
# The breaker abandons a call after 30 s; the socket gives up before that.
REQUEST_TIMEOUT_SECONDS = 20


def _translated(call: Callable[[], T]) -> T:
    """Stripe's errors as the shop's: outages are transient, refusals are not."""
    import stripe

    try:
        return call()
    except stripe.RateLimitError as error:
        # 429: the account's or an endpoint's rate, or `lock_timeout` (concurrent writes to one object).
        raise ProviderBusy(
            "stripe",
            f"stripe: {error.code or 'rate_limit'}",
            retry_after_seconds=retry_after_hint(error.headers),
        ) from error
    except stripe.APIConnectionError as error:
        raise ProviderUnavailable(f"stripe: {type(error).__name__}") from error
    except stripe.CardError as error:
        # Stripe's message is written for the cardholder ("Your card was declined.").
        raise ProviderDeclined(
            error.user_message or "Your card was declined.", decline_code=error.code
        ) from error
    except stripe.StripeError as error:
        status = error.http_status or 0
        if status >= 500 or status in (408, 409):
            # 409: an idempotent request is still in flight at Stripe; trying again later is right.
            raise ProviderUnavailable(f"stripe answered {status}") from error
        raise ProviderRejected(f"stripe refused: {error.code or status}") from error


def _amount_taken(intent: Any) -> int:
    # `amount_received` is what was captured; localstripe's intents do not carry it, and a succeeded
    # intent with automatic capture has taken exactly its `amount`.
    received = getattr(intent, "amount_received", None)
    return int(intent.amount if received is None else received)


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
        api_base = get_settings().stripe_api_base
        client = stripe.StripeClient(
            key,
            http_client=http_client or stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
            max_network_retries=0,
            base_addresses={"api": api_base} if api_base else None,
        )
        return cls(client)

    def create_payment(self, order: Order, *, card_token: str | None = None) -> PaymentSession:
        """A PaymentIntent for the order's total. With a Stripe.js card token it is confirmed at once:
        the card is saved on a Stripe customer of the order's email (the PaymentIntents API charges a
        token's card through a customer) and charged; ProviderDeclined when the bank says no.
        Without one, an unconfirmed intent for a page that confirms with Stripe.js itself."""
        params: dict[str, Any] = {
            "amount": order.total,
            "currency": order.currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {
                "order_id": order.order_id,
                "user_id": order.user_id,
                "order_number": order.order_number,
            },
        }
        key = idempotency_key("intent", order.order_id)
        if card_token is not None:
            customer = self._customer_with_card(order, card_token)
            params |= {"customer": customer.id, "payment_method": customer.default_source, "confirm": True}
            # One intent per card the shopper tries: a declined card followed by another is a new
            # attempt, while a double click with the same card is answered with the first intent.
            key = f"{key}-{card_token}"
        intent = _translated(
            lambda: self.client.v1.payment_intents.create(params=params, options={"idempotency_key": key})
        )
        return PaymentSession(
            payment_id=str(intent.id),
            client_secret=str(intent.client_secret),
            amount=int(intent.amount),
            currency=str(intent.currency),
            status=str(intent.status),
        )

    def _customer_with_card(self, order: Order, card_token: str) -> Any:
        return _translated(
            lambda: self.client.v1.customers.create(
                params={
                    "email": order.user_email,
                    "source": card_token,
                    "metadata": {"order_id": order.order_id, "user_id": order.user_id},
                },
                options={"idempotency_key": f"shop-customer-{card_token}"},
            )
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
            amount=int(_amount_taken(intent) if settled == "succeeded" else intent.amount),
            currency=str(intent.currency),
            order_id=metadata.get("order_id"),
        )

    def cancel(self, payment_id: str) -> None:
        _translated(lambda: self.client.v1.payment_intents.cancel(payment_id))

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str:
        refund = _translated(
            lambda: self.client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        )
        return str(refund.id)
