"""The WatchList as the price-drop and restock scans read and settle it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase
from botocore.exceptions import ClientError

from shop.contracts.tables import WATCH_LIST
from shop.platform.dynamodb import from_item, table, to_item


def not_yet(flag: str) -> ConditionBase:
    return Attr(flag).not_exists() | Attr(flag).eq(False)


def watch_items(condition: ConditionBase) -> Iterator[dict[str, Any]]:
    """Watch items matching a filter. A paginated Scan: the alerts start from the watch items (they
    are per user and product), and this runs once a day."""
    arguments: dict[str, Any] = {"FilterExpression": condition}
    watch_list = table(WATCH_LIST.logical_name)
    while True:
        response = watch_list.scan(**arguments)
        for item in response.get("Items", []):
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def update_watch(user_id: str, product_id: str, changes: dict[str, Any]) -> None:
    """SET the given fields of a watch item, unless the user has stopped watching meanwhile."""
    names = {f"#f{position}": field for position, field in enumerate(changes)}
    values = {f":v{position}": to_item(value) for position, value in enumerate(changes.values())}
    try:
        table(WATCH_LIST.logical_name).update_item(
            Key={"user_id": user_id, "product_id": product_id},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(changes))),
            ConditionExpression=Attr("product_id").exists(),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
