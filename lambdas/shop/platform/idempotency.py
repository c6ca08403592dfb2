"""The Idempotency table: records that something happened once, each expiring by TTL.

A sent email, a settled payment event, a seen webhook signature, the access token an order's first
attempt was given, and Powertools' records of the order pipeline's steps all live here, each under
its own id prefix. This module is the only code that touches the table.
"""

from __future__ import annotations

import time
from typing import Any

from shop.contracts.tables import IDEMPOTENCY
from shop.platform.dynamodb import attr, errors, table
from shop.platform.settings import get_settings


def record_once(record_id: str, *, ttl_seconds: int, **attributes: Any) -> bool:
    """Write the record unless one with this id exists; True when this call wrote it."""
    assert IDEMPOTENCY.ttl_attribute is not None
    item = {"id": record_id, **attributes, IDEMPOTENCY.ttl_attribute: int(time.time()) + ttl_seconds}
    try:
        table(IDEMPOTENCY.logical_name).put_item(Item=item, ConditionExpression=attr("id").not_exists())
    except errors().ConditionalCheckFailedException:
        return False
    return True


def recorded(record_id: str) -> dict[str, Any] | None:
    """The record with this id (a consistent read: a record written a moment ago is seen)."""
    item: dict[str, Any] | None = (
        table(IDEMPOTENCY.logical_name).get_item(Key={"id": record_id}, ConsistentRead=True).get("Item")
    )
    return item


def powertools_persistence_layer() -> Any:
    """Powertools idempotency's store on this table; imported on first use (cold start)."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name=get_settings().table_name(IDEMPOTENCY.logical_name))
