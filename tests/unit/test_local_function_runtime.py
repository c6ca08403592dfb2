"""The local runtime gives each handler call its function's environment, even when something else in the
process changed os.environ since the previous call of the same function."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cdk_app.local.function_runtime import FunctionRuntime
from cdk_app.local.intrinsics import ResourceAddress


@dataclass(frozen=True)
class _Function:
    name: str
    address: ResourceAddress
    is_python: bool = True
    memory_mb: int = 128
    timeout_seconds: int = 3
    arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"


class _Model:
    def __init__(self, *functions: _Function) -> None:
        self._functions = {function.address: function for function in functions}

    def function(self, address: ResourceAddress) -> _Function:
        return self._functions[address]


ORDERS = ResourceAddress("Api", "OrderApi")
CART = ResourceAddress("Api", "CartApi")


@pytest.fixture
def runtime() -> Iterator[tuple[FunctionRuntime, list[str]]]:
    saved = dict(os.environ)
    switches: list[str] = []
    model: Any = _Model(_Function("order_api", ORDERS), _Function("cart_api", CART))
    runtime = FunctionRuntime(model, {}, on_function_switch=(lambda: switches.append("switch"),))
    for address, table in ((ORDERS, "orders-table"), (CART, "cart-table")):
        runtime._environments._resolved[address] = {"TABLE_NAME": table}
        runtime._handlers[address] = lambda event, context: os.environ.get("TABLE_NAME")
    try:
        yield runtime, switches
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_each_function_runs_with_its_own_environment(runtime: tuple[FunctionRuntime, list[str]]) -> None:
    functions, switches = runtime
    assert functions.invoke(ORDERS, {}) == "orders-table"
    assert functions.invoke(CART, {}) == "cart-table"
    assert functions.invoke(CART, {}) == "cart-table"
    assert switches == ["switch", "switch"]  # settings caches are cleared on a change only


def test_an_environment_changed_behind_its_back_is_put_right(
    runtime: tuple[FunctionRuntime, list[str]],
) -> None:
    functions, switches = runtime
    before = dict(os.environ)
    assert functions.invoke(CART, {}) == "cart-table"
    os.environ.clear()
    os.environ.update({**before, "TABLE_NAME": "orders-table"})  # e.g. a test fixture restoring a snapshot
    assert functions.invoke(CART, {}) == "cart-table"
    assert switches == ["switch", "switch"]
