"""The guest cart id: the web client keeps it and sends it in X-Cart-Id; the cart API and its rate
limit read it."""

from __future__ import annotations

import re
from typing import Final

CART_ID_HEADER: Final = "X-Cart-Id"
CART_ID_PATTERN: Final = r"^[A-Za-z0-9_-]{22,64}$"
_CART_ID = re.compile(CART_ID_PATTERN)


def valid_cart_id(cart_id: str) -> bool:
    return bool(_CART_ID.fullmatch(cart_id))
