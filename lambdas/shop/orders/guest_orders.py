"""Guest orders that belong to a signed-in shopper: those placed with the email the shopper verified.

Guest orders are stored with Orders.user_id = "guest#<normalized email>" (order_api's convention), so
once a shopper proves they own that address (Cognito's `email_verified`), their order history can
include them with one Query of user_id-order_date-index. Without a verified email nothing is shown:
anyone can sign up with someone else's address, and only verification proves it is theirs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shop.orders.model import guest_user_id
from shop.orders.repository import OrderRepository


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """API Gateway passes every claim as a string ("true"); the local runner and tests may pass a bool."""
    value = claims.get("email_verified")
    return value is True or str(value).lower() == "true"


def guest_orders_for(claims: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The guest orders placed with the caller's email, newest first, if Cognito verified that email."""
    email = claims.get("email")
    if not email or not email_is_verified(claims):
        return []
    return list(OrderRepository().items_of_owner(guest_user_id(str(email))))
