"""store_with_stock's waits between rounds lost to concurrent transactions (shop.orders.inventory):
exponential backoff with full jitter, capped, well inside order_api's timeout, and drawn from the
`random` module that SnapStart's restore re-seeds."""

from __future__ import annotations

import itertools
import random
import statistics
import time

import pytest

from cdk_app.function_catalog import FUNCTIONS
from shop.orders import inventory
from shop.orders.inventory import (
    RETRY_BASE_SECONDS,
    RETRY_CAP_SECONDS,
    TRANSACTION_ATTEMPTS,
    retry_pause,
    retry_window,
)


def test_the_window_doubles_from_the_base_up_to_the_cap() -> None:
    windows = [retry_window(attempt) for attempt in range(8)]
    assert windows[0] == RETRY_BASE_SECONDS
    for earlier, later in itertools.pairwise(windows):
        assert later == min(RETRY_CAP_SECONDS, 2 * earlier)
    assert max(windows) == RETRY_CAP_SECONDS


def test_each_wait_is_drawn_anywhere_in_its_window() -> None:
    """Full jitter: waits fill [0, window], so racers that lost together come back apart."""
    rng = random.Random(7)
    for attempt in range(TRANSACTION_ATTEMPTS - 1):
        window = retry_window(attempt)
        waits = [retry_pause(attempt, rng) for _ in range(400)]
        assert all(0 <= wait <= window for wait in waits)
        assert min(waits) < 0.1 * window
        assert max(waits) > 0.9 * window
        assert statistics.mean(waits) == pytest.approx(window / 2, rel=0.15)


def test_fifty_racers_first_retries_do_not_come_back_together() -> None:
    """The fixed 5 ms pause sent every loser of a round back at the same moment; now under half of
    them land within any 2 ms of one another (the first window is 10 ms)."""
    rng = random.Random(11)
    waits = sorted(retry_pause(0, rng) for _ in range(50))
    busiest = max(sum(1 for other in waits if start <= other < start + 0.002) for start in waits)
    assert busiest < 25  # all 50 with a fixed pause


def test_no_wait_after_the_last_round_and_the_worst_case_is_far_inside_the_timeout() -> None:
    assert retry_pause(TRANSACTION_ATTEMPTS - 1, random.Random(1)) == 0.0
    worst = sum(retry_window(attempt) for attempt in range(TRANSACTION_ATTEMPTS - 1))
    timeout = FUNCTIONS["order_api"].timeout.to_seconds()
    assert worst < 0.01 * timeout  # 0.15 s of order_api's 20 s


def test_the_pause_sleeps_what_it_draws_from_the_module_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Module `random`, which SnapStart's restore re-seeds: restored copies of one snapshot draw
    different waits (a generator of the module's own would be frozen in the snapshot)."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    random.seed(5)
    inventory._pause(2)
    random.seed(5)
    assert slept == [random.uniform(0, retry_window(2))]
    inventory._pause(TRANSACTION_ATTEMPTS - 1)
    assert len(slept) == 1  # nothing to wait for after the last round
