"""The EmailPreferences table: one item per user, found by user id or by unsubscribe token."""

from __future__ import annotations

import secrets
from typing import Any, Final

from shop.contracts.tables import EMAIL_PREFERENCES
from shop.email.preferences import (
    MARKETING_FLAGS,
    UNSUBSCRIBE_TOKEN,
    PreferenceChanges,
    new_unsubscribe_token,
)
from shop.platform.clock import now_iso
from shop.platform.dynamodb import errors, from_item, key, table
from shop.platform.errors import NotFound

TOKEN_INDEX: Final = EMAIL_PREFERENCES.index("unsubscribe_token-index").name


class EmailPreferencesRepository:
    """Reads and writes of the EmailPreferences table: account_api's page and unsubscribe link, the
    senders' consent checks, the privacy export and erase."""

    @staticmethod
    def _table() -> Any:
        return table(EMAIL_PREFERENCES.logical_name)

    def get(self, user_id: str, *, consistent_read: bool = False) -> dict[str, Any] | None:
        # Senders read eventually consistent (a change seconds old may be missed); the account's own
        # page, the export and `ensure` read their writes.
        item = self._table().get_item(Key={"user_id": user_id}, ConsistentRead=consistent_read).get("Item")
        return dict(from_item(item)) if item else None

    def ensure(self, user_id: str, email: str | None) -> dict[str, Any]:
        """The user's preferences, created opted out on first use; the stored email follows the token's."""
        current = self.get(user_id, consistent_read=True)
        if current is None:
            now = now_iso()
            item: dict[str, Any] = {
                "user_id": user_id,
                **dict.fromkeys(MARKETING_FLAGS, False),
                "unsubscribed": False,
                "unsubscribe_token": new_unsubscribe_token(),
                "created_at": now,
                "updated_at": now,
            }
            if email:
                item["email"] = email
            try:
                self._table().put_item(Item=item, ConditionExpression="attribute_not_exists(user_id)")
                return item
            except errors().ConditionalCheckFailedException:
                # A concurrent first request created it: use theirs (one token per user).
                current = self.get(user_id, consistent_read=True)
                assert current is not None
        if email and current.get("email") != email:
            current = self._update(user_id, {"email": email})
        return current

    def update(self, user_id: str, email: str | None, changes: PreferenceChanges) -> dict[str, Any]:
        """Apply the flags sent. Unsubscribing clears every flag; switching a flag on re-subscribes."""
        self.ensure(user_id, email)
        requested: dict[str, Any] = {
            name: value
            for name, value in changes.model_dump(exclude_unset=True, exclude={"consent_source"}).items()
            if value is not None
        }
        if requested.get("unsubscribed") is True:
            requested.update(dict.fromkeys(MARKETING_FLAGS, False))
        elif any(requested.get(flag) is True for flag in MARKETING_FLAGS):
            requested["unsubscribed"] = False
            # The record of consent: when and where the shopper last said yes.
            requested["marketing_consent_at"] = now_iso()
            requested["marketing_consent_source"] = changes.consent_source or "preferences"
        return self._update(user_id, requested) if requested else self.ensure(user_id, email)

    def unsubscribe(self, token: str) -> dict[str, Any]:
        """Unsubscribe the owner of `token` from all marketing mail; NotFound for any other string."""
        if not UNSUBSCRIBE_TOKEN.fullmatch(token):
            raise NotFound("unknown unsubscribe link", field="token")
        items = self._table().query(
            IndexName=TOKEN_INDEX, KeyConditionExpression=key("unsubscribe_token").eq(token)
        )["Items"]
        # The index is the only lookup, so compare again in constant time before acting on a match.
        matches = [item for item in items if secrets.compare_digest(str(item["unsubscribe_token"]), token)]
        if len(matches) != 1:
            raise NotFound("unknown unsubscribe link", field="token")
        changes = {**dict.fromkeys(MARKETING_FLAGS, False), "unsubscribed": True}
        return self._update(str(matches[0]["user_id"]), changes)

    def _update(self, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        changes = {**changes, "updated_at": now_iso()}
        names = {f"#f{n}": name for n, name in enumerate(changes)}
        values = {f":v{n}": value for n, value in enumerate(changes.values())}
        response = self._table().update_item(
            Key={"user_id": user_id},
            UpdateExpression="SET " + ", ".join(f"#f{n} = :v{n}" for n in range(len(changes))),
            ConditionExpression="attribute_exists(user_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        return dict(from_item(response["Attributes"]))

    def delete(self, user_id: str) -> None:
        self._table().delete_item(Key={"user_id": user_id})
