"""Which payment provider serves a request: Stripe (or the local sandbox) for cards, PayPal, and the
guard that refuses the sandbox in prod. The provider modules import their SDKs only when called, so
importing this module loads neither stripe nor paypalserversdk (cold start)."""

from __future__ import annotations

from shop.payments.model import SANDBOX_MODE, PaymentProvider, ProviderRejected, SandboxInProduction
from shop.payments.paypal_provider import PayPalProvider
from shop.payments.sandbox_provider import SandboxProvider
from shop.payments.stripe_provider import StripeProvider
from shop.platform.process_state import per_process
from shop.platform.settings import Settings, get_settings


def check_provider_mode(settings: Settings) -> None:
    """Refuse the sandbox in prod: it would mark orders paid without taking any money."""
    if settings.stage == "prod" and settings.payment_provider_mode == SANDBOX_MODE:
        raise SandboxInProduction("PAYMENT_PROVIDER_MODE=sandbox is not allowed in the prod stage")


def sandbox_mode() -> bool:
    settings = get_settings()
    check_provider_mode(settings)
    return settings.payment_provider_mode == SANDBOX_MODE


@per_process
def card_provider() -> PaymentProvider:
    """The provider behind the /payment/stripe routes: Stripe, or the sandbox in local mode."""
    if sandbox_mode():
        return SandboxProvider()
    return StripeProvider.from_secrets()


@per_process
def paypal_provider() -> PayPalProvider:
    """The provider behind the /payment/paypal routes (no PayPal sandbox exists in local mode)."""
    return PayPalProvider.from_secrets()


def provider_named(name: str) -> PaymentProvider:
    """The provider that took a payment, for verifying or refunding it."""
    if name == SANDBOX_MODE or sandbox_mode():
        if not sandbox_mode():
            raise ProviderRejected("a sandbox payment cannot be handled outside sandbox mode")
        return card_provider()
    if name == "stripe":
        return card_provider()
    if name == "paypal":
        return paypal_provider()
    raise ProviderRejected(f"no payment provider {name!r} is available")
