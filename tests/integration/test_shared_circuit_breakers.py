"""The circuit breakers of the functions outside the VPC share their state through DynamoDB (moto):
each breaker object below stands for one Lambda instance, with its own store and read cache."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from shop.platform import circuit_store_dynamodb, dynamodb
from shop.platform.circuit_breaker import CircuitBreaker, CircuitOpenError, CircuitRules
from shop.platform.circuit_store_dynamodb import DynamoDBCircuitStore
from tests.integration.account_events import FakeClock, make_aws_calls_atomic

NOW = 1_800_000_000.0


class Dependency:
    """A fake provider: counts calls and fails while `failing`."""

    def __init__(self) -> None:
        self.calls = 0
        self.failing = True

    def __call__(self) -> str:
        self.calls += 1
        if self.failing:
            raise ConnectionError("the provider is down")
        return "paid"


class Monotonic:
    """The stores' cache clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def instance(clock: FakeClock, opened: list[str] | None = None, **store: Any) -> CircuitBreaker:
    """One Lambda instance's breaker: its own DynamoDBCircuitStore (and so its own read cache)."""
    return CircuitBreaker(
        "stripe",
        DynamoDBCircuitStore(**store),
        clock=clock,
        on_open=opened.append if opened is not None else None,
    )


def fail_times(breaker: CircuitBreaker, dependency: Dependency, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ConnectionError):
            breaker.call(dependency)


def stored_circuit(shop_env: dict[str, str], name: str = "stripe") -> dict[str, Any]:
    item: dict[str, Any] = (
        boto3.resource("dynamodb")
        .Table(shop_env["CIRCUIT_BREAKERS_TABLE"])
        .get_item(Key={"circuit": name}, ConsistentRead=True)["Item"]
    )
    return item


def test_failures_of_two_instances_open_the_circuit_for_a_third(shop_env: dict[str, str]) -> None:
    clock, monotonic, dependency = FakeClock(NOW), Monotonic(), Dependency()
    opened: list[str] = []
    first, second, third = (instance(clock, opened, monotonic=monotonic) for _ in range(3))
    fail_times(first, dependency, 3)
    fail_times(second, dependency, 1)
    assert first.state() == second.state() == "closed"
    fail_times(second, dependency, 1)
    assert opened == ["stripe"]  # one CircuitBreakerOpened for the five failures of two instances
    assert stored_circuit(shop_env)["circuit_state"] == "open"
    with pytest.raises(CircuitOpenError):
        third.call(dependency)
    # `first` read the circuit closed a moment ago: it trusts that read for at most a second.
    monotonic.now += 1.0
    with pytest.raises(CircuitOpenError):
        first.call(dependency)
    assert dependency.calls == 5


def test_failures_more_than_a_window_apart_do_not_add_up(shop_env: dict[str, str]) -> None:
    clock, dependency = FakeClock(NOW), Dependency()
    first, second = instance(clock), instance(clock)
    fail_times(first, dependency, 4)
    clock.now += 61
    fail_times(second, dependency, 4)
    assert first.state() == "closed"
    assert stored_circuit(shop_env)["failures"] == 4


def test_half_open_lets_one_trial_through_across_instances(shop_env: dict[str, str]) -> None:
    clock, dependency = FakeClock(NOW), Dependency()
    first, second = instance(clock), instance(clock)
    fail_times(first, dependency, 5)
    with pytest.raises(CircuitOpenError):
        second.call(dependency)  # `second` now holds the open state in its read cache
    clock.now += 60
    # The trial is in flight on `first`; `second`, with its cached open state, must not start another.
    assert first._acquire(clock.now) == "trial"
    with pytest.raises(CircuitOpenError):
        second.call(dependency)
    assert dependency.calls == 5
    first._record_success()
    assert second.state() == "closed"
    dependency.failing = False
    assert second.call(dependency) == "paid"


def test_a_failed_trial_opens_it_again_once(shop_env: dict[str, str]) -> None:
    clock, dependency = FakeClock(NOW), Dependency()
    opened: list[str] = []
    first, second = instance(clock, opened), instance(clock, opened)
    fail_times(first, dependency, 5)
    clock.now += 60
    fail_times(second, dependency, 1)  # the trial, and it fails
    assert opened == ["stripe", "stripe"]
    with pytest.raises(CircuitOpenError):
        first.call(dependency)
    assert stored_circuit(shop_env)["opened_at"] == NOW + 60


def test_concurrent_failures_of_many_instances_are_all_counted_and_open_it_once(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_aws_calls_atomic(monkeypatch)
    clock = FakeClock(NOW)
    opened: list[str] = []
    guard = threading.Lock()

    def report(dependency: str) -> None:
        with guard:
            opened.append(dependency)

    instances = [
        CircuitBreaker("ses", DynamoDBCircuitStore(), clock=clock, on_open=report) for _ in range(12)
    ]
    # Every instance has seen the circuit closed in the same window before the outage hits them all.
    fail_times(instances[0], Dependency(), 1)
    for breaker in instances:
        assert breaker.state() == "closed"
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda breaker: breaker._record_failure(clock.now), instances[:3]))
    assert stored_circuit(shop_env, "ses")["failures"] == 4  # 1 + 3, none lost to a race
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda breaker: breaker._record_failure(clock.now), instances[3:]))
    assert opened == ["ses"]
    assert all(breaker.state() == "open" for breaker in instances)


def test_every_write_sets_the_ttl(shop_env: dict[str, str]) -> None:
    clock, dependency = FakeClock(NOW), Dependency()
    breaker = instance(clock)
    ttl = CircuitRules().ttl_seconds
    fail_times(breaker, dependency, 1)
    assert stored_circuit(shop_env)["expires_at"] == int(NOW) + ttl
    clock.now += 10
    fail_times(breaker, dependency, 4)  # the fifth opens it
    assert stored_circuit(shop_env)["expires_at"] == int(NOW) + 10 + ttl
    assert ttl > 60 + 60 + 30  # outlives the window, the open period and a trial


def test_a_closed_circuit_costs_one_read_a_second_and_no_write(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    requests: list[str] = []
    original = dynamodb.table

    class CountedTable:
        def __init__(self, logical_name: str) -> None:
            self._table = original(logical_name)

        def __getattr__(self, operation: str) -> Callable[..., Any]:
            requests.append(operation)
            method: Callable[..., Any] = getattr(self._table, operation)
            return method

    monkeypatch.setattr(circuit_store_dynamodb, "table", CountedTable)
    clock, monotonic, dependency = FakeClock(NOW), Monotonic(), Dependency()
    dependency.failing = False
    breaker = instance(clock, monotonic=monotonic)
    for _ in range(20):
        assert breaker.call(dependency) == "paid"
    assert requests == ["get_item"]
    monotonic.now += 1.0
    breaker.call(dependency)
    assert requests == ["get_item", "get_item"]


def test_with_dynamodb_down_each_instance_keeps_its_own_breaker(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def unreachable(_logical_name: str) -> Any:
        raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    monkeypatch.setattr(circuit_store_dynamodb, "table", unreachable)
    clock, dependency = FakeClock(NOW), Dependency()
    opened: list[str] = []
    first, second = instance(clock, opened), instance(clock, opened)
    dependency.failing = False
    assert first.call(dependency) == "paid"  # the dependency is still called
    dependency.failing = True
    fail_times(first, dependency, 5)
    assert opened == ["stripe"]
    with pytest.raises(CircuitOpenError):
        first.call(dependency)
    # Nothing is shared while the store is down: the other instance still calls, and counts its own.
    fail_times(second, dependency, 1)
    assert second.state() == "closed"
    assert "circuit breaker store unavailable" in caplog.text


def test_a_table_the_function_may_not_use_falls_back_the_same_way(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        circuit_store_dynamodb,
        "table",
        lambda _name: boto3.resource("dynamodb").Table("no-such-table"),
    )
    clock, dependency = FakeClock(NOW), Dependency()
    breaker = instance(clock)
    fail_times(breaker, dependency, 5)
    with pytest.raises(CircuitOpenError):
        breaker.call(dependency)
