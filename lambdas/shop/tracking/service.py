"""Behavioural tracking: what tracking_api and tracking_processor do with shoppers' events, the watch
list and recommendations.

tracking_api validates a request and puts a `TrackingEvent` on the tracking-events queue, so the
shopper never waits for DynamoDB; tracking_processor turns each message into one ProductViews item.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Final

from aws_lambda_powertools import Logger

from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.contracts.queues import TRACKING_EVENTS
from shop.platform.cache import ResilientCache, shared_redis_client, shared_redis_outage
from shop.platform.clock import iso, utc_now
from shop.platform.errors import NotFound
from shop.platform.observability import count_metric
from shop.platform.process_state import per_process
from shop.platform.settings import get_settings
from shop.tracking.model import (
    TrackingEvent,
    TrackingEventType,
    TrackRequest,
    WatchRequest,
    WatchView,
    availability_of,
    sellable,
)
from shop.tracking.repository import ProductViewRepository, WatchListRepository

logger = Logger(child=True)

# Metric names (docs/metrics.md, "Tracking and marketing"), each with an `event_type` dimension.
TRACKING_EVENTS_QUEUED: Final = "TrackingEventsQueued"
TRACKING_EVENTS_RECORDED: Final = "TrackingEventsRecorded"
EVENT_TYPE_DIMENSION: Final = "event_type"

RECOMMENDATIONS_CACHE = "recommendations"
RECOMMENDATIONS_TTL_SECONDS = 15 * 60
RECOMMENDATIONS_LIMIT = 10
# Enough history to know a shopper's tastes without reading a heavy browser's whole 90 days.
RECENT_VIEWS_FOR_RECOMMENDATIONS = 100


def count_event(metric_name: str, event_type: TrackingEventType) -> None:
    count_metric(metric_name, {EVENT_TYPE_DIMENSION: event_type.value})


# -- producing events ----------------------------------------------------------------------------


@per_process
def sqs_client() -> Any:
    import boto3

    return boto3.client("sqs")


def tracked_product(product_id: str) -> Product:
    """The product a shopper viewed or watches; NotFound names it when the catalog has no such product.
    Read through the catalog cache (DynamoDB on a miss): the shopper has just seen the product page, so
    Redis holds it, and a tracking event costs no DynamoDB read (issue 20)."""
    # Imported here: the catalog service is not part of tracking_api's cold start.
    from shop.catalog.service import shared_catalog

    product = shared_catalog().products_by_id([product_id]).get(product_id)
    if product is None:
        raise NotFound(f"no product {product_id}", field="product_id", product_id=product_id)
    return product


def tracking_event_for(
    event_type: TrackingEventType, request: TrackRequest, *, user_id: str | None, product: Product
) -> TrackingEvent:
    return TrackingEvent(
        event_type=event_type,
        product_id=request.product_id,
        session_id=request.session_id,
        user_id=user_id,
        occurred_at=iso(utc_now()),
        referrer=request.referrer,
        device_type=request.device_type,
        view_duration=request.view_duration,
        product_name=product.name,
        product_price=product.price,
    )


def queue_tracking_event(event: TrackingEvent) -> str:
    """Put the event on the tracking-events queue; returns the SQS message id."""
    response = sqs_client().send_message(
        QueueUrl=get_settings().queue_url(TRACKING_EVENTS.logical_name), MessageBody=event.model_dump_json()
    )
    count_event(TRACKING_EVENTS_QUEUED, event.event_type)
    return str(response["MessageId"])


# -- consuming events ----------------------------------------------------------------------------


def record_tracking_event(event: TrackingEvent, *, message_id: str) -> None:
    """Store one event from the queue in ProductViews (a redelivery rewrites the same item) and count it."""
    ProductViewRepository().record(event, message_id=message_id)
    count_event(TRACKING_EVENTS_RECORDED, event.event_type)


# -- watch list ----------------------------------------------------------------------------------


def watch_product(user_id: str, product: Product, request: WatchRequest) -> WatchView:
    """Put the product on the user's watch list (again: the target is replaced and the price-drop and
    restock alerts re-arm)."""
    return watch_view(WatchListRepository().add(user_id, product, request), product)


def watch_list(user_id: str) -> list[WatchView]:
    """The user's watches, newest first, with each product as the catalog has it now (read through the
    catalog cache: one Query of WatchList, and DynamoDB reads only for products Redis lacks). A watch
    of a product deleted from the catalog is left out."""
    from shop.catalog.service import shared_catalog

    watches = WatchListRepository().items_of_user(user_id)
    products = shared_catalog().products_by_id([str(watch["product_id"]) for watch in watches])
    views = [
        watch_view(watch, products[str(watch["product_id"])])
        for watch in watches
        if str(watch["product_id"]) in products
    ]
    return sorted(views, key=lambda view: (view.watched_at, view.product_id), reverse=True)


def watch_view(watch: dict[str, Any], product: Product) -> WatchView:
    # Watches stored before `target_requested` existed show their stored target.
    requested = watch.get("target_requested", True)
    return WatchView(
        product_id=product.product_id,
        name=product.name,
        price=product.price,
        currency=product.currency,
        image_url=str(product.image_url) if product.image_url else None,
        in_stock=sellable(product),
        availability=availability_of(product).value
        if product.status is ProductStatus.ACTIVE
        else "unavailable",
        target_price=int(watch["target_price"]) if requested and "target_price" in watch else None,
        watched_at=str(watch.get("created_at", "")),
        notify_on_price_drop=bool(watch.get("notify_on_price_drop", True)),
        notify_on_restock=bool(watch.get("notify_on_restock", True)),
    )


def stop_watching(user_id: str, product_id: str) -> bool:
    """Take the product off the user's watch list; False when it was not on it."""
    return WatchListRepository().remove(user_id, product_id)


# -- recommendations -----------------------------------------------------------------------------


def recommendations_cache_key(user_id: str) -> str:
    return f"shop:recommendations:{user_id}"


class Recommender:
    """Products from the categories a user has been looking at, best sellers first."""

    def __init__(
        self, views: ProductViewRepository, products: ProductRepository, cache: ResilientCache
    ) -> None:
        self.views = views
        self.products = products
        self.cache = cache

    def for_user(self, user_id: str, *, limit: int = RECOMMENDATIONS_LIMIT) -> list[dict[str, Any]]:
        """Cached for 15 minutes; computed from DynamoDB when Redis has nothing or is down."""
        key = recommendations_cache_key(user_id)
        cached = self.cache.get(key)
        if cached is not None:
            recommendations: list[dict[str, Any]] = json.loads(cached)
            return recommendations
        recommendations = self.compute(user_id, limit=limit)
        self.cache.set(key, json.dumps(recommendations), RECOMMENDATIONS_TTL_SECONDS)
        return recommendations

    def compute(self, user_id: str, *, limit: int = RECOMMENDATIONS_LIMIT) -> list[dict[str, Any]]:
        history = list(self.views.for_user(user_id, limit=RECENT_VIEWS_FOR_RECOMMENDATIONS))
        # Every product the user has seen, carted or bought is excluded: recommend something new.
        seen = {str(item["product_id"]) for item in history if item.get("product_id")}
        if not seen:
            return []
        # Categories weighted by how often the user looked at them, so the favourite comes first.
        seen_products = self.products.get_many(sorted(seen))
        interest = Counter(
            seen_products[str(item["product_id"])].category
            for item in history
            if str(item.get("product_id")) in seen_products
        )
        candidates: dict[str, tuple[int, Product]] = {}
        for category, weight in interest.items():
            for product in self.products.active_in_category(category):
                if product.product_id not in seen and product.status is ProductStatus.ACTIVE:
                    candidates[product.product_id] = (weight, product)
        ranked = sorted(
            candidates.values(),
            key=lambda entry: (-entry[1].sales_count, -entry[1].rating, -entry[0], entry[1].product_id),
        )
        return [
            {
                "product_id": product.product_id,
                "name": product.name,
                "price": product.price,
                "currency": product.currency,
                "category": product.category.value,
                "image_url": str(product.image_url) if product.image_url else None,
                "rating": product.rating,
                # Ranked by sales above, but the figure itself is the shop's own (as on the catalog).
            }
            for _weight, product in ranked[:limit]
        ]


@per_process
def recommendations_cache() -> ResilientCache:
    return ResilientCache(RECOMMENDATIONS_CACHE, shared_redis_client, outage=shared_redis_outage)


@per_process
def shared_recommender() -> Recommender:
    return Recommender(ProductViewRepository(), ProductRepository(), recommendations_cache())
