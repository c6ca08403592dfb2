"""The MarketingQueue table: one item per marketing email, from queued to sent.

An unsent item carries `pending_send` = "PENDING", which puts it in the sparse
sent-scheduled_send_time-index; marking it sent removes that attribute and starts the 30-day TTL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from shop.contracts.tables import MARKETING_QUEUE, MARKETING_QUEUE_TTL_DAYS_AFTER_SENT, PENDING_SEND_MARKER
from shop.marketing.triggers import Trigger
from shop.platform.clock import iso
from shop.platform.dynamodb import attr, delete_all, every_item, from_item, key, table, to_item

PENDING_INDEX = MARKETING_QUEUE.index("sent-scheduled_send_time-index").name
RECIPIENT_INDEX = MARKETING_QUEUE.index("user_email-trigger_type-index").name
PENDING_SEND = "pending_send"


class AlreadyQueuedError(Exception):
    """An item with the same recipient, trigger and subjects exists (a concurrent run wrote it)."""


def queue_id_for(trigger: Trigger, email: str, tokens: Sequence[str]) -> str:
    """Deterministic, so two runs racing over the same email write one item, not two."""
    identity = "|".join([trigger.value, email.lower(), *sorted(tokens)])
    return "mq_" + hashlib.sha256(identity.encode()).hexdigest()[:32]


class MarketingQueueRepository:
    def _table(self) -> Any:
        return table(MARKETING_QUEUE.logical_name)

    def _query(self, **arguments: Any) -> Iterator[dict[str, Any]]:
        return every_item(self._table().query, **arguments)

    def mailed_tokens(self, email: str, trigger: Trigger) -> set[str]:
        """Every subject token of this recipient's items of this trigger (user_email-trigger_type-index)."""
        tokens: set[str] = set()
        for item in self._query(
            IndexName=RECIPIENT_INDEX,
            KeyConditionExpression=key("user_email").eq(email) & key("trigger_type").eq(trigger.value),
            ProjectionExpression="queue_id, trigger_data",
        ):
            tokens.update(str(token) for token in (item.get("trigger_data") or {}).get("tokens", []))
        return tokens

    def items_of_recipient(self, email: str) -> list[dict[str, Any]]:
        """Every item addressed to this email, of any trigger (user_email-trigger_type-index)."""
        return list(
            self._query(IndexName=RECIPIENT_INDEX, KeyConditionExpression=key("user_email").eq(email))
        )

    def delete_items_of_recipient(self, email: str) -> int:
        """Delete every item addressed to this email, sent or not; returns how many there were."""
        keys = [{"queue_id": item["queue_id"]} for item in self.items_of_recipient(email)]
        return delete_all(self._table(), keys)

    def enqueue(
        self,
        *,
        trigger: Trigger,
        user_id: str,
        email: str,
        tokens: Sequence[str],
        items: Sequence[dict[str, Any]],
        discount_code: str | None,
        unsubscribe_token: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        """Write the unsent item; AlreadyQueuedError when the same email was queued before."""
        item = {
            "queue_id": queue_id_for(trigger, email, tokens),
            "user_id": user_id,
            "user_email": email,
            "trigger_type": trigger.value,
            "trigger_data": {"tokens": list(tokens), "items": list(items)},
            "discount_code": discount_code,
            "discount_percent": trigger.discount_percent,
            "unsubscribe_token": unsubscribe_token,
            "scheduled_send_time": iso(now),
            PENDING_SEND: PENDING_SEND_MARKER,
            "sent": False,
            "opened": False,
            "clicked": False,
            "converted": False,
            "created_at": iso(now),
        }
        stored: dict[str, Any] = to_item(item)
        try:
            self._table().put_item(Item=stored, ConditionExpression=attr("queue_id").not_exists())
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise AlreadyQueuedError(item["queue_id"]) from None
            raise
        return from_item(stored)  # type: ignore[no-any-return]

    def mark_sent(self, queue_id: str, *, email_message_id: str, now: datetime) -> None:
        """Leave the pending index and start the TTL: 30 days after sending, DynamoDB deletes the item."""
        expires_at = int((now + timedelta(days=MARKETING_QUEUE_TTL_DAYS_AFTER_SENT)).timestamp())
        self._table().update_item(
            Key={"queue_id": queue_id},
            UpdateExpression="SET #sent = :true, sent_at = :sent_at, expires_at = :expires_at, "
            "email_queue_id = :message_id REMOVE #pending",
            ConditionExpression=attr("queue_id").exists(),
            ExpressionAttributeNames={"#sent": "sent", "#pending": PENDING_SEND},
            ExpressionAttributeValues={
                ":true": True,
                ":sent_at": iso(now),
                ":expires_at": expires_at,
                ":message_id": email_message_id,
            },
        )

    def pending(self, trigger: Trigger, *, queued_before: datetime) -> Iterator[dict[str, Any]]:
        """Unsent items of this trigger queued before the given time (the sparse pending index)."""
        return self._query(
            IndexName=PENDING_INDEX,
            KeyConditionExpression=key(PENDING_SEND).eq(PENDING_SEND_MARKER)
            & key("scheduled_send_time").lt(iso(queued_before)),
            FilterExpression=attr("trigger_type").eq(trigger.value),
        )

    def get(self, queue_id: str) -> dict[str, Any] | None:
        item = self._table().get_item(Key={"queue_id": queue_id}).get("Item")
        return from_item(item) if item else None

    def _record(self, queue_id: str, update: str, values: dict[str, Any]) -> bool:
        """One engagement update of a stored item; False when there is no such item (erased, expired)."""
        try:
            self._table().update_item(
                Key={"queue_id": queue_id},
                UpdateExpression=update,
                ConditionExpression=attr("queue_id").exists(),
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_open(self, queue_id: str, *, now: datetime) -> bool:
        """`opened`, the first `opened_at`, the latest `last_opened_at` and `open_count`."""
        return self._record(
            queue_id,
            "SET opened = :true, opened_at = if_not_exists(opened_at, :now), last_opened_at = :now "
            "ADD open_count :one",
            {":true": True, ":now": iso(now), ":one": 1},
        )

    def record_click(self, queue_id: str, *, now: datetime) -> bool:
        """`clicked`, the first `clicked_at`, `last_clicked_at` and `click_count`; a click is an open
        too (the shopper read the email with its images blocked)."""
        return self._record(
            queue_id,
            "SET clicked = :true, clicked_at = if_not_exists(clicked_at, :now), last_clicked_at = :now, "
            "opened = :true, opened_at = if_not_exists(opened_at, :now) ADD click_count :one",
            {":true": True, ":now": iso(now), ":one": 1},
        )

    def with_discount_code(self, email: str, code: str) -> dict[str, Any] | None:
        """The item of this recipient that offered this code (user_email-trigger_type-index)."""
        for item in self._query(
            IndexName=RECIPIENT_INDEX,
            KeyConditionExpression=key("user_email").eq(email),
            FilterExpression=attr("discount_code").eq(code),
        ):
            return item
        return None

    def mark_converted(
        self, queue_id: str, *, order_id: str, revenue_cents: int, via: str, now: datetime
    ) -> bool:
        """Attribute a paid order to this email, once: False when the item is gone or already
        converted (by this order on an earlier run, or by another)."""
        try:
            self._table().update_item(
                Key={"queue_id": queue_id},
                UpdateExpression="SET converted = :true, converted_order_id = :order_id, "
                "attributed_revenue_cents = :revenue, converted_via = :via, converted_at = :now",
                ConditionExpression=attr("queue_id").exists() & attr("converted_order_id").not_exists(),
                ExpressionAttributeValues={
                    ":true": True,
                    ":order_id": order_id,
                    ":revenue": revenue_cents,
                    ":via": via,
                    ":now": iso(now),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def created_since(self, since: datetime) -> Iterator[dict[str, Any]]:
        """Items created since a moment. A Scan: the table's TTL keeps it to about 30 days of mail,
        and analytics are cached, so this runs at most every 15 minutes."""
        arguments: dict[str, Any] = {
            "FilterExpression": attr("created_at").gte(iso(since)),
            "ProjectionExpression": "#trigger, #sent, #opened, #clicked, #converted, #revenue",
            "ExpressionAttributeNames": {
                "#trigger": "trigger_type",
                "#sent": "sent",
                "#opened": "opened",
                "#clicked": "clicked",
                "#converted": "converted",
                "#revenue": "attributed_revenue_cents",
            },
        }
        yield from every_item(self._table().scan, **arguments)
