"""Payments' shared vocabulary: provider names, sessions and states, the provider interface, errors, messages.

Calls that create or move money carry an idempotency key derived from the order (`idempotency_key`),
so a retried request, a redelivered message or a double click can never charge or refund twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shop.orders.model import CancelPaymentsMessage, Order, RefundMessage
from shop.platform.circuit_breaker import DependencyThrottled
from shop.platform.errors import UpstreamRefused

ProviderName = Literal["stripe", "paypal"]


class PaymentProviderError(RuntimeError):
    """A provider call failed."""


class ProviderUnavailable(PaymentProviderError):
    """Transient (network, 5xx, timeout): counts against the circuit and is retried later."""


class ProviderBusy(ProviderUnavailable, DependencyThrottled):
    """The provider's rate limit (429; Stripe's `rate_limit` and `lock_timeout`): it is up and asks the
    shop to slow down. Retried later like an outage, but never counted against the circuit."""

    def __init__(
        self, provider: ProviderName, detail: str, *, retry_after_seconds: float | None = None
    ) -> None:
        DependencyThrottled.__init__(self, provider, detail, retry_after_seconds=retry_after_seconds)


class ProviderRejected(PaymentProviderError):
    """The provider answered and said no (bad request, unknown payment): retrying cannot help."""


class ProviderDeclined(ProviderRejected):
    """The provider refused the shopper's payment method (declined card, failed authentication): the
    shopper can fix it with another card, so its words reach them."""

    def __init__(self, message: str, *, decline_code: str | None) -> None:
        super().__init__(message)
        self.decline_code = decline_code


class PaymentRefused(UpstreamRefused):
    """The provider refused a request the shop made (bad configuration or data), not the client."""

    code = "payment_provider_refused"


def retry_after_hint(headers: object) -> float | None:
    """A Retry-After header's seconds, when a provider's 429 carries one (HTTP dates are ignored)."""
    getter = getattr(headers, "get", None)
    value = (getter("Retry-After") or getter("retry-after")) if getter else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class PaymentSession:
    """What the browser needs to pay: the provider's payment id, and Stripe's client secret or
    PayPal's approval link. `status` is the provider's own word for where the payment stands (Stripe:
    `requires_action` when the page must run 3-D Secure, `succeeded`, ...)."""

    payment_id: str
    client_secret: str
    amount: int
    currency: str
    approve_url: str | None = None
    status: str | None = None


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

    def create_payment(self, order: Order, *, card_token: str | None = None) -> PaymentSession: ...

    def retrieve(self, payment_id: str) -> PaymentState: ...

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str: ...

    def cancel(self, payment_id: str) -> None:
        """Give up a payment that was not taken (its order expired); ProviderRejected once it was."""
        ...


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


PaymentProcessingMessage = Annotated[
    PaymentMessage | RefundMessage | CancelPaymentsMessage, Field(discriminator="kind")
]
PROCESSING_MESSAGE: TypeAdapter[PaymentMessage | RefundMessage | CancelPaymentsMessage] = TypeAdapter(
    PaymentProcessingMessage
)
