"""Promotions in DynamoDB: the promotion items, the per-shopper counters, and the redemption writes.

A redemption is two counter updates that ride in the order's own TransactWriteItems: the promotion's
`redemptions + 1` conditioned on the limit it was checked against, and the shopper's `uses + 1`
conditioned on the per-customer limit. Either fails, the order is not stored: no concurrency can use
a code more often than its limits allow. Giving back is the mirror image in the transaction that
gives back the order's stock, which happens once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from shop.contracts.tables import PROMOTION_ENTRY, PROMOTIONS, SHARED_PROMOTION_LISTING
from shop.platform.clock import now_iso
from shop.platform.dynamodb import errors, every_item, from_item, key, table, to_item
from shop.promotions.model import Promotion

LISTING_INDEX = PROMOTIONS.index("listing-created_at-index").name
# A personal code and its counter stay this long after they expire (an order may still give it back).
KEEP_AFTER_EXPIRY_SECONDS = 90 * 24 * 3600


class PromotionExistsError(Exception):
    """A promotion with this code is stored already."""


class PromotionMissingError(Exception):
    """No promotion with this code."""


def customer_entry(email: str) -> str:
    return f"customer#{email.strip().lower()}"


def _expiry_epoch(promotion: Promotion) -> int | None:
    if promotion.personal and promotion.ends_at is not None:
        return int(promotion.ends_at.timestamp()) + KEEP_AFTER_EXPIRY_SECONDS
    return None


class PromotionRepository:
    """Reads and writes of the Promotions table."""

    def _table(self) -> Any:
        return table(PROMOTIONS.logical_name)

    def get(self, code: str, *, consistent: bool = False) -> Promotion | None:
        item = (
            self._table()
            .get_item(Key={"code": code, "entry": PROMOTION_ENTRY}, ConsistentRead=consistent)
            .get("Item")
        )
        return Promotion.model_validate(from_item(item)) if item else None

    def uses_by(self, code: str, email: str) -> int:
        item = (
            self._table()
            .get_item(Key={"code": code, "entry": customer_entry(email)}, ConsistentRead=True)
            .get("Item")
        )
        return int(item.get("uses", 0)) if item else 0

    def create(self, promotion: Promotion) -> None:
        document: dict[str, Any] = {**promotion.model_dump(mode="json", exclude_none=True)}
        document["entry"] = PROMOTION_ENTRY
        if not promotion.personal:
            document["listing"] = SHARED_PROMOTION_LISTING
        expires = _expiry_epoch(promotion)
        if expires is not None:
            document["expires_at"] = expires
        try:
            self._table().put_item(Item=to_item(document), ConditionExpression="attribute_not_exists(code)")
        except errors().ConditionalCheckFailedException:
            raise PromotionExistsError(promotion.code) from None

    def update(self, code: str, fields: dict[str, Any]) -> Promotion:
        """Set the fields given (None removes one, e.g. an end date) and return the stored promotion."""
        names = {"#updated": "updated_at"}
        values: dict[str, Any] = {":updated": now_iso()}
        sets = ["#updated = :updated"]
        removes = []
        for position, (name, value) in enumerate(sorted(fields.items())):
            names[f"#f{position}"] = name
            if value is None:
                removes.append(f"#f{position}")
            else:
                values[f":v{position}"] = to_item(value)
                sets.append(f"#f{position} = :v{position}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            reply = self._table().update_item(
                Key={"code": code, "entry": PROMOTION_ENTRY},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(code)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except errors().ConditionalCheckFailedException:
            raise PromotionMissingError(code) from None
        return Promotion.model_validate(from_item(reply["Attributes"]))

    def shared(self) -> Iterator[Promotion]:
        """Every shared (non-personal) promotion, newest first."""
        for item in every_item(
            self._table().query,
            IndexName=LISTING_INDEX,
            KeyConditionExpression=key("listing").eq(SHARED_PROMOTION_LISTING),
            ScanIndexForward=False,
        ):
            yield Promotion.model_validate(item)

    # -- the order's transaction -----------------------------------------------------------------

    def redemption(self, promotion: Promotion, email: str) -> list[dict[str, Any]]:
        """The two Updates a new order adds to its transaction to redeem `promotion` for `email`."""
        limit_condition = "#active = :true"
        values: dict[str, Any] = {":one": 1, ":true": True}
        names = {"#active": "active", "#count": "redemptions", "#max": "max_redemptions"}
        if promotion.max_redemptions is None:
            limit_condition += " AND attribute_not_exists(#max)"
        else:
            # The limit the order was checked against: an administrator lowering it meanwhile wins.
            limit_condition += " AND #max = :max AND #count < :max"
            values[":max"] = promotion.max_redemptions
        code_item = {
            "Update": {
                "TableName": self._table().name,
                "Key": {"code": promotion.code, "entry": PROMOTION_ENTRY},
                "UpdateExpression": "ADD #count :one",
                "ConditionExpression": f"attribute_exists(code) AND {limit_condition}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
        customer_values: dict[str, Any] = {":one": 1}
        customer_names = {"#uses": "uses"}
        update = "ADD #uses :one"
        expires = _expiry_epoch(promotion)
        if expires is not None:
            update += " SET #expires = :expires"
            customer_names["#expires"] = "expires_at"
            customer_values[":expires"] = expires
        customer_item: dict[str, Any] = {
            "Update": {
                "TableName": self._table().name,
                "Key": {"code": promotion.code, "entry": customer_entry(email)},
                "UpdateExpression": update,
                "ExpressionAttributeNames": customer_names,
                "ExpressionAttributeValues": customer_values,
            }
        }
        if promotion.per_customer_limit is not None:
            customer_item["Update"]["ConditionExpression"] = "attribute_not_exists(#uses) OR #uses < :limit"
            customer_values[":limit"] = promotion.per_customer_limit
        return [code_item, customer_item]

    def release(self, code: str, email: str) -> list[dict[str, Any]]:
        """The two Updates that give one redemption back (in the transaction that gives back the stock).
        Empty when the promotion is gone (a personal code past its keeping time)."""
        if self.get(code, consistent=True) is None:
            return []
        return [
            {
                "Update": {
                    "TableName": self._table().name,
                    "Key": {"code": code, "entry": entry},
                    "UpdateExpression": f"ADD #{attribute} :minus_one",
                    "ExpressionAttributeNames": {f"#{attribute}": attribute},
                    "ExpressionAttributeValues": {":minus_one": -1},
                }
            }
            for entry, attribute in ((PROMOTION_ENTRY, "redemptions"), (customer_entry(email), "uses"))
        ]
