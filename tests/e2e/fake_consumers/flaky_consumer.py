"""An SQS consumer for the queue pump tests: records every batch, fails `poison` messages.

Bodies: `poison` is reported in batchItemFailures every time; `explode` raises, failing the whole batch
once (the second delivery succeeds). The pump imports this module by name from this directory, so the
test sees the same `BATCHES` list.
"""

from __future__ import annotations

import os
from typing import Any

BATCHES: list[list[dict[str, Any]]] = []
ENVIRONMENTS: list[str | None] = []
_exploded: set[str] = set()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event["Records"]
    BATCHES.append(records)
    ENVIRONMENTS.append(os.environ.get("CONSUMER_SETTING"))
    for record in records:
        if record["body"] == "explode" and record["messageId"] not in _exploded:
            _exploded.add(record["messageId"])
            raise RuntimeError("the whole batch fails")
    return {
        "batchItemFailures": [
            {"itemIdentifier": record["messageId"]} for record in records if record["body"] == "poison"
        ]
    }
