"""The kill switches of seed 001's rollback plan, read from the one item of the RuntimeFlags table.

The item (`flag_set` = "runtime") holds a Boolean attribute per switch: `orders_inline`,
`cache_bypass`, `payments_paused`; a switch it leaves out is off, and so is every switch while the
item does not exist (the deploy does not create it; an operator's first flip does). It is read at most
once per CACHE_SECONDS per process, so flipping a switch takes effect everywhere within that time
without a deployment. Any problem reading it (no table configured, DynamoDB unreachable, an attribute
that is not a Boolean) means "all switches off": the switches are emergency measures and must never
cause an outage themselves.
"""

from __future__ import annotations

import threading
import time

from pydantic import BaseModel, ConfigDict, ValidationError

from shop.contracts.tables import RUNTIME_FLAG_SET, RUNTIME_FLAGS
from shop.platform import dynamodb
from shop.platform.observability import logger
from shop.platform.process_state import on_reset
from shop.platform.settings import get_settings

CACHE_SECONDS = 30.0


class RuntimeFlags(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    orders_inline: bool = False
    cache_bypass: bool = False
    payments_paused: bool = False


class _FlagCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags = RuntimeFlags()
        self._read_at: float | None = None

    def get(self) -> RuntimeFlags:
        with self._lock:
            if self._read_at is not None and time.monotonic() - self._read_at < CACHE_SECONDS:
                return self._flags
            self._flags = _read_flags()
            self._read_at = time.monotonic()
            return self._flags

    def reset(self) -> None:
        with self._lock:
            self._read_at = None
            self._flags = RuntimeFlags()


def _read_flags() -> RuntimeFlags:
    if RUNTIME_FLAGS.logical_name not in get_settings().tables:
        return RuntimeFlags()  # a function not given the switches: they are off for it
    try:
        # Consistent: a flip counts from the write, not from replication; one read per CACHE_SECONDS.
        item = (
            dynamodb.table(RUNTIME_FLAGS.logical_name)
            .get_item(Key={RUNTIME_FLAGS.partition_key.name: RUNTIME_FLAG_SET}, ConsistentRead=True)
            .get("Item")
        )
    except Exception as error:  # DynamoDB unreachable or access denied: the switches stay off
        logger.warning("cannot read runtime flags; all switches off", extra={"error": repr(error)})
        return RuntimeFlags()
    if item is None:
        return RuntimeFlags()
    try:
        # Strict: "true" or 1 is a typo to be logged, not a switch to be turned on.
        return RuntimeFlags.model_validate(item, strict=True)
    except ValidationError as error:
        logger.error("runtime flags are not Booleans; all switches off", extra={"error": repr(error)})
        return RuntimeFlags()


_flags = _FlagCache()


def runtime_flags() -> RuntimeFlags:
    """The switches as of at most CACHE_SECONDS ago."""
    return _flags.get()


def orders_inline() -> bool:
    """True: order_api processes orders in the request instead of queueing them on order-processing."""
    return runtime_flags().orders_inline


def cache_bypassed() -> bool:
    """True: reads skip Redis and go to DynamoDB. For shop.platform.cache.ResilientCache to consult (see
    docs/runbooks.md, "Kill switches")."""
    return runtime_flags().cache_bypass


def payments_paused() -> bool:
    """True: order_api refuses new orders (503), so no stock is held and no payment starts; webhooks and
    payment_processor keep settling the payments already made (docs/runbooks.md, "Kill switches")."""
    return runtime_flags().payments_paused


on_reset(_flags.reset)
