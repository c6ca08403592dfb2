"""Handlers run with their own template environment (in this process, or in worker processes of their
own), and Redis runs without a server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis

from cdk_app.local.function_processes import FunctionInvocationError, ProcessFunctionRuntime
from cdk_app.local.function_runtime import FunctionRuntime
from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.local_redis import start_redis
from cdk_app.local.template_model import read_shop_model
from tests.e2e.conftest import FAKE_CONSUMERS

STACK = "Shop-local-Api"


def probe_function(probe: str, stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "settings_probe.handler",
            "Runtime": "python3.14",
            "Timeout": 30,
            "Environment": {"Variables": {"PROBE": probe, "SHOP_STAGE": stage, "REDIS_HOST": "elasticache"}},
        },
    }


def test_each_invocation_sees_its_own_environment_and_settings() -> None:
    model = read_shop_model(
        {
            STACK: {
                "Resources": {
                    "First": probe_function("one", "first"),
                    "Second": probe_function("two", "second"),
                }
            }
        }
    )
    runtime = FunctionRuntime(model, {"REDIS_URL": "redis://local"}, code_root=FAKE_CONSUMERS)
    first, second = ResourceAddress(STACK, "First"), ResourceAddress(STACK, "Second")
    results = [runtime.invoke(address, {}) for address in (first, second, first)]
    assert [(r["probe"], r["stage"]) for r in results] == [
        ("one", "first"),
        ("two", "second"),
        ("one", "first"),
    ]
    assert results[0]["function"] == "Shop-local-Api-First"
    assert 0 < results[0]["remaining_ms"] <= 30_000
    environment = runtime.environment_of(first)
    assert environment["REDIS_URL"] == "redis://local"
    assert "REDIS_HOST" not in environment  # the ElastiCache endpoint means nothing locally
    assert os.environ["PROBE"] == "one"  # the last invocation's environment stays until the next switch


def test_fakeredis_server_answers_when_no_redis_server_is_wanted() -> None:
    local = start_redis(prefer_real=False)
    try:
        client = redis.Redis.from_url(local.url)
        client.set("k", "v")
        assert (local.kind, client.get("k")) == ("fakeredis", b"v")
        client.close()
    finally:
        local.stop()


# -- worker processes (the local shop's default) -------------------------------------------------------


def probe_worker(probe: str, timeout: int = 30) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Handler": "worker_probe.handler",
            "Runtime": "python3.14",
            "Timeout": timeout,
            "Environment": {"Variables": {"PROBE": probe}},
        },
    }


@pytest.fixture
def workers() -> Iterator[ProcessFunctionRuntime]:
    model = read_shop_model(
        {
            STACK: {
                "Resources": {
                    "First": probe_worker("one"),
                    "Second": probe_worker("two"),
                    "Slow": probe_worker("slow", timeout=1),
                }
            }
        }
    )
    runtime = ProcessFunctionRuntime(
        model, {}, code_root=FAKE_CONSUMERS, concurrency=2, timeout_grace_seconds=1
    )
    try:
        yield runtime
    finally:
        runtime.stop()


FIRST, SECOND, SLOW = (ResourceAddress(STACK, name) for name in ("First", "Second", "Slow"))


def test_each_function_runs_in_processes_of_its_own(workers: ProcessFunctionRuntime) -> None:
    before = dict(os.environ)
    first, second, again = (workers.invoke(address, {}) for address in (FIRST, SECOND, FIRST))
    assert (first["probe"], second["probe"]) == ("one", "two")
    assert first["function"] == "Shop-local-Api-First"
    assert len({first["pid"], second["pid"], os.getpid()}) == 3
    assert (again["pid"], again["loaded_at"]) == (first["pid"], first["loaded_at"])  # kept warm
    assert dict(os.environ) == before  # the runner's own environment is never switched


def test_one_function_serves_concurrent_invocations_in_parallel(workers: ProcessFunctionRuntime) -> None:
    workers.invoke(FIRST, {})  # one warm worker; the second starts cold below
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: workers.invoke(FIRST, {"sleep": 1.5}), range(2)))
    assert len({result["pid"] for result in results}) == 2
    assert time.monotonic() - started < 2.9  # not 2 x 1.5 s one after the other


def test_a_handler_error_reaches_the_caller_and_the_worker_stays(
    workers: ProcessFunctionRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    pid = workers.invoke(FIRST, {})["pid"]
    with pytest.raises(FunctionInvocationError) as raised:
        workers.invoke(FIRST, {"fail": "on purpose"})
    assert (raised.value.error_type, raised.value.error_message) == (
        "ValueError",
        "asked to fail: on purpose",
    )
    assert "worker_probe.py" in raised.value.stack_trace
    assert workers.invoke(FIRST, {})["pid"] == pid
    time.sleep(0.2)  # the relay thread writes the worker's lines as they come
    assert "worker_probe one says hello" in capsys.readouterr().out


def test_a_timed_out_invocation_is_stopped_and_its_worker_replaced(workers: ProcessFunctionRuntime) -> None:
    pid = workers.invoke(SLOW, {})["pid"]
    with pytest.raises(FunctionInvocationError) as raised:
        workers.invoke(SLOW, {"sleep": 30})
    assert raised.value.error_type == "Sandbox.Timedout"
    assert workers.invoke(SLOW, {})["pid"] != pid
