"""Circuit breaker state in DynamoDB, for the functions outside the VPC (payment_api, payment_processor,
email_sender cannot reach Redis): one item per circuit in the CircuitBreakers table.

The rules are shop.platform.circuit_breaker's CircuitRules; only the writes are DynamoDB's:
- a failure in the current window is one atomic `ADD failures 1` conditioned on that window, so the
  failures of many instances at once are all counted, with no read-modify-write race;
- every transition (a new window, open, half-open, closed) is a write conditioned on the state the
  writer saw, so exactly one instance opens a circuit (one CircuitBreakerOpened) or takes its trial;
- reads are cached for READ_CACHE_SECONDS, so a closed circuit (the hot path) costs each instance at
  most one GetItem a second and never a write. A stale read can let calls through for that second after
  another instance opened the circuit; it never lets a second trial through, as trials are conditional.
Every write sets the table's TTL attribute, so a circuit's item goes some minutes after its last change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shop.contracts.tables import CIRCUIT_BREAKERS
from shop.platform.circuit_breaker import (
    CLOSED,
    HALF_OPEN,
    OPEN,
    OPENED,
    REFUSE,
    TRIAL,
    CircuitRules,
    CircuitSnapshot,
    CircuitStoreUnavailable,
)
from shop.platform.dynamodb import table
from shop.platform.settings import MissingSetting

READ_CACHE_SECONDS = 1.0
# A write that lost a race re-reads and tries again; past this many the failure goes uncounted (the
# circuit is changing under many instances at once, and one of them will open it).
MAX_ATTEMPTS = 3

_NAMES = {
    "#state": "circuit_state",
    "#failures": "failures",
    "#window": "window_start",
    "#opened": "opened_at",
    "#trial": "trial_started",
}


def _names_in(expression: str) -> dict[str, str]:
    """The attribute names an expression uses (DynamoDB refuses names it does not use)."""
    return {name: attribute for name, attribute in _NAMES.items() if name in expression}


def _number(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _snapshot(item: dict[str, Any] | None) -> CircuitSnapshot:
    if not item:
        return CircuitSnapshot()
    return CircuitSnapshot(
        state=str(item.get(_NAMES["#state"], CLOSED)),
        failures=int(item.get(_NAMES["#failures"], 0)),
        window_start=float(item.get(_NAMES["#window"], -1)),
        opened_at=float(item.get(_NAMES["#opened"], 0)),
        trial_started=float(item.get(_NAMES["#trial"], 0)),
    )


def _unchanged_since(seen: CircuitSnapshot) -> tuple[str, dict[str, Any]]:
    """A condition that holds while the item is in the state (and episode) `seen` describes. A closed
    circuit's failure count is left out on purpose: concurrent ADDs must not void a transition."""
    if seen.state == OPEN:
        return "#state = :open AND #opened = :seen", {":open": OPEN, ":seen": _number(seen.opened_at)}
    if seen.state == HALF_OPEN:
        return "#state = :half_open AND #trial = :seen", {
            ":half_open": HALF_OPEN,
            ":seen": _number(seen.trial_started),
        }
    return "attribute_not_exists(#state) OR (#state = :closed AND #window = :seen)", {
        ":closed": CLOSED,
        ":seen": _number(seen.window_start),
    }


class DynamoDBCircuitStore:
    """A CircuitStore on the CircuitBreakers table."""

    def __init__(
        self,
        *,
        read_cache_seconds: float = READ_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_cache_seconds = read_cache_seconds
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, CircuitSnapshot]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(circuit: str) -> dict[str, str]:
        return {CIRCUIT_BREAKERS.partition_key.name: circuit}

    # -- the CircuitStore operations ---------------------------------------------------------------

    def acquire(self, circuit: str, now: float, rules: CircuitRules) -> str:
        for attempt in range(MAX_ATTEMPTS):
            seen = self._read(circuit, fresh=attempt > 0)
            answer, trial = rules.acquire(seen, now)
            if trial is None:
                return answer
            if self._transition(circuit, seen, trial, now, rules):
                return TRIAL
        # Every attempt lost to another instance: that one holds the trial.
        return REFUSE

    def failure(self, circuit: str, now: float, rules: CircuitRules) -> str:
        for attempt in range(MAX_ATTEMPTS):
            seen = self._read(circuit, fresh=attempt > 0)
            answer, changed = rules.failure(seen, now)
            if changed is None:
                return answer
            if seen.state == CLOSED and rules.window_is_current(seen, now):
                failures = self._count(circuit, seen, now, rules)
                if failures is None:
                    continue
                if not rules.trips(failures):
                    return CLOSED
                # The first instance to see the count trip opens it; the others find it open.
                counted = replace(seen, failures=failures)
                return OPENED if self._transition(circuit, counted, rules.opened(now), now, rules) else OPEN
            if self._transition(circuit, seen, changed, now, rules):
                return answer
        return CLOSED

    def success(self, circuit: str, now: float, rules: CircuitRules) -> str:
        seen = self._read(circuit)
        answer, closed = rules.success(seen)
        if closed is None:
            return answer
        if self._transition(circuit, seen, closed, now, rules):
            return CLOSED
        return self._read(circuit, fresh=True).state

    def state(self, circuit: str) -> str:
        return self._read(circuit, fresh=True).state

    # -- reads and writes -----------------------------------------------------------------------------

    def _read(self, circuit: str, *, fresh: bool = False) -> CircuitSnapshot:
        if not fresh:
            with self._lock:
                cached = self._cache.get(circuit)
            if cached is not None and self._monotonic() - cached[0] < self._read_cache_seconds:
                return cached[1]
        response = self._call(lambda circuits: circuits.get_item(Key=self.key(circuit), ConsistentRead=True))
        snapshot = _snapshot(response.get("Item") if response else None)
        self._remember(circuit, snapshot)
        return snapshot

    def _count(self, circuit: str, seen: CircuitSnapshot, now: float, rules: CircuitRules) -> int | None:
        """One more failure in `seen`'s window, atomically; the new count, or None if the window or
        the state changed meanwhile."""
        response = self._call(
            lambda circuits: circuits.update_item(
                Key=self.key(circuit),
                UpdateExpression="ADD #failures :one SET #expires = :expires",
                ConditionExpression="#state = :closed AND #window = :seen",
                ExpressionAttributeNames={
                    **_names_in("#failures #state #window"),
                    "#expires": self._ttl_attribute(),
                },
                ExpressionAttributeValues={
                    ":one": 1,
                    ":closed": CLOSED,
                    ":seen": _number(seen.window_start),
                    ":expires": int(now) + rules.ttl_seconds,
                },
                ReturnValues="ALL_NEW",
            )
        )
        if response is None:
            self._forget(circuit)
            return None
        snapshot = _snapshot(response.get("Attributes"))
        self._remember(circuit, snapshot)
        return snapshot.failures

    def _transition(
        self, circuit: str, seen: CircuitSnapshot, changed: CircuitSnapshot, now: float, rules: CircuitRules
    ) -> bool:
        """Store `changed` if the circuit is still as `seen`; False if another instance changed it first."""
        condition, values = _unchanged_since(seen)
        item = {
            **self.key(circuit),
            _NAMES["#state"]: changed.state,
            _NAMES["#failures"]: changed.failures,
            _NAMES["#window"]: _number(changed.window_start),
            _NAMES["#opened"]: _number(changed.opened_at),
            _NAMES["#trial"]: _number(changed.trial_started),
            self._ttl_attribute(): int(now) + rules.ttl_seconds,
        }
        response = self._call(
            lambda circuits: circuits.put_item(
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeNames=_names_in(condition),
                ExpressionAttributeValues=values,
            )
        )
        if response is None:
            self._forget(circuit)
            return False
        self._remember(circuit, changed)
        return True

    @staticmethod
    def _ttl_attribute() -> str:
        assert CIRCUIT_BREAKERS.ttl_attribute is not None
        return CIRCUIT_BREAKERS.ttl_attribute

    @staticmethod
    def _call(operation: Callable[[Any], dict[str, Any]]) -> dict[str, Any] | None:
        """The operation's response; None when its condition failed; CircuitStoreUnavailable when
        DynamoDB (or this function's access to the table) is missing."""
        try:
            return operation(table(CIRCUIT_BREAKERS.logical_name))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                return None
            raise CircuitStoreUnavailable(f"dynamodb: {code}: {error}") from error
        except (BotoCoreError, MissingSetting) as error:
            raise CircuitStoreUnavailable(f"dynamodb: {error!r}") from error

    def _remember(self, circuit: str, snapshot: CircuitSnapshot) -> None:
        with self._lock:
            self._cache[circuit] = (self._monotonic(), snapshot)

    def _forget(self, circuit: str) -> None:
        with self._lock:
            self._cache.pop(circuit, None)
