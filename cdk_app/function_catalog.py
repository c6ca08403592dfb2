"""Every Lambda function of seed 001: size, timeout and whether it runs inside the VPC.

The Messaging stack derives visibility timeouts from these timeouts and the Api stack builds the
functions from them, so a change here moves both.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    memory_mb: int
    timeout: Duration
    in_vpc: bool
    description: str


FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("shop_api", 512, Duration.seconds(30), True, "Catalog, categories and reviews API"),
        FunctionSpec("cart_api", 256, Duration.seconds(15), True, "Shopping cart API"),
        FunctionSpec("order_api", 512, Duration.seconds(30), True, "Order API"),
        FunctionSpec("payment_api", 512, Duration.seconds(30), False, "Stripe and PayPal payment API"),
        FunctionSpec("order_processor", 512, Duration.minutes(5), True, "Consumer of order-processing"),
        FunctionSpec("payment_processor", 512, Duration.minutes(5), False, "Consumer of payment-processing"),
        FunctionSpec("email_sender", 256, Duration.minutes(2), False, "Consumer of email-notification"),
        FunctionSpec("inventory_updater", 256, Duration.minutes(1), True, "Consumer of inventory-update"),
        FunctionSpec("tracking_api", 256, Duration.seconds(15), True, "Behavioural tracking API"),
        FunctionSpec("tracking_processor", 256, Duration.minutes(1), True, "Consumer of tracking-events"),
        FunctionSpec(
            "marketing_automation_api", 512, Duration.minutes(5), True, "Marketing scans and analytics"
        ),
        # Not in seed 001: accounts and privacy. Outside the VPC: it needs DynamoDB and Cognito, not Redis.
        FunctionSpec(
            "account_api", 256, Duration.seconds(15), False, "Profile, preferences, privacy and audit log"
        ),
        # Not in seed 001: flushes API Gateway's stage cache when a catalog-visible product field
        # changes. Outside the VPC because the API Gateway management API has no VPC endpoint.
        FunctionSpec(
            "catalog_cache_invalidator",
            256,
            Duration.seconds(30),
            False,
            "Flushes the API cache on catalog change",
        ),
    )
}

# AWS's guidance for SQS event sources: visibility timeout at least six times the function timeout,
# so a message is not handed to a second consumer while throttled retries of the first still run.
VISIBILITY_TO_TIMEOUT_RATIO = 6


def consumer_visibility_seconds(consumer: str, floor_seconds: int) -> int:
    timeout = int(FUNCTIONS[consumer].timeout.to_seconds())
    return max(floor_seconds, VISIBILITY_TO_TIMEOUT_RATIO * timeout)
