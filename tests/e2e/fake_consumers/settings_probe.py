"""Reports what a function sees: its own variable and the settings validated at its cold start."""

from __future__ import annotations

import os
from typing import Any

from shop.platform.settings import get_settings


def handler(event: Any, context: Any) -> dict[str, Any]:
    return {
        "probe": os.environ.get("PROBE"),
        "stage": get_settings().stage,
        "function": context.function_name,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
