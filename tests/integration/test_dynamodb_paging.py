"""shop.platform.dynamodb.every_item: every page of a Query or Scan, read only as far as wanted."""

from __future__ import annotations

from itertools import islice
from typing import Any

from shop.contracts.tables import IDEMPOTENCY
from shop.platform import idempotency
from shop.platform.dynamodb import every_item, table


def test_every_item_reads_all_pages_lazily_and_converts_numbers(shop_env: dict[str, str]) -> None:
    for number in range(5):
        idempotency.record_once(f"page#{number}", ttl_seconds=60, number=number)
    records = table(IDEMPOTENCY.logical_name)
    calls: list[dict[str, Any]] = []

    def counted_scan(**arguments: Any) -> Any:
        calls.append(dict(arguments))
        return records.scan(**arguments)

    items = list(every_item(counted_scan, Limit=2))
    assert sorted(item["number"] for item in items) == [0, 1, 2, 3, 4]
    assert all(type(item["number"]) is int for item in items)  # Decimals converted
    assert len(calls) == 3  # pages of 2, 2, 1
    assert "ExclusiveStartKey" not in calls[0]
    assert "ExclusiveStartKey" in calls[1]

    calls.clear()
    assert len(list(islice(every_item(counted_scan, Limit=2), 2))) == 2
    assert len(calls) == 1  # the second page was never read
