"""Opaque cursors: URL-safe base64 of a small JSON object, rejected as a 400 when tampered with."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from shop.platform.errors import BadRequest

MAX_CURSOR_LENGTH = 2048


def encode_cursor(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """The state inside a cursor made by encode_cursor; BadRequest(field="cursor") for anything else."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadRequest("cursor is too long", field="cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API issued", field="cursor") from None
    if not isinstance(state, dict):
        raise BadRequest("cursor is not one this API issued", field="cursor")
    return state
