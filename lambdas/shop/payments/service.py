"""What the payment functions call: start a payment for an order, hand a confirmation or a verified
webhook to payment_processor, and settle or refund what arrives on payment-processing.

The amount of a payment is always the stored order's total: no caller can name it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Literal

from shop.contracts.queues import PAYMENT_PROCESSING
from shop.orders.model import CancelPaymentsMessage, Order, RefundMessage, token_hash
from shop.orders.notifications import send
from shop.orders.repository import OrderRepository
from shop.orders.state import OrderStatus, PaymentStatus
from shop.payments.breakers import guarded_for_api
from shop.payments.model import PaymentMessage, PaymentSession, ProviderName, ProviderUnavailable
from shop.payments.providers import card_provider, paypal_provider
from shop.payments.secrets import payment_secrets
from shop.payments.settlement import Outcome, PaymentNotSettled, PaymentSettlement
from shop.payments.webhooks import accept_paypal_webhook, accept_stripe_webhook, header, raw_body, reject
from shop.platform.circuit_breaker import CallTimedOutError, CircuitOpenError
from shop.platform.errors import Conflict, NotFound
from shop.platform.identity import Caller

# Failures that resolve themselves (outage, open circuit, payment still processing): retried later.
TRANSIENT_PAYMENT_ERRORS = (ProviderUnavailable, CircuitOpenError, CallTimedOutError, PaymentNotSettled)


@dataclass(frozen=True)
class StartedPayment:
    """A payment created with a provider for an order, as the browser needs it."""

    order_id: str
    provider: ProviderName
    session: PaymentSession


def payable_order(order_id: str, caller: Caller, access_token: str | None) -> Order:
    """The order if the caller owns it (signed in as its owner, or holding its access token); the same
    404 as for a missing order otherwise, so order ids cannot be probed."""
    order = OrderRepository().get(order_id)
    if order is not None:
        if caller.signed_in and order.user_id == caller.user_id:
            return order
        if (
            access_token
            and order.access_token_hash
            and hmac.compare_digest(token_hash(access_token), order.access_token_hash)
        ):
            return order
    raise NotFound(f"no order {order_id}", field="order_id")


def order_to_pay(order_id: str, caller: Caller, access_token: str | None) -> Order:
    """The caller's order, if it still awaits payment; Conflict when it is paid or no longer pending."""
    order = payable_order(order_id, caller, access_token)
    if order.order_status is not OrderStatus.PENDING or order.payment_status is not PaymentStatus.UNPAID:
        raise Conflict(
            f"the order is {order.order_status.value} and {order.payment_status.value}; it cannot be paid",
            field="order_id",
        )
    return order


def start_card_payment(
    order_id: str, caller: Caller, access_token: str | None, *, card_token: str | None = None
) -> StartedPayment:
    """A Stripe PaymentIntent for the order's stored total, confirmed with the Stripe.js card token when
    the page sends one; PaymentDeclined (402, Stripe's words) when the card is refused."""
    order = order_to_pay(order_id, caller, access_token)
    provider = card_provider()
    session = guarded_for_api(provider.name, lambda: provider.create_payment(order, card_token=card_token))
    OrderRepository().record_payment_attempt(order, provider.name, session.payment_id)
    return StartedPayment(order.order_id, provider.name, session)


def start_paypal_payment(order_id: str, caller: Caller, access_token: str | None) -> StartedPayment:
    """A PayPal order for the order's stored total, for the PayPal buttons to open."""
    order = order_to_pay(order_id, caller, access_token)
    provider = paypal_provider()
    session = guarded_for_api(provider.name, lambda: provider.create_payment(order))
    OrderRepository().record_payment_attempt(order, provider.name, session.payment_id)
    return StartedPayment(order.order_id, provider.name, session)


def confirm_payment(
    order_id: str,
    caller: Caller,
    access_token: str | None,
    *,
    provider: Literal["stripe", "paypal"],
    event_kind: str,
    payment_id: str,
) -> Order:
    """Ask payment_processor to verify a payment the page saw succeed (it asks the provider, never the
    page). The signed webhook says the same; this covers a webhook that is late or cannot reach the
    shop (a laptop running `make run` against Stripe's test mode)."""
    order = order_to_pay(order_id, caller, access_token)
    send(
        PAYMENT_PROCESSING.logical_name,
        PaymentMessage(
            provider=provider,
            event_id=f"{event_kind}:{payment_id}",
            payment_id=payment_id,
            order_id=order.order_id,
            user_id=order.user_id,
        ),
    )
    return order


def receive_stripe_webhook(event: dict[str, Any]) -> PaymentMessage | None:
    """Verify a Stripe-signed webhook and queue its payment; None when the event settles nothing.
    WebhookRejected for a missing, bad, expired or replayed signature."""
    signature = header(event, "Stripe-Signature")
    if not signature:
        # Refused before the secret is even read: an unsigned request costs no Secrets Manager call.
        raise reject("stripe", "no signature header")
    secret = payment_secrets().stripe_webhook_secret.get_secret_value()
    return accept_stripe_webhook(raw_body(event), signature, secret=secret)


def receive_paypal_webhook(event: dict[str, Any]) -> PaymentMessage | None:
    """Verify a PayPal webhook with PayPal and queue the order it concerns; None when it settles nothing."""
    if not header(event, "PayPal-Transmission-Sig"):
        raise reject("paypal", "no transmission signature")
    webhook_id = payment_secrets().paypal_webhook_id
    if webhook_id is None:
        raise reject("paypal", "no PayPal webhook id is configured")
    provider = paypal_provider()
    return accept_paypal_webhook(
        raw_body(event),
        {str(name): str(value) for name, value in (event.get("headers") or {}).items()},
        verify=lambda headers, body: provider.verify_webhook(headers, body, webhook_id.get_secret_value()),
    )


def process_payment_message(message: PaymentMessage | RefundMessage | CancelPaymentsMessage) -> Outcome:
    """Settle a payment, execute a refund or cancel an expired order's payments from payment-processing;
    TRANSIENT_PAYMENT_ERRORS mean "try again later"."""
    settlement = PaymentSettlement()
    if isinstance(message, PaymentMessage):
        return settlement.settle(message)
    if isinstance(message, CancelPaymentsMessage):
        return settlement.cancel_payments(message)
    return settlement.refund(message)
