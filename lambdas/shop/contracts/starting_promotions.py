"""The promotions every stage starts with (once fixed in cdk.json): WELCOME10 and SHIP5.

A stage's first admin listing of promotions stores them (docs/decisions.md, "Promotions in a table");
the local shop's seed creates the same codes through the admin API (cdk_app.local.sample_catalog).
"""

from __future__ import annotations

from typing import Any, Final

STARTING_PROMOTIONS: Final[tuple[dict[str, Any], ...]] = (
    {"code": "WELCOME10", "kind": "percent", "value": 10, "description": "10 % off"},
    {
        "code": "SHIP5",
        "kind": "fixed",
        "value": 500,
        "min_subtotal": 2500,
        "description": "$5 off orders from $25",
    },
)
