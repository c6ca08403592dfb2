"""A DynamoDB Streams consumer for the stream pump test: records what it was given."""

from __future__ import annotations

from typing import Any

EVENTS: list[dict[str, Any]] = []


def handler(event: dict[str, Any], context: Any) -> None:
    EVENTS.append(event)
