"""Helpers of the account, privacy and rate-limit tests: atomic moto calls, a settable clock, EMF reading."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from botocore.client import BaseClient


class FakeClock:
    """A clock the test moves by hand (epoch seconds)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_aws_calls_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serialize every AWS request, as DynamoDB makes each one atomic; moto's backend is not thread-safe.

    Requests of different threads still interleave, so only the atomicity of single requests is
    borrowed from DynamoDB: a read-modify-write spread over two requests would still lose updates.
    """
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def atomic(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", atomic)


def metrics_by_dimension(output: str, dimension: str) -> Counter[tuple[str, str]]:
    """Sum the EMF records in captured stdout by (metric name, value of `dimension`)."""
    totals: Counter[tuple[str, str]] = Counter()
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = record[metric["Name"]]
                totals[(metric["Name"], str(record.get(dimension, "")))] += (
                    sum(value) if isinstance(value, list) else value
                )
    return totals


def dimension_sets(output: str, metric_name: str) -> list[set[str]]:
    """The dimension set of every EMF record of `metric_name` (alarms match exact sets)."""
    found = []
    for line in output.splitlines():
        if '"_aws"' not in line:
            continue
        record = json.loads(line)
        for directive in record["_aws"]["CloudWatchMetrics"]:
            if any(metric["Name"] == metric_name for metric in directive["Metrics"]):
                found.extend(set(dimensions) for dimensions in directive["Dimensions"])
    return found


def account_api_caller(context: Any) -> Callable[[dict[str, Any]], Any]:
    """Calls account_api's real handler (import it only once moto and the environment are up)."""
    from account_api.handler import handler

    from tests.integration.conftest import _invoke

    return _invoke(handler, context)


def address_payload(**overrides: Any) -> dict[str, Any]:
    """A valid POST /me/addresses body."""
    payload: dict[str, Any] = {
        "kind": "shipping",
        "name": "Ada Lovelace",
        "line1": "12 Analytical Row",
        "line2": "Flat 3",
        "city": "London",
        "region": "Greater London",
        "postal_code": "NW1 6XE",
        "country": "gb",
        "phone": "+44 20 7946 0000",
    }
    payload.update(overrides)
    return payload
