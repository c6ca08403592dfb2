"""Per-caller rate limits (seed 001: payment 10/min, cart 100/min, admin 50/min) over the RateLimits table.

Fixed one-minute windows: one item per (limit, subject, window), counted with one atomic conditional
`UpdateItem ADD`, so concurrent Lambdas never over-admit. The subject is hashed before it reaches
the key, so the table holds no user id or IP address, and every item expires by TTL after its window.
The limiter fails open: when DynamoDB cannot answer, the request goes through and the outage is
logged and counted (`RateLimiterUnavailable`), because refusing every cart and admin request during a
DynamoDB hiccup would hurt more than a minute of unlimited requests.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from shop.contracts.alarm_metric_names import LIMIT_DIMENSION, RATE_LIMITED
from shop.contracts.tables import RATE_LIMITS
from shop.platform.dynamodb import table
from shop.platform.errors import TooManyRequests
from shop.platform.identity import Caller
from shop.platform.observability import count_metric
from shop.platform.process_state import per_process

logger = Logger(child=True)

# The limiter could not reach its table and let the request through (dimensions: limit, service).
RATE_LIMITER_UNAVAILABLE: Final = "RateLimiterUnavailable"
WINDOW_SECONDS: Final = 60
# Items outlive their window a little, so clock skew between Lambdas never reads a deleted count.
EXPIRY_MARGIN_SECONDS: Final = 120


@dataclass(frozen=True)
class RateLimit:
    """At most `max_requests` per subject in each fixed window of `WINDOW_SECONDS`."""

    name: str  # the `limit` metric dimension: one of alarm_metric_names.LIMITS
    max_requests: int


PAYMENT_LIMIT: Final = RateLimit("payment", 10)
CART_LIMIT: Final = RateLimit("cart", 100)
ADMIN_LIMIT: Final = RateLimit("admin", 50)


def subject_digest(subject: str) -> str:
    """What stands for the subject in the key: enough bits to never collide, no personal data."""
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def limit_key(limit: RateLimit, subject: str, window_start_minute: int) -> str:
    return f"{limit.name}#{subject_digest(subject)}#{window_start_minute}"


@dataclass
class RateLimiter:
    """Counts requests per (limit, subject, minute) and refuses the one over the limit with a 429."""

    clock: Callable[[], float] = field(default=time.time)

    def hit(self, limit: RateLimit, subject: str) -> None:
        """Count one request; raise TooManyRequests (Retry-After: the rest of the window) when over."""
        now = self.clock()
        window_minute = int(now // WINDOW_SECONDS)
        window_end = (window_minute + 1) * WINDOW_SECONDS
        try:
            table(RATE_LIMITS.logical_name).update_item(
                Key={"limit_key": limit_key(limit, subject, window_minute)},
                UpdateExpression="ADD #count :one SET #expires_at = :expires_at",
                ConditionExpression="attribute_not_exists(#count) OR #count < :max",
                ExpressionAttributeNames={"#count": "count", "#expires_at": "expires_at"},
                ExpressionAttributeValues={
                    ":one": 1,
                    ":max": limit.max_requests,
                    ":expires_at": window_end + EXPIRY_MARGIN_SECONDS,
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                retry_after = max(1, math.ceil(window_end - now))
                logger.warning(
                    "rate limit exceeded",
                    extra={
                        "limit": limit.name,
                        "max_per_minute": limit.max_requests,
                        "retry_after": retry_after,
                    },
                )
                _count(RATE_LIMITED, limit)
                raise TooManyRequests(
                    f"too many requests: at most {limit.max_requests} per minute",
                    retry_after_seconds=retry_after,
                    limit=limit.name,
                ) from None
            self._fail_open(limit, error)
        except BotoCoreError as error:
            self._fail_open(limit, error)

    @staticmethod
    def _fail_open(limit: RateLimit, error: Exception) -> None:
        logger.error(
            "rate limiter unavailable; request allowed",
            extra={"limit": limit.name, "error": type(error).__name__, "error_message": str(error)},
        )
        _count(RATE_LIMITER_UNAVAILABLE, limit)


def _count(metric_name: str, limit: RateLimit) -> None:
    count_metric(metric_name, {LIMIT_DIMENSION: limit.name})


@per_process
def shared_rate_limiter() -> RateLimiter:
    """The limiter of this process (tests replace its clock)."""
    return RateLimiter()


# -- the limits as the API functions apply them ---------------------------------------------------------


def limit_admin(caller: Caller) -> str:
    """Require an administrator and count the request against their 50/min; returns their user id."""
    user_id = caller.require_admin()
    shared_rate_limiter().hit(ADMIN_LIMIT, f"user#{user_id}")
    return user_id
