"""Payments: the provider interface, the messages on payment-processing, and the circuit breakers.

Every provider (Stripe, the local sandbox) implements `PaymentProvider`. Calls that create or move
money carry an idempotency key derived from the order (`idempotency_key`), so a retried request, a
redelivered message or a double click can never charge or refund twice. Every provider call goes
through `guarded`, the provider's circuit breaker (shop/circuit_breaker.py).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal, Protocol, TypeVar

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shop.contracts.alarm_metric_names import CIRCUIT_BREAKER_OPENED, DEPENDENCY_DIMENSION
from shop.contracts.metric_names import METRICS_NAMESPACE
from shop.orders.model import Order, RefundMessage, token_hash
from shop.orders.repository import OrderRepository
from shop.platform.circuit_breaker import CircuitBreaker, CircuitOpenError
from shop.platform.errors import ServiceUnavailable, UpstreamRefused
from shop.platform.identity import Caller
from shop.platform.observability import logger
from shop.platform.process_state import per_process
from shop.platform.redis_connection import shared_redis_client
from shop.platform.settings import Settings, get_settings

if TYPE_CHECKING:
    from shop.payments.paypal_provider import PayPalProvider

T = TypeVar("T")

SANDBOX_MODE = "sandbox"
ProviderName = Literal["stripe", "paypal", "sandbox"]


class PaymentProviderError(RuntimeError):
    """A provider call failed."""


class ProviderUnavailable(PaymentProviderError):
    """Transient (network, 5xx, rate limit): counts against the circuit and is retried later."""


class ProviderRejected(PaymentProviderError):
    """The provider answered and said no (bad request, unknown payment): retrying cannot help."""


class PaymentRefused(UpstreamRefused):
    """The provider refused a request the shop made (bad configuration or data), not the client."""

    code = "payment_provider_refused"


class SandboxInProduction(RuntimeError):
    """The sandbox provider takes no money; a prod function configured with it refuses to start."""


@dataclass(frozen=True)
class PaymentSession:
    """What the browser needs to pay: the provider's payment id, and Stripe's client secret or
    PayPal's approval link."""

    payment_id: str
    client_secret: str
    amount: int
    currency: str
    approve_url: str | None = None


@dataclass(frozen=True)
class PaymentState:
    """A payment as the provider reports it. `status`: succeeded | failed | pending."""

    payment_id: str
    status: Literal["succeeded", "failed", "pending"]
    amount: int
    currency: str
    order_id: str | None


class PaymentProvider(Protocol):
    """One payment provider. Amounts are in the currency's minor unit (cents)."""

    name: ProviderName

    def create_payment(self, order: Order) -> PaymentSession: ...

    def retrieve(self, payment_id: str) -> PaymentState: ...

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str: ...


def idempotency_key(action: str, order_id: str) -> str:
    """One key per order and action: the provider answers a repeat with the first result."""
    return f"shop-{action}-{order_id}"


# -- messages on payment-processing ---------------------------------------------------------------


class PaymentMessage(BaseModel):
    """A payment to verify with the provider and settle: from a verified webhook or a client's confirm.

    `event_id` is the provider's event id (or `confirm:<payment id>`): the processor acts once per id.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["payment_event"] = "payment_event"
    provider: ProviderName
    event_id: str = Field(min_length=1)
    payment_id: str = Field(min_length=1)
    order_id: str = Field(min_length=1)
    # PayPal's events do not carry it; the order is then found by its id alone.
    user_id: str | None = None


PaymentProcessingMessage = Annotated[PaymentMessage | RefundMessage, Field(discriminator="kind")]
PROCESSING_MESSAGE: TypeAdapter[PaymentMessage | RefundMessage] = TypeAdapter(PaymentProcessingMessage)


# -- which provider ------------------------------------------------------------------------------


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
        from shop.payments.sandbox_provider import SandboxProvider

        return SandboxProvider()
    from shop.payments.stripe_provider import StripeProvider

    return StripeProvider.from_secrets()


@per_process
def paypal_provider() -> PayPalProvider:
    """The provider behind the /payment/paypal routes (no PayPal sandbox exists in local mode)."""
    from shop.payments.paypal_provider import PayPalProvider

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


# -- circuit breakers ----------------------------------------------------------------------------


def _circuit_opened(dependency: str) -> None:
    with single_metric(
        name=CIRCUIT_BREAKER_OPENED,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        default_dimensions={DEPENDENCY_DIMENSION: dependency},
    ):
        pass
    logger.error("circuit breaker opened", extra={"dependency": dependency})


def _counts_against_provider(error: BaseException) -> bool:
    # A declined card or an unknown id is the provider working; only outages open the circuit.
    return not isinstance(error, ProviderRejected)


@per_process
def provider_breakers() -> dict[str, CircuitBreaker]:
    """One breaker per provider, per process (the state itself is shared through Redis)."""
    return {}


def breaker_for(provider: str) -> CircuitBreaker:
    breakers = provider_breakers()
    if provider not in breakers:
        breakers[provider] = CircuitBreaker(
            provider, shared_redis_client, on_open=_circuit_opened, is_failure=_counts_against_provider
        )
    return breakers[provider]


def guarded(provider: str, call: Callable[[], T]) -> T:
    """Call the provider through its circuit breaker; CircuitOpenError without calling it when open."""
    return breaker_for(provider).call(call)


def guarded_for_api(provider: str, call: Callable[[], T]) -> T:
    """`guarded` for an API route: an open circuit or an outage is a 503 with Retry-After."""
    try:
        return guarded(provider, call)
    except CircuitOpenError:
        retry_after = int(breaker_for(provider).reset_timeout_seconds)
        raise ServiceUnavailable(
            f"{provider} payments are unavailable right now; try again later", retry_after_seconds=retry_after
        ) from None
    except ProviderRejected as error:
        logger.error("payment provider refused a request", extra={"provider": provider, "error": str(error)})
        raise PaymentRefused(f"{provider} refused the payment request") from None
    except (ProviderUnavailable, TimeoutError) as error:
        logger.warning("payment provider unavailable", extra={"provider": provider, "error": repr(error)})
        raise ServiceUnavailable(
            f"{provider} did not answer; try again shortly", retry_after_seconds=5
        ) from None


# -- whose order ---------------------------------------------------------------------------------


def payable_order(order_id: str, caller: Caller, access_token: str | None) -> Order:
    """The order if the caller owns it (signed in as its owner, or holding its access token); the same
    404 as for a missing order otherwise, so order ids cannot be probed."""
    from shop.platform.errors import NotFound

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
