"""Whether a shopper has received a product: the basis of a review's `verified_purchase` badge."""

from __future__ import annotations

from typing import Any

from shop.contracts.tables import ORDERS
from shop.platform.dynamodb import attr, key, table

USER_ORDERS_INDEX = ORDERS.index("user_id-order_date-index").name
DELIVERED = "delivered"


def has_received(user_id: str, product_id: str) -> bool:
    """True when one of the user's delivered orders contains the product (user_id-order_date-index)."""
    arguments: dict[str, Any] = {
        "IndexName": USER_ORDERS_INDEX,
        "KeyConditionExpression": key("user_id").eq(user_id),
        "FilterExpression": attr("order_status").eq(DELIVERED),
        "ProjectionExpression": "order_id, #items",
        "ExpressionAttributeNames": {"#items": "items"},
    }
    orders = table(ORDERS.logical_name)
    while True:
        response = orders.query(**arguments)
        for order in response.get("Items", []):
            if any(
                isinstance(line, dict) and line.get("product_id") == product_id
                for line in order.get("items", [])
            ):
                return True
        if "LastEvaluatedKey" not in response:
            return False
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]
