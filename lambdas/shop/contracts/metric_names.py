"""Every CloudWatch metric the catalog and cart code emits, by name; docs/metrics.md lists the same set.

One module so that the doc, the alarms and the code can be checked against each other by a test.
"""

from __future__ import annotations

from typing import Final

# The CloudWatch namespace of every metric the shop emits.
METRICS_NAMESPACE: Final = "Shop"

CACHE_HIT: Final = "CacheHit"
CACHE_MISS: Final = "CacheMiss"
CACHE_UNAVAILABLE: Final = "CacheUnavailable"

# The value of the `cache` dimension on the three cache metrics.
CATALOG_CACHE: Final = "catalog"
CART_CACHE: Final = "cart"

CACHE_DIMENSION: Final = "cache"

ALL_METRICS: Final[tuple[str, ...]] = (CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE)
CACHE_NAMES: Final[tuple[str, ...]] = (CATALOG_CACHE, CART_CACHE)
