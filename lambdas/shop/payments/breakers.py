"""One circuit breaker per payment provider (shop/platform/circuit_breaker.py); every provider call goes
through `guarded`, and API routes through `guarded_for_api`, which turns an outage into a 503.
A provider's rate limit (ProviderBusy, a 429) is not an outage: the breaker does not count it, and the
shopper is told the provider is busy and to try again in a few seconds (503, short Retry-After).

The payment functions run outside the VPC (the providers are on the internet), so the breakers'
shared state is in DynamoDB, not Redis."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from shop.payments.model import (
    PaymentRefused,
    ProviderBusy,
    ProviderDeclined,
    ProviderRejected,
    ProviderUnavailable,
)
from shop.platform.circuit_breaker import CircuitBreaker, CircuitOpenError, report_circuit_opened
from shop.platform.circuit_store_dynamodb import DynamoDBCircuitStore
from shop.platform.errors import PaymentDeclined, ServiceUnavailable
from shop.platform.observability import logger
from shop.platform.process_state import per_process

T = TypeVar("T")
# What a shopper waits after a provider's 429 when it named no time: its limits are per second.
PROVIDER_BUSY_RETRY_SECONDS = 2


def _counts_against_provider(error: BaseException) -> bool:
    # A declined card or an unknown id is the provider working; only outages open the circuit.
    return not isinstance(error, ProviderRejected)


@per_process
def provider_breakers() -> dict[str, CircuitBreaker]:
    """One breaker per provider, per process (the state itself is shared through DynamoDB)."""
    return {}


@per_process
def provider_circuits() -> DynamoDBCircuitStore:
    """The store of this process's breakers: one read cache for all providers."""
    return DynamoDBCircuitStore()


def breaker_for(provider: str) -> CircuitBreaker:
    breakers = provider_breakers()
    if provider not in breakers:
        breakers[provider] = CircuitBreaker(
            provider,
            provider_circuits(),
            on_open=report_circuit_opened,
            is_failure=_counts_against_provider,
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
    except ProviderBusy as error:
        logger.warning("payment provider is rate limiting", extra={"provider": provider, "error": str(error)})
        retry_after = max(PROVIDER_BUSY_RETRY_SECONDS, math.ceil(error.retry_after_seconds or 0))
        raise ServiceUnavailable(
            f"the payment provider ({provider}) is busy; try again in a few seconds",
            retry_after_seconds=retry_after,
            reason="payment_provider_busy",
        ) from None
    except ProviderDeclined as error:
        logger.info("payment declined", extra={"provider": provider, "decline_code": error.decline_code})
        raise PaymentDeclined(str(error), field="payment", decline_code=error.decline_code) from None
    except ProviderRejected as error:
        logger.error("payment provider refused a request", extra={"provider": provider, "error": str(error)})
        raise PaymentRefused(f"{provider} refused the payment request") from None
    except (ProviderUnavailable, TimeoutError) as error:
        logger.warning("payment provider unavailable", extra={"provider": provider, "error": repr(error)})
        raise ServiceUnavailable(
            f"{provider} did not answer; try again shortly", retry_after_seconds=5
        ) from None
