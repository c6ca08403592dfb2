"""Link tokens: an HMAC-SHA256, under the stage's link key, of what a link opens and for what purpose.

Whoever holds a token may follow the link it was made for and nothing else; only functions granted the
key (Data stack's order-link secret, ORDER_LINK_KEY_SECRET_ARN) can make or check one. Rotating the
secret's value revokes every token made before (docs/decisions.md, "Guest order links").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from shop.platform.process_state import on_reset
from shop.platform.settings import MissingSetting, get_settings

# A guest's link to one order (orders.html?id=...&token=...): it reads the order, nothing more.
ORDER_LINK = "order"
# The orders page's links to the downloads of one paid order (any order, a guest's or an account's):
# they download that order's digital lines within their limits, and read nothing.
DOWNLOAD_LINK = "downloads"
# A marketing email's open pixel (subject: its MarketingQueue id): records an open of that email only.
EMAIL_OPEN = "email-open"
# A marketing email's click-through link (subject: its MarketingQueue id and the target URL): records a
# click of that email and redirects to that one URL; any other URL needs a token of its own.
EMAIL_CLICK = "email-click"
# Rotation is rare; five minutes bounds how long a rotated key keeps being used.
KEY_MAX_AGE_SECONDS = 300


def _key() -> bytes:
    from aws_lambda_powertools.utilities.parameters import get_secret

    arn = get_settings().order_link_key_secret_arn
    if not arn:
        raise MissingSetting("ORDER_LINK_KEY_SECRET_ARN is not in this function's environment")
    value: Any = get_secret(arn, max_age=KEY_MAX_AGE_SECONDS)
    return value.encode() if isinstance(value, str) else bytes(value)


def link_token(purpose: str, subject: str) -> str:
    """The token of the link for `purpose` to `subject` (an order id, say): 43 URL-safe characters."""
    digest = hmac.new(_key(), f"{purpose}\x00{subject}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_link_token(purpose: str, subject: str, token: str) -> bool:
    """Whether `token` is the link token for `purpose` to `subject` (compared in constant time)."""
    return hmac.compare_digest(link_token(purpose, subject).encode(), token.encode())


def _forget_cached_key() -> None:
    from aws_lambda_powertools.utilities.parameters import clear_caches

    clear_caches()  # type: ignore[no-untyped-call]


# The tests and the local runner start several shops in one process, each with its own key.
on_reset(_forget_cached_key)
