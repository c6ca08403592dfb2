"""Who holds a token that opens an order: the access token given at placement, or (guest orders only)
the signed link of the order's emails; and the short-lived download tokens of the orders page.

Order tokens travel in the X-Order-Token header, never in a URL: URLs end up in access logs, browser
history and Referer headers (docs/decisions.md, "Order tokens out of URLs").
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

from shop.contracts.order_tokens import ORDER_TOKEN_HEADER
from shop.orders.model import Order, token_hash
from shop.platform.errors import BadRequest
from shop.platform.signed_links import DOWNLOAD_LINK, ORDER_LINK, is_link_token, link_token

# The query parameter order tokens used to travel in: refused, so a link or client still using it
# learns where the token goes instead of getting a 404 that looks like a wrong token.
REFUSED_QUERY_PARAMETER: Final = "token"
# A download link of the orders page opens one line's downloads for this long: enough to click it,
# too short for a copied or logged URL to matter. The page asks for fresh ones when they expire.
DOWNLOAD_TOKEN_SECONDS: Final = 15 * 60


def token_opens(order: Order, token: str) -> bool:
    """Whether `token` lets its holder read `order`. The emailed link opens guest orders only: an
    account's orders open after signing in, and their emails link there."""
    if order.access_token_hash and hmac.compare_digest(token_hash(token), order.access_token_hash):
        return True
    return order.guest and is_link_token(ORDER_LINK, order.order_id, token)


def refuse_token_in_query(query: Mapping[str, str] | None) -> None:
    """An order token sent in the URL query (the old `?token=`) is a 400 naming the header to use."""
    if query and REFUSED_QUERY_PARAMETER in query:
        raise BadRequest(
            f"send the order token in the {ORDER_TOKEN_HEADER} header, not in the URL: URLs are logged "
            "and leak through Referer",
            field=REFUSED_QUERY_PARAMETER,
            header=ORDER_TOKEN_HEADER,
        )


def download_token(order_id: str, product_id: str, *, expires: datetime) -> str:
    """A token that downloads one line (`product_id`) of one order until `expires`:
    `<expiry epoch>.<link token of order, line and expiry>`."""
    epoch = int(expires.timestamp())
    return f"{epoch}.{link_token(DOWNLOAD_LINK, _download_subject(order_id, product_id, epoch))}"


def download_token_expiry(now: datetime) -> datetime:
    return now + timedelta(seconds=DOWNLOAD_TOKEN_SECONDS)


def download_token_opens(order_id: str, product_id: str, token: str, *, now: datetime) -> bool:
    """Whether `token` downloads `product_id` of `order_id` at `now` (signed for it, not expired)."""
    epoch_text, _, signature = token.partition(".")
    if not epoch_text.isdigit() or not signature or int(epoch_text) < now.timestamp():
        return False
    return is_link_token(DOWNLOAD_LINK, _download_subject(order_id, product_id, int(epoch_text)), signature)


def _download_subject(order_id: str, product_id: str, epoch: int) -> str:
    # NUL cannot occur in ids, so no two (order, line, expiry) triples sign the same text.
    return f"{order_id}\x00{product_id}\x00{epoch}"
