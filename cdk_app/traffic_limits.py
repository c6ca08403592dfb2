"""How much traffic the shop admits: per-route stage throttles from one load model, and per-client WAF limits.

API Gateway's stage throttle is a token bucket per method shared by every client, so it protects the
functions and tables behind a route; it cannot tell one client from another. AWS WAF's rate-based
rules count per client IP in front of the stage and the site. Both are here so docs/api.md, the
stacks and the tests read one set of numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from cdk_app.api_routes import USAGE_PLANS, Access, Route


class RouteClass(StrEnum):
    CATALOG = "catalog"  # products, categories, search, reviews
    TRACKING = "tracking"  # views, cart-adds, purchases, watches
    ENGAGEMENT = "engagement"  # marketing emails' open pixel and click-through
    CART = "cart"
    ORDERS = "orders"  # checkout, order history, guest orders, downloads, invoices
    PAYMENTS = "payments"  # Stripe and PayPal calls made from the checkout page
    WEBHOOKS = "webhooks"  # Stripe's and PayPal's own calls
    ACCOUNT = "account"  # profile, addresses, preferences, privacy, unsubscribe
    ADMIN = "admin"
    PARTNER = "partner"


@dataclass(frozen=True)
class LoadModel:
    """Seed 001's sizing: public APIs take 1000 requests a minute in total from 100 concurrent
    shoppers, split by what a shopper does (the share of each class, measured by bench/bench_load.py's
    scenario: browse, cart, checkout and pay). Each route may take its whole class's share times
    `headroom`, so one busy route (GET /products) is never throttled while its class is within plan."""

    requests_per_minute: float
    shares: dict[RouteClass, float]
    headroom: float
    floor_per_second: float


# Seed 001's plan, and the default of a stage's `peak_requests_per_minute` (cdk.json): at it every
# throttle is what it was before the setting existed.
SEED_REQUESTS_PER_MINUTE = 1000
# API Gateway's throttle quota per account and Region (10,000 requests/s, bursts of 5,000): a plan
# above it cannot be served whatever the stage admits, so a stage may not plan for more without a
# quota increase (and this bound raised with it).
ACCOUNT_REQUESTS_PER_SECOND = 10_000
MAX_PEAK_REQUESTS_PER_MINUTE = 60 * ACCOUNT_REQUESTS_PER_SECOND

SEED_LOAD = LoadModel(
    requests_per_minute=SEED_REQUESTS_PER_MINUTE,
    shares={
        RouteClass.CATALOG: 0.55,
        RouteClass.TRACKING: 0.12,
        RouteClass.ENGAGEMENT: 0.02,
        RouteClass.CART: 0.14,
        RouteClass.ORDERS: 0.06,
        RouteClass.PAYMENTS: 0.04,
        RouteClass.WEBHOOKS: 0.02,
        RouteClass.ACCOUNT: 0.05,
    },
    headroom=3.0,
    floor_per_second=2.0,
)


def planned_load(peak_requests_per_minute: int) -> LoadModel:
    """A stage's load model: seed 001's shares and headroom at the stage's planned peak (cdk.json's
    `peak_requests_per_minute`), so raising it for a sale raises every stage throttle and burst with it."""
    return replace(SEED_LOAD, requests_per_minute=peak_requests_per_minute)


@dataclass(frozen=True)
class Throttle:
    rate_per_second: float
    burst: int


def route_class(route: Route) -> RouteClass:
    if route.access is Access.ADMIN:
        return RouteClass.ADMIN
    if route.access is Access.PARTNER:
        return RouteClass.PARTNER
    if route.function == "payment_api":
        return RouteClass.WEBHOOKS if "/webhook/" in route.path else RouteClass.PAYMENTS
    return {
        "shop_api": RouteClass.CATALOG,
        "tracking_api": RouteClass.TRACKING,
        "marketing_automation_api": RouteClass.ENGAGEMENT,
        "cart_api": RouteClass.CART,
        "order_api": RouteClass.ORDERS,
        "account_api": RouteClass.ACCOUNT,
    }[route.function]


def _plan_rate(access: Access) -> float:
    return next(plan.rate_per_second for plan in USAGE_PLANS if access in plan.routes)


# The routes that place an order (a shopper's and a guest's); each has its own stage throttle.
ORDER_PLACING_PATHS = ("/orders/create", "/guest/orders/create")
# Classes that must admit every order the stage admits (docs/scaling.md, "What the code does"):
# refusing the payment of an order already placed leaves its stock held for the stage's payment hold
# and the shopper with an order number they cannot pay, and refusing the provider's webhook of a paid
# order delays its confirmation until the sweep cancels and refunds it. Under a flood the stage refuses
# new orders first, never the payment or the confirmation of one it took.
FOLLOWS_ORDERS = (RouteClass.PAYMENTS, RouteClass.WEBHOOKS)


def class_throttle(kind: RouteClass, model: LoadModel = SEED_LOAD) -> Throttle:
    """The stage throttle of each route of `kind`: its class's planned rate times the headroom; the
    payment and webhook routes at least the order-placing routes' rates together (FOLLOWS_ORDERS)."""
    if kind is RouteClass.ADMIN or kind is RouteClass.PARTNER:
        # The usage plan limits each key; the method limit only caps all keys together at 5 times that.
        access = Access.ADMIN if kind is RouteClass.ADMIN else Access.PARTNER
        rate = 5 * _plan_rate(access)
    else:
        planned = model.requests_per_minute / 60 * model.shares[kind]
        rate = max(model.floor_per_second, planned * model.headroom)
        if kind in FOLLOWS_ORDERS:
            rate = max(
                rate, len(ORDER_PLACING_PATHS) * class_throttle(RouteClass.ORDERS, model).rate_per_second
            )
    rate = math.ceil(rate)
    return Throttle(rate_per_second=rate, burst=max(10, 2 * rate))


def route_throttle(route: Route, model: LoadModel = SEED_LOAD) -> Throttle:
    return class_throttle(route_class(route), model)


# AWS WAF rate-based rules: requests per client IP in the window before that IP is blocked (403) until
# its rate falls back. A shopper's busiest minute is ~40 calls; the API limit leaves room for ~30
# shoppers behind one NAT. Payments follow seed 001's "10/min per user" at the edge, per IP (the
# function counts per signed-in user exactly); webhooks come from Stripe's and PayPal's few addresses
# and are left to their signatures. The site's pages are ~20 files each.
@dataclass(frozen=True)
class RateRule:
    name: str
    limit: int
    window_seconds: int


API_RATE_PER_IP = RateRule("api-per-ip", limit=1500, window_seconds=300)
PAYMENTS_RATE_PER_IP = RateRule("payments-per-ip", limit=10, window_seconds=60)
SITE_RATE_PER_IP = RateRule("site-per-ip", limit=3000, window_seconds=300)
PAYMENT_PATH_PART = "/payment/"
WEBHOOK_PATH_PART = "/payment/webhook/"
