"""A circuit breaker for calls to an outside dependency (SES, Stripe, PayPal), its state shared by a store.

Seed 001's settings: 5 failures within 60 s open the circuit; a call taking longer than 30 s counts
as a failure; 60 s after opening, one trial call is let through (half-open) and its outcome closes
or re-opens the circuit.

The rules (`CircuitRules`) are one set; where the state lives is a `CircuitStore`: DynamoDB for the
functions outside the VPC (shop.platform.circuit_store_dynamodb), Redis for those in it
(shop.platform.circuit_store_redis), so every Lambda instance of a function sees and updates the same
circuit. When the store is unreachable the breaker keeps working on an in-process state (this
instance's failures only): the dependency is still called, and its own errors still open the local
circuit.

A dependency that answers "slow down" (SES's `Throttling`, a provider's 429) is up: the call raises
`DependencyThrottled`, which never counts as a failure, so a burst above a sending or request rate
cannot open the circuit and refuse everything for a minute. The caller retries it later (a queue
consumer puts the message back with a delay, an API route answers 503 with a short Retry-After).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from shop.contracts.alarm_metric_names import CIRCUIT_BREAKER_OPENED, DEPENDENCY_DIMENSION
from shop.platform.observability import count_metric, logger

T = TypeVar("T")

FAILURE_THRESHOLD = 5
FAILURE_WINDOW_SECONDS = 60.0
CALL_TIMEOUT_SECONDS = 30.0
RESET_TIMEOUT_SECONDS = 60.0
# After the store failed, skip it this long: a dead store must not add its timeout to every call.
STORE_RETRY_SECONDS = 10.0

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
# What a store's `acquire` answers.
ALLOW, TRIAL, REFUSE = "allow", "trial", "refuse"
# What a store's `failure` answers on the transition to open (so exactly one caller reports it).
OPENED = "opened"


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


class DependencyThrottled(RuntimeError):
    """The dependency refused the call for its rate (a quota, a rate limit): it is working, so this is
    not a failure of it; the same call succeeds later. `retry_after_seconds`: the dependency's hint,
    when it gave one."""

    def __init__(self, dependency: str, detail: str, *, retry_after_seconds: float | None = None) -> None:
        super().__init__(f"{dependency} is throttling: {detail}")
        self.dependency = dependency
        self.retry_after_seconds = retry_after_seconds


class CircuitStoreUnavailable(RuntimeError):
    """The shared state could not be read or written; the breaker falls back to its local state."""


@dataclass(frozen=True)
class CircuitSnapshot:
    """One circuit's state as stored: wall-clock instants, because they are compared across instances."""

    state: str = CLOSED
    failures: int = 0
    window_start: float = -1.0  # when the current failure window began; -1: no window yet
    opened_at: float = 0.0
    trial_started: float = 0.0


@dataclass(frozen=True)
class CircuitRules:
    """When a circuit opens, lets a trial through and closes: one set of rules for every store."""

    failure_threshold: int = FAILURE_THRESHOLD
    failure_window_seconds: float = FAILURE_WINDOW_SECONDS
    call_timeout_seconds: float = CALL_TIMEOUT_SECONDS
    reset_timeout_seconds: float = RESET_TIMEOUT_SECONDS

    @property
    def ttl_seconds(self) -> int:
        """How long a stored state outlives its last change: past any window, open period and trial."""
        return int(self.failure_window_seconds + self.reset_timeout_seconds + self.call_timeout_seconds) + 60

    def acquire(self, s: CircuitSnapshot, now: float) -> tuple[str, CircuitSnapshot | None]:
        """ALLOW, REFUSE, or TRIAL with the half-open state to store (only one caller may store it)."""
        if s.state == OPEN:
            if now - s.opened_at < self.reset_timeout_seconds:
                return REFUSE, None
            return TRIAL, replace(s, state=HALF_OPEN, trial_started=now)
        if s.state == HALF_OPEN:
            # One trial at a time; a trial that never reported back (a crashed Lambda) is replaced.
            if now - s.trial_started < self.call_timeout_seconds:
                return REFUSE, None
            return TRIAL, replace(s, trial_started=now)
        return ALLOW, None

    def window_is_current(self, s: CircuitSnapshot, now: float) -> bool:
        """Whether a failure now counts in the snapshot's window (else it starts a new one)."""
        return s.window_start >= 0 and now - s.window_start <= self.failure_window_seconds

    def trips(self, failures: int) -> bool:
        return failures >= self.failure_threshold

    @staticmethod
    def opened(now: float) -> CircuitSnapshot:
        return CircuitSnapshot(state=OPEN, opened_at=now)

    def failure(self, s: CircuitSnapshot, now: float) -> tuple[str, CircuitSnapshot | None]:
        """OPEN (nothing changes), OPENED with the open state, or CLOSED with the counted failure."""
        if s.state == OPEN:
            return OPEN, None
        if s.state == HALF_OPEN:
            return OPENED, self.opened(now)
        if self.window_is_current(s, now):
            counted = replace(s, failures=s.failures + 1)
        else:
            counted = replace(s, window_start=now, failures=1)
        if self.trips(counted.failures):
            return OPENED, self.opened(now)
        return CLOSED, counted

    @staticmethod
    def success(s: CircuitSnapshot) -> tuple[str, CircuitSnapshot | None]:
        """A success closes a half-open circuit; in a closed one it changes nothing (the threshold
        counts failures within the window, not consecutive ones)."""
        if s.state == HALF_OPEN:
            return CLOSED, CircuitSnapshot()
        return s.state, None


class CircuitStore(Protocol):
    """Where circuits live. Each method applies the rules atomically for every instance that shares
    the store; CircuitStoreUnavailable when the store cannot answer."""

    def acquire(self, circuit: str, now: float, rules: CircuitRules) -> str: ...

    def failure(self, circuit: str, now: float, rules: CircuitRules) -> str: ...

    def success(self, circuit: str, now: float, rules: CircuitRules) -> str: ...

    def state(self, circuit: str) -> str: ...


class LocalCircuitStore:
    """The circuits of this process only: the fallback while the shared store is down."""

    def __init__(self) -> None:
        self._circuits: dict[str, CircuitSnapshot] = {}
        self._lock = threading.Lock()

    def _apply(
        self,
        circuit: str,
        rule: Callable[[CircuitSnapshot], tuple[str, CircuitSnapshot | None]],
    ) -> str:
        with self._lock:
            answer, changed = rule(self._circuits.get(circuit, CircuitSnapshot()))
            if changed is not None:
                self._circuits[circuit] = changed
            return answer

    def acquire(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._apply(circuit, lambda s: rules.acquire(s, now))

    def failure(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._apply(circuit, lambda s: rules.failure(s, now))

    def success(self, circuit: str, now: float, rules: CircuitRules) -> str:
        return self._apply(circuit, rules.success)

    def state(self, circuit: str) -> str:
        with self._lock:
            return self._circuits.get(circuit, CircuitSnapshot()).state


# Calls run on worker threads so that a hung call can be abandoned after the timeout.
_executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="circuit-call")


class CircuitBreaker:
    """Guards the calls to one dependency. `on_open` runs once per transition to open (the metric)."""

    def __init__(
        self,
        dependency: str,
        store: CircuitStore,
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
        self.store = store
        self.rules = CircuitRules(
            failure_threshold=failure_threshold,
            failure_window_seconds=failure_window_seconds,
            call_timeout_seconds=call_timeout_seconds,
            reset_timeout_seconds=reset_timeout_seconds,
        )
        # A wall clock, not a monotonic one: the instants are compared across Lambda instances.
        self._clock = clock
        self._on_open = on_open
        self._is_failure = is_failure
        self.local = LocalCircuitStore()
        self._store_down_until = 0.0

    @property
    def reset_timeout_seconds(self) -> float:
        return self.rules.reset_timeout_seconds

    @property
    def call_timeout_seconds(self) -> float:
        return self.rules.call_timeout_seconds

    def _active_store(self) -> CircuitStore:
        return self.local if time.monotonic() < self._store_down_until else self.store

    def _apply(self, operation: Callable[[CircuitStore], str]) -> str:
        """The shared store's answer; the local state's while the store is down."""
        store = self._active_store()
        if store is not self.local:
            try:
                return operation(store)
            except CircuitStoreUnavailable as error:
                self._store_down_until = time.monotonic() + STORE_RETRY_SECONDS
                logger.warning(
                    "circuit breaker store unavailable; this instance counts its own failures",
                    extra={"dependency": self.dependency, "error": str(error)},
                )
        return operation(self.local)

    def _acquire(self, now: float) -> str:
        return self._apply(lambda store: store.acquire(self.dependency, now, self.rules))

    def _record_failure(self, now: float) -> None:
        answer = self._apply(lambda store: store.failure(self.dependency, now, self.rules))
        if answer == OPENED and self._on_open is not None:
            self._on_open(self.dependency)

    def _record_success(self) -> None:
        now = self._clock()
        self._apply(lambda store: store.success(self.dependency, now, self.rules))

    def state(self) -> str:
        """The circuit's state as the shared store (or, while it is down, this process) knows it."""
        return self._apply(lambda store: store.state(self.dependency))

    def call(self, function: Callable[[], T]) -> T:
        """Call the dependency unless the circuit is open; count a failure or a timeout against it
        (never a DependencyThrottled)."""
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
            # A throttle is an answer: like any other non-failure it closes a half-open circuit.
            if self._is_failure(error) and not isinstance(error, DependencyThrottled):
                self._record_failure(self._clock())
            else:
                self._record_success()
            raise
        self._record_success()
        return result
