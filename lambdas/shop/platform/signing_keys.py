"""The shop's HMAC keys, kept in the SigningKeys table and read with at most one GetItem per 5 minutes.

A key is 32 random bytes made by the first function that needs it (a conditional put: when two make
one at once, the loser reads the winner's). Keys live in DynamoDB rather than Secrets Manager because
the functions in the VPC reach DynamoDB through its free gateway endpoint, while Secrets Manager would
need an interface endpoint in every AZ (docs/decisions.md, "Signing keys in DynamoDB"). Access is IAM:
only functions granted the table (GetItem and PutItem, nothing else) can read or create a key.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shop.contracts.tables import SIGNING_KEYS
from shop.platform import dynamodb
from shop.platform.process_state import on_reset
from shop.platform.settings import MissingSetting, get_settings

# The links of emails, pages and guest carts (shop.platform.signed_links).
LINK_KEY = "links"
KEY_BYTES = 32
# Rotation (deleting the item) is rare; five minutes bounds how long a rotated key keeps being used.
KEY_MAX_AGE_SECONDS = 300


@dataclass
class _Read:
    value: bytes
    at: float


_cache: dict[str, _Read] = {}


def signing_key(name: str = LINK_KEY) -> bytes:
    """The key called `name`, made on first use."""
    cached = _cache.get(name)
    if cached and time.monotonic() - cached.at < KEY_MAX_AGE_SECONDS:
        return cached.value
    value = _stored_key(name) or _create_key(name)
    _cache[name] = _Read(value, time.monotonic())
    return value


def _table() -> Any:
    if SIGNING_KEYS.logical_name not in get_settings().tables:
        raise MissingSetting(f"{SIGNING_KEYS.env_var} is not in this function's environment")
    return dynamodb.table(SIGNING_KEYS.logical_name)


def _stored_key(name: str) -> bytes | None:
    item = _table().get_item(Key={SIGNING_KEYS.partition_key.name: name}, ConsistentRead=True).get("Item")
    return bytes(item["secret"].value) if item else None


def _create_key(name: str) -> bytes:
    candidate = secrets.token_bytes(KEY_BYTES)
    try:
        _table().put_item(
            Item={
                SIGNING_KEYS.partition_key.name: name,
                "secret": candidate,
                "created_at": datetime.now(UTC).isoformat(),
            },
            ConditionExpression="attribute_not_exists(#name)",
            ExpressionAttributeNames={"#name": SIGNING_KEYS.partition_key.name},
        )
    except dynamodb.errors().ConditionalCheckFailedException:
        stored = _stored_key(name)  # another function made it first: everyone uses that one
        if stored is None:
            raise
        return stored
    return candidate


# The tests and the local runner start several shops in one process, each with its own key.
on_reset(_cache.clear)
