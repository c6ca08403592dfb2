"""Abandoned carts: a signed-in shopper's cart with items, untouched for 24 hours, and no order since.

Email: the cart's items and a 10 % discount code. Guest carts are skipped: they have no consent and
no address.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from shop.cart.repository import CartRepository
from shop.marketing.campaign import Campaign, Offer
from shop.marketing.triggers import ScanSummary, Trigger
from shop.orders.repository import OrderRepository
from shop.platform.clock import iso, utc_now

ABANDONED_AFTER = timedelta(hours=24)


def abandoned_cart_offers(
    now: datetime, carts: CartRepository | None = None, orders: OrderRepository | None = None
) -> Iterator[Offer]:
    carts = carts or CartRepository()
    orders = orders or OrderRepository()
    for cart in carts.signed_in_carts_untouched_since(iso(now - ABANDONED_AFTER)):
        user_id, updated_at = str(cart["user_id"]), str(cart["updated_at"])
        if orders.ordered_since(user_id, updated_at):
            continue
        # Tokens name each product in this version of the cart: the same abandoned cart is mailed
        # once, and a cart changed and abandoned again is a new abandonment.
        subjects = {
            f"{line['product_id']}@{updated_at}": {
                "product_id": line["product_id"],
                "name": line.get("name"),
                "price": line.get("unit_price"),
                "quantity": line.get("quantity"),
                "image_url": line.get("image_url"),
            }
            for line in cart["items"]
        }
        yield Offer(user_id=user_id, trigger=Trigger.ABANDONED_CART, subjects=subjects)


def scan_abandoned_carts(campaign: Campaign | None = None, *, now: datetime | None = None) -> ScanSummary:
    """Queue a 10 % recovery email for every abandoned cart of a consenting shopper."""
    moment = now or utc_now()
    return (campaign or Campaign()).run(Trigger.ABANDONED_CART, abandoned_cart_offers(moment), now=moment)
