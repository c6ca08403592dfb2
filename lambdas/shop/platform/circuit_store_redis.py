"""Circuit breaker state in Redis, for functions inside the VPC: one hash per circuit
(`shop:circuit:<name>`), changed only by Lua scripts, which apply shop.platform.circuit_breaker's
CircuitRules atomically on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from shop.platform.circuit_breaker import CLOSED, CircuitRules, CircuitStoreUnavailable
from shop.platform.redis_connection import RedisNotConfiguredError

KEY_PREFIX = "shop:circuit"

_REDIS_FAILURES = (redis.RedisError, OSError, RedisNotConfiguredError)

# KEYS[1] = hash; ARGV = now, reset_timeout, call_timeout. Decides whether a call may go ahead.
_ACQUIRE = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
if state == 'open' then
  local opened_at = tonumber(redis.call('HGET', KEYS[1], 'opened_at') or '0')
  if now - opened_at < tonumber(ARGV[2]) then return 'refuse' end
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'trial_started', ARGV[1])
  return 'trial'
end
if state == 'half_open' then
  local started = tonumber(redis.call('HGET', KEYS[1], 'trial_started') or '0')
  -- one trial at a time; a trial that never reported back (a crashed Lambda) is replaced
  if now - started < tonumber(ARGV[3]) then return 'refuse' end
  redis.call('HSET', KEYS[1], 'trial_started', ARGV[1])
  return 'trial'
end
return 'allow'
"""

# KEYS[1] = hash; ARGV = now, window, threshold, ttl. Counts a failure; answers 'opened' on the
# transition to open (so exactly one caller reports it), else the state.
_FAILURE = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
if state == 'open' then return 'open' end
if state == 'half_open' then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1], 'failures', 0)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  return 'opened'
end
local window_start = tonumber(redis.call('HGET', KEYS[1], 'window_start') or '-1')
local failures
if window_start < 0 or now - window_start > tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'window_start', ARGV[1], 'failures', 1)
  failures = 1
else
  failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
if failures >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', ARGV[1], 'failures', 0)
  return 'opened'
end
return 'closed'
"""

# KEYS[1] = hash. A success closes a half-open circuit; in a closed one it changes nothing (the
# threshold counts failures within the window, not consecutive ones).
_SUCCESS = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'half_open' then
  redis.call('DEL', KEYS[1])
  return 'closed'
end
return state
"""


class RedisCircuitStore:
    """A CircuitStore on the Redis client that `redis_client` returns (built on first use)."""

    def __init__(self, redis_client: Callable[[], redis.Redis]) -> None:
        self._redis = redis_client

    @staticmethod
    def key(circuit: str) -> str:
        return f"{KEY_PREFIX}:{circuit}"

    def _run(self, script: str, circuit: str, *args: Any) -> str:
        try:
            answer = self._redis().eval(script, 1, self.key(circuit), *args)
        except _REDIS_FAILURES as error:
            raise CircuitStoreUnavailable(f"redis: {error!r}") from error
        return answer.decode() if isinstance(answer, bytes) else str(answer)

    def acquire(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._run(_ACQUIRE, circuit, now, rules.reset_timeout_seconds, rules.call_timeout_seconds)

    def failure(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._run(
            _FAILURE, circuit, now, rules.failure_window_seconds, rules.failure_threshold, rules.ttl_seconds
        )

    def success(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._run(_SUCCESS, circuit)

    def state(self, circuit: str) -> str:
        try:
            raw = self._redis().hget(self.key(circuit), "state")
        except _REDIS_FAILURES as error:
            raise CircuitStoreUnavailable(f"redis: {error!r}") from error
        return raw.decode() if isinstance(raw, bytes) else (raw or CLOSED)
