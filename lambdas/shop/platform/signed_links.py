"""Link tokens: an HMAC-SHA256, under the stage's link key, of what a link opens and for what purpose.

Whoever holds a token may follow the link it was made for and nothing else; only functions granted the
SigningKeys table (shop.platform.signing_keys) can make or check one. Deleting the key's item rotates
it and revokes every token made before (docs/decisions.md, "Guest order links").
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from shop.platform.signing_keys import LINK_KEY, signing_key

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


def _key() -> bytes:
    return signing_key(LINK_KEY)


def link_token(purpose: str, subject: str) -> str:
    """The token of the link for `purpose` to `subject` (an order id, say): 43 URL-safe characters."""
    digest = hmac.new(_key(), f"{purpose}\x00{subject}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_link_token(purpose: str, subject: str, token: str) -> bool:
    """Whether `token` is the link token for `purpose` to `subject` (compared in constant time)."""
    return hmac.compare_digest(link_token(purpose, subject).encode(), token.encode())
