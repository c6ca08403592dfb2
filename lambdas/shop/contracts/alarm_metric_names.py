"""CloudWatch metrics the Monitoring stack's alarms and dashboard read, by name and dimension.

The Monitoring stack imports these names and the code that emits the metrics must import the same
ones, so an alarm cannot silently watch a metric nobody writes. docs/metrics.md ("Alarm metrics owed
by later issues") documents each; tests/infra/test_monitoring_stack.py checks the doc against the alarms.

A CloudWatch alarm matches only the exact dimension set a datapoint was written with. Every function
sets POWERTOOLS_SERVICE_NAME to its own name, and Powertools (3.37) adds `service` to every record it
writes, from the shared `Metrics` object and from `single_metric` alike. So the dimension set of each
metric below is the listed dimension (if any) plus `service`, and nothing else.
"""

from __future__ import annotations

from typing import Final

from shop.contracts.metric_names import CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE, CART_CACHE, CATALOG_CACHE

SERVICE_DIMENSION: Final = "service"

# Order outcomes, emitted by order_processor with the shared `metrics` object (dimensions: service).
ORDERS_PROCESSED: Final = "OrdersProcessed"
ORDER_PROCESSING_FAILED: Final = "OrderProcessingFailed"
ORDER_PROCESSING_SERVICE: Final = "order_processor"

# Payment outcomes, emitted by payment_processor with `single_metric` (dimensions: provider, service).
PAYMENT_SUCCEEDED: Final = "PaymentSucceeded"
PAYMENT_FAILED: Final = "PaymentFailed"
PAYMENT_SERVICE: Final = "payment_processor"
PROVIDER_DIMENSION: Final = "provider"
PROVIDERS: Final[tuple[str, ...]] = ("stripe", "paypal")

# A circuit breaker went from closed (or half-open) to open (dimensions: dependency, service).
CIRCUIT_BREAKER_OPENED: Final = "CircuitBreakerOpened"
DEPENDENCY_DIMENSION: Final = "dependency"
DEPENDENCIES: Final[tuple[str, ...]] = ("stripe", "paypal", "ses")

# A request refused with 429 by the per-user limiter (dimensions: limit, service).
RATE_LIMITED: Final = "RateLimited"
LIMIT_DIMENSION: Final = "limit"
LIMITS: Final[tuple[str, ...]] = ("payment", "cart", "admin", "public")

# Which function emits the cache metrics of which cache (the `cache` and `service` dimension values).
# "recommendations" and "marketing_analytics" mirror shop.tracking.service and shop.marketing.analytics,
# which this module does not import (they pull in boto3); a test checks that they agree.
CACHE_EMITTERS: Final[dict[str, str]] = {
    CATALOG_CACHE: "shop_api",
    CART_CACHE: "cart_api",
    "recommendations": "tracking_api",
    "marketing_analytics": "marketing_automation_api",
}
# Seed 001 sets its hit-rate target for these two; the others cache derived data that is cheap to miss.
HIT_RATE_CACHES: Final[tuple[str, ...]] = (CATALOG_CACHE, CART_CACHE)

# Metrics this module introduces, which no code emits yet.
OWED_METRICS: Final[tuple[str, ...]] = (
    ORDERS_PROCESSED,
    ORDER_PROCESSING_FAILED,
    PAYMENT_SUCCEEDED,
    PAYMENT_FAILED,
    CIRCUIT_BREAKER_OPENED,
    RATE_LIMITED,
)
CACHE_METRICS: Final[tuple[str, ...]] = (CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE)
