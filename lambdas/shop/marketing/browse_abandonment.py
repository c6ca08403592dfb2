"""Browse abandonment: products a signed-in shopper viewed 3+ times in the last 7 days and never
added to the cart (nor bought). One email per shopper lists them, with a 5 % discount code; a
product is mailed to a shopper once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from shop.catalog.model import ProductStatus
from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import iso, utc_now
from shop.tracking.repository import ProductViewRepository

LOOKBACK = timedelta(days=7)
MIN_VIEWS = 3


def _carted(item: dict[str, Any]) -> bool:
    return item.get("added_to_cart") is True or item.get("purchased") is True


def browse_abandonment_offers(
    now: datetime, views: ProductViewRepository | None = None, products: ProductRepository | None = None
) -> Iterator[Offer]:
    views = views or ProductViewRepository()
    products = products or ProductRepository()
    view_counts: dict[str, Counter[str]] = defaultdict(Counter)
    # Signed-in activity of the last 7 days (a daily Scan); the shopper's full history is then read per
    # candidate through user_id-timestamp-index.
    for item in views.signed_in_activity_since(iso(now - LOOKBACK)):
        if not _carted(item):
            view_counts[str(item["user_id"])][str(item["product_id"])] += 1
    for user_id, counts in sorted(view_counts.items()):
        browsed = {product_id: count for product_id, count in counts.items() if count >= MIN_VIEWS}
        if not browsed:
            continue
        # "Never added to cart" means over the whole kept history (90 days), not just this week.
        carted = {str(item["product_id"]) for item in views.for_user(user_id) if _carted(item)}
        wanted = sorted(set(browsed) - carted)
        if not wanted:
            continue
        catalog = products.get_many(wanted)
        subjects = {
            product_id: {
                "product_id": product_id,
                "name": catalog[product_id].name,
                "price": catalog[product_id].price,
                "currency": catalog[product_id].currency,
                "views": browsed[product_id],
            }
            for product_id in wanted
            if product_id in catalog and catalog[product_id].status is ProductStatus.ACTIVE
        }
        if subjects:
            yield Offer(user_id=user_id, trigger=Trigger.BROWSE_ABANDONMENT, subjects=subjects)


def scan_browse_abandonment(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Queue a 5 % email for each consenting shopper with browsed-but-never-carted products."""
    moment = now or utc_now()
    return (campaign or Campaign()).run(
        Trigger.BROWSE_ABANDONMENT, browse_abandonment_offers(moment), now=moment
    )
