"""The Redis key scheme and TTLs of the catalog cache (seed 001: products 1 h, queries 15 min).

- `shop:catalog:product:<product_id>` holds "<cache_version>|<product JSON>". Writes are guarded by the
  version (see ResilientCache.set_if_newer), so an update's write-through wins over slow readers.
- `shop:catalog:generation` is a counter advanced by every product write. Query results (listings,
  categories, featured, best sellers) live under keys that contain the generation they were built
  at, so one increment retires all of them; old entries simply expire.
- Query entries hold product ids only; every view renders products from their product entry, so an
  update reaches every view of that product through its versioned entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

PRODUCT_TTL_SECONDS = 60 * 60
QUERY_TTL_SECONDS = 15 * 60

CATALOG_PREFIX = "shop:catalog"
GENERATION_KEY = f"{CATALOG_PREFIX}:generation"


class MalformedCacheEntryError(ValueError):
    """A cached value that does not have the "<version>|<document>" shape."""


def product_key(product_id: str) -> str:
    return f"{CATALOG_PREFIX}:product:{product_id}"


def query_fingerprint(view: str, parameters: dict[str, Any]) -> str:
    """A stable digest of a query's view name and parameters (order-insensitive, None dropped)."""
    canonical = json.dumps(
        {"view": view, **{name: value for name, value in parameters.items() if value is not None}},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def query_key(generation: int, fingerprint: str) -> str:
    return f"{CATALOG_PREFIX}:query:g{generation}:{fingerprint}"


def encode_versioned(version: int, document: str) -> str:
    return f"{version}|{document}"


def decode_versioned(raw: bytes | str) -> tuple[int, str]:
    """Split a cached "<version>|<document>" value; raises MalformedCacheEntryError otherwise."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    version, separator, document = text.partition("|")
    if not separator or not version.isdigit():
        raise MalformedCacheEntryError(text[:40])
    return int(version), document
