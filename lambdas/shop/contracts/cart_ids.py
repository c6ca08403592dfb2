"""The guest cart id as a client holds it: `<cart id>.<signature>`, issued by cart_api and sent back in
X-Cart-Id; the cart and order APIs check the signature, the rate limit reads the shape."""

from __future__ import annotations

import re
from typing import Final

CART_ID_HEADER: Final = "X-Cart-Id"
# The random part names the Cart item (guest#<id>); the signature is a link token of it (43 characters).
_CART_KEY: Final = r"[A-Za-z0-9_-]{22,64}"
_SIGNATURE: Final = r"[A-Za-z0-9_-]{43}"
SIGNED_CART_ID_PATTERN: Final = rf"^{_CART_KEY}\.{_SIGNATURE}$"
_SIGNED_CART_ID = re.compile(SIGNED_CART_ID_PATTERN)


def valid_cart_id(cart_id: str) -> bool:
    """Whether `cart_id` has the shape of an issued guest cart id (only its signature proves it is one)."""
    return bool(_SIGNED_CART_ID.fullmatch(cart_id))
