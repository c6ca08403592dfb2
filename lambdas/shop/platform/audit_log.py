"""The admin audit log: who changed what, when, with the entity before and after (AuditLog table).

Items are keyed by entity (`product#<id>`, `user#<id>`, ...) and time, with the actor indexed
(actor-occurred_at-index), so "what happened to this product" and "what did this admin do" are both
one Query. A failed audit write never undoes or fails the admin action it records (the change is
already committed); it is logged at error level with the whole record, so the log keeps it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from shop.contracts.tables import AUDIT_LOG
from shop.platform.dynamodb import every_item, from_item, key, table, to_item
from shop.platform.errors import BadRequest
from shop.platform.pagination import decode_cursor, encode_cursor

logger = Logger(child=True)

ACTOR_INDEX: Final = AUDIT_LOG.index("actor-occurred_at-index").name
DEFAULT_PAGE: Final = 50
MAX_PAGE: Final = 200
# Listing without a filter has no index to read newest-first from, so it reads at most this many items.
MAX_UNFILTERED_SCAN: Final = 5000


def occurred_now(clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> str:
    """A sort key that orders by time and never collides: two writes in one microsecond stay apart."""
    stamp = clock().isoformat(timespec="microseconds").replace("+00:00", "Z")
    return f"{stamp}#{secrets.token_hex(4)}"


def record(actor: str, action: str, entity: str, before: Any, after: Any) -> None:
    """Write one audit entry (e.g. record("admin-1", "product.update", "product#p1", old, new))."""
    item = {
        "entity": entity,
        "occurred_at": occurred_now(),
        "actor": actor,
        "action": action,
        "before": to_item(before),
        "after": to_item(after),
    }
    try:
        # A new entry only: IAM lets writers PutItem, which could also replace an entry whose key
        # they knew; the condition makes the log append-only in the data as well as in the grant.
        table(AUDIT_LOG.logical_name).put_item(
            Item={name: value for name, value in item.items() if value is not None},
            ConditionExpression="attribute_not_exists(#entity)",
            ExpressionAttributeNames={"#entity": AUDIT_LOG.partition_key.name},
        )
    except (BotoCoreError, ClientError) as error:
        logger.error(
            "audit log write failed; the entry is kept in this log line",
            extra={"audit_entry": item, "error": type(error).__name__},
        )


@dataclass(frozen=True)
class AuditPage:
    entries: list[dict[str, Any]]
    next_cursor: str | None

    def body(self) -> dict[str, Any]:
        return {"entries": self.entries, "next_cursor": self.next_cursor}


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    entry = from_item(item)
    entry["occurred_at"] = str(entry["occurred_at"]).split("#", 1)[0]
    return dict(entry)


def entries(
    *,
    actor: str | None = None,
    entity: str | None = None,
    limit: int = DEFAULT_PAGE,
    cursor: str | None = None,
) -> AuditPage:
    """Newest first, for one entity, one actor, or (both None) the whole log; paged by `cursor`."""
    if actor and entity:
        raise BadRequest("filter by actor or by entity, not both", field="actor")
    audit = table(AUDIT_LOG.logical_name)
    if actor or entity:
        arguments: dict[str, Any] = {"ScanIndexForward": False, "Limit": limit}
        if actor:
            arguments.update(IndexName=ACTOR_INDEX, KeyConditionExpression=key("actor").eq(actor))
        else:
            arguments["KeyConditionExpression"] = key("entity").eq(entity)
        if cursor:
            start = decode_cursor(cursor)
            if not start or not set(start) <= {"entity", "occurred_at", "actor"}:
                raise BadRequest("cursor is not one this API issued", field="cursor")
            arguments["ExclusiveStartKey"] = {name: str(value) for name, value in start.items()}
        response = audit.query(**arguments)
        last = response.get("LastEvaluatedKey")
        return AuditPage(
            [_entry(item) for item in response.get("Items", [])], encode_cursor(last) if last else None
        )
    # The whole log: read (bounded), sort newest first, page by offset.
    items: list[dict[str, Any]] = []
    scan: dict[str, Any] = {}
    while len(items) < MAX_UNFILTERED_SCAN:
        response = audit.scan(**scan)
        items.extend(response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            break
        scan["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    items.sort(key=lambda item: str(item["occurred_at"]), reverse=True)
    offset = int(decode_cursor(cursor).get("offset", 0)) if cursor else 0
    page = items[offset : offset + limit]
    more = offset + limit < len(items)
    return AuditPage(
        [_entry(item) for item in page], encode_cursor({"offset": offset + limit}) if more else None
    )


def entries_by(actor: str) -> list[dict[str, Any]]:
    """Every entry the actor made, as stored (occurred_at keeps its suffix), oldest first, all pages."""
    arguments: dict[str, Any] = {"IndexName": ACTOR_INDEX, "KeyConditionExpression": key("actor").eq(actor)}
    return list(every_item(table(AUDIT_LOG.logical_name).query, **arguments))
