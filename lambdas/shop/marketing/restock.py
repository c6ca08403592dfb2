"""Back in stock: restock alerts to the watchers of a product whose stock has returned.

Two paths send them. inventory_updater calls `alert_restock` when it gives stock back to a product
that had none; the daily scan (`scan_restock`) is the safety net for watches recorded out of stock
that no restock reached (an administrator's stock edit, a failed alert). Both claim the watch item
before queueing (`WatchListRepository.claim_restock_alert`), so one restock alerts a watcher once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from shop.catalog.model import Product
from shop.catalog.repository import ProductRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.platform.clock import utc_now
from shop.tracking.model import sellable
from shop.tracking.repository import WatchListRepository


def in_stock(product: Product) -> bool:
    """What a restock alert announces: an active product with stock to sell (its variants' stock when
    it has variants, as the product page counts it)."""
    return sellable(product)


def _subject(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "name": product.name,
        "price": product.price,
        "currency": product.currency,
        "stock_quantity": product.stock_quantity,
    }


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
        if product is None or not in_stock(product):
            continue

        def settle(user_id: str = user_id, product_id: str = product_id) -> None:
            watch_list.restock_alerted(user_id, product_id)

        def claim(user_id: str = user_id, product: Product = product) -> bool:
            return watch_list.claim_restock_alert(
                user_id, product.product_id, version=product.cache_version, only_unnotified=True
            )

        token = f"{product_id}@{watch.get('created_at', '')}"
        yield Offer(
            user_id=user_id,
            trigger=Trigger.BACK_IN_STOCK,
            subjects={token: _subject(product)},
            settle=settle,
            claim=claim,
        )


def scan_restock(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Alert consenting watchers of products that are back in stock."""
    return (campaign or Campaign()).run(Trigger.BACK_IN_STOCK, restock_offers(), now=now or utc_now())


def restocked_offers(
    product: Product,
    sold_out_version: int,
    watchers: Iterable[dict[str, Any]],
    watch_list: WatchListRepository,
) -> Iterator[Offer]:
    """One offer per watcher of a product whose stock returned; the token names the restock."""
    token = f"{product.product_id}@v{sold_out_version}"
    for watch in watchers:
        user_id = str(watch["user_id"])

        def claim(user_id: str = user_id) -> bool:
            return watch_list.claim_restock_alert(user_id, product.product_id, version=sold_out_version)

        yield Offer(
            user_id=user_id, trigger=Trigger.BACK_IN_STOCK, subjects={token: _subject(product)}, claim=claim
        )


def alert_restock(
    product: Product,
    sold_out_version: int,
    *,
    campaign: Campaign | None = None,
    watch_list: WatchListRepository | None = None,
    now: datetime | None = None,
) -> ScanSummary:
    """Alert the consenting watchers of `product`, whose stock was 0 at `sold_out_version` and is not now."""
    watch_list = watch_list or WatchListRepository()
    offers = restocked_offers(
        product, sold_out_version, watch_list.restock_watchers(product.product_id), watch_list
    )
    return (campaign or Campaign()).run(Trigger.BACK_IN_STOCK, offers, now=now or utc_now())
