"""Which product changes make API Gateway's cached catalog answers wrong.

Shoppers see names, prices, images, status, ratings and availability ("In stock", "Only 3 left",
"Sold out"), never the stock figure itself. A sale that only moves `sales_count`, or a stock change
that keeps what shoppers see (say 40 → 39 units), leaves every cached answer right (best-seller
order may lag by at most its 15-minute TTL), so it must not empty the whole stage cache: that would
throw away the hit rate on every order. A change of availability does (5 → 4 units is "Only 4 left").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shop.catalog.model import availability

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
        "rating",
        "rating_total",
        "review_count",
    }
)


def _stock(item: Mapping[str, Any]) -> int:
    return int(item.get("stock_quantity") or 0)


def shown_to_shoppers(image: Mapping[str, Any]) -> tuple[Any, ...]:
    """What shoppers see of a stored item's stock: the product's availability (from its variants'
    stock when it has variants, as Product.units_for_sale) and each variant without its figure."""
    digital = bool(image.get("digital_download"))
    variants = [variant for variant in image.get("variants") or [] if isinstance(variant, Mapping)]
    units = sum(_stock(variant) for variant in variants) if variants else _stock(image)
    return (
        availability(units, digital=digital),
        [
            {name: value for name, value in variant.items() if name != "stock_quantity"}
            | availability(_stock(variant), digital=digital)
            for variant in variants
        ],
    )


def changes_cached_catalog(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """True when the product was created or removed, or a shopper-visible field or availability changed."""
    if old is None or new is None:
        return True
    if any(old.get(field) != new.get(field) for field in SHOPPER_VISIBLE_FIELDS):
        return True
    return shown_to_shoppers(old) != shown_to_shoppers(new)
