"""Redis behind a circuit breaker: every call either answers from Redis or reports "no cache".

Redis is an accelerator, never a dependency: when it is down or slow the caller falls back to
DynamoDB. After a failure the cache stays closed for a cool-down, so a dead Redis costs one
timeout per cool-down instead of one per lookup.

A write that could not reach Redis (a write-through, an invalidation, a generation increment) would
leave a stale entry behind once Redis answers again, so the cache remembers those keys and repairs
them (deletes the entries, advances the counters) on its first successful call after the outage.
Other Lambda instances cannot know about them: there, such an entry lives until its TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from shop.contracts.metric_names import CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE
from shop.platform.cache_metrics import CacheCounters, cache_counters
from shop.platform.process_state import on_reset
from shop.platform.runtime_flags import cache_bypassed

if TYPE_CHECKING:
    # redis (which imports redis.asyncio too) and the connection module load on the first cache call,
    # not with every handler that might use the cache: see shared_redis_client and _failures below.
    import redis

logger = Logger(child=True)

# Long enough that a Lambda serving a burst during an outage does not time out on every request,
# short enough that the cache comes back within seconds of Redis recovering.
OUTAGE_COOL_DOWN_SECONDS = 10.0

# Writes a versioned value only when the cached one is older: a slow reader that loaded version 3
# from DynamoDB must not overwrite the version 4 an update has just written through.
_SET_IF_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local cached_version = tonumber(string.match(current, '^(%d+)|'))
  if cached_version and cached_version >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
"""


def _failures() -> tuple[type[BaseException], ...]:
    """What a cache call raises when Redis is down, slow or not configured. Evaluated only when a call
    raised, by which time the client factory has imported redis (or raised RedisNotConfiguredError)."""
    import redis

    from shop.platform.redis_connection import RedisNotConfiguredError

    return (redis.RedisError, OSError, RedisNotConfiguredError)


def shared_redis_client() -> redis.Redis:
    """The process's Redis client (shop.platform.redis_connection.shared_redis_client), as a cache's
    client factory: its module, and redis with it, are imported on the first cache call."""
    from shop.platform.redis_connection import shared_redis_client as connected_client

    return connected_client()


class CacheOutage:
    """Remembers the last Redis failure and keeps the cache closed until the cool-down has passed."""

    def __init__(
        self, cool_down_seconds: float = OUTAGE_COOL_DOWN_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        self.cool_down_seconds = cool_down_seconds
        self._clock = clock
        self._closed_until = 0.0
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """True while Redis may be tried."""
        return self._clock() >= self._closed_until

    def trip(self) -> None:
        with self._lock:
            self._closed_until = self._clock() + self.cool_down_seconds

    def reset(self) -> None:
        with self._lock:
            self._closed_until = 0.0


class ResilientCache:
    """One named cache (catalog or cart) over a Redis client, counting hits, misses and outages."""

    def __init__(
        self,
        name: str,
        client_factory: Callable[[], redis.Redis],
        *,
        outage: CacheOutage,
        counters: CacheCounters = cache_counters,
    ) -> None:
        self.name = name
        self._client_factory = client_factory
        self._outage = outage
        self._counters = counters
        self._repair_lock = threading.Lock()
        self._stale_keys: set[str] = set()
        self._missed_increments: set[str] = set()

    def _run(
        self, operation: str, call: Callable[[redis.Redis], Any], *, lookups: int = 0
    ) -> tuple[bool, Any]:
        """(True, result) from Redis, or (False, None) when the cache is down or closed."""
        if not self._outage.open:
            self._counters.record(CACHE_UNAVAILABLE, self.name, max(lookups, 1))
            return False, None
        try:
            client = self._client_factory()
            result = call(client)
            if self._stale_keys or self._missed_increments:
                self._repair(client)
            return True, result
        except _failures() as error:
            self._outage.trip()
            self._counters.record(CACHE_UNAVAILABLE, self.name, max(lookups, 1))
            logger.warning(
                "cache unavailable, serving from DynamoDB",
                extra={"cache": self.name, "operation": operation, "error": repr(error)},
            )
            return False, None

    def _repair(self, client: redis.Redis) -> None:
        with self._repair_lock:
            stale, self._stale_keys = self._stale_keys, set()
            missed, self._missed_increments = self._missed_increments, set()
        try:
            pipeline = client.pipeline(transaction=False)
            if stale:
                pipeline.delete(*stale)
            for key in missed:
                pipeline.set(key, _fresh_counter_start(), nx=True)
                pipeline.incr(key)
            pipeline.execute()
            logger.info(
                "cache repaired after an outage", extra={"cache": self.name, "keys": len(stale) + len(missed)}
            )
        except _failures():
            with self._repair_lock:
                self._stale_keys |= stale
                self._missed_increments |= missed
            raise

    def _remember_stale(self, keys: Sequence[str]) -> None:
        with self._repair_lock:
            self._stale_keys.update(keys)

    def _count_lookups(self, values: Sequence[bytes | None]) -> None:
        hits = sum(value is not None for value in values)
        if hits:
            self._counters.record(CACHE_HIT, self.name, hits)
        if len(values) - hits:
            self._counters.record(CACHE_MISS, self.name, len(values) - hits)

    def get(self, key: str) -> bytes | None:
        """The cached bytes, or None on a miss or an outage (both mean: read the source)."""
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        if cache_bypassed():  # the "rollback cache" kill switch: read DynamoDB, keep writing Redis
            return [None] * len(keys)
        ok, values = self._run("mget", lambda client: client.mget(list(keys)), lookups=len(keys))
        if not ok:
            return [None] * len(keys)
        self._count_lookups(values)
        return list(values)

    def set(self, key: str, value: bytes | str, ttl_seconds: int) -> None:
        ok, _ = self._run("set", lambda client: client.set(key, value, ex=ttl_seconds))
        if not ok:
            self._remember_stale([key])

    def set_if_newer(self, entries: Sequence[tuple[str, int, str]], ttl_seconds: int) -> None:
        """Store each (key, version, document) as "<version>|<document>" unless a newer one is cached."""
        if not entries:
            return

        def write(client: redis.Redis) -> None:
            from redis.exceptions import NoScriptError

            script = client.register_script(_SET_IF_NEWER)
            # EVALSHA by the script's hash: one round trip. A pipeline that runs a Script object would
            # first ask SCRIPT EXISTS, a round trip of its own on every write (issue 20).
            pipeline = client.pipeline(transaction=False)
            for key, version, document in entries:
                pipeline.evalsha(script.sha, 1, key, version, document, ttl_seconds)
            results = pipeline.execute(raise_on_error=False)
            if any(isinstance(result, NoScriptError) for result in results):
                # Redis does not know the script yet (first use, a restart, a failover): redis-py's
                # Script loads it and runs the writes again (set-if-newer is safe to repeat).
                pipeline = client.pipeline(transaction=False)
                for key, version, document in entries:
                    script(keys=[key], args=[version, document, ttl_seconds], client=pipeline)
                pipeline.execute()
            else:
                for result in results:
                    if isinstance(result, Exception):
                        raise result

        ok, _ = self._run("set_if_newer", write)
        if not ok:
            self._remember_stale([key for key, _version, _document in entries])

    def delete(self, *keys: str) -> bool:
        """Delete keys; False when Redis could not be reached (they are deleted once it answers again)."""
        ok, _ = self._run("delete", lambda client: client.delete(*keys))
        if not ok:
            self._remember_stale(keys)
        return bool(ok)

    def read_counter(self, key: str) -> int | None:
        """A generation counter kept in Redis (not counted as a hit or miss); None when Redis is down."""
        if cache_bypassed():
            return None

        def read(client: redis.Redis) -> Any:
            pipeline = client.pipeline(transaction=False)
            pipeline.set(key, _fresh_counter_start(), nx=True)
            pipeline.get(key)
            return pipeline.execute()[1]

        ok, value = self._run("read_counter", read)
        return int(value) if ok else None

    def increment(self, key: str) -> int | None:
        """Advance a generation counter; None when Redis is down (the caller's writes still stand)."""

        def advance(client: redis.Redis) -> Any:
            pipeline = client.pipeline(transaction=False)
            pipeline.set(key, _fresh_counter_start(), nx=True)
            pipeline.incr(key)
            return pipeline.execute()[1]

        ok, value = self._run("increment", advance)
        if not ok:
            with self._repair_lock:
                self._missed_increments.add(key)
        return int(value) if ok else None


# One outage tracker per process: the catalog and cart caches share one Redis, so one failure closes both.
shared_redis_outage = CacheOutage()
on_reset(shared_redis_outage.reset)


def _fresh_counter_start() -> int:
    # A counter that vanished (flush, failover to an empty replica) restarts from the clock rather than
    # from 0, so entries cached under an earlier generation number can never be mistaken for current.
    return time.time_ns() // 1000
