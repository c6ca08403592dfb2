"""The kill switches in SSM: read with a short in-process cache, and harmless when unreadable; the
payments switch refuses new orders before anything is held."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from shop.platform import runtime_flags
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
    FLAGS_PARAMETER,
    OrderWorld,
    call_order_api,
    create_order_event,
    new_product,
    order_body,
    order_world_in,
    place,
    set_flags,
    stored_stock,
)


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def test_flags_are_read_from_ssm_and_cached(order_world: OrderWorld) -> None:
    set_flags(orders_inline=False, cache_bypass=True)
    assert runtime_flags.cache_bypassed() is True
    assert runtime_flags.orders_inline() is False
    boto3.client("ssm").put_parameter(
        Name=FLAGS_PARAMETER,
        Value='{"orders_inline": true, "cache_bypass": false}',
        Type="String",
        Overwrite=True,
    )
    # Within the cache period the process keeps its copy: SSM is not read on every request.
    assert runtime_flags.cache_bypassed() is True


def test_flags_refresh_after_the_cache_period(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_flags, "CACHE_SECONDS", 0.0)
    set_flags(orders_inline=False, cache_bypass=True)
    assert runtime_flags.cache_bypassed() is True
    boto3.client("ssm").put_parameter(
        Name=FLAGS_PARAMETER,
        Value='{"orders_inline": true, "cache_bypass": false}',
        Type="String",
        Overwrite=True,
    )
    assert runtime_flags.cache_bypassed() is False
    assert runtime_flags.orders_inline() is True


@pytest.mark.parametrize("value", ["not json", '{"cache_bypass": "sometimes"}'])
def test_a_broken_parameter_turns_every_switch_off(order_world: OrderWorld, value: str) -> None:
    boto3.client("ssm").put_parameter(Name=FLAGS_PARAMETER, Value=value, Type="String", Overwrite=True)
    reset_process_state()
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags()


def test_a_missing_parameter_turns_every_switch_off(order_world: OrderWorld) -> None:
    boto3.client("ssm").delete_parameter(Name=FLAGS_PARAMETER)
    reset_process_state()
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags()


@pytest.mark.parametrize("user_id", ["alice", None], ids=["/orders/create", "/guest/orders/create"])
def test_with_payments_paused_no_order_is_placed_and_no_stock_held(
    order_world: OrderWorld, user_id: str | None
) -> None:
    product_id = new_product(stock=10)
    set_flags(orders_inline=False, cache_bypass=False, payments_paused=True)
    body = order_body(product_id, 2, email="paused@example.com")

    reply = call_order_api(create_order_event(body, user_id=user_id, idempotency_key="paused-attempt-01"))

    assert reply.status == 503, reply.body
    assert int(reply.headers["Retry-After"]) > 0
    assert reply.body["retry_after_seconds"] == int(reply.headers["Retry-After"])
    assert "payments are paused" in reply.body["message"]
    assert stored_stock(product_id) == 10
    assert boto3.client("dynamodb").scan(TableName="test-Orders", Select="COUNT")["Count"] == 0
    for queue in order_world.queues:
        assert order_world.drain(queue) == []

    set_flags(orders_inline=False, cache_bypass=False, payments_paused=False)
    place(product_id, 2, user_id=user_id, email="paused@example.com")  # back on: orders flow again
    assert stored_stock(product_id) == 8


def test_payments_paused_is_read_from_ssm_and_off_by_default(order_world: OrderWorld) -> None:
    assert runtime_flags.payments_paused() is False
    set_flags(orders_inline=False, cache_bypass=False, payments_paused=True)
    assert runtime_flags.payments_paused() is True
    assert runtime_flags.orders_inline() is False
