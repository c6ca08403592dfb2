"""A circuit breaker for calls to an outside dependency (SES, Stripe, PayPal), shared through Redis.

Seed 001's settings: 5 failures within 60 s open the circuit; a call taking longer than 30 s counts
as a failure; 60 s after opening, one trial call is let through (half-open) and its outcome closes
or re-opens the circuit.

The state lives in one Redis hash per dependency (`shop:circuit:<name>`), changed only by Lua
scripts, so every Lambda instance sees and updates the same circuit atomically. When Redis is
unreachable the breaker keeps working on an in-process state (this instance's failures only): the
dependency is still called, and its own errors still open the local circuit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

import redis

from shop.contracts.alarm_metric_names import CIRCUIT_BREAKER_OPENED, DEPENDENCY_DIMENSION
from shop.platform.observability import count_metric, logger
from shop.platform.redis_connection import RedisNotConfiguredError

T = TypeVar("T")

FAILURE_THRESHOLD = 5
FAILURE_WINDOW_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 30.0
RESET_TIMEOUT_SECONDS = 60.0
KEY_PREFIX = "shop:circuit"
REDIS_RETRY_SECONDS = 10.0

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
# What `_ACQUIRE` answers.
ALLOW, TRIAL, REFUSE = "allow", "trial", "refuse"

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


def report_circuit_opened(dependency: str) -> None:
    """The shop's breakers' `on_open`: the CircuitBreakerOpened metric that the critical alarm reads,
    and an error in the log."""
    count_metric(CIRCUIT_BREAKER_OPENED, {DEPENDENCY_DIMENSION: dependency})
    logger.error("circuit breaker opened", extra={"dependency": dependency})


class CircuitOpenError(RuntimeError):
    """The call was refused without calling the dependency: its circuit is open."""

    def __init__(self, dependency: str) -> None:
        super().__init__(f"circuit for {dependency} is open; not calling it")
        self.dependency = dependency


class CallTimedOutError(TimeoutError):
    """The dependency did not answer within the call timeout (counted as a failure)."""


@dataclass
class _LocalState:
    state: str = CLOSED
    failures: int = 0
    window_start: float = -1.0
    opened_at: float = 0.0
    trial_started: float = 0.0


class LocalCircuit:
    """The same rules as the Lua scripts, in process memory: the fallback while Redis is down."""

    def __init__(self) -> None:
        self._state = _LocalState()
        self._lock = threading.Lock()

    def acquire(self, now: float, reset_timeout: float, call_timeout: float) -> str:
        with self._lock:
            s = self._state
            if s.state == OPEN:
                if now - s.opened_at < reset_timeout:
                    return REFUSE
                s.state, s.trial_started = HALF_OPEN, now
                return TRIAL
            if s.state == HALF_OPEN:
                if now - s.trial_started < call_timeout:
                    return REFUSE
                s.trial_started = now
                return TRIAL
            return ALLOW

    def failure(self, now: float, window: float, threshold: int) -> str:
        with self._lock:
            s = self._state
            if s.state == OPEN:
                return OPEN
            if s.state == HALF_OPEN:
                s.state, s.opened_at, s.failures = OPEN, now, 0
                return "opened"
            if s.window_start < 0 or now - s.window_start > window:
                s.window_start, s.failures = now, 1
            else:
                s.failures += 1
            if s.failures >= threshold:
                s.state, s.opened_at, s.failures = OPEN, now, 0
                return "opened"
            return CLOSED

    def success(self) -> str:
        with self._lock:
            if self._state.state == HALF_OPEN:
                self._state = _LocalState()
            return self._state.state

    @property
    def state(self) -> str:
        return self._state.state


# Calls run on worker threads so that a hung call can be abandoned after the timeout.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="circuit-call")


class CircuitBreaker:
    """Guards the calls to one dependency. `on_open` runs once per transition to open (the metric)."""

    def __init__(
        self,
        dependency: str,
        redis_client: Callable[[], redis.Redis],
        *,
        failure_threshold: int = FAILURE_THRESHOLD,
        failure_window_seconds: float = FAILURE_WINDOW_SECONDS,
        call_timeout_seconds: float = CALL_TIMEOUT_SECONDS,
        reset_timeout_seconds: float = RESET_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
        on_open: Callable[[str], None] | None = None,
        is_failure: Callable[[BaseException], bool] = lambda _error: True,
    ) -> None:
        self.dependency = dependency
        self.key = f"{KEY_PREFIX}:{dependency}"
        self._redis = redis_client
        self.failure_threshold = failure_threshold
        self.failure_window_seconds = failure_window_seconds
        self.call_timeout_seconds = call_timeout_seconds
        self.reset_timeout_seconds = reset_timeout_seconds
        self._clock = clock
        self._on_open = on_open
        self._is_failure = is_failure
        self.local = LocalCircuit()
        self._redis_down_until = 0.0
        # A wall clock, not a monotonic one: the instants are compared across Lambda instances.
        self.ttl_seconds = int(failure_window_seconds + reset_timeout_seconds + call_timeout_seconds) + 60

    def _shared(self, script: str, *args: Any) -> str | None:
        """The script's answer from Redis, or None when Redis is unavailable (use the local state)."""
        if time.monotonic() < self._redis_down_until:
            return None
        try:
            client = self._redis()
            answer = client.eval(script, 1, self.key, *args)
        except _REDIS_FAILURES:
            # Skip Redis for a while: a dead cache must not add a connect timeout to every send.
            self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            return None
        return answer.decode() if isinstance(answer, bytes) else str(answer)

    def _acquire(self, now: float) -> str:
        shared = self._shared(_ACQUIRE, now, self.reset_timeout_seconds, self.call_timeout_seconds)
        if shared is not None:
            return shared
        return self.local.acquire(now, self.reset_timeout_seconds, self.call_timeout_seconds)

    def _record_failure(self, now: float) -> None:
        shared = self._shared(
            _FAILURE, now, self.failure_window_seconds, self.failure_threshold, self.ttl_seconds
        )
        answer = (
            shared
            if shared is not None
            else self.local.failure(now, self.failure_window_seconds, self.failure_threshold)
        )
        if answer == "opened" and self._on_open is not None:
            self._on_open(self.dependency)

    def _record_success(self) -> None:
        if self._shared(_SUCCESS) is None:
            self.local.success()

    def state(self) -> str:
        """The circuit's state as Redis (or, while it is down, this process) knows it."""
        try:
            raw = self._redis().hget(self.key, "state")
        except _REDIS_FAILURES:
            return self.local.state
        return raw.decode() if isinstance(raw, bytes) else (raw or CLOSED)

    def call(self, function: Callable[[], T]) -> T:
        """Call the dependency unless the circuit is open; count a failure or a timeout against it."""
        if self._acquire(self._clock()) == REFUSE:
            raise CircuitOpenError(self.dependency)
        future = _executor.submit(function)
        try:
            result = future.result(timeout=self.call_timeout_seconds)
        except FutureTimeout:
            self._record_failure(self._clock())
            raise CallTimedOutError(
                f"{self.dependency} did not answer within {self.call_timeout_seconds} s"
            ) from None
        except Exception as error:
            if self._is_failure(error):
                self._record_failure(self._clock())
            else:
                self._record_success()
            raise
        self._record_success()
        return result
