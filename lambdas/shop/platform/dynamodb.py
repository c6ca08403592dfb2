"""DynamoDB access shared by the repositories: one lazily created resource and number conversion.

boto3 is created on first use, never at import, so tests can activate moto first and cold starts
do not pay for clients a route never touches. boto3 itself honours AWS_ENDPOINT_URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from shop.platform.process_state import per_process
from shop.platform.settings import get_settings


@per_process
def dynamodb_resource() -> Any:
    import boto3

    return boto3.resource("dynamodb")


def errors() -> Any:
    """The modelled DynamoDB exceptions (e.g. `errors().ConditionalCheckFailedException`)."""
    return dynamodb_resource().meta.client.exceptions


def attr(name: str) -> Any:
    """boto3's condition builder for a non-key attribute, imported on first use like boto3 itself."""
    from boto3.dynamodb.conditions import Attr

    return Attr(name)


def key(name: str) -> Any:
    """boto3's condition builder for a key attribute."""
    from boto3.dynamodb.conditions import Key

    return Key(name)


def table(logical_name: str) -> Any:
    """The boto3 Table of one of the shop's tables (by its logical name, e.g. "Products")."""
    return dynamodb_resource().Table(get_settings().table_name(logical_name))


def every_item(operation: Callable[..., Any], **arguments: Any) -> Iterator[dict[str, Any]]:
    """Each item of a Query or Scan (`operation` is a Table's `query` or `scan`), converted by
    `from_item`, page after page; a page is read only when the caller wants its items."""
    while True:
        response = operation(**arguments)
        for item in response.get("Items", []):
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_all(resource: Any, keys: list[dict[str, Any]]) -> int:
    """Delete the items with these keys from a boto3 Table in BatchWriteItem calls; returns how many."""
    with resource.batch_writer() as batch:
        for item_key in keys:
            batch.delete_item(Key=item_key)
    return len(keys)


def to_item(value: Any) -> Any:
    """Floats become Decimals (boto3 refuses floats); None values are dropped from maps."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: to_item(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [to_item(item) for item in value]
    return value


def from_item(value: Any) -> Any:
    """Decimals become ints when whole and floats otherwise, so pydantic and json see plain numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: from_item(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [from_item(item) for item in value]
    return value


def transaction_conflict(error: Exception) -> bool:
    """True for a TransactWriteItems cancelled only by a concurrent transaction (worth retrying)."""
    response = getattr(error, "response", {})
    reasons = [reason.get("Code") for reason in response.get("CancellationReasons", [])]
    return (
        bool(reasons)
        and all(code in ("None", "TransactionConflict") for code in reasons)
        and ("TransactionConflict" in reasons)
    )


def cancellation_codes(error: Exception) -> list[str]:
    """The per-item reasons of a cancelled transaction, in request order ("None" = that item was fine)."""
    response = getattr(error, "response", {})
    return [str(reason.get("Code", "None")) for reason in response.get("CancellationReasons", [])]
