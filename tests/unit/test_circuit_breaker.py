"""The circuit breaker: 5 failures in 60 s open it, an open circuit refuses without calling, one trial
after 60 s closes it; the state is shared through Redis and still kept locally when Redis is down."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator

import pytest
import redis

from cdk_app.local.redis_server import RedisServer
from shop.platform.circuit_breaker import (
    CallTimedOutError,
    CircuitBreaker,
    CircuitOpenError,
    DependencyThrottled,
)
from shop.platform.circuit_store_redis import RedisCircuitStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class Dependency:
    """A fake SES: counts calls and fails while `failing`."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = True

    def __call__(self) -> str:
        self.calls += 1
        if self.failing:
            raise ConnectionError("SES is down")
        return "sent"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not on PATH")
    server = RedisServer().start()
    yield server.url
    server.stop()


@pytest.fixture
def client(redis_url: str) -> redis.Redis:
    connection = redis.Redis.from_url(redis_url)
    connection.flushall()
    return connection


def dead_client() -> redis.Redis:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)


def breaker(
    client: redis.Redis, clock: Clock, opened: list[str] | None = None, **overrides: float
) -> CircuitBreaker:
    return CircuitBreaker(
        "ses",
        RedisCircuitStore(lambda: client),
        clock=clock,
        on_open=(opened.append if opened is not None else None),
        **overrides,  # type: ignore[arg-type]
    )


def fail_times(guard: CircuitBreaker, dependency: Dependency, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ConnectionError):
            guard.call(dependency)


def test_five_failures_open_it_and_the_sixth_call_is_refused_without_calling(client: redis.Redis) -> None:
    clock, dependency = Clock(), Dependency()
    opened: list[str] = []
    guard = breaker(client, clock, opened)
    fail_times(guard, dependency, 4)
    assert guard.state() == "closed"
    assert opened == []
    fail_times(guard, dependency, 1)
    assert guard.state() == "open"
    assert opened == ["ses"]
    with pytest.raises(CircuitOpenError):
        guard.call(dependency)
    assert dependency.calls == 5
    assert opened == ["ses"]  # one report per transition, not per refused call


def test_failures_spread_over_more_than_a_minute_do_not_open_it(client: redis.Redis) -> None:
    clock, dependency = Clock(), Dependency()
    guard = breaker(client, clock)
    fail_times(guard, dependency, 4)
    clock.now += 61
    fail_times(guard, dependency, 4)
    assert guard.state() == "closed"


def test_after_the_reset_timeout_one_trial_call_closes_it(client: redis.Redis) -> None:
    clock, dependency = Clock(), Dependency()
    guard = breaker(client, clock)
    fail_times(guard, dependency, 5)
    clock.now += 59
    with pytest.raises(CircuitOpenError):
        guard.call(dependency)
    clock.now += 1
    dependency.failing = False
    assert guard.call(dependency) == "sent"
    assert guard.state() == "closed"
    assert guard.call(dependency) == "sent"
    assert dependency.calls == 7


def test_a_failed_trial_opens_it_again_and_only_one_trial_runs_at_a_time(client: redis.Redis) -> None:
    clock, dependency = Clock(), Dependency()
    opened: list[str] = []
    guard = breaker(client, clock, opened)
    other = breaker(client, clock)
    fail_times(guard, dependency, 5)
    clock.now += 60
    # The trial is in flight on `guard`: simulate by acquiring it and asking on `other` meanwhile.
    assert guard._acquire(clock.now) == "trial"
    with pytest.raises(CircuitOpenError):
        other.call(dependency)
    guard._record_failure(clock.now)
    assert guard.state() == "open"
    assert opened == ["ses", "ses"]


def test_the_state_is_shared_between_instances_through_redis(client: redis.Redis) -> None:
    clock, dependency = Clock(), Dependency()
    first, second = breaker(client, clock), breaker(client, clock)
    fail_times(first, dependency, 3)
    fail_times(second, dependency, 2)
    assert first.state() == second.state() == "open"
    with pytest.raises(CircuitOpenError):
        first.call(dependency)
    assert dependency.calls == 5
    clock.now += 60
    dependency.failing = False
    assert second.call(dependency) == "sent"
    assert first.state() == "closed"


def test_with_redis_down_it_still_calls_and_counts_locally() -> None:
    clock, dependency = Clock(), Dependency()
    opened: list[str] = []
    guard = breaker(dead_client(), clock, opened)
    dependency.failing = False
    assert guard.call(dependency) == "sent"
    dependency.failing = True
    fail_times(guard, dependency, 5)
    assert guard.state() == "open"
    assert opened == ["ses"]
    with pytest.raises(CircuitOpenError):
        guard.call(dependency)
    clock.now += 60
    dependency.failing = False
    assert guard.call(dependency) == "sent"
    assert guard.state() == "closed"


def test_a_call_slower_than_the_timeout_counts_as_a_failure(client: redis.Redis) -> None:
    clock = Clock()
    guard = breaker(client, clock, failure_threshold=2, call_timeout_seconds=0.05)

    def slow() -> str:
        time.sleep(0.2)
        return "late"

    for _ in range(2):
        with pytest.raises(CallTimedOutError):
            guard.call(slow)
    assert guard.state() == "open"


def test_errors_that_are_not_outages_do_not_count(client: redis.Redis) -> None:
    clock = Clock()
    guard = CircuitBreaker(
        "ses",
        RedisCircuitStore(lambda: client),
        clock=clock,
        is_failure=lambda error: not isinstance(error, ValueError),
    )

    def rejected() -> str:
        raise ValueError("bad address")

    for _ in range(6):
        with pytest.raises(ValueError, match="bad address"):
            guard.call(rejected)
    assert guard.state() == "closed"


def test_throttles_never_open_it_even_when_every_error_counts(client: redis.Redis) -> None:
    """A dependency saying "slow down" is up: a burst of throttles leaves the circuit closed and
    every call reaches it, while the same number of outages opens it."""
    clock, opened = Clock(), []
    guard = breaker(client, clock, opened)  # is_failure left at "every error is a failure"
    calls = 0

    def throttled() -> str:
        nonlocal calls
        calls += 1
        raise DependencyThrottled("ses", "Maximum sending rate exceeded.")

    for _ in range(12):
        with pytest.raises(DependencyThrottled):
            guard.call(throttled)
    assert calls == 12  # none refused
    assert guard.state() == "closed"
    assert opened == []

    dependency = Dependency()
    fail_times(guard, dependency, 5)
    assert guard.state() == "open"
    assert opened == ["ses"]


def test_a_throttled_trial_closes_a_half_open_circuit(client: redis.Redis) -> None:
    """The trial's throttle is an answer from a working dependency, like any non-failure."""
    clock = Clock()
    guard = breaker(client, clock)
    fail_times(guard, Dependency(), 5)
    clock.now += guard.reset_timeout_seconds + 1

    def throttled() -> str:
        raise DependencyThrottled("ses", "Maximum sending rate exceeded.")

    with pytest.raises(DependencyThrottled):
        guard.call(throttled)
    assert guard.state() == "closed"
