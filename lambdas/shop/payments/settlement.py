"""What payment_processor does with a message: settle a payment, execute a refund, or cancel the
payments started for an order whose hold expired.

Settling verifies the payment with the provider (never trusting the message), then moves the order
`pending -> paid` with a write conditioned on its status (granting its digital lines' downloads in
the same write), and queues the PAYMENT_RECEIVED email (deduplicated per order), which carries them.
A failed attempt (declined card, failed 3-D Secure) leaves the order pending: it holds its stock
until the shopper pays another way or the hold expires. Only money the provider took for an order
that cannot keep it (wrong amount, expired or cancelled order, a second payment) moves it on
and is refunded at once. A paid order gets its invoice number and a completed
refund of an invoiced order its credit note, each once (shop.orders.invoicing). A message naming an
order that is not stored raises OrderNotFoundError (payment_processor parks it in the DLQ at once). An
event id is acted on once: its record in the Idempotency table is written after the order changed, so
a crash in between retries the event and the conditional move makes the retry harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from shop.contracts.alarm_metric_names import PAYMENT_FAILED, PAYMENT_SUCCEEDED, PROVIDER_DIMENSION
from shop.contracts.email_messages import EmailTemplate
from shop.contracts.queues import INVENTORY_UPDATE
from shop.orders.downloads import download_grants
from shop.orders.invoicing import issue_credit_note, issue_invoice
from shop.orders.model import CancelPaymentsMessage, InventoryMessage, Order, RefundMessage
from shop.orders.notifications import notify_customer, send
from shop.orders.processing import OrderNotFoundError
from shop.orders.repository import OrderChangedError, OrderRepository
from shop.orders.state import OrderStatus, PaymentStatus, can_move
from shop.payments.breakers import guarded
from shop.payments.model import (
    PaymentMessage,
    PaymentProviderError,
    PaymentState,
    ProviderRejected,
    idempotency_key,
)
from shop.payments.providers import provider_named
from shop.platform import idempotency
from shop.platform.dynamodb import attr
from shop.platform.observability import count_metric, logger

ACTOR = "payment_processor"
EVENT_RECORD_PREFIX = "payment_event#"
EVENT_RECORD_SECONDS = 30 * 24 * 3600
MOVE_ATTEMPTS = 3


class PaymentNotSettled(PaymentProviderError):
    """The provider has not decided yet (processing): transient, the message is retried later."""


@dataclass(frozen=True)
class Outcome:
    outcome: str  # paid | failed | duplicate | skipped | refunded | cancelled
    order_id: str
    detail: str | None = None


def _count(metric: str, provider: str) -> None:
    count_metric(metric, {PROVIDER_DIMENSION: provider})


def _event_record_id(message: PaymentMessage) -> str:
    return f"{EVENT_RECORD_PREFIX}{message.provider}#{message.event_id}"


def _already_processed(message: PaymentMessage) -> bool:
    return idempotency.recorded(_event_record_id(message)) is not None


def _record_processed(message: PaymentMessage, outcome: str) -> None:
    # False when a concurrent delivery recorded it first: the conditional move let only one of them
    # change the order, so there is nothing more to do.
    idempotency.record_once(
        _event_record_id(message),
        ttl_seconds=EVENT_RECORD_SECONDS,
        order_id=message.order_id,
        outcome=outcome,
    )


class PaymentSettlement:
    """Settles payments and refunds; `orders` is injectable for tests."""

    def __init__(self, orders: OrderRepository | None = None) -> None:
        self.orders = orders or OrderRepository()

    def _order(self, order_id: str, user_id: str | None) -> Order | None:
        return self.orders.get(order_id, user_id)

    def _move(self, order: Order, target: OrderStatus, *, note: str, changes: dict[str, Any]) -> Order | None:
        """Move the order if it still may; None when another writer moved it somewhere else first."""
        current: Order | None = order
        for _attempt in range(MOVE_ATTEMPTS):
            if current is None or not can_move(current.order_status, target):
                return None
            try:
                return self.orders.move(current, target, actor=ACTOR, note=note, changes=changes)
            except OrderChangedError:
                current = self._order(order.order_id, order.user_id)
        return None

    def settle(self, message: PaymentMessage) -> Outcome:
        if _already_processed(message):
            return Outcome("duplicate", message.order_id, message.event_id)
        order = self._order(message.order_id, message.user_id)
        if order is None:
            # The provider may have taken money for it (another stage sharing the provider account, an
            # erased order): a person must look, so the message goes to the DLQ.
            raise OrderNotFoundError(f"payment {message.payment_id} names no order {message.order_id}")
        provider = provider_named(message.provider)
        state = guarded(provider.name, lambda: provider.retrieve(message.payment_id))
        if state.order_id != order.order_id:
            # The message names an order the payment is not for: never settle one order with another's money.
            logger.error(
                "payment belongs to another order",
                extra={"order_id": order.order_id, "payment_id": state.payment_id},
            )
            _record_processed(message, "mismatch")
            return Outcome("skipped", order.order_id, "payment is for another order")
        if state.status == "pending":
            raise PaymentNotSettled(f"payment {state.payment_id} is still processing")
        outcome = self._apply(order, message, state)
        _record_processed(message, outcome.outcome)
        return outcome

    def _apply(self, order: Order, message: PaymentMessage, state: PaymentState) -> Outcome:
        status, amount, currency = state.status, state.amount, state.currency
        if status == "succeeded" and (amount != order.total or currency.lower() != order.currency.lower()):
            logger.error(
                "payment amount differs from the order total",
                extra={"order_id": order.order_id, "amount": amount, "total": order.total},
            )
            status, reason = "failed", "amount_mismatch"
        else:
            reason = "payment_failed"
        if status == "succeeded":
            paid = self._move(
                order,
                OrderStatus.PAID,
                note=f"{message.provider} payment {state.payment_id}",
                changes={
                    "payment_status": PaymentStatus.PAID.value,
                    # PayPal's capture id (not its order id): refunds are made against the capture.
                    "payment_id": state.payment_id,
                    "payment_method": message.provider,
                    # Its digital lines become downloads in the same write (shop.orders.downloads).
                    **download_grants(order),
                },
            )
            if paid is None:
                current = self._order(order.order_id, order.user_id) or order
                if current.payment_id != state.payment_id:
                    return self._give_back(
                        current, message, state, why=f"the order is {current.order_status.value}"
                    )
                if current.payment_status is not PaymentStatus.PAID:
                    return Outcome("duplicate", order.order_id, f"payment {state.payment_id} was returned")
                paid = current  # an earlier delivery moved it; the email below is deduplicated
            else:
                _count(PAYMENT_SUCCEEDED, message.provider)
            # Once per order: a redelivery (or a crash after the move) finds the number taken.
            paid = issue_invoice(paid, actor=ACTOR, repository=self.orders)
            notify_customer(paid, EmailTemplate.PAYMENT_RECEIVED)
            return Outcome("paid", order.order_id)
        if state.status == "failed":
            # A declined card or a failed 3-D Secure: the shopper saw it on the page and may pay with
            # another card while the order holds its stock; an order never paid expires with its hold.
            _count(PAYMENT_FAILED, message.provider)
            logger.info(
                "payment attempt failed; the order still awaits payment",
                extra={"order_id": order.order_id, "payment_id": state.payment_id},
            )
            return Outcome("failed", order.order_id, reason)
        failed = self._move(
            order,
            OrderStatus.FAILED,
            note=f"{message.provider} payment {message.payment_id} failed",
            changes={"payment_status": PaymentStatus.FAILED.value, "failure_reason": reason},
        )
        if failed is None:
            return Outcome("skipped", order.order_id, f"order is {order.order_status.value}")
        _count(PAYMENT_FAILED, message.provider)
        notify_customer(failed, EmailTemplate.ORDER_FAILED)
        # The amount was wrong, but the provider did take it.
        return self._give_back(failed, message, state, why=reason)

    def _give_back(self, order: Order, message: PaymentMessage, state: PaymentState, *, why: str) -> Outcome:
        """The provider took money for an order that cannot be paid with it: the stock ran out (or the
        shopper cancelled) while they paid, a second payment of a paid order, or a wrong amount. The
        whole payment is refunded at once (idempotently per payment) and recorded on the order when it
        has no payment of its own."""
        provider = provider_named(message.provider)
        refund_id = guarded(
            provider.name,
            lambda: provider.refund(
                state.payment_id, state.amount, idempotency_key=idempotency_key("return", state.payment_id)
            ),
        )
        logger.warning(
            "payment returned: the order cannot take it",
            extra={
                "order_id": order.order_id,
                "payment_id": state.payment_id,
                "refund_id": refund_id,
                "why": why,
            },
        )
        if order.payment_id and order.payment_id != state.payment_id:
            return Outcome("refunded", order.order_id, f"second payment {state.payment_id} returned")
        changes = {
            "payment_status": PaymentStatus.REFUNDED.value,
            "payment_id": state.payment_id,
            "payment_method": message.provider,
            "refund_amount": state.amount,
            "refund_reason": why,
        }
        note = f"payment {state.payment_id} returned ({why}): refund {refund_id}"
        returned = self._move(order, OrderStatus.REFUNDED, note=note, changes=changes)
        if returned is None:  # cancelled stays cancelled; only its payment is marked refunded
            try:
                returned = self.orders.update_fields(
                    order, changes, condition=attr("payment_id").not_exists()
                )
            except OrderChangedError:
                return Outcome("refunded", order.order_id, f"payment {state.payment_id} returned")
        notify_customer(returned, EmailTemplate.ORDER_REFUNDED)
        return Outcome("refunded", order.order_id, refund_id)

    def refund(self, message: RefundMessage) -> Outcome:
        """Execute a requested refund once: the provider call carries a key per order, so a retry
        returns the first refund; the order then moves to `refunded` and its stock comes back."""
        order = self._order(message.order_id, message.user_id)
        if order is None:
            raise OrderNotFoundError(f"no order {message.order_id} of {message.user_id}")
        if order.payment_status is not PaymentStatus.REFUND_REQUESTED:
            if order.payment_status is PaymentStatus.REFUNDED:
                self._after_refund(order)  # a redelivery after a crash: the follow-ups are idempotent
                return Outcome("duplicate", order.order_id)
            return Outcome("skipped", order.order_id, f"payment status {order.payment_status.value}")
        if not order.payment_id:
            raise PaymentProviderError(f"order {order.order_id} has no payment to refund")
        provider = provider_named(order.payment_method or message.payment_method or "")
        payment_id = order.payment_id
        refund_id = guarded(
            provider.name,
            lambda: provider.refund(
                payment_id, message.amount, idempotency_key=idempotency_key("refund", order.order_id)
            ),
        )
        changes = {"payment_status": PaymentStatus.REFUNDED.value, "refund_requested": False}
        note = f"refund {refund_id} of {message.amount}"
        refunded = self._move(order, OrderStatus.REFUNDED, note=note, changes=changes)
        if refunded is None:
            # Cancelled orders cannot become `refunded`: only their payment is marked refunded.
            refunded = self.orders.update_fields(
                order, changes, condition=attr("payment_status").eq(PaymentStatus.REFUND_REQUESTED.value)
            )
        self._after_refund(refunded)
        return Outcome("refunded", order.order_id, refund_id)

    def cancel_payments(self, message: CancelPaymentsMessage) -> Outcome:
        """Cancel the payments started for an order that can no longer be paid (its hold expired), so
        the shopper cannot complete one. A payment the provider already took or cancelled is refused
        (ProviderRejected) and left alone: money that still reaches the order is returned by `settle`."""
        order = self._order(message.order_id, message.user_id)
        if order is None:
            raise OrderNotFoundError(f"no order {message.order_id} of {message.user_id}")
        if order.order_status is OrderStatus.PENDING:
            return Outcome("skipped", order.order_id, "the order still awaits payment")
        cancelled = []
        for attempt in order.payment_attempts:
            if attempt.payment_id == order.payment_id:
                continue  # the payment the order was paid with: refunds, not cancels, undo it
            provider = provider_named(attempt.provider)
            try:
                guarded(provider.name, partial(provider.cancel, attempt.payment_id))
            except ProviderRejected as error:
                logger.info(
                    "payment not cancelled: already taken or cancelled",
                    extra={"order_id": order.order_id, "payment_id": attempt.payment_id, "error": str(error)},
                )
                continue
            cancelled.append(attempt.payment_id)
        return Outcome("cancelled", order.order_id, ", ".join(cancelled) or None)

    def _after_refund(self, order: Order) -> None:
        # The credit note of an invoiced order, once (a redelivery finds it issued).
        order = issue_credit_note(order, actor=ACTOR, repository=self.orders)
        send(
            INVENTORY_UPDATE.logical_name,
            InventoryMessage(kind="restore", order_id=order.order_id, user_id=order.user_id),
        )
        notify_customer(order, EmailTemplate.ORDER_REFUNDED)
