"""Price drops: a watched product, in stock, whose price is at or below the watcher's target price.

Each watch item is alerted once (`notified_price_drop`); watching the product again re-arms it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import utc_now
from shop.tracking.model import sellable
from shop.tracking.repository import WatchListRepository


def price_drop_offers(
    products: ProductRepository | None = None, watch_list: WatchListRepository | None = None
) -> Iterator[Offer]:
    products = products or ProductRepository()
    watch_list = watch_list or WatchListRepository()
    watches = list(watch_list.awaiting_price_drop_alert())
    catalog = products.get_many([str(watch["product_id"]) for watch in watches])
    for watch in watches:
        user_id, product_id = str(watch["user_id"]), str(watch["product_id"])
        product = catalog.get(product_id)
        # A sold-out product waits: "the price dropped" is news only when the shopper can buy it (the
        # watch stays armed, so the scan after the restock sends it).
        if product is None or not sellable(product):
            continue
        if product.price > int(watch["target_price"]):
            continue

        def settle(user_id: str = user_id, product_id: str = product_id, price: int = product.price) -> None:
            watch_list.price_drop_alerted(user_id, product_id, price=price)

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
