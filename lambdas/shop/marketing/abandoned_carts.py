"""Abandoned carts: a signed-in shopper's cart with items, untouched for 24 hours, and no order since.

Email: the cart's items and a 10 % discount code. Guest carts are skipped: they have no consent and
no address.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from shop.cart.model import GUEST_PREFIX
from shop.contracts.tables import CART, ORDERS
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import iso, utc_now
from shop.platform.dynamodb import from_item, table

ABANDONED_AFTER = timedelta(hours=24)
USER_ORDERS_INDEX = ORDERS.index("user_id-order_date-index").name


def abandoned_carts(now: datetime) -> Iterator[dict[str, Any]]:
    """Signed-in carts with items whose last change is older than 24 hours.

    A paginated Scan of Cart: the table has no index on updated_at, this runs once a day, and the
    table holds at most 30 days of carts (TTL), so reading it whole is cheaper than keeping an index.
    """
    arguments: dict[str, Any] = {
        "FilterExpression": Attr("updated_at").lt(iso(now - ABANDONED_AFTER))
        & ~Attr("user_id").begins_with(GUEST_PREFIX)
        & Attr("items").size().gt(0),
        "ProjectionExpression": "user_id, #items, updated_at",
        "ExpressionAttributeNames": {"#items": "items"},
    }
    carts = table(CART.logical_name)
    while True:
        response = carts.scan(**arguments)
        for item in response.get("Items", []):
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def ordered_since(user_id: str, moment: str) -> bool:
    """True when the user placed an order after `moment` (user_id-order_date-index)."""
    response = table(ORDERS.logical_name).query(
        IndexName=USER_ORDERS_INDEX,
        KeyConditionExpression=Key("user_id").eq(user_id) & Key("order_date").gt(moment),
        ProjectionExpression="order_id",
        Limit=1,
    )
    return bool(response.get("Items"))


def abandoned_cart_offers(now: datetime) -> Iterator[Offer]:
    for cart in abandoned_carts(now):
        user_id, updated_at = str(cart["user_id"]), str(cart["updated_at"])
        if ordered_since(user_id, updated_at):
            continue
        # Tokens name each product in this version of the cart: the same abandoned cart is mailed
        # once, and a cart changed and abandoned again is a new abandonment.
        subjects = {
            f"{line['product_id']}@{updated_at}": {
                "product_id": line["product_id"],
                "name": line.get("name"),
                "price": line.get("unit_price"),
                "quantity": line.get("quantity"),
                "image_url": line.get("image_url"),
            }
            for line in cart["items"]
        }
        yield Offer(user_id=user_id, trigger=Trigger.ABANDONED_CART, subjects=subjects)


def scan_abandoned_carts(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Queue a 10 % recovery email for every abandoned cart of a consenting shopper."""
    moment = now or utc_now()
    return (campaign or Campaign()).run(Trigger.ABANDONED_CART, abandoned_cart_offers(moment), now=moment)
