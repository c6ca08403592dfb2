"""A stage's planned traffic (cdk.json's `peak_requests_per_minute`): validated as it is read, and the
one number every stage throttle, the API docs and the capacity simulation are derived from.

The synthesized template's side (the doubled setting reaches the ApiStage stack's method settings) is
tests/infra/test_edge_security.py's, which shares a synth with the custom-domain checks.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench import simulate_scale as sim
from cdk_app.api_routes import ROUTES, Access
from cdk_app.config import ConfigError, load_stage_config
from cdk_app.traffic_limits import (
    MAX_PEAK_REQUESTS_PER_MINUTE,
    SEED_LOAD,
    SEED_REQUESTS_PER_MINUTE,
    RouteClass,
    class_throttle,
    planned_load,
    route_class,
    route_throttle,
)

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


def _context(**prod_settings: Any) -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]
    context = copy.deepcopy(context)
    context["shop:stages"]["prod"].update(prod_settings)
    return context


def _without_peak() -> dict[str, Any]:
    context = _context()
    del context["shop:stages"]["prod"]["peak_requests_per_minute"]
    return context


# -- the setting ----------------------------------------------------------------------------------


def test_every_stage_plans_seed_001s_traffic_and_absent_means_the_same() -> None:
    """Absent or at its default, the throttles are the ones the templates had before the setting."""
    for stage in ("dev", "prod", "local"):
        assert load_stage_config(_context(), stage).peak_requests_per_minute == SEED_REQUESTS_PER_MINUTE
    config = load_stage_config(_without_peak(), "prod")
    assert config.peak_requests_per_minute == SEED_REQUESTS_PER_MINUTE == SEED_LOAD.requests_per_minute
    assert config.load_model == SEED_LOAD
    assert all(route_throttle(route, config.load_model) == route_throttle(route) for route in ROUTES)


def test_a_stage_for_a_sale_plans_more() -> None:
    config = load_stage_config(_context(peak_requests_per_minute=20_000), "prod")
    assert config.load_model.requests_per_minute == 20_000
    assert config.load_model.shares == SEED_LOAD.shares  # what shoppers do is unchanged: how many


@pytest.mark.parametrize("value", [0, -1000])
def test_a_peak_that_is_not_positive_is_refused(value: int) -> None:
    with pytest.raises(ConfigError, match=r"peak_requests_per_minute.*positive number"):
        load_stage_config(_context(peak_requests_per_minute=value), "prod")


def test_a_peak_above_the_accounts_api_gateway_limit_is_refused_naming_it() -> None:
    assert load_stage_config(_context(peak_requests_per_minute=MAX_PEAK_REQUESTS_PER_MINUTE), "prod")
    with pytest.raises(ConfigError, match=r"account-level throttle of 10,000 requests/s.*quota increase"):
        load_stage_config(_context(peak_requests_per_minute=MAX_PEAK_REQUESTS_PER_MINUTE + 1), "prod")


@pytest.mark.parametrize("value", ["20000", 2000.0, 1500.5, True, None])
def test_a_peak_must_be_a_json_integer(value: Any) -> None:
    """No silent conversion: "20000" (a string) or 1500.5 in cdk.json is a mistake to show, not guess."""
    with pytest.raises(ConfigError, match=r"key 'peak_requests_per_minute'.*valid integer"):
        load_stage_config(_context(peak_requests_per_minute=value), "prod")


# -- what follows it --------------------------------------------------------------------------------


def test_every_public_class_scales_with_the_plan() -> None:
    """Ten times the plan: each public class's rate is ten times its planned share x headroom (rounded
    up), its burst twice that, and the payment and webhook routes still admit both order-placing routes."""
    tenfold = planned_load(10 * SEED_REQUESTS_PER_MINUTE)
    for kind, share in SEED_LOAD.shares.items():
        throttle = class_throttle(kind, tenfold)
        planned = 10 * SEED_REQUESTS_PER_MINUTE / 60 * share * SEED_LOAD.headroom
        assert planned <= throttle.rate_per_second < planned + 1 or kind in (
            RouteClass.PAYMENTS,
            RouteClass.WEBHOOKS,
        ), kind
        assert throttle.burst == max(10, 2 * throttle.rate_per_second)
    orders = class_throttle(RouteClass.ORDERS, tenfold).rate_per_second
    assert orders == 30  # 10,000/60 x 0.06 x 3
    for kind in (RouteClass.PAYMENTS, RouteClass.WEBHOOKS):
        assert class_throttle(kind, tenfold).rate_per_second == 2 * orders


def test_doubling_the_plan_doubles_the_catalog_and_payment_throttles() -> None:
    doubled = planned_load(2 * SEED_REQUESTS_PER_MINUTE)
    for kind in (RouteClass.CATALOG, RouteClass.PAYMENTS, RouteClass.TRACKING):
        before, after = class_throttle(kind), class_throttle(kind, doubled)
        assert (after.rate_per_second, after.burst) == (2 * before.rate_per_second, 2 * before.burst), kind


def test_admin_and_partner_routes_follow_their_usage_plans_not_the_shoppers_plan() -> None:
    """Keys' rates are agreed per client (api_routes.USAGE_PLANS); a sale brings shoppers, not keys."""
    big = planned_load(MAX_PEAK_REQUESTS_PER_MINUTE)
    for route in ROUTES:
        if route.access in (Access.ADMIN, Access.PARTNER):
            assert route_throttle(route, big) == route_throttle(route), route.path


# -- the simulation reads the same setting ------------------------------------------------------------


def test_the_simulation_takes_the_stages_setting_and_its_sale_plan_is_that_setting() -> None:
    prod = sim.limits_for("prod")
    assert prod.peak_requests_per_minute == SEED_REQUESTS_PER_MINUTE
    sale = sim.with_sale_plan(prod)
    peak = sim.SALE_PLAN["peak_requests_per_minute"]
    assert sale.peak_requests_per_minute == peak
    load = planned_load(peak)
    routes = {f"{route.method} {route.path}": route for route in ROUTES}
    for key, throttle in sale.throttles.items():
        assert throttle == route_throttle(routes[key], load), key
    assert sale.throttles["POST /orders/create"].rate_per_second == 60  # 20,000/60 x 0.06 x 3
    tried = sim.limits_for("prod", peak_requests_per_minute=peak)
    assert tried.throttles == sale.throttles
    with pytest.raises(ConfigError, match="account-level"):
        sim.limits_for("prod", peak_requests_per_minute=MAX_PEAK_REQUESTS_PER_MINUTE + 1)


def test_the_simulation_knows_every_public_routes_class() -> None:
    limits = sim.limits_for("prod")
    for route in ROUTES:
        if route.access not in (Access.ADMIN, Access.PARTNER):
            assert limits.route_classes[f"{route.method} {route.path}"] is route_class(route)
