"""Price drops: a watched product whose price is at or below the watcher's target price.

Each watch item is alerted once (`notified_price_drop`); watching the product again re-arms it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from boto3.dynamodb.conditions import Attr

from shop.catalog.model import ProductStatus
from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.marketing.watched_products import not_yet, update_watch, watch_items
from shop.platform.clock import utc_now


def price_drop_offers(products: ProductRepository | None = None) -> Iterator[Offer]:
    products = products or ProductRepository()
    watches = list(
        watch_items(
            Attr("notify_on_price_drop").eq(True)
            & not_yet("notified_price_drop")
            & Attr("target_price").exists()
        )
    )
    catalog = products.get_many([str(watch["product_id"]) for watch in watches])
    for watch in watches:
        user_id, product_id = str(watch["user_id"]), str(watch["product_id"])
        product = catalog.get(product_id)
        if product is None or product.status is not ProductStatus.ACTIVE:
            continue
        if product.price > int(watch["target_price"]):
            continue

        def settle(user_id: str = user_id, product_id: str = product_id, price: int = product.price) -> None:
            update_watch(user_id, product_id, {"notified_price_drop": True, "current_price": price})

        # One token per watch (its created_at): an alert per watch, and a re-watch can alert again.
        token = f"{product_id}@{watch.get('created_at', '')}"
        subject = {
            "product_id": product_id,
            "name": product.name,
            "price": product.price,
            "currency": product.currency,
            "previous_price": watch.get("current_price"),
            "target_price": watch["target_price"],
        }
        yield Offer(user_id=user_id, trigger=Trigger.PRICE_DROP, subjects={token: subject}, settle=settle)


def scan_price_drops(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Alert consenting watchers whose target price has been reached."""
    return (campaign or Campaign()).run(Trigger.PRICE_DROP, price_drop_offers(), now=now or utc_now())
