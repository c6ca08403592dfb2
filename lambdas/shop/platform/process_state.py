"""Per-process singletons (settings, AWS clients, Redis, caches) and one way to forget them all.

In Lambda a process serves one function with one environment for its whole life, so clients and
settings are built once and kept. The local runner and the tests start several shops in one process,
one after another, each with its own moto and Redis; `reset_process_state()` makes every singleton
rebuild itself from the current environment on its next use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class _Clearable(Protocol):
    def cache_clear(self) -> None: ...


_singletons: list[_Clearable] = []
_reset_hooks: list[Callable[[], Any]] = []


def per_process(function: Callable[P, R]) -> Callable[P, R]:
    """Like functools.cache, and registered so that `reset_process_state()` clears it."""
    cached = cache(function)
    _singletons.append(cached)
    return cached  # type: ignore[return-value]


def on_reset(hook: Callable[[], Any]) -> None:
    """Run `hook` on reset: for state that is not a cached function (counters, outage windows)."""
    _reset_hooks.append(hook)


def reset_process_state() -> None:
    for singleton in _singletons:
        singleton.cache_clear()
    run_reset_hooks()


def run_reset_hooks() -> None:
    """Only the `on_reset` hooks (counters, outage windows, caches with an age), keeping the singletons:
    what a process restored from a SnapStart snapshot must forget (shop.platform.snapstart)."""
    for hook in _reset_hooks:
        hook()
