"""The kill switches of seed 001's rollback plan, read from the SSM parameter RUNTIME_FLAGS_PARAMETER.

The parameter holds JSON `{"orders_inline": bool, "cache_bypass": bool, "payments_paused": bool}`
(a switch it leaves out is off). It is read at most once
per CACHE_SECONDS per process, so flipping a switch takes effect everywhere within that time
without a deployment. Any problem reading it (no parameter configured, SSM down, bad JSON) means
"all switches off": the switches are emergency measures and must never cause an outage themselves.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shop.platform.observability import logger
from shop.platform.process_state import on_reset, per_process
from shop.platform.settings import get_settings

CACHE_SECONDS = 30.0


class RuntimeFlags(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    orders_inline: bool = False
    cache_bypass: bool = False
    payments_paused: bool = False


@per_process
def _ssm_client() -> Any:
    import boto3

    return boto3.client("ssm")


class _FlagCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags = RuntimeFlags()
        self._read_at: float | None = None

    def get(self) -> RuntimeFlags:
        with self._lock:
            if self._read_at is not None and time.monotonic() - self._read_at < CACHE_SECONDS:
                return self._flags
            self._flags = _read_parameter()
            self._read_at = time.monotonic()
            return self._flags

    def reset(self) -> None:
        with self._lock:
            self._read_at = None
            self._flags = RuntimeFlags()


def _read_parameter() -> RuntimeFlags:
    name = get_settings().runtime_flags_parameter
    if not name:
        return RuntimeFlags()
    try:
        raw = _ssm_client().get_parameter(Name=name)["Parameter"]["Value"]
        return RuntimeFlags.model_validate_json(raw)
    except (ValidationError, ValueError) as error:
        logger.error("runtime flags are not valid JSON; all switches off", extra={"error": repr(error)})
    except Exception as error:  # SSM unreachable or access denied: the switches stay off
        logger.warning("cannot read runtime flags; all switches off", extra={"error": repr(error)})
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
