"""A handler that shows where and how it runs: its process, its variable, a log line, a failure, a hang."""

from __future__ import annotations

import os
import time
from typing import Any

LOADED_AT = time.time()  # module state: one value per execution environment


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print(f"worker_probe {os.environ.get('PROBE')} says hello")
    if event.get("fail"):
        raise ValueError(f"asked to fail: {event['fail']}")
    time.sleep(float(event.get("sleep", 0)))
    return {
        "probe": os.environ.get("PROBE"),
        "pid": os.getpid(),
        "loaded_at": LOADED_AT,
        "function": context.function_name,
    }
