"""Guest cart ids: minted and signed by the server, so a client cannot make one up.

A made-up id would open a fresh cart per request and step around the per-cart limits; a signed one
costs a request to cart_api, which the per-IP limit counts (docs/decisions.md, "Signed guest cart ids").
"""

from __future__ import annotations

import secrets
from typing import Final

from shop.contracts.cart_ids import CART_ID_HEADER, valid_cart_id
from shop.platform.errors import BadRequest, Forbidden
from shop.platform.signed_links import is_link_token, link_token

# The purpose of the link token that signs a guest cart id: it opens that guest cart, nothing else.
GUEST_CART: Final = "guest-cart"


def issue_guest_cart_id() -> str:
    """A new guest cart id, `<random id>.<signature>` (the random part is what makes it unguessable)."""
    cart_key = secrets.token_urlsafe(24)
    return f"{cart_key}.{link_token(GUEST_CART, cart_key)}"


def verified_cart_key(signed_cart_id: str, *, field: str = CART_ID_HEADER) -> str:
    """The random part of a guest cart id this shop issued; a malformed id is a 400, a forged one a 403."""
    if not valid_cart_id(signed_cart_id):
        raise BadRequest(
            f"{field} is not a guest cart id: send the cart_id this shop returned, or none to start a cart",
            field=field,
        )
    cart_key, signature = signed_cart_id.rsplit(".", 1)
    if not is_link_token(GUEST_CART, cart_key, signature):
        raise Forbidden(f"{field} was not issued by this shop: its signature does not match", field=field)
    return cart_key
