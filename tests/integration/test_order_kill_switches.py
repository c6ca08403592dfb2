"""The kill switches in DynamoDB: read consistently with a short in-process cache, and harmless when
missing or unreadable; the payments switch refuses new orders before anything is held."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from shop.contracts.tables import RUNTIME_FLAG_SET, RUNTIME_FLAGS
from shop.platform import dynamodb, runtime_flags
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.order_events import (
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
from tests.kill_switches import set_runtime_flags


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def _flip_without_forgetting(**switches: bool) -> None:
    """An operator's flip as a running function sees it: its cached copy is not reset."""
    set_runtime_flags(boto3.client("dynamodb"), os.environ[RUNTIME_FLAGS.env_var], **switches)


def _store_item(**attributes: Any) -> None:
    """The flags item exactly as given, whatever the types (set_flags writes Booleans only)."""
    boto3.resource("dynamodb").Table(os.environ[RUNTIME_FLAGS.env_var]).put_item(
        Item={RUNTIME_FLAGS.partition_key.name: RUNTIME_FLAG_SET, **attributes}
    )
    reset_process_state()


def _get_item_calls() -> list[dict[str, Any]]:
    """The parameters of every GetItem the functions' DynamoDB client sends from now on."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    dynamodb.dynamodb_resource().meta.client.meta.events.register(
        "provide-client-params.dynamodb.GetItem", record
    )
    return calls


def test_a_missing_item_turns_every_switch_off(order_world: OrderWorld) -> None:
    """The state right after a deploy: the stack creates the table, not the item."""
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags()


def test_flags_are_read_consistently_from_dynamodb_and_cached(order_world: OrderWorld) -> None:
    set_flags(cache_bypass=True)
    calls = _get_item_calls()
    assert runtime_flags.cache_bypassed() is True
    assert runtime_flags.orders_inline() is False  # a switch the item leaves out is off
    assert calls == [
        {
            "TableName": os.environ[RUNTIME_FLAGS.env_var],
            "Key": {"flag_set": RUNTIME_FLAG_SET},
            "ConsistentRead": True,
        }
    ]
    _flip_without_forgetting(orders_inline=True, cache_bypass=False)
    # Within the cache period the process keeps its copy: DynamoDB is not read on every request.
    assert runtime_flags.cache_bypassed() is True
    assert runtime_flags.orders_inline() is False
    assert len(calls) == 1


def test_flags_refresh_after_the_cache_period(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runtime_flags.CACHE_SECONDS == 30.0
    monkeypatch.setattr(runtime_flags, "CACHE_SECONDS", 0.0)
    set_flags(orders_inline=False, cache_bypass=True)
    assert runtime_flags.cache_bypassed() is True
    _flip_without_forgetting(orders_inline=True, cache_bypass=False)
    assert runtime_flags.cache_bypassed() is False
    assert runtime_flags.orders_inline() is True


def test_flipping_one_switch_keeps_the_others(order_world: OrderWorld) -> None:
    """The runbook's update-item sets one attribute; the first flip creates the item."""
    assert set_flags(cache_bypass=True) == {}
    assert set_flags(payments_paused=True) == {"cache_bypass": True}
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags(
        cache_bypass=True, payments_paused=True
    )


@pytest.mark.parametrize(
    "attributes",
    [{"cache_bypass": "true"}, {"cache_bypass": 1}, {"orders_inline": True, "payments_paused": "yes"}],
    ids=["string", "number", "one-bad-of-two"],
)
def test_a_switch_that_is_not_a_boolean_turns_every_switch_off(
    order_world: OrderWorld, attributes: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    _store_item(**attributes)
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags()
    assert "runtime flags are not Booleans; all switches off" in caplog.messages


def test_an_unreadable_table_turns_every_switch_off(
    order_world: OrderWorld, caplog: pytest.LogCaptureFixture
) -> None:
    set_flags(payments_paused=True)
    boto3.client("dynamodb").delete_table(TableName=os.environ[RUNTIME_FLAGS.env_var])
    reset_process_state()
    assert runtime_flags.runtime_flags() == runtime_flags.RuntimeFlags()
    assert "cannot read runtime flags; all switches off" in caplog.messages


def test_a_function_without_the_table_has_every_switch_off(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Functions not granted the switches (the queue consumers' cache) never read them."""
    set_flags(cache_bypass=True)
    monkeypatch.delenv(RUNTIME_FLAGS.env_var)
    reset_process_state()
    calls = _get_item_calls()
    assert runtime_flags.cache_bypassed() is False
    assert calls == []


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


def test_payments_paused_is_read_from_dynamodb_and_off_by_default(order_world: OrderWorld) -> None:
    assert runtime_flags.payments_paused() is False
    set_flags(orders_inline=False, cache_bypass=False, payments_paused=True)
    assert runtime_flags.payments_paused() is True
    assert runtime_flags.orders_inline() is False
