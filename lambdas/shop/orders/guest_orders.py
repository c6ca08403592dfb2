"""Guest orders that belong to a signed-in shopper: those placed with the email the shopper verified.

Guest orders are stored with Orders.user_id = "guest#<normalized email>" (order_api's convention), so
once a shopper proves they own that address (Cognito's `email_verified`), their order history can
include them with one Query of user_id-order_date-index. Without a verified email nothing is shown:
anyone can sign up with someone else's address, and only verification proves it is theirs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from shop.contracts.tables import ORDERS
from shop.orders.model import guest_user_id
from shop.platform.dynamodb import from_item, key, table

ORDERS_BY_USER_INDEX: Final = ORDERS.index("user_id-order_date-index").name


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    """API Gateway passes every claim as a string ("true"); the local runner and tests may pass a bool."""
    value = claims.get("email_verified")
    return value is True or str(value).lower() == "true"


def orders_of_owner(owner_key: str, *, newest_first: bool = True) -> Iterator[dict[str, Any]]:
    """Every order whose Orders.user_id is `owner_key`, newest first, across all result pages."""
    arguments: dict[str, Any] = {
        "IndexName": ORDERS_BY_USER_INDEX,
        "KeyConditionExpression": key("user_id").eq(owner_key),
        "ScanIndexForward": not newest_first,
    }
    while True:
        response = table(ORDERS.logical_name).query(**arguments)
        for item in response.get("Items", []):
            yield dict(from_item(item))
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def guest_orders_for(claims: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The guest orders placed with the caller's email, newest first, if Cognito verified that email."""
    email = claims.get("email")
    if not email or not email_is_verified(claims):
        return []
    return list(orders_of_owner(guest_user_id(str(email))))
