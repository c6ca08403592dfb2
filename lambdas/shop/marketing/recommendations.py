"""The weekly recommendation email (seed 001, "Personalized Recommendations"): to each consenting
shopper who browsed in the last 7 days, the products tracking's Recommender picks from their history,
in stock and never bought. One email per shopper per ISO week, whatever runs again that week.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import iso, utc_now
from shop.tracking.repository import ProductViewRepository
from shop.tracking.service import Recommender, shared_recommender

# The schedule's input is {"job": WEEKLY_RECOMMENDATIONS_JOB}; the Marketing stack builds it from
# cdk_app.api_routes.MARKETING_WEEKLY_JOB, which a test keeps equal to this value.
WEEKLY_RECOMMENDATIONS_JOB = "weekly-recommendations"
LOOKBACK = timedelta(days=7)
PICKS_PER_EMAIL = 6
# The Recommender ranks before stock is known: ask for more than the email shows.
CANDIDATES = 3 * PICKS_PER_EMAIL


def week_token(moment: datetime) -> str:
    """The dedupe token of a weekly email: its ISO week, e.g. "week:2026-W49"."""
    year, week, _day = moment.isocalendar()
    return f"week:{year}-W{week:02d}"


def sellable(product: Product) -> bool:
    return product.status is ProductStatus.ACTIVE and (product.digital_download or product.stock_quantity > 0)


def weekly_offers(
    now: datetime,
    *,
    views: ProductViewRepository | None = None,
    products: ProductRepository | None = None,
    recommender: Recommender | None = None,
) -> Iterator[Offer]:
    views = views or ProductViewRepository()
    products = products or ProductRepository()
    recommender = recommender or shared_recommender()
    token = week_token(now)
    browsers = sorted({str(item["user_id"]) for item in views.signed_in_activity_since(iso(now - LOOKBACK))})
    for user_id in browsers:
        # Computed, not cached: a week-old cache entry would show what was true then.
        ranked = recommender.compute(user_id, limit=CANDIDATES)
        # The Recommender skips the last 100 events' products; a purchase older than those is skipped here.
        bought = {
            str(item["product_id"]) for item in views.for_user(user_id) if item.get("purchased") is True
        }
        catalog = products.get_many(
            [pick["product_id"] for pick in ranked if pick["product_id"] not in bought]
        )
        picks = tuple(
            pick for pick in ranked if pick["product_id"] in catalog and sellable(catalog[pick["product_id"]])
        )[:PICKS_PER_EMAIL]
        if picks:
            yield Offer(
                user_id=user_id,
                trigger=Trigger.RECOMMENDATIONS,
                subjects={token: {"week": token.removeprefix("week:")}},
                items=picks,
            )


def scan_weekly_recommendations(
    campaign: Campaign | None = None, *, now: datetime | None = None
) -> ScanSummary:
    """Queue this week's recommendation email for each consenting shopper who browsed lately."""
    moment = now or utc_now()
    return (campaign or Campaign()).run(Trigger.RECOMMENDATIONS, weekly_offers(moment), now=moment)
