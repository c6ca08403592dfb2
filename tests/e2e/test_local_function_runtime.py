"""Handlers run in-process, each with its own template environment, and Redis runs without a server."""

from __future__ import annotations

import os
from typing import Any

import redis

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
