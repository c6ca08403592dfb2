"""Tracking's models: the requests shoppers send, the event on the tracking-events queue, the watch list's
requests."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shop.catalog.model import Availability, Product, ProductStatus, availability

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


def availability_of(product: Product) -> Availability:
    """What the shop says about a product's stock, as its pages do (variants' stock, downloads never
    sold out)."""
    shown = availability(product.units_for_sale, digital=product.digital_download)["availability"]
    return Availability(str(shown))


def sellable(product: Product) -> bool:
    """An active product a shopper can buy now: what a restock alert announces and a watch records as
    in stock."""
    return product.status is ProductStatus.ACTIVE and availability_of(product) is not Availability.SOLD_OUT


class WatchView(BaseModel):
    """One entry of GET /track/watchlist (and the answer of POST /track/watchlist/add): the product as
    the catalog has it now, and the watch."""

    product_id: str
    name: str
    price: int
    currency: str
    image_url: str | None
    in_stock: bool
    availability: str = Field(description="in_stock, low_stock, sold_out, or unavailable when archived")
    target_price: int | None = Field(description="cents; null when the shopper set no target")
    watched_at: str
    notify_on_price_drop: bool
    notify_on_restock: bool
