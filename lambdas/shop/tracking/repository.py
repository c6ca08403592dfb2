"""The tracking tables: ProductViews (one item per tracking event, kept 90 days) and WatchList (one item
per user and product). Nothing else reads or writes them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from shop.catalog.model import Product
from shop.contracts.tables import PRODUCT_VIEWS, PRODUCT_VIEWS_TTL_DAYS, WATCH_LIST
from shop.platform.clock import iso, utc_now
from shop.platform.dynamodb import from_item, table, to_item
from shop.tracking.model import TrackingEvent, TrackingEventType, WatchRequest

USER_VIEWS_INDEX = PRODUCT_VIEWS.index("user_id-timestamp-index").name


# -- ProductViews --------------------------------------------------------------------------------


def view_id_for(message_id: str) -> str:
    """A view id derived from the SQS message id: a redelivered message rewrites the same item."""
    return "view_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


class ProductViewRepository:
    """The ProductViews table: one item per tracking event, kept 90 days."""

    def _table(self) -> Any:
        return table(PRODUCT_VIEWS.logical_name)

    def record(self, event: TrackingEvent, *, message_id: str) -> dict[str, Any]:
        """Write the item for one event. The key depends only on the message, so retries are idempotent."""
        now = utc_now()
        item = {
            "view_id": view_id_for(message_id),
            # The event's own time, not the processing time: a redelivery carries the same value.
            "timestamp": event.occurred_at,
            "event_type": event.event_type.value,
            "user_id": event.user_id,
            "session_id": event.session_id,
            "product_id": event.product_id,
            "product_name": event.product_name,
            "product_price": event.product_price,
            "view_duration": event.view_duration,
            "added_to_cart": event.event_type in (TrackingEventType.CART_ADD, TrackingEventType.PURCHASE),
            "purchased": event.event_type is TrackingEventType.PURCHASE,
            "referrer": event.referrer,
            "device_type": event.device_type,
            "created_at": iso(now),
            "expires_at": int((now + timedelta(days=PRODUCT_VIEWS_TTL_DAYS)).timestamp()),
        }
        stored: dict[str, Any] = to_item(item)
        self._table().put_item(Item=stored)
        return stored

    def for_user(
        self, user_id: str, *, since: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """A user's tracking items, newest first (user_id-timestamp-index)."""
        condition = Key("user_id").eq(user_id)
        if since:
            condition = condition & Key("timestamp").gte(since)
        arguments: dict[str, Any] = {
            "IndexName": USER_VIEWS_INDEX,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        returned = 0
        while True:
            response = self._table().query(**arguments)
            for item in response.get("Items", []):
                yield from_item(item)
                returned += 1
                if limit is not None and returned >= limit:
                    return
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# -- watch list ----------------------------------------------------------------------------------


class WatchListRepository:
    """The WatchList table (one item per user and product)."""

    def _table(self) -> Any:
        return table(WATCH_LIST.logical_name)

    def add(self, user_id: str, product: Product, request: WatchRequest) -> dict[str, Any]:
        """Watch a product (again): re-adding resets the notified flags so the alerts can fire anew."""
        item = {
            "user_id": user_id,
            "product_id": product.product_id,
            "product_name": product.name,
            "current_price": product.price,
            # Without a target any drop below today's price counts.
            "target_price": request.target_price
            if request.target_price is not None
            else max(product.price - 1, 0),
            "in_stock": product.stock_quantity > 0,
            "notify_on_price_drop": request.notify_on_price_drop,
            "notify_on_restock": request.notify_on_restock,
            "notified_price_drop": False,
            "notified_restock": False,
            "created_at": iso(utc_now()),
        }
        stored: dict[str, Any] = to_item(item)
        self._table().put_item(Item=stored)
        return from_item(stored)  # type: ignore[no-any-return]

    def remove(self, user_id: str, product_id: str) -> bool:
        """Stop watching; False when the product was not watched."""
        try:
            self._table().delete_item(
                Key={"user_id": user_id, "product_id": product_id},
                ConditionExpression="attribute_exists(product_id)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
