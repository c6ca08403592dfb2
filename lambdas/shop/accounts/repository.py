"""The Users table: one profile item per shopper, saved with a `revision` check.

The email is the Cognito token's (Cognito owns it and verifies it); the profile copies it so the
email-index can find the account.
"""

from __future__ import annotations

from typing import Any

from shop.accounts.model import Profile
from shop.contracts.tables import USERS
from shop.platform.clock import now_iso
from shop.platform.dynamodb import attr, errors, from_item, table, to_item


class ProfileChangedError(Exception):
    """Another request changed the profile since it was read."""


class ProfileRepository:
    """Reads and writes of the Users table."""

    @staticmethod
    def _table() -> Any:
        return table(USERS.logical_name)

    def get(self, user_id: str) -> Profile | None:
        item = self._table().get_item(Key={"user_id": user_id}, ConsistentRead=True).get("Item")
        return Profile.model_validate(from_item(item)) if item else None

    def save(self, profile: Profile) -> Profile:
        """Store the next revision of `profile`; ProfileChangedError when another request saved first."""
        expected = profile.revision
        saved = profile.model_copy(update={"revision": expected + 1, "updated_at": now_iso()})
        condition = attr("user_id").not_exists() if expected == 0 else attr("revision").eq(expected)
        try:
            self._table().put_item(
                Item=to_item(saved.model_dump(mode="json", exclude_none=True)), ConditionExpression=condition
            )
        except errors().ConditionalCheckFailedException:
            raise ProfileChangedError(profile.user_id) from None
        return saved

    def delete(self, user_id: str) -> None:
        self._table().delete_item(Key={"user_id": user_id})
