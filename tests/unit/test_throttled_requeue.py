"""How long a throttled message waits before it comes back, and how many times it may come back."""

from __future__ import annotations

import random

from shop.platform.throttled_requeue import (
    FIRST_DELAY_SECONDS,
    MAX_DELAY_SECONDS,
    throttle_delay,
)


def test_the_delay_doubles_from_five_seconds_to_fifteen_minutes_with_a_random_half() -> None:
    rng = random.Random(20)
    for throttles in range(12):
        ceiling = min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2**throttles)
        delays = {throttle_delay(throttles, rng=rng) for _ in range(50)}
        assert min(delays) >= ceiling // 2
        assert max(delays) <= ceiling
    # Spread out, so a burst's copies do not all come back in the same second.
    assert len({throttle_delay(6, rng=rng) for _ in range(50)}) > 10
    assert throttle_delay(30, rng=rng) <= MAX_DELAY_SECONDS  # SQS's largest DelaySeconds


def test_the_dependencys_retry_after_is_a_floor_within_sqs_limit() -> None:
    rng = random.Random(20)
    assert throttle_delay(0, 40.0, rng=rng) == 40
    assert throttle_delay(0, 0.5, rng=rng) >= FIRST_DELAY_SECONDS // 2
    assert throttle_delay(0, 3600.0, rng=rng) == MAX_DELAY_SECONDS
