"""shop.platform.idempotency: a record is written once, read back consistently, and expires by TTL."""

from __future__ import annotations

import time

from shop.platform import idempotency


def test_a_record_is_written_once_and_read_back(shop_env: dict[str, str]) -> None:
    before = int(time.time())
    assert idempotency.record_once("test#one", ttl_seconds=60, outcome="paid") is True
    assert idempotency.record_once("test#one", ttl_seconds=60, outcome="refunded") is False

    record = idempotency.recorded("test#one")
    assert record is not None
    assert record["outcome"] == "paid"  # the second call changed nothing
    assert before + 60 <= int(record["expiration"]) <= int(time.time()) + 60


def test_an_unknown_record_is_none(shop_env: dict[str, str]) -> None:
    assert idempotency.recorded("test#never") is None
