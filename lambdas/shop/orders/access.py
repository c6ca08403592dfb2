"""Who holds a token that opens an order: the access token given at placement, or (guest orders only)
the signed link of the order's emails."""

from __future__ import annotations

import hmac

from shop.orders.model import Order, token_hash
from shop.platform.signed_links import ORDER_LINK, is_link_token


def token_opens(order: Order, token: str) -> bool:
    """Whether `token` lets its holder read `order`. The emailed link opens guest orders only: an
    account's orders open after signing in, and their emails link there."""
    if order.access_token_hash and hmac.compare_digest(token_hash(token), order.access_token_hash):
        return True
    return order.guest and is_link_token(ORDER_LINK, order.order_id, token)
