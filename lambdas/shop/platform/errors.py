"""The shop's domain errors: what went wrong, in words a caller can act on, with no transport attached.

Domain code, queue workers included, raises these. The API functions turn them into HTTP responses in
one place (`shop.api.http`); a queue worker lets them fail the message, which then retries or reaches
its dead-letter queue.
"""

from __future__ import annotations

from typing import Any


class ShopError(Exception):
    """An expected failure with a machine-readable code, a message and, for bad input, the field."""

    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.details)
        return body


class BadRequest(ShopError):
    """The request itself is wrong: a value, a cursor, a combination of fields."""

    code = "bad_request"


class Unauthorized(ShopError):
    """The caller must sign in first."""

    code = "unauthorized"


class Forbidden(ShopError):
    """The caller is known but may not do this."""

    code = "forbidden"


class NotFound(ShopError):
    code = "not_found"


class Gone(ShopError):
    """What the caller asks for existed but is over for good (an expired or revoked download)."""

    code = "gone"


class Conflict(ShopError):
    """The request is valid but the current state forbids it (stock, order status, a changed cart)."""

    code = "conflict"


class PaymentDeclined(ShopError):
    """The shopper's bank or wallet refused the payment; the message is the provider's, for them."""

    code = "payment_declined"


class RetryLater(ShopError):
    """A refusal the caller may retry; `retry_after_seconds` says when."""

    def __init__(self, message: str, *, retry_after_seconds: int, **details: Any) -> None:
        super().__init__(message, retry_after_seconds=retry_after_seconds, **details)
        self.retry_after_seconds = retry_after_seconds


class TooManyRequests(RetryLater):
    code = "rate_limited"


class ServiceUnavailable(RetryLater):
    """A dependency is down or its circuit is open."""

    code = "service_unavailable"


class UpstreamRefused(ShopError):
    """An outside service refused a request the shop made (bad configuration or data), not the caller."""

    code = "upstream_refused"


class NotImplementedYet(ShopError):
    """A route that is declared (and wired in AWS) but whose feature lands with a later issue."""

    code = "not_implemented"

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not available yet", feature=feature)
