"""Which marketing email brought a paid order: its campaign code, or a click within the attribution
window. The email's MarketingQueue item then records `converted`, the order and its revenue, once.

Run as a sweep over the paid orders of the last 30 days (payment_status-order_date-index), from the
daily marketing run and whenever the analytics are computed: the paid transition happens in
payment_processor and order_api, which neither ship nor may import the marketing domain, and a sweep
cannot miss a payment the way a lost event could. Marking is conditional on the item having no
`converted_order_id`, so an order settled twice, or swept twice, is attributed once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shop.marketing.repository import MarketingQueueRepository
from shop.marketing.triggers import Trigger
from shop.orders.model import Order
from shop.orders.repository import OrderRepository
from shop.orders.state import PaymentStatus
from shop.platform.clock import iso
from shop.platform.observability import logger
from shop.platform.settings import get_settings

# MarketingQueue keeps a sent item 30 days: an older order has no email left to credit.
SWEEP_LOOKBACK = timedelta(days=30)
PAGE_SIZE = 100
# Only codes a campaign mints (CART10-…, LOOK5-…) are looked up; the shop's public codes bring no email.
CAMPAIGN_CODE_PREFIXES = tuple(f"{trigger.code_prefix}-" for trigger in Trigger)


class Via(StrEnum):
    CODE = "code"  # the order redeemed the code the email offered
    CLICK = "click"  # the order carries the email's id from a click within the window


@dataclass
class AttributionSummary:
    paid_orders: int = 0
    candidates: int = 0  # paid orders with a campaign's code or a campaign message id
    attributed: int = 0  # newly attributed by this run

    def body(self) -> dict[str, Any]:
        return asdict(self)


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _campaign_code(order: Order) -> str | None:
    """The order's code when a campaign minted it (CART10-…, LOOK5-…), else None."""
    code = order.discount_code
    return code if code and code.upper().startswith(CAMPAIGN_CODE_PREFIXES) else None


class Attribution:
    def __init__(
        self, queue: MarketingQueueRepository | None = None, orders: OrderRepository | None = None
    ) -> None:
        self.queue = queue or MarketingQueueRepository()
        self.orders = orders or OrderRepository()

    def campaign_of(self, order: Order, *, window: timedelta) -> tuple[dict[str, Any], Via] | None:
        """The email the order is attributed to: the one whose code it redeemed, else the one it was
        placed from within `window` after a click."""
        code = _campaign_code(order)
        if code:
            item = self.queue.with_discount_code(order.user_email, code)
            if item is not None:
                return item, Via.CODE
        if order.campaign_message_id:
            item = self.queue.get(order.campaign_message_id)
            clicked, placed = _moment((item or {}).get("clicked_at")), _moment(order.order_date)
            if item is not None and clicked and placed and clicked <= placed <= clicked + window:
                return item, Via.CLICK
        return None

    def attribute(self, order: Order, *, now: datetime, window: timedelta) -> bool:
        """Credit a paid order to its email; False when it has none or was credited before."""
        found = self.campaign_of(order, window=window)
        if found is None:
            return False
        item, via = found
        if item.get("converted_order_id"):
            return False  # credited before (to this order or an earlier one): no write needed
        marked = self.queue.mark_converted(
            str(item["queue_id"]), order_id=order.order_id, revenue_cents=order.total, via=via.value, now=now
        )
        if marked:
            logger.info(
                "order attributed to a marketing email",
                extra={"order_id": order.order_id, "queue_id": item["queue_id"], "via": via.value},
            )
        return marked

    def sweep(self, *, now: datetime) -> AttributionSummary:
        """Attribute every paid order of the last 30 days that is not yet (idempotent)."""
        window = timedelta(days=get_settings().attribution_days)
        summary = AttributionSummary()
        cursor: dict[str, Any] | None = None
        while True:
            page = self.orders.by_index(
                status=None,
                payment_status=PaymentStatus.PAID.value,
                date_from=iso(now - SWEEP_LOOKBACK),
                date_to=None,
                limit=PAGE_SIZE,
                start_key=cursor,
            )
            for order in page.orders:
                summary.paid_orders += 1
                if _campaign_code(order) or order.campaign_message_id:
                    summary.candidates += 1
                    summary.attributed += self.attribute(order, now=now, window=window)
            if page.last_key is None:
                return summary
            cursor = page.last_key
