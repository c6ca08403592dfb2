"""Behavioural tracking: the events shoppers generate, the ProductViews store, the watch list and
recommendations.

tracking_api validates a request and puts a `TrackingEvent` on the tracking-events queue, so the
shopper never waits for DynamoDB; tracking_processor turns each message into one ProductViews item.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, Final

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from shop.catalog.model import Product, ProductStatus
from shop.catalog.repository import ProductRepository
from shop.contracts.metric_names import METRICS_NAMESPACE
from shop.contracts.queues import TRACKING_EVENTS
from shop.contracts.tables import PRODUCT_VIEWS, PRODUCT_VIEWS_TTL_DAYS, WATCH_LIST
from shop.platform.cache import ResilientCache, shared_redis_outage
from shop.platform.clock import iso, utc_now
from shop.platform.dynamodb import from_item, table, to_item
from shop.platform.process_state import per_process
from shop.platform.redis_connection import shared_redis_client
from shop.platform.settings import get_settings

logger = Logger(child=True)

# Metric names (docs/metrics.md, "Tracking and marketing"), each with an `event_type` dimension.
TRACKING_EVENTS_QUEUED: Final = "TrackingEventsQueued"
TRACKING_EVENTS_RECORDED: Final = "TrackingEventsRecorded"
EVENT_TYPE_DIMENSION: Final = "event_type"

USER_VIEWS_INDEX = PRODUCT_VIEWS.index("user_id-timestamp-index").name
RECOMMENDATIONS_CACHE = "recommendations"
RECOMMENDATIONS_TTL_SECONDS = 15 * 60
RECOMMENDATIONS_LIMIT = 10
# Enough history to know a shopper's tastes without reading a heavy browser's whole 90 days.
RECENT_VIEWS_FOR_RECOMMENDATIONS = 100

TrackedId = Annotated[str, Field(min_length=1, max_length=128)]


class TrackingEventType(StrEnum):
    VIEW = "view"
    CART_ADD = "cart_add"
    PURCHASE = "purchase"


class TrackRequest(BaseModel):
    """The body of POST /track/view, /track/cart-add and /track/purchase.

    A `user_id` in the body is ignored on purpose: anyone can call these routes, so the user comes
    only from the verified Cognito claims.
    """

    model_config = ConfigDict(extra="ignore")

    product_id: TrackedId
    session_id: TrackedId
    referrer: str | None = Field(default=None, max_length=2048)
    device_type: str | None = Field(default=None, max_length=40)
    view_duration: float | None = Field(default=None, ge=0, le=86_400, description="seconds on the page")


class TrackingEvent(BaseModel):
    """The message on the tracking-events queue (one per tracked request)."""

    model_config = ConfigDict(extra="forbid")

    event_type: TrackingEventType
    product_id: TrackedId
    session_id: TrackedId
    user_id: str | None = None
    occurred_at: str = Field(min_length=20, description="ISO 8601, UTC")
    referrer: str | None = None
    device_type: str | None = None
    view_duration: float | None = Field(default=None, ge=0)
    # Filled by tracking_api from the catalog so that the consumer needs no access to Products.
    product_name: str | None = None
    product_price: int | None = Field(default=None, ge=0)


def count_event(metric_name: str, event_type: TrackingEventType) -> None:
    with single_metric(
        name=metric_name,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        default_dimensions={EVENT_TYPE_DIMENSION: event_type.value},
    ):
        pass


# -- producing events ----------------------------------------------------------------------------


@per_process
def sqs_client() -> Any:
    import boto3

    return boto3.client("sqs")


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


# -- ProductViews --------------------------------------------------------------------------------


def view_id_for(message_id: str) -> str:
    """A view id derived from the SQS message id: a redelivered message rewrites the same item."""
    return "view_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


class ProductViewRepository:
    """The ProductViews table: one item per tracking event, kept 90 days."""

    def _table(self) -> Any:
        return table(PRODUCT_VIEWS.logical_name)

    def record(self, event: TrackingEvent, *, message_id: str) -> dict[str, Any]:
        """Write the item for one event. The key depends only on the message, so retries are idempotent."""
        now = utc_now()
        item = {
            "view_id": view_id_for(message_id),
            # The event's own time, not the processing time: a redelivery carries the same value.
            "timestamp": event.occurred_at,
            "event_type": event.event_type.value,
            "user_id": event.user_id,
            "session_id": event.session_id,
            "product_id": event.product_id,
            "product_name": event.product_name,
            "product_price": event.product_price,
            "view_duration": event.view_duration,
            "added_to_cart": event.event_type in (TrackingEventType.CART_ADD, TrackingEventType.PURCHASE),
            "purchased": event.event_type is TrackingEventType.PURCHASE,
            "referrer": event.referrer,
            "device_type": event.device_type,
            "created_at": iso(now),
            "expires_at": int((now + timedelta(days=PRODUCT_VIEWS_TTL_DAYS)).timestamp()),
        }
        stored: dict[str, Any] = to_item(item)
        self._table().put_item(Item=stored)
        return stored

    def for_user(
        self, user_id: str, *, since: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """A user's tracking items, newest first (user_id-timestamp-index)."""
        condition = Key("user_id").eq(user_id)
        if since:
            condition = condition & Key("timestamp").gte(since)
        arguments: dict[str, Any] = {
            "IndexName": USER_VIEWS_INDEX,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
        }
        returned = 0
        while True:
            response = self._table().query(**arguments)
            for item in response.get("Items", []):
                yield from_item(item)
                returned += 1
                if limit is not None and returned >= limit:
                    return
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# -- watch list ----------------------------------------------------------------------------------


class WatchRequest(BaseModel):
    """The body of POST /track/watchlist/add."""

    model_config = ConfigDict(extra="forbid")

    product_id: TrackedId
    target_price: int | None = Field(default=None, ge=0, description="cents; alert at or below it")
    notify_on_price_drop: bool = True
    notify_on_restock: bool = True


class UnwatchRequest(BaseModel):
    """The body of DELETE /track/watchlist/remove."""

    model_config = ConfigDict(extra="forbid")

    product_id: TrackedId


class WatchListRepository:
    """The WatchList table (one item per user and product)."""

    def _table(self) -> Any:
        return table(WATCH_LIST.logical_name)

    def add(self, user_id: str, product: Product, request: WatchRequest) -> dict[str, Any]:
        """Watch a product (again): re-adding resets the notified flags so the alerts can fire anew."""
        item = {
            "user_id": user_id,
            "product_id": product.product_id,
            "product_name": product.name,
            "current_price": product.price,
            # Without a target any drop below today's price counts.
            "target_price": request.target_price
            if request.target_price is not None
            else max(product.price - 1, 0),
            "in_stock": product.stock_quantity > 0,
            "notify_on_price_drop": request.notify_on_price_drop,
            "notify_on_restock": request.notify_on_restock,
            "notified_price_drop": False,
            "notified_restock": False,
            "created_at": iso(utc_now()),
        }
        stored: dict[str, Any] = to_item(item)
        self._table().put_item(Item=stored)
        return from_item(stored)  # type: ignore[no-any-return]

    def remove(self, user_id: str, product_id: str) -> bool:
        """Stop watching; False when the product was not watched."""
        try:
            self._table().delete_item(
                Key={"user_id": user_id, "product_id": product_id},
                ConditionExpression="attribute_exists(product_id)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


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
                "sales_count": product.sales_count,
            }
            for _weight, product in ranked[:limit]
        ]


@per_process
def recommendations_cache() -> ResilientCache:
    return ResilientCache(RECOMMENDATIONS_CACHE, shared_redis_client, outage=shared_redis_outage)


@per_process
def shared_recommender() -> Recommender:
    return Recommender(ProductViewRepository(), ProductRepository(), recommendations_cache())
