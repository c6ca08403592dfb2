"""The order operations of order_api: placing, reading, cancelling and administering orders.

A new order is written `pending` in the one transaction that takes its stock (shop.orders.inventory),
then announced on order-processing (or, with the `orders_inline` kill switch, processed in the request
by the same function order_processor runs). Status changes go through the state machine of
shop.orders.state and the conditional writes of OrderRepository.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from shop.cart.model import CartLine
from shop.cart.pricing import price, priced_lines, pricing_rules, scoped_lines
from shop.cart.repository import CartRepository
from shop.cart.service import CartOwner, available_quantity, shared_carts
from shop.catalog.model import Product, ProductStatus, missing_files
from shop.catalog.repository import ProductRepository
from shop.contracts.email_messages import EmailTemplate
from shop.contracts.queues import ORDER_PROCESSING
from shop.orders.access import token_opens
from shop.orders.admin_search import search_orders
from shop.orders.downloads import download_grants, with_download_token
from shop.orders.inventory import Inventory, InventoryConflictError, RedemptionRefusedError, out_of_stock
from shop.orders.invoicing import (
    DocumentKind,
    document_of,
    issue_credit_note,
    issue_invoice,
    render_pdf,
    seller_brand,
)
from shop.orders.model import (
    Address,
    BillingAddress,
    CreateOrderRequest,
    HistoryEntry,
    Order,
    OrderedFile,
    OrderLine,
    OrderLineRequest,
    OrderMessage,
    RefundRequest,
    guest_user_id,
    new_access_token,
    new_order_id,
    normalize_email,
    order_id_for_key,
    order_number_for,
    token_hash,
)
from shop.orders.notifications import notify_customer, send
from shop.orders.processing import handle_order_message
from shop.orders.refunds import request_refund
from shop.orders.repository import OrderChangedError, OrderExistsError, OrderRepository
from shop.orders.sales import sales_range, sales_report
from shop.orders.state import (
    CANCELLABLE,
    SHIPPABLE,
    AdminAction,
    IllegalTransition,
    OrderStatus,
    PaymentStatus,
    admin_actions,
)
from shop.platform import idempotency
from shop.platform.clock import now_iso, utc_now
from shop.platform.dynamodb import attr
from shop.platform.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from shop.platform.identity import Caller
from shop.platform.observability import logger
from shop.platform.pagination import decode_cursor, encode_cursor
from shop.platform.runtime_flags import orders_inline, payments_paused
from shop.promotions.model import PromotionRefused
from shop.promotions.service import AppliedPromotion, shared_promotions

MOVE_ATTEMPTS = 3
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CSV_EXPORT_LIMIT = 10_000
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+Z?)?$")
# A guest's access token is returned again to a retried create for this long (then only its hash stays).
TOKEN_REPLAY_SECONDS = 24 * 3600
# While payments are paused (an incident), shoppers are told to come back in this many seconds.
PAYMENTS_PAUSED_RETRY_SECONDS = 600
# Many orders for the same products at once: the shopper retries after this many seconds.
STOCK_CONTENTION_RETRY_SECONDS = 1
CSV_COLUMNS = (
    "order_id",
    "order_number",
    "order_date",
    "order_status",
    "payment_status",
    "user_id",
    "user_email",
    "item_count",
    "subtotal",
    "discount",
    "tax",
    "shipping",
    "total",
    "currency",
    "carrier",
    "tracking_number",
)


_DONE = "done"  # a history cursor's mark for a source with nothing left


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    access_token: str | None
    replayed: bool

    def body(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "order_id": self.order.order_id,
            "order_number": self.order.order_number,
            "order_status": self.order.order_status.value,
            "total": self.order.total,
            "currency": self.order.currency,
        }
        if self.access_token:
            document["access_token"] = self.access_token
        return document


def actor_of(caller: Caller) -> str:
    return caller.user_id or "guest"


def _fingerprint(request: CreateOrderRequest, cart_id: str | None) -> str:
    raw = json.dumps({"body": request.model_dump(mode="json"), "cart": cart_id}, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def _merge_lines(lines: list[OrderLineRequest]) -> list[OrderLineRequest]:
    merged: dict[tuple[str, str | None], int] = {}
    for line in lines:
        merged[(line.product_id, line.variant_sku)] = (
            merged.get((line.product_id, line.variant_sku), 0) + line.quantity
        )
    return [
        OrderLineRequest.model_validate({"product_id": product_id, "sku": sku, "quantity": quantity})
        for (product_id, sku), quantity in merged.items()
    ]


def _order_line(product: Product | None, request: OrderLineRequest, currency: str) -> OrderLine:
    """The line at today's catalog price; 4xx when the product cannot be ordered as asked."""
    if product is None or product.status is not ProductStatus.ACTIVE:
        raise NotFound(f"no product {request.product_id}", field="product_id", product_id=request.product_id)
    if product.currency != currency:
        raise Conflict(
            f"{product.product_id} is priced in {product.currency}, orders in {currency}", field="product_id"
        )
    if product.variants and request.variant_sku is None:
        raise BadRequest(f"choose one of the variants of {product.product_id}", field="variant_sku")
    variant = product.variant(request.variant_sku) if request.variant_sku else None
    if request.variant_sku is not None and variant is None:
        raise BadRequest(f"{product.product_id} has no variant {request.variant_sku}", field="variant_sku")
    available = available_quantity(product, request.variant_sku)
    if request.quantity > available:
        raise out_of_stock(product.product_id, request.variant_sku, available)
    if missing_files(product):
        # Nothing could be delivered: sold only once an administrator has uploaded its file.
        raise Conflict(
            f"{product.name} cannot be downloaded yet, so it cannot be ordered",
            field="product_id",
            product_id=product.product_id,
        )
    unit_price = variant.price if variant is not None and variant.price is not None else product.price
    return OrderLine(
        product_id=product.product_id,
        variant_sku=request.variant_sku,
        sku=request.variant_sku or product.sku,
        name=product.name,
        unit_price=unit_price,
        currency=product.currency,
        quantity=request.quantity,
        requires_shipping=not product.digital_download,
        line_total=unit_price * request.quantity,
        digital_files=[
            OrderedFile(file_id=file.file_id, file_name=file.file_name)
            for file in (product.digital_files if product.digital_download else [])
        ],
    )


def _addresses(request: CreateOrderRequest, lines: list[OrderLine]) -> tuple[Address | None, BillingAddress]:
    """Where the order ships (None when nothing ships) and whom it bills; 400 naming what is missing."""
    ships = any(line.requires_shipping for line in lines)
    if ships and request.shipping_address is None:
        raise BadRequest("an order with goods to ship needs a shipping address", field="shipping_address")
    shipping = request.shipping_address if ships else None
    if request.billing_address is not None:
        return shipping, request.billing_address
    if request.shipping_address is None:
        raise BadRequest(
            "a digital-only order needs a billing address (name and country)", field="billing_address"
        )
    return shipping, BillingAddress.model_validate(request.shipping_address.model_dump())


def _date_bound(value: str | None, field: str, *, upper: bool) -> str | None:
    if value is None:
        return None
    if not DATE_PATTERN.fullmatch(value):
        raise BadRequest("use an ISO date (2026-11-21) or timestamp", field=field)
    # "~" sorts after every character of an ISO timestamp: `to=2026-11-21` includes that whole day.
    return value + "~" if upper else value


class OrderService:
    """What order_api does, independent of HTTP."""

    def __init__(
        self, repository: OrderRepository | None = None, products: ProductRepository | None = None
    ) -> None:
        self.repository = repository or OrderRepository()
        self.products = products or ProductRepository()
        self.promotions = shared_promotions()
        self.inventory = Inventory(orders=self.repository, products=self.products, promotions=self.promotions)

    # -- placing ---------------------------------------------------------------------------------

    def place(
        self, request: CreateOrderRequest, caller: Caller, *, cart_id: str | None, idempotency_key: str | None
    ) -> PlacedOrder:
        """Store the order `pending` with its stock held, in one transaction, and announce it. A retry
        with the same Idempotency-Key answers with the order the first attempt stored."""
        if payments_paused():
            # The payments switch (docs/runbooks.md): no order, so no stock held and no payment to start.
            raise ServiceUnavailable(
                "payments are paused, so no order can be placed right now; please try again later",
                retry_after_seconds=PAYMENTS_PAUSED_RETRY_SECONDS,
                reason="payments_paused",
            )
        if caller.signed_in:
            user_id = caller.require_signed_in()
            email = caller.email or request.email
            guest = False
        else:
            if not request.email:
                raise BadRequest("a guest order needs an email address", field="email")
            email, user_id, guest = request.email, guest_user_id(request.email), True
        if not email:
            raise BadRequest("send the email address to confirm the order to", field="email")
        if idempotency_key is not None and not IDEMPOTENCY_KEY_PATTERN.fullmatch(idempotency_key):
            raise BadRequest("Idempotency-Key must be 8-128 letters, digits or -_:.", field="Idempotency-Key")
        fingerprint = _fingerprint(request, cart_id)
        order_id = order_id_for_key(user_id, idempotency_key) if idempotency_key else new_order_id()

        # Every order gets an access token, signed-in ones too: the payment routes are public (guests pay
        # as well), so the token is how any payer proves the order is theirs. With an Idempotency-Key
        # the token is claimed first (one conditional write): only a key used before (the claim
        # finds an earlier attempt's token) costs a read of the order, to answer with it. A new order
        # needs no read: the transaction's condition refuses an order id that exists.
        if idempotency_key:
            token, first_attempt = self._claim_token(order_id)
            if not first_attempt:
                existing = self.repository.get(order_id, user_id)
                if existing is not None:
                    return self._replay(existing, fingerprint)
        else:
            token = new_access_token()

        owner = self._cart_owner(caller, cart_id) if request.items is None else None
        requested = request.items if request.items is not None else self._cart_lines(owner)
        order, applied, products = self._new_order(
            request, order_id, user_id, normalize_email(email), guest, requested, fingerprint, caller
        )
        order = order.model_copy(update={"access_token_hash": token_hash(token)})
        redemption = (
            self.promotions.redemption_items(applied.promotion, order.user_email) if applied else None
        )
        try:
            # The products priced a moment ago (a consistent read) are the transaction's first round.
            order = self.inventory.store_with_stock(order, redemption, products=products)
        except RedemptionRefusedError:
            raise self._redemption_refused(order) from None
        except OrderExistsError:  # a concurrent retry won the race
            existing = self.repository.get(order_id, user_id)
            if existing is None:
                raise
            return self._replay(existing, fingerprint)
        except InventoryConflictError as error:
            raise ServiceUnavailable(
                "too many orders for these products at once; please try again",
                retry_after_seconds=STOCK_CONTENTION_RETRY_SECONDS,
            ) from error
        order = self._dispatch(order)
        if owner is not None:
            # The cart became the order; a replay does not clear it again (it may be a new cart by then).
            shared_carts().clear(owner)
        logger.info("order placed", extra={"order_id": order.order_id, "total": order.total, "guest": guest})
        return PlacedOrder(order, token, replayed=False)

    def _redemption_refused(self, order: Order) -> Conflict:
        """Why the promotion refused the order at the last moment (another order took its last use)."""
        code = order.discount_code or ""
        try:
            self.promotions.usable(code, email=order.user_email)
        except PromotionRefused as refused:
            return Conflict(str(refused), field="discount_code", reason=refused.reason)
        return Conflict(f"code {code} could not be redeemed just now; try again", field="discount_code")

    def _replay(self, existing: Order, fingerprint: str) -> PlacedOrder:
        if existing.request_fingerprint != fingerprint:
            raise Conflict(
                "this Idempotency-Key was already used for a different order request", field="Idempotency-Key"
            )
        if existing.processing_queue_id is None and existing.order_status is OrderStatus.PENDING:
            # The first attempt stored the order but failed before announcing it.
            existing = self._dispatch(existing)
        token = self._claimed_token(existing.order_id)
        # A token claimed after the first attempt's record expired (TOKEN_REPLAY_SECONDS) is not this
        # order's: the answer then has none, as when the record is gone.
        if token is not None and existing.access_token_hash != token_hash(token):
            token = None
        return PlacedOrder(existing, token, replayed=True)

    @staticmethod
    def _token_record_id(order_id: str) -> str:
        return f"order_api.access_token#{order_id}"

    def _claim_token(self, order_id: str) -> tuple[str, bool]:
        """The access token of this order: the first attempt's, kept so a retry gets the same one; and
        whether this is the first attempt (the token was claimed now)."""
        token = new_access_token()
        record_id = self._token_record_id(order_id)
        if idempotency.record_once(record_id, ttl_seconds=TOKEN_REPLAY_SECONDS, access_token=token):
            return token, True
        return self._claimed_token(order_id) or token, False

    def _claimed_token(self, order_id: str) -> str | None:
        item = idempotency.recorded(self._token_record_id(order_id))
        return str(item["access_token"]) if item else None

    def _cart_owner(self, caller: Caller, cart_id: str | None) -> CartOwner:
        if caller.user_id:
            return CartOwner.shopper(caller.user_id)
        if cart_id:
            return CartOwner.guest(cart_id)
        raise BadRequest("send `items`, or the guest cart's X-Cart-Id", field="items")

    def _cart_lines(self, owner: CartOwner | None) -> list[OrderLineRequest]:
        stored = CartRepository().get(owner.key) if owner is not None else None
        lines: list[CartLine] = stored.items if stored else []
        if not lines:
            raise BadRequest("the cart is empty", field="items")
        return [
            OrderLineRequest.model_validate(
                {"product_id": line.product_id, "sku": line.variant_sku, "quantity": line.quantity}
            )
            for line in lines
        ]

    def _new_order(
        self,
        request: CreateOrderRequest,
        order_id: str,
        user_id: str,
        email: str,
        guest: bool,
        requested: list[OrderLineRequest],
        fingerprint: str,
        caller: Caller,
    ) -> tuple[Order, AppliedPromotion | None, dict[str, Product]]:
        rules = pricing_rules()
        merged = _merge_lines(requested)
        products = self.products.get_many([line.product_id for line in merged], consistent=True)
        lines = [_order_line(products.get(line.product_id), line, rules.currency) for line in merged]
        shipping_address, billing_address = _addresses(request, lines)
        priced = priced_lines(lines, {pid: str(product.category) for pid, product in products.items()})
        applied = None
        if request.discount_code:
            try:
                applied = self.promotions.apply(
                    request.discount_code, scoped_lines(priced), email=email, consistent=True
                )
            except PromotionRefused as refused:
                raise BadRequest(str(refused), field="discount_code", reason=refused.reason) from None
        totals = price(priced, rules, applied)
        timestamp = now_iso()
        order = Order(
            order_id=order_id,
            user_id=user_id,
            order_number=order_number_for(order_id, timestamp),
            user_email=email,
            guest=guest,
            items=lines,
            subtotal=totals.subtotal,
            discount=totals.discount,
            discount_code=totals.discount_code,
            campaign_message_id=request.campaign_message_id,
            tax=totals.tax,
            shipping=totals.shipping,
            total=totals.total,
            currency=totals.currency,
            payment_method=request.payment_method,
            payment_status=PaymentStatus.UNPAID,
            shipping_address=shipping_address,
            billing_address=billing_address,
            order_status=OrderStatus.PENDING,
            order_date=timestamp,
            updated_at=timestamp,
            notes=request.notes,
            history=[HistoryEntry(status=OrderStatus.PENDING.value, at=timestamp, actor=actor_of(caller))],
            request_fingerprint=fingerprint,
        )
        return order, applied, products

    def _dispatch(self, order: Order) -> Order:
        """Announce the order to the pipeline: order-processing, or in-line under the kill switch."""
        message = OrderMessage(kind="order_placed", order_id=order.order_id, user_id=order.user_id)
        if orders_inline():
            handle_order_message(message)
            queue_id = "inline"
        else:
            try:
                queue_id = send(ORDER_PROCESSING.logical_name, message)
            except Exception as error:
                logger.exception("could not queue the order", extra={"order_id": order.order_id})
                raise ServiceUnavailable(
                    "the order was saved but could not be queued; retry with the same Idempotency-Key",
                    retry_after_seconds=5,
                    order_id=order.order_id,
                ) from error
        try:
            return self.repository.update_fields(order, {"processing_queue_id": queue_id})
        except OrderChangedError:  # pragma: no cover - the order vanished after it was written
            return order

    # -- reading ---------------------------------------------------------------------------------

    def get_for(self, order_id: str, caller: Caller, *, token: str | None = None) -> Order:
        """The order if the caller may see it: its owner, an administrator, or the holder of its access
        token or (a guest order) of its emailed link. Anyone else gets the same 404 as for a missing order."""
        order = self.repository.get(order_id)
        if order is not None:
            if caller.signed_in and (caller.is_admin or order.user_id == caller.user_id):
                return order
            if token and token_opens(order, token):
                return order
        raise NotFound(f"no order {order_id}", field="order_id")

    def document_pdf(
        self, order_id: str, kind: DocumentKind, caller: Caller, *, token: str | None = None
    ) -> tuple[str, bytes]:
        """The order's invoice or credit note as (file name, PDF), for whoever may read the order (404
        for anyone else, as `get_for`); 409 when the order has no such document (yet)."""
        order = self.get_for(order_id, caller, token=token)
        document = document_of(order, kind, seller_brand())
        return document.file_name, render_pdf(document)

    def view_for(self, order_id: str, caller: Caller, *, token: str | None = None) -> dict[str, Any]:
        """The order's JSON for whoever may see it (get_for), with its download token for its buyer."""
        order = self.get_for(order_id, caller, token=token)
        return with_download_token(order, order.public_view(), caller, token)

    def list_for(self, caller: Caller, *, limit: int, cursor: str | None) -> dict[str, Any]:
        """The caller's orders newest first, merged with the guest orders placed with their email once
        Cognito has verified it (docs/accounts.md): one page across both, one cursor for both."""
        user_id = caller.require_signed_in()
        owners = [user_id]
        if caller.email and caller.email_verified:
            owners.append(guest_user_id(caller.email))
        positions = self._history_positions(cursor, owners)
        fetched: list[tuple[Order, str]] = []
        exhausted: set[str] = set()
        for owner in owners:
            if positions.get(owner) == _DONE:
                continue
            start_key = positions.get(owner)
            page = self.repository.for_user(owner, limit=limit, start_key=start_key)
            fetched += [(order, owner) for order in page.orders]
            if page.last_key is None:
                exhausted.add(owner)
        fetched.sort(key=lambda pair: pair[0].order_date, reverse=True)
        taken = fetched[:limit]
        next_positions: dict[str, Any] = {}
        for owner in owners:
            from_owner = [order for order, source in taken if source == owner]
            left_behind = any(source == owner for _, source in fetched[limit:])
            if positions.get(owner) == _DONE or (owner in exhausted and not left_behind):
                next_positions[owner] = _DONE
            elif from_owner:
                last = from_owner[-1]
                next_positions[owner] = {
                    "order_id": last.order_id,
                    "user_id": last.user_id,
                    "order_date": last.order_date,
                }
            else:
                next_positions[owner] = positions.get(owner)
        done = all(position == _DONE for position in next_positions.values())
        return {
            "orders": [order.summary() for order, _ in taken],
            "count": len(taken),
            "next_cursor": None if done else encode_cursor({"p": next_positions}),
        }

    @staticmethod
    def _history_positions(cursor: str | None, owners: list[str]) -> dict[str, Any]:
        if not cursor:
            return {}
        positions = decode_cursor(cursor).get("p")
        if not isinstance(positions, dict) or not set(positions) <= set(owners):
            raise BadRequest("cursor belongs to a different listing", field="cursor")
        for owner, position in positions.items():
            foreign = not isinstance(position, dict) or position.get("user_id") != owner
            if position not in (None, _DONE) and foreign:
                raise BadRequest("cursor belongs to a different listing", field="cursor")
        return positions

    def admin_list(
        self,
        *,
        status: str | None,
        payment_status: str | None,
        date_from: str | None,
        date_to: str | None,
        limit: int,
        cursor: str | None,
        q: str | None = None,
    ) -> tuple[list[Order], str | None]:
        """Orders newest first through the status GSIs; without a status, all statuses merged. With `q`
        (admin_search), the orders it names, the other filters applied to them."""
        if status is not None and status not in set(OrderStatus):
            raise BadRequest(f"unknown status {status!r}", field="status")
        if payment_status is not None and payment_status not in set(PaymentStatus):
            raise BadRequest(f"unknown payment status {payment_status!r}", field="payment_status")
        low = _date_bound(date_from, "from", upper=False)
        high = _date_bound(date_to, "to", upper=True)
        if q is not None:
            found, next_cursor = search_orders(self.repository, q, limit=limit, cursor=cursor)
            return [
                order
                for order in found
                if (status is None or order.order_status.value == status)
                and (payment_status is None or order.payment_status.value == payment_status)
                and (low is None or order.order_date >= low)
                and (high is None or order.order_date <= high)
            ], next_cursor
        state = decode_cursor(cursor) if cursor else {}
        if state.get("k") is not None and not isinstance(state["k"], dict):
            raise BadRequest("cursor is not one this API issued", field="cursor")
        if status is not None or payment_status is not None:
            page = self.repository.by_index(
                status=status,
                payment_status=payment_status,
                date_from=low,
                date_to=high,
                limit=limit,
                start_key=state.get("k"),
            )
            return page.orders, encode_cursor({"k": page.last_key}) if page.last_key else None
        # No partition to query: read the newest `offset + limit` of every status and merge them.
        offset = state.get("o", 0)
        if not isinstance(offset, int) or offset < 0:
            raise BadRequest("cursor is not one this API issued", field="cursor")
        merged: list[Order] = []
        more = False
        for each in OrderStatus:
            page = self.repository.by_index(
                status=each.value,
                payment_status=None,
                date_from=low,
                date_to=high,
                limit=offset + limit,
                start_key=None,
            )
            merged.extend(page.orders)
            more = more or page.last_key is not None
        merged.sort(key=lambda order: (order.order_date, order.order_id), reverse=True)
        window = merged[offset : offset + limit]
        has_next = more or len(merged) > offset + limit
        return window, encode_cursor({"o": offset + limit}) if has_next else None

    def export_csv(
        self,
        *,
        status: str | None,
        payment_status: str | None,
        date_from: str | None,
        date_to: str | None,
        q: str | None = None,
    ) -> str:
        rows: list[Order] = []
        cursor: str | None = None
        while len(rows) < CSV_EXPORT_LIMIT:
            page, cursor = self.admin_list(
                status=status,
                payment_status=payment_status,
                date_from=date_from,
                date_to=date_to,
                limit=MAX_PAGE_SIZE,
                cursor=cursor,
                q=q,
            )
            rows.extend(page)
            if cursor is None:
                break
        output = io.StringIO()
        writer = csv.DictWriter(output, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for order in rows[:CSV_EXPORT_LIMIT]:
            document = order.model_dump(mode="json")
            document["item_count"] = sum(line.quantity for line in order.items)
            writer.writerow(document)
        return output.getvalue()

    def sales(self, *, date_from: str | None, date_to: str | None) -> dict[str, Any]:
        """The admin sales report of a range of days (at most 92; the last 30 by default)."""
        period = sales_range(date_from, date_to, today=utc_now().date())
        sales = self.repository.sales_between(period.low, period.high)
        return sales_report(sales, period, currency=pricing_rules().currency)

    # -- changing --------------------------------------------------------------------------------

    def _move(
        self,
        order: Order,
        target: OrderStatus,
        *,
        actor: str,
        note: str | None = None,
        changes: dict[str, Any] | None = None,
    ) -> Order:
        """Move with the state machine; a concurrent change is re-read and the rule checked again."""
        current = order
        for _attempt in range(MOVE_ATTEMPTS):
            try:
                return self.repository.move(current, target, actor=actor, note=note, changes=changes)
            except OrderChangedError:
                fresh = self.repository.get(order.order_id, order.user_id)
                if fresh is None:
                    raise NotFound(f"no order {order.order_id}", field="order_id") from None
                current = fresh
        raise Conflict("the order keeps changing; try again", field="status")

    def cancel(self, order_id: str, caller: Caller) -> Order:
        """The owner cancels before shipping (409 naming both states afterwards)."""
        order = self.get_for(order_id, caller)
        if order.order_status not in CANCELLABLE:
            raise IllegalTransition(order.order_status, OrderStatus.CANCELLED)
        cancelled = self._move(
            order,
            OrderStatus.CANCELLED,
            actor=actor_of(caller),
            note="cancelled by the customer",
            changes={"cancelled_date": now_iso()},
        )
        return self._after_move(cancelled, actor=actor_of(caller))

    def change_status(self, order_id: str, target: OrderStatus, caller: Caller, note: str | None) -> Order:
        """An administrator's move; side effects (emails, stock, refunds) follow the new status."""
        order = self.repository.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", field="order_id")
        timestamp = now_iso()
        changes: dict[str, Any] = {
            OrderStatus.SHIPPED: {"shipped_date": timestamp},
            OrderStatus.DELIVERED: {"delivered_date": timestamp},
            OrderStatus.CANCELLED: {"cancelled_date": timestamp},
            # An administrator records a payment taken outside the payment providers.
            OrderStatus.PAID: {"payment_status": PaymentStatus.PAID.value},
            OrderStatus.REFUNDED: {"payment_status": PaymentStatus.REFUNDED.value},
        }.get(target, {})
        if target is OrderStatus.PAID:
            # As with a provider's payment, the digital lines become downloads in the same write.
            changes = {**changes, **download_grants(order)}
        moved = self._move(order, target, actor=actor_of(caller), note=note, changes=changes)
        return self._after_move(moved, actor=actor_of(caller))

    def _after_move(self, order: Order, *, actor: str) -> Order:
        status = order.order_status
        # An administrator records a payment or a refund made elsewhere: the documents follow as they
        # do for the payment processor's (docs/orders.md, "Invoices and credit notes").
        if status is OrderStatus.PAID:
            order = issue_invoice(order, actor=actor, repository=self.repository)
        elif status is OrderStatus.REFUNDED and order.payment_status is PaymentStatus.REFUNDED:
            order = issue_credit_note(order, actor=actor, repository=self.repository)
        if status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.FAILED):
            self._announce(OrderMessage(kind="order_closed", order_id=order.order_id, user_id=order.user_id))
        template = {
            OrderStatus.CANCELLED: EmailTemplate.ORDER_CANCELLED,
            OrderStatus.REFUNDED: EmailTemplate.ORDER_REFUNDED,
            OrderStatus.FAILED: EmailTemplate.ORDER_FAILED,
            OrderStatus.SHIPPED: EmailTemplate.ORDER_SHIPPED,
            OrderStatus.PAID: EmailTemplate.PAYMENT_RECEIVED,
        }.get(status)
        if template is not None:
            notify_customer(order, template)
        if status is OrderStatus.CANCELLED and order.payment_status is PaymentStatus.PAID:
            # Money was taken for an order that will not ship: hand the refund to the payment processor.
            order = self._request_refund(order, amount=order.total, reason="order cancelled", actor=actor)
        return order

    def _announce(self, message: OrderMessage) -> None:
        if orders_inline():
            handle_order_message(message)
        else:
            send(ORDER_PROCESSING.logical_name, message)

    def add_tracking(self, order_id: str, carrier: str, tracking_number: str, caller: Caller) -> Order:
        """Record the parcel and mark the order shipped, from `processing` or straight from `paid`; a
        shipped order's tracking may be corrected without a second shipping email.

        From `paid` the order passes through `processing` (two moves, both in its history): the state
        machine keeps one road to `shipped`, so every rule and report that reads `processing` (a
        cancellation's refund, the admin's filters) sees what happened, and the trail shows the order
        was handled before it left. A paid order whose refund was requested does not ship."""
        order = self.repository.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", field="order_id")
        fields = {"carrier": carrier, "tracking_number": tracking_number}
        if order.order_status is OrderStatus.SHIPPED:
            return self.repository.update_fields(
                order, fields, condition=attr("order_status").eq(OrderStatus.SHIPPED.value)
            )
        if order.order_status not in SHIPPABLE:
            raise IllegalTransition(order.order_status, OrderStatus.SHIPPED)
        if AdminAction.SHIP not in admin_actions(order.order_status, order.payment_status):
            raise Conflict(
                f"an order ships once its payment is captured; its payment status is "
                f"{order.payment_status.value}",
                field="payment_status",
                payment_status=order.payment_status.value,
            )
        if order.order_status is OrderStatus.PAID:
            order = self._move(
                order, OrderStatus.PROCESSING, actor=actor_of(caller), note="preparing the shipment"
            )
        shipped = self._move(
            order,
            OrderStatus.SHIPPED,
            actor=actor_of(caller),
            note=f"{carrier} {tracking_number}",
            changes={**fields, "shipped_date": now_iso()},
        )
        notify_customer(shipped, EmailTemplate.ORDER_SHIPPED)
        return shipped

    def refund(self, order_id: str, request: RefundRequest, caller: Caller) -> Order:
        """Ask the payment processor to refund a paid order. The order keeps its status and is
        flagged (`refund_requested`, payment_status `refund_requested`) until the processor reports
        the refund and moves it to `refunded`."""
        order = self.repository.get(order_id)
        if order is None:
            raise NotFound(f"no order {order_id}", field="order_id")
        amount = request.amount if request.amount is not None else order.total
        if amount > order.total:
            raise BadRequest(f"the refund cannot exceed the order total ({order.total})", field="amount")
        return self._request_refund(order, amount=amount, reason=request.reason, actor=actor_of(caller))

    def _request_refund(self, order: Order, *, amount: int, reason: str | None, actor: str) -> Order:
        return request_refund(self.repository, order, amount=amount, reason=reason, actor=actor)
