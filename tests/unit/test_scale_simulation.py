"""docs/scaling.md's claims, checked against bench/simulate_scale.py run on the code as it is.

The simulation reads the stage throttles, reserved concurrency, consumer concurrency and stage settings
from the code, so a change to any of them that would make the capacity plan wrong fails here instead
of leaving the document stale. Each scenario runs once per module (a few seconds each).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bench import simulate_scale as sim
from cdk_app.api_routes import ROUTES
from cdk_app.traffic_limits import Throttle, route_throttle


@pytest.fixture(scope="module")
def flash() -> dict[str, Any]:
    return sim.simulate("flash_sale", "prod")


@pytest.fixture(scope="module")
def flash_planned() -> dict[str, Any]:
    return sim.simulate("flash_sale", "prod", sale_plan=True)


@pytest.fixture(scope="module")
def flash_planned_email_as_is() -> dict[str, Any]:
    return sim.simulate("flash_sale", "prod", sale_plan=True, plan_email=False)


@pytest.fixture(scope="module")
def daily() -> dict[str, Any]:
    return sim.simulate("daily", "prod")


def test_the_limits_are_the_codes() -> None:
    limits = sim.limits_for("prod")
    route = next(route for route in ROUTES if (route.method, route.path) == ("POST", "/orders/create"))
    assert limits.throttles["POST /orders/create"] == route_throttle(route)
    assert limits.reserved["order_api"] == 100
    assert limits.api_cache is True  # cdk.json: prod keeps the stage cache, dev does not
    assert sim.limits_for("dev").api_cache is False
    assert limits.payment_hold_s == 30 * 60


def test_a_flash_sale_on_prod_is_refused_first_by_the_catalogs_stage_throttle(flash: dict[str, Any]) -> None:
    """Doc: the product page's burst passes the catalog class's 28/s within seconds of the opening
    (the stage throttle counts the requests the stage cache answers), then cart and checkout."""
    assert flash["first_to_break"] == "stage throttle GET /products/{id}"
    assert flash["first_refusals"]["stage throttle GET /products/{id}"] < 10
    assert (
        flash["routes"]["GET /products/{id}"]["peak_rps"]
        > 2 * flash["routes"]["GET /products/{id}"]["limit_rps"]
    )
    # Fewer than half of the 5,000 shoppers get an order in: checkout admits 3/s per route.
    assert flash["orders_placed"] < sim.FLASH_SHOPPERS / 2
    assert flash["gave_up"]["order"] > 1_000
    # Nothing behind the gateway refuses anything: no Lambda, DynamoDB or SES limit is reached.
    assert all(function["throttled"] == 0 for function in flash["functions"].values())
    assert flash["dynamodb"]["stock_contention_503"] == 0
    assert flash["email"]["dead_lettered"] == 0


def test_every_order_the_stage_takes_gets_paid(flash: dict[str, Any]) -> None:
    """The payment and webhook throttles follow the order-placing routes (cdk_app/traffic_limits.py):
    an order once placed is not refused at payment, so it does not hold stock it will never sell."""
    assert flash["orders_paid"] >= 0.99 * flash["orders_placed"]
    assert flash["gave_up"].get("payment", 0) < 0.01 * flash["orders_placed"]
    assert flash["paid_after_payment_hold"] == 0


def test_the_hot_stock_item_stays_under_one_partitions_write_limit(
    flash: dict[str, Any], flash_planned: dict[str, Any]
) -> None:
    """Doc: 2 WCU a transactional order on a 1 KB item; far under 1,000 WCU even with the sale plan."""
    for result in (flash, flash_planned):
        assert 0 < result["dynamodb"]["hot_stock_item_peak_wcu"] < 0.1 * sim.PARTITION_WCU
        assert result["dynamodb"]["orders_pending_gsi_key_peak_wru"] < sim.PARTITION_WCU


def test_with_the_sale_plan_transaction_conflicts_on_the_stock_item_come_first(
    flash_planned: dict[str, Any],
) -> None:
    """Doc: once the gateway admits the sale, the stock item's transactions (one at a time) refuse
    orders with 503 before any throughput limit is near - the case for a sharded stock counter."""
    assert flash_planned["first_to_break"] == "DynamoDB stock item (transactions cancelled, 503)"
    assert flash_planned["dynamodb"]["stock_contention_503"] > 0
    assert flash_planned["orders_placed"] > 0.9 * sim.FLASH_SHOPPERS
    assert flash_planned["orders_paid"] == flash_planned["orders_placed"]
    assert flash_planned["email"]["dead_lettered"] == 0
    # Next in line, outside AWS: Stripe's 25 requests/s per endpoint (a raise takes weeks to ask for).
    assert flash_planned["stripe"]["create_intent_peak_per_s"] > sim.STRIPE_ENDPOINT_RPS


def test_email_sender_overdrives_ses_unless_its_concurrency_matches_the_quota(
    flash_planned_email_as_is: dict[str, Any],
) -> None:
    """Doc: 5 senders offer ~60 emails/s; at 14/s SES throttles, the breaker counts it as an outage and
    opens, and messages come back until their third receive parks them in the DLQ."""
    email = flash_planned_email_as_is["email"]
    assert email["breaker_opened"] > 0
    assert email["dead_lettered"] > email["sent"]


def test_ten_thousand_orders_a_day_fit_with_room(daily: dict[str, Any]) -> None:
    assert daily["orders_placed"] == pytest.approx(sim.peak_hour_orders(), rel=0.1)
    assert daily["orders_paid"] == daily["orders_placed"]
    assert daily["api"]["peak_rps"] < 0.01 * sim.API_ACCOUNT_RPS
    assert daily["dynamodb"]["peak_wru_per_s"] < 0.1 * sim.ON_DEMAND_NEW_TABLE_WRU
    assert all(function["throttled"] == 0 for function in daily["functions"].values())
    assert daily["email"]["dead_lettered"] == 0
    # The one refusal at that peak: the checkout page's polling of the order (1/s) on a 3/s route.
    refused = {key for key, route in daily["routes"].items() if route["throttled"]}
    assert refused <= {"GET /orders/{id}", "GET /guest/orders/{id}"}


def test_the_cost_per_thousand_orders_is_what_the_doc_says(daily: dict[str, Any]) -> None:
    cost = daily["cost_per_1000_orders_usd"]
    assert 0.4 < cost["total"] < 1.2
    assert cost["ses"] == pytest.approx(0.30)  # 3 emails an order at $0.10 per 1,000
    assert max(cost, key=lambda name: cost[name] if name != "total" else 0) in {"ses", "api_gateway"}


def test_a_stage_throttle_change_moves_the_result() -> None:
    """The simulation has no numbers of its own for the gateway: open every public route's throttle and
    the refusals go away (with half the shoppers, to keep it quick: prod refuses some of them too)."""
    limits = sim.limits_for("prod")
    shoppers = sim.FLASH_SHOPPERS // 2
    as_is = sim.report(sim.run_flash_sale(limits, seed=20, shoppers=shoppers), "as is")
    assert sum(route["throttled"] for route in as_is["routes"].values()) > 0
    wide = dict.fromkeys(limits.throttles, Throttle(rate_per_second=1_000, burst=2_000))
    opened = sim.report(
        sim.run_flash_sale(replace(limits, throttles=wide), seed=20, shoppers=shoppers), "open"
    )
    assert sum(route["throttled"] for route in opened["routes"].values()) == 0
    assert opened["orders_placed"] > 0.95 * shoppers > as_is["orders_placed"]


def test_the_sale_plan_is_the_stages_setting_and_the_retry_waits_are_the_orders() -> None:
    """No private numbers for what the code decides: the sale plan's throttles are what cdk.json's
    peak_requests_per_minute derives for it, and a lost stock round waits as store_with_stock does."""
    from shop.orders import inventory

    planned = sim.with_sale_plan(sim.limits_for("prod"))
    raised = sim.limits_for("prod", peak_requests_per_minute=sim.SALE_PLAN["peak_requests_per_minute"])  # type: ignore[arg-type]
    assert planned.throttles == raised.throttles
    assert vars(sim)["retry_pause"] is inventory.retry_pause
