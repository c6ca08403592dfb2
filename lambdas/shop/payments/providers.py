"""Which payment provider serves a request: Stripe for cards, PayPal for PayPal. The provider modules
import their SDKs only when called, so importing this module loads neither stripe nor
paypalserversdk (cold start)."""

from __future__ import annotations

from shop.payments.model import PaymentProvider, ProviderRejected
from shop.payments.paypal_provider import PayPalProvider
from shop.payments.stripe_provider import StripeProvider
from shop.platform.process_state import per_process


@per_process
def card_provider() -> StripeProvider:
    """The provider behind the /payment/stripe routes."""
    return StripeProvider.from_secrets()


@per_process
def paypal_provider() -> PayPalProvider:
    """The provider behind the /payment/paypal routes."""
    return PayPalProvider.from_secrets()


def provider_named(name: str) -> PaymentProvider:
    """The provider that took a payment, for verifying, cancelling or refunding it."""
    if name == "stripe":
        return card_provider()
    if name == "paypal":
        return paypal_provider()
    raise ProviderRejected(f"no payment provider {name!r} is available")
