"""The header a guest's order token travels in: order_api reads it, API Gateway requires it on the guest
order routes, and the CORS lists allow it. Never the URL query: URLs are logged and leak through Referer."""

from __future__ import annotations

from typing import Final

ORDER_TOKEN_HEADER: Final = "X-Order-Token"  # noqa: S105 - a header name, not a secret
