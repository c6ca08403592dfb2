"""Which product changes make API Gateway's cached catalog answers wrong.

Shoppers see names, prices, images, status, ratings and whether a product is in stock. A sale that
only moves `sales_count`, or a stock change that keeps the product in stock, leaves every cached
answer right (best-seller order may lag by at most its 15-minute TTL), so it must not empty the
whole stage cache: that would throw away the hit rate on every order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Metric (namespace Shop, docs/metrics.md): one per stage-cache flush.
API_CACHE_FLUSHES = "ApiCacheFlushes"

SHOPPER_VISIBLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "price",
        "currency",
        "category",
        "subcategory",
        "image_url",
        "images",
        "tags",
        "status",
        "featured",
        "featured_key",
        "digital_download",
        "dimensions",
        "weight",
        "sku",
        "variants",
        "rating",
        "rating_total",
        "review_count",
    }
)


def _in_stock(image: Mapping[str, Any]) -> bool:
    if image.get("digital_download"):
        return True
    return int(image.get("stock_quantity") or 0) > 0


def changes_cached_catalog(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """True when the product was created or removed, or a shopper-visible field or availability changed."""
    if old is None or new is None:
        return True
    if any(old.get(field) != new.get(field) for field in SHOPPER_VISIBLE_FIELDS):
        return True
    return _in_stock(old) != _in_stock(new)
