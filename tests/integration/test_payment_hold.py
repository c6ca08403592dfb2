"""An unpaid order holds its stock for the stage's payment hold, then the scheduled sweep cancels it: the
stock comes back once, the payments started for it are cancelled, and a payment that still arrives
is refunded. Time is passed in (`now`), never waited for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from shop.contracts import environment
from shop.contracts.schedules import PAYMENT_HOLD_SWEEP_JOB
from shop.orders.model import Order
from shop.orders.payment_hold import EXPIRY_NOTE, expire_payment_holds
from shop.orders.repository import OrderChangedError, OrderPage, OrderRepository
from shop.orders.state import OrderStatus
from shop.payments import settlement
from shop.payments.model import PaymentMessage, PaymentState, ProviderRejected
from shop.payments.settlement import PaymentSettlement
from shop.platform.clock import iso, utc_now
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.events import admin_claims
from tests.integration.order_events import (
    OrderWorld,
    call_order_api,
    new_product,
    order_action_event,
    order_world_in,
    place,
    run_queue,
    sqs_event_from,
    stored_order,
    stored_stock,
)

HOLD_MINUTES = 30


@pytest.fixture
def order_world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from order_world_in(monkeypatch, lambda_context)


def after(minutes: int) -> datetime:
    """A moment `minutes` from now: the sweep is told the time instead of the test waiting for it."""
    return utc_now() + timedelta(minutes=minutes)


def sweep(minutes_later: int) -> list[str]:
    return list(expire_payment_holds(now=after(minutes_later), hold_minutes=HOLD_MINUTES).expired)


@dataclass
class ProviderDouble:
    """A payment provider that records what it was asked; `taken` payments refuse to be cancelled."""

    name: str
    taken: set[str] = field(default_factory=set)
    cancelled: list[str] = field(default_factory=list)
    refunds: list[tuple[str, int, str]] = field(default_factory=list)
    states: dict[str, PaymentState] = field(default_factory=dict)

    def cancel(self, payment_id: str) -> None:
        if payment_id in self.taken:
            raise ProviderRejected(f"{payment_id} has already succeeded")
        self.cancelled.append(payment_id)

    def retrieve(self, payment_id: str) -> PaymentState:
        return self.states[payment_id]

    def refund(self, payment_id: str, amount: int, *, idempotency_key: str) -> str:
        self.refunds.append((payment_id, amount, idempotency_key))
        return f"re_{len(self.refunds)}"


@pytest.fixture
def providers(monkeypatch: pytest.MonkeyPatch) -> dict[str, ProviderDouble]:
    doubles = {"stripe": ProviderDouble("stripe"), "paypal": ProviderDouble("paypal")}
    monkeypatch.setattr(settlement, "provider_named", lambda name: doubles[name])
    return doubles


def test_an_unpaid_order_past_its_hold_is_cancelled_and_its_stock_returned_once(
    order_world: OrderWorld,
) -> None:
    product_id = new_product(stock=10)
    order_id = place(product_id, 3, user_id=None, email="late@example.com").body["order_id"]
    run_queue(order_world, "order-processing")
    order_world.drain("email-notification")
    assert stored_stock(product_id) == 7

    assert sweep(HOLD_MINUTES + 1) == [order_id]
    # A second run before inventory_updater caught up asks for the stock again; it comes back once.
    assert sweep(HOLD_MINUTES + 2) == []
    restores, _ = run_queue(order_world, "inventory-update")
    assert len(restores) == 2
    assert stored_stock(product_id) == 10
    assert sweep(HOLD_MINUTES + 3) == []
    assert order_world.drain("inventory-update") == []  # nothing held any more: nothing asked for
    assert stored_stock(product_id) == 10

    order = stored_order(order_id)
    assert (order.order_status, order.payment_status) == ("cancelled", "unpaid")
    assert (order.stock_reserved, order.stock_restored) == (False, True)
    assert order.cancelled_date is not None
    last = order.history[-1]
    assert (last.previous_status, last.status, last.note) == ("pending", "cancelled", EXPIRY_NOTE)
    emails = order_world.bodies("email-notification")
    assert [(body["template"], body["to"]) for body in emails] == [("order_cancelled", "late@example.com")]


def test_a_closed_order_still_holding_stock_gets_it_back_on_the_next_sweep(order_world: OrderWorld) -> None:
    """A path that closes an order without asking for its stock (here: a move straight to failed, as
    a payment of the wrong amount does) does not keep the stock held past the next sweep."""
    product_id = new_product(stock=10)
    order_id = place(product_id, 4).body["order_id"]
    OrderRepository().move(stored_order(order_id), OrderStatus.FAILED, actor="test")
    assert order_world.drain("inventory-update") == []

    result = expire_payment_holds(now=after(HOLD_MINUTES + 1), hold_minutes=HOLD_MINUTES)
    assert (result.expired, result.restores_repeated) == ((), (order_id,))
    run_queue(order_world, "inventory-update")
    assert stored_stock(product_id) == 10
    assert sweep(HOLD_MINUTES + 2) == []
    assert order_world.drain("inventory-update") == []


def test_an_order_within_its_hold_and_a_paid_order_are_untouched(order_world: OrderWorld) -> None:
    product_id = new_product(stock=10)
    waiting = place(product_id, 1).body["order_id"]
    paid = place(product_id, 2).body["order_id"]
    moved = call_order_api(
        order_action_event("PUT", "/orders/{id}/status", paid, admin_claims(), body={"status": "paid"})
    )
    assert moved.status == 200, moved.body
    order_world.drain("inventory-update")

    assert sweep(HOLD_MINUTES - 1) == []
    assert stored_order(waiting).order_status == "pending"
    assert sweep(HOLD_MINUTES + 1) == [waiting]
    assert stored_order(paid).order_status == "paid"
    run_queue(order_world, "inventory-update")
    assert stored_stock(product_id) == 8  # the paid order keeps its two


def test_an_order_paid_after_the_index_was_read_is_left_to_its_payment(order_world: OrderWorld) -> None:
    """The status index lags the table: the sweep's write is conditioned on pending and unpaid."""
    product_id = new_product(stock=10)
    order_id = place(product_id, 1).body["order_id"]
    stale = stored_order(order_id)
    OrderRepository().move(
        stale, OrderStatus.PAID, actor="test", changes={"payment_status": "paid", "payment_id": "pi_1"}
    )

    class StaleIndex(OrderRepository):
        def by_index(self, **arguments: Any) -> OrderPage:
            return OrderPage([stale] if arguments["status"] == "pending" else [], None)

    result = expire_payment_holds(
        now=after(HOLD_MINUTES + 1), hold_minutes=HOLD_MINUTES, repository=StaleIndex()
    )
    assert result.expired == ()
    assert stored_order(order_id).order_status == "paid"
    assert order_world.drain("inventory-update") == []
    assert order_world.drain("payment-processing") == []


def test_the_scheduled_event_runs_the_sweep_with_the_stage_hold(
    order_world: OrderWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from order_processor.handler import handler

    monkeypatch.setenv(environment.PAYMENT_HOLD_MINUTES, "45")
    reset_process_state()
    order_id = place(new_product(stock=5), 1).body["order_id"]
    assert handler({"job": PAYMENT_HOLD_SWEEP_JOB}, order_world.context)["expired"] == []

    # The handler reads the real clock: the order is placed 46 minutes earlier instead of waiting.
    order = stored_order(order_id)
    OrderRepository().update_fields(order, {"order_date": iso(utc_now() - timedelta(minutes=46))})
    swept = handler({"job": PAYMENT_HOLD_SWEEP_JOB}, order_world.context)
    assert swept["expired"] == [order_id]
    assert stored_order(order_id).order_status == "cancelled"


def test_a_payment_attempt_is_recorded_once_even_from_a_stale_order(order_world: OrderWorld) -> None:
    order_id = place(new_product(stock=5), 1).body["order_id"]
    stale = stored_order(order_id)  # read before any payment started, as payment_api's copy may be
    repository = OrderRepository()
    repository.record_payment_attempt(stale, "stripe", "pi_1")
    repository.record_payment_attempt(stale, "stripe", "pi_1")
    repository.record_payment_attempt(stale, "paypal", "PAYPAL-2")
    attempts = [(a.provider, a.payment_id) for a in stored_order(order_id).payment_attempts]
    assert attempts == [("stripe", "pi_1"), ("paypal", "PAYPAL-2")]
    with pytest.raises(OrderChangedError):
        repository.record_payment_attempt(stale.model_copy(update={"order_id": "ord_gone"}), "stripe", "pi_3")


def test_the_payments_of_an_expired_order_are_cancelled_by_payment_processor(
    order_world: OrderWorld, providers: dict[str, ProviderDouble]
) -> None:
    from payment_processor.handler import handler

    product_id = new_product(stock=10)
    order_id = place(product_id, 1).body["order_id"]
    repository = OrderRepository()
    for provider, payment_id in (("stripe", "pi_first"), ("stripe", "pi_second"), ("paypal", "PAYPAL-1")):
        repository.record_payment_attempt(stored_order(order_id), provider, payment_id)
    repository.record_payment_attempt(stored_order(order_id), "stripe", "pi_first")  # a repeat: once
    attempts = [(a.provider, a.payment_id) for a in stored_order(order_id).payment_attempts]
    assert attempts == [("stripe", "pi_first"), ("stripe", "pi_second"), ("paypal", "PAYPAL-1")]
    providers["stripe"].taken.add("pi_second")  # succeeded at the last moment: it cannot be cancelled

    assert sweep(HOLD_MINUTES + 1) == [order_id]
    messages = order_world.drain("payment-processing")
    assert [json.loads(m["Body"]) for m in messages] == [
        {"kind": "cancel_payments", "order_id": order_id, "user_id": "alice"}
    ]
    response = handler(sqs_event_from(messages, "payment-processing"), order_world.context)

    assert response["batchItemFailures"] == []
    assert providers["stripe"].cancelled == ["pi_first"]
    assert providers["paypal"].cancelled == ["PAYPAL-1"]


def test_cancel_payments_leaves_an_order_that_still_awaits_payment_alone(
    order_world: OrderWorld, providers: dict[str, ProviderDouble]
) -> None:
    from shop.orders.model import CancelPaymentsMessage

    order_id = place(new_product(stock=10), 1).body["order_id"]
    OrderRepository().record_payment_attempt(stored_order(order_id), "stripe", "pi_open")
    outcome = PaymentSettlement().cancel_payments(CancelPaymentsMessage(order_id=order_id, user_id="alice"))
    assert outcome.outcome == "skipped"
    assert providers["stripe"].cancelled == []


def test_a_payment_that_arrives_after_the_hold_expired_is_refunded_at_once(
    order_world: OrderWorld, providers: dict[str, ProviderDouble]
) -> None:
    product_id = new_product(stock=10, price=2500)
    order_id = place(product_id, 1).body["order_id"]
    assert sweep(HOLD_MINUTES + 1) == [order_id]
    run_queue(order_world, "inventory-update")
    assert stored_stock(product_id) == 10
    expired: Order = stored_order(order_id)
    providers["stripe"].states["pi_late"] = PaymentState(
        payment_id="pi_late", status="succeeded", amount=expired.total, currency="usd", order_id=order_id
    )

    outcome = PaymentSettlement().settle(
        PaymentMessage(
            provider="stripe", event_id="evt_late", payment_id="pi_late", order_id=order_id, user_id="alice"
        )
    )

    assert outcome.outcome == "refunded"
    assert [(payment, amount) for payment, amount, _key in providers["stripe"].refunds] == [
        ("pi_late", expired.total)
    ]
    returned = stored_order(order_id)
    assert (returned.order_status, returned.payment_status) == ("cancelled", "refunded")
    assert (returned.payment_id, returned.refund_amount) == ("pi_late", expired.total)
    run_queue(order_world, "inventory-update")
    assert stored_stock(product_id) == 10  # the stock came back once, with the expiry
