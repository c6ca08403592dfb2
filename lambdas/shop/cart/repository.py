"""Carts in DynamoDB: one item per owner, written with an optimistic `revision` check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shop.cart.model import GUEST_PREFIX, StoredCart
from shop.contracts.tables import CART
from shop.platform.dynamodb import attr, dynamodb_resource, errors, every_item, from_item, table


class CartChangedError(Exception):
    """Another request changed the cart since it was read: re-read and apply the change again."""


def _condition(expected_revision: int | None) -> Any:
    if expected_revision is None:
        return attr("user_id").not_exists()
    return attr("revision").eq(expected_revision)


class CartRepository:
    """Reads and writes of the Cart table."""

    def get(self, owner_key: str) -> StoredCart | None:
        response = table(CART.logical_name).get_item(Key={"user_id": owner_key}, ConsistentRead=True)
        item = response.get("Item")
        return StoredCart.model_validate(from_item(item)) if item else None

    def stored_item(self, owner_key: str) -> dict[str, Any] | None:
        """The stored item with every attribute, not a StoredCart (consistent read): the privacy export."""
        item = table(CART.logical_name).get_item(Key={"user_id": owner_key}, ConsistentRead=True).get("Item")
        return dict(from_item(item)) if item else None

    def save(self, cart: StoredCart, *, expected_revision: int | None) -> None:
        """Write the cart if it is still at `expected_revision` (None: if it does not exist yet)."""
        try:
            table(CART.logical_name).put_item(
                Item=cart.model_dump(mode="json", exclude_none=True),
                ConditionExpression=_condition(expected_revision),
            )
        except errors().ConditionalCheckFailedException:
            raise CartChangedError(cart.user_id) from None

    def delete(self, owner_key: str) -> None:
        table(CART.logical_name).delete_item(Key={"user_id": owner_key})

    def signed_in_carts_untouched_since(self, cutoff: str) -> Iterator[dict[str, Any]]:
        """Signed-in carts with items whose last change (`updated_at`) is older than `cutoff`: user_id,
        items and updated_at of each.

        A paginated Scan of Cart: the table has no index on updated_at, the abandoned-cart scan runs
        once a day, and the table holds at most 30 days of carts (TTL), so reading it whole is cheaper
        than keeping an index.
        """
        arguments: dict[str, Any] = {
            "FilterExpression": attr("updated_at").lt(cutoff)
            & ~attr("user_id").begins_with(GUEST_PREFIX)
            & attr("items").size().gt(0),
            "ProjectionExpression": "user_id, #items, updated_at",
            "ExpressionAttributeNames": {"#items": "items"},
        }
        yield from every_item(table(CART.logical_name).scan, **arguments)

    def save_and_delete(
        self, cart: StoredCart, *, expected_revision: int | None, delete_key: str, delete_revision: int
    ) -> None:
        """Write one cart and delete another in one transaction (a merge must not happen twice)."""
        put: dict[str, Any] = {
            "TableName": table(CART.logical_name).name,
            "Item": cart.model_dump(mode="json", exclude_none=True),
        }
        if expected_revision is None:
            put["ConditionExpression"] = "attribute_not_exists(#user_id)"
            put["ExpressionAttributeNames"] = {"#user_id": "user_id"}
        else:
            put["ConditionExpression"] = "#revision = :expected"
            put["ExpressionAttributeNames"] = {"#revision": "revision"}
            put["ExpressionAttributeValues"] = {":expected": expected_revision}
        try:
            dynamodb_resource().meta.client.transact_write_items(
                TransactItems=[
                    {"Put": put},
                    {
                        "Delete": {
                            "TableName": table(CART.logical_name).name,
                            "Key": {"user_id": delete_key},
                            "ConditionExpression": "#revision = :guest_revision",
                            "ExpressionAttributeNames": {"#revision": "revision"},
                            "ExpressionAttributeValues": {":guest_revision": delete_revision},
                        }
                    },
                ]
            )
        except errors().TransactionCanceledException:
            raise CartChangedError(cart.user_id) from None
