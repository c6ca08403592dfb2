"""Back in stock: a watched product recorded as out of stock that now has stock again.

Each watch item is alerted once (`notified_restock`), and `in_stock` is brought up to date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from shop.catalog.model import ProductStatus
from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import utc_now
from shop.tracking.repository import WatchListRepository


def restock_offers(
    products: ProductRepository | None = None, watch_list: WatchListRepository | None = None
) -> Iterator[Offer]:
    products = products or ProductRepository()
    watch_list = watch_list or WatchListRepository()
    watches = list(watch_list.awaiting_restock_alert())
    catalog = products.get_many([str(watch["product_id"]) for watch in watches])
    for watch in watches:
        user_id, product_id = str(watch["user_id"]), str(watch["product_id"])
        product = catalog.get(product_id)
        if product is None or product.status is not ProductStatus.ACTIVE or product.stock_quantity <= 0:
            continue

        def settle(user_id: str = user_id, product_id: str = product_id) -> None:
            watch_list.restock_alerted(user_id, product_id)

        token = f"{product_id}@{watch.get('created_at', '')}"
        subject = {
            "product_id": product_id,
            "name": product.name,
            "price": product.price,
            "currency": product.currency,
            "stock_quantity": product.stock_quantity,
        }
        yield Offer(user_id=user_id, trigger=Trigger.BACK_IN_STOCK, subjects={token: subject}, settle=settle)


def scan_restock(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Alert consenting watchers of products that are back in stock."""
    return (campaign or Campaign()).run(Trigger.BACK_IN_STOCK, restock_offers(), now=now or utc_now())
