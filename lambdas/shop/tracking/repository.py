"""The tracking tables: ProductViews (one item per tracking event, kept 90 days) and WatchList (one item
per user and product). Nothing else reads or writes them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from shop.catalog.model import Product
from shop.contracts.tables import PRODUCT_VIEWS, PRODUCT_VIEWS_TTL_DAYS, WATCH_LIST
from shop.platform.clock import iso, utc_now
from shop.platform.dynamodb import attr, delete_all, every_item, from_item, key, table, to_item
from shop.tracking.model import TrackingEvent, TrackingEventType, WatchRequest, sellable

if TYPE_CHECKING:
    # boto3 (and botocore's session) load with the first DynamoDB call, not at import.
    from boto3.dynamodb.conditions import ConditionBase

USER_VIEWS_INDEX = PRODUCT_VIEWS.index("user_id-timestamp-index").name
WATCHERS_INDEX = WATCH_LIST.index("product_id-user_id-index").name


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
        condition = key("user_id").eq(user_id)
        if since:
            condition = condition & key("timestamp").gte(since)
        arguments: dict[str, Any] = {
            "IndexName": USER_VIEWS_INDEX,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        # islice stops reading pages once `limit` items were taken.
        yield from islice(every_item(self._table().query, **arguments), limit)

    def items_of_user(self, user_id: str) -> list[dict[str, Any]]:
        """Every tracking item of the user, oldest first (user_id-timestamp-index, all pages)."""
        arguments: dict[str, Any] = {
            "IndexName": USER_VIEWS_INDEX,
            "KeyConditionExpression": key("user_id").eq(user_id),
        }
        return list(every_item(self._table().query, **arguments))

    def delete_items_of_user(self, user_id: str) -> int:
        """Delete every tracking item of the user; returns how many there were."""
        keys = [
            {"view_id": item["view_id"], "timestamp": item["timestamp"]}
            for item in self.items_of_user(user_id)
        ]
        return delete_all(self._table(), keys)

    def signed_in_activity_since(self, since: str) -> Iterator[dict[str, Any]]:
        """Signed-in tracking items at or after `since`: user_id, product_id, added_to_cart, purchased.

        A paginated Scan of ProductViews: there is no index on time alone, and the browse-abandonment
        scan that asks runs once a day.
        """
        arguments: dict[str, Any] = {
            "FilterExpression": attr("timestamp").gte(since) & attr("user_id").exists(),
            # Placeholders throughout: DynamoDB reserves many plain words, and a projection hits them first.
            "ProjectionExpression": "#user, #product, #carted, #purchased",
            "ExpressionAttributeNames": {
                "#user": "user_id",
                "#product": "product_id",
                "#carted": "added_to_cart",
                "#purchased": "purchased",
            },
        }
        yield from self._scan(arguments)

    def _scan(self, arguments: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from every_item(self._table().scan, **arguments)


# -- watch list ----------------------------------------------------------------------------------


class WatchListRepository:
    """The WatchList table (one item per user and product)."""

    def _table(self) -> Any:
        return table(WATCH_LIST.logical_name)

    def add(self, user_id: str, product: Product, request: WatchRequest) -> dict[str, Any]:
        """Watch a product (again): one item per user and product, so watching twice replaces the target
        instead of adding a second watch, and resets the notified flags so the alerts can fire anew."""
        item = {
            "user_id": user_id,
            "product_id": product.product_id,
            "product_name": product.name,
            "current_price": product.price,
            # Without a target any drop below today's price counts (the scans read `target_price`);
            # `target_requested` keeps whether the shopper named one, which the watch list shows.
            "target_price": request.target_price
            if request.target_price is not None
            else max(product.price - 1, 0),
            "target_requested": request.target_price is not None,
            "in_stock": sellable(product),
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

    def items_of_user(self, user_id: str) -> list[dict[str, Any]]:
        """Every watch item of the user (a Query on the table's user_id key, all pages)."""
        arguments: dict[str, Any] = {"KeyConditionExpression": key("user_id").eq(user_id)}
        return list(every_item(self._table().query, **arguments))

    def delete_items_of_user(self, user_id: str) -> int:
        """Delete every watch item of the user; returns how many there were."""
        keys = [
            {"user_id": item["user_id"], "product_id": item["product_id"]}
            for item in self.items_of_user(user_id)
        ]
        return delete_all(self._table(), keys)

    def awaiting_price_drop_alert(self) -> Iterator[dict[str, Any]]:
        """Watch items that want a price-drop alert, have a target price and were not alerted yet."""
        return self._scan(
            attr("notify_on_price_drop").eq(True)
            & _not_yet("notified_price_drop")
            & attr("target_price").exists()
        )

    def awaiting_restock_alert(self) -> Iterator[dict[str, Any]]:
        """Watch items that want a restock alert, were recorded out of stock and were not alerted yet."""
        return self._scan(
            attr("notify_on_restock").eq(True) & attr("in_stock").eq(False) & _not_yet("notified_restock")
        )

    def restock_watchers(self, product_id: str) -> Iterator[dict[str, Any]]:
        """The watch items of one product that want restock alerts (product_id-user_id-index)."""
        arguments: dict[str, Any] = {
            "IndexName": WATCHERS_INDEX,
            "KeyConditionExpression": key("product_id").eq(product_id),
            "FilterExpression": attr("notify_on_restock").eq(True),
        }
        return every_item(self._table().query, **arguments)

    def claim_restock_alert(
        self, user_id: str, product_id: str, *, version: int, only_unnotified: bool = False
    ) -> bool:
        """Record that the restock seen at product `version` is being alerted; False when a restock at
        this version or a later one was alerted already (or the user stopped watching).

        inventory_updater passes the version at which the stock was 0, the daily scan the version it
        read in stock (`only_unnotified`: the scan never alerts a watch alerted since it was re-armed).
        Versions only grow, so one restock claims a watch once whichever path sees it first.
        """
        condition = attr("product_id").exists() & (
            attr(RESTOCK_VERSION).not_exists() | attr(RESTOCK_VERSION).lt(version)
        )
        if only_unnotified:
            condition = condition & _not_yet("notified_restock")
        try:
            self._table().update_item(
                Key={"user_id": user_id, "product_id": product_id},
                UpdateExpression="SET #version = :version, notified_restock = :true, in_stock = :true, "
                "notified_restock_at = :now",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#version": RESTOCK_VERSION},
                ExpressionAttributeValues={":version": version, ":true": True, ":now": iso(utc_now())},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def price_drop_alerted(self, user_id: str, product_id: str, *, price: int) -> None:
        """Mark the watch's price-drop alert sent, at this price (no-op once the user stopped watching)."""
        self._update(user_id, product_id, {"notified_price_drop": True, "current_price": price})

    def restock_alerted(self, user_id: str, product_id: str) -> None:
        """Mark the watch's restock alert sent and the product in stock (no-op once unwatched)."""
        self._update(user_id, product_id, {"notified_restock": True, "in_stock": True})

    def _scan(self, condition: ConditionBase) -> Iterator[dict[str, Any]]:
        """Watch items matching a filter. A paginated Scan: the alerts start from the watch items (they
        are per user and product), and this runs once a day."""
        arguments: dict[str, Any] = {"FilterExpression": condition}
        yield from every_item(self._table().scan, **arguments)

    def _update(self, user_id: str, product_id: str, changes: dict[str, Any]) -> None:
        """SET the given fields of a watch item, unless the user has stopped watching meanwhile."""
        names = {f"#f{position}": field for position, field in enumerate(changes)}
        values = {f":v{position}": to_item(value) for position, value in enumerate(changes.values())}
        try:
            self._table().update_item(
                Key={"user_id": user_id, "product_id": product_id},
                UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
                ConditionExpression=attr("product_id").exists(),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise


# The product's cache_version of the restock a watch was last alerted for (docs/decisions.md,
# "Restock alerts when stock returns").
RESTOCK_VERSION = "notified_restock_version"


def _not_yet(flag: str) -> ConditionBase:
    return attr(flag).not_exists() | attr(flag).eq(False)
