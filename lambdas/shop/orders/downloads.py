"""Digital goods that reach their buyers: the download entitlements a paid order grants, and each
download counted before its file is handed out.

When an order is paid (payment_processor's settlement, or an administrator recording a payment), each
digital line becomes a `DownloadEntitlement` written in the same conditional write that moves the
order to `paid`: the stage's download limit and an expiry `download_days` from then. A download
(order_api: GET /orders/{id}/downloads/{product_id} and its /guest twin) is counted by one UpdateItem
conditioned on a download being left, the entitlement not expired and the order still paid and
active, then answered with a presigned S3 GET of the file valid for a few minutes. A refund or a
cancellation therefore revokes every download at once, with no write of its own. A refusal is a
403 or 410 that names why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shop.catalog.model import DigitalFile
from shop.catalog.repository import ProductRepository
from shop.orders.access import download_token, download_token_expiry, download_token_opens, token_opens
from shop.orders.model import DownloadEntitlement, Order
from shop.orders.repository import OrderRepository
from shop.orders.state import RESTORABLE, OrderStatus, PaymentStatus
from shop.platform.clock import iso, utc_now
from shop.platform.errors import Conflict, Forbidden, Gone, NotFound
from shop.platform.identity import Caller
from shop.platform.object_storage import presign_get
from shop.platform.settings import MissingSetting, get_settings

# Long enough to start the download, short enough that a copied URL is useless soon after.
URL_SECONDS = 300
# The statuses of a paid order that still downloads (a refund or cancellation ends it).
ACTIVE = frozenset({OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED})
COUNT_ATTEMPTS = 3


class DownloadLimitReached(Forbidden):
    code = "download_limit_reached"


class OrderNotPaid(Forbidden):
    code = "order_not_paid"


class DownloadExpired(Gone):
    code = "download_expired"


class DownloadRevoked(Gone):
    code = "download_revoked"


class FileUnavailable(Gone):
    code = "file_unavailable"


# -- granting ------------------------------------------------------------------------------------


def entitlements_for(
    order: Order, *, now: datetime | None = None, limit: int | None = None, days: int | None = None
) -> list[DownloadEntitlement]:
    """One entitlement per digital line of `order`, starting `now`, with the stage's limit and days."""
    settings = get_settings()
    moment = now or utc_now()
    expires = moment + timedelta(days=days if days is not None else settings.download_days)
    return [
        DownloadEntitlement(
            product_id=line.product_id,
            name=line.name,
            files=line.digital_files,
            download_limit=limit if limit is not None else settings.download_limit,
            granted_at=iso(moment),
            expires_at=iso(expires),
        )
        for line in order.items
        if not line.requires_shipping
    ]


def download_grants(order: Order) -> dict[str, Any]:
    """The fields to set with the move to `paid`: the order's entitlements (none for a physical order,
    and none again for an order that already has them)."""
    if order.digital_downloads:
        return {}
    granted = entitlements_for(order)
    return (
        {"digital_downloads": [entitlement.model_dump(mode="json") for entitlement in granted]}
        if granted
        else {}
    )


# -- who may download ----------------------------------------------------------------------------


def may_download(order: Order, caller: Caller, token: str | None) -> bool:
    """The order's owner signed in, or the holder of its order token (the access token, or a guest's
    emailed link). Administrators download nothing: it would be the buyer's."""
    if caller.signed_in and order.user_id == caller.user_id:
        return True
    return bool(token) and token_opens(order, str(token))


def with_download_token(
    order: Order, view: dict[str, Any], caller: Caller, token: str | None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The order's JSON plus, for whoever may download it, a download token per digital line valid
    for minutes (a link the browser follows carries neither the Cognito token nor a header)."""
    if not (order.digital_downloads and may_download(order, caller, token)):
        return view
    expires = download_token_expiry(now or utc_now())
    lines = [
        {**line, "download_token": download_token(order.order_id, str(line["product_id"]), expires=expires)}
        for line in view.get("digital_downloads", [])
    ]
    return {**view, "digital_downloads": lines, "download_tokens_expire_at": iso(expires)}


# -- downloading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    url: str
    file_name: str
    downloads_left: int
    expires_at: str

    def body(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "file_name": self.file_name,
            "downloads_left": self.downloads_left,
            "expires_at": self.expires_at,
            "url_expires_in": URL_SECONDS,
        }


def _refusal(order: Order, entitlement: DownloadEntitlement, now: datetime) -> Exception | None:
    """Why this entitlement may not be downloaded now, or None."""
    details = {"order_id": order.order_id, "product_id": entitlement.product_id}
    if order.order_status in RESTORABLE or order.payment_status in (
        PaymentStatus.REFUNDED,
        PaymentStatus.REFUND_REQUESTED,
    ):
        reason = (
            "a refund of this order was requested"
            if order.payment_status is PaymentStatus.REFUND_REQUESTED
            else f"the order was {order.order_status.value}"
        )
        return DownloadRevoked(
            f"{reason}, so its downloads are closed", order_status=order.order_status, **details
        )
    if order.payment_status is not PaymentStatus.PAID or order.order_status not in ACTIVE:
        return OrderNotPaid("the order is not paid yet", order_status=order.order_status, **details)
    if iso(now) >= entitlement.expires_at:
        return DownloadExpired(
            f"the download of {entitlement.name} expired on {entitlement.expires_at}",
            expires_at=entitlement.expires_at,
            **details,
        )
    if entitlement.downloads_used >= entitlement.download_limit:
        return DownloadLimitReached(
            f"{entitlement.name} was downloaded {entitlement.downloads_used} times, the limit",
            download_limit=entitlement.download_limit,
            **details,
        )
    return None


def _entitlement(order: Order, product_id: str) -> tuple[int, DownloadEntitlement]:
    for position, entitlement in enumerate(order.digital_downloads):
        if entitlement.product_id == product_id:
            return position, entitlement
    digital = any(line.product_id == product_id and not line.requires_shipping for line in order.items)
    if digital and (order.order_status in RESTORABLE):
        raise DownloadRevoked(
            f"the order was {order.order_status.value}, so its downloads are closed",
            order_id=order.order_id,
            product_id=product_id,
            order_status=order.order_status,
        )
    if digital and order.payment_status is not PaymentStatus.PAID:
        raise OrderNotPaid(
            "the order is not paid yet",
            order_id=order.order_id,
            product_id=product_id,
            order_status=order.order_status,
        )
    raise NotFound(f"order {order.order_id} has no download of {product_id}", field="product_id")


class Downloads:
    """What the download routes do; the repositories and the clock are injectable for tests."""

    def __init__(
        self,
        orders: OrderRepository | None = None,
        products: ProductRepository | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.orders = orders or OrderRepository()
        self.products = products or ProductRepository()
        self.clock = clock

    def open(
        self,
        order_id: str,
        product_id: str,
        caller: Caller,
        *,
        token: str | None,
        file_id: str | None,
        download_token: str | None = None,
    ) -> DownloadLink:
        """Count one download of the order's `product_id` and return a short-lived URL of its file.
        Opened by the order's buyer signed in, its order token, or the line's download token."""
        order = self.orders.get(order_id)
        line_token_opens = bool(download_token) and download_token_opens(
            order_id, product_id, str(download_token), now=(self.clock or utc_now)()
        )
        if order is None or not (line_token_opens or may_download(order, caller, token)):
            raise NotFound(f"no order {order_id}", field="order_id")
        for _attempt in range(COUNT_ATTEMPTS):
            now = (self.clock or utc_now)()
            position, entitlement = _entitlement(order, product_id)
            refusal = _refusal(order, entitlement, now)
            if refusal is not None:
                raise refusal
            file = self._file(entitlement, file_id)
            url = self._url(file)  # before counting: a failure here must not use up a download
            counted = self.orders.count_download(
                order,
                position,
                product_id=product_id,
                limit=entitlement.download_limit,
                now=iso(now),
                active=frozenset(status.value for status in ACTIVE),
            )
            if counted is not None:
                left = counted.digital_downloads[position].downloads_left
                return DownloadLink(url, file.file_name, left, entitlement.expires_at)
            # Someone else counted the last download, or the order moved on: read it and say why.
            fresh = self.orders.get(order.order_id, order.user_id)
            if fresh is None:
                raise NotFound(f"no order {order_id}", field="order_id")
            order = fresh
        raise Conflict("the order keeps changing; try again", field="order_id")

    def _file(self, entitlement: DownloadEntitlement, file_id: str | None) -> DigitalFile:
        """The current version of the file asked for (the line's first when none is named)."""
        wanted = file_id or next((file.file_id for file in entitlement.files), None)
        product = self.products.get(entitlement.product_id)
        files = product.digital_files if product is not None else []
        chosen = next((file for file in files if file.file_id == wanted), None) if wanted else None
        if wanted is None and files:
            chosen = files[0]
        if chosen is None:
            bought = {file.file_id for file in entitlement.files}
            if file_id and bought and file_id not in bought:
                raise NotFound(f"{entitlement.name} has no file {file_id}", field="file")
            raise FileUnavailable(
                f"the file of {entitlement.name} is no longer available; please contact the shop",
                product_id=entitlement.product_id,
            )
        return chosen

    @staticmethod
    def _url(file: DigitalFile) -> str:
        bucket = get_settings().digital_files_bucket
        if not bucket:
            raise MissingSetting("DIGITAL_FILES_BUCKET is not in this function's environment")
        return presign_get(
            bucket=bucket,
            key=file.key,
            expires_in=URL_SECONDS,
            file_name=file.file_name,
            content_type=file.content_type,
        )
