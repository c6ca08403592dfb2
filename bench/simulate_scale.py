"""Capacity simulation of the deployed shop at internet scale (issue #20 item 5; docs/scaling.md).

A seeded discrete-event simulation of shoppers' journeys through the limits the code sets, so its
numbers move when the code does: the per-route stage throttles (cdk_app/traffic_limits.py over
cdk_app/api_routes.py), each function's memory and reserved concurrency (cdk_app/function_catalog.py),
the queue consumers' maximum concurrency and batch size (stacks/domain_stack.py) and visibility
timeouts, the stage settings of cdk.json (stage cache, payment hold), the order path's transaction
retries and the email sender's circuit breaker. What it cannot read from the code - AWS's own quotas,
latencies in AWS, item sizes, shoppers' behaviour and list prices - are named constants below, each
with where it comes from.

Scenarios:
  flash_sale  5,000 shoppers open one product's page in 10 minutes (a burst when the sale opens that
              decays: half of them in the first 70 s) and every one of them tries to buy it.
  daily       10,000 orders a day: the busiest hour of a daily curve, buyers plus the browsing and
              abandoned carts that come with them (the seed's load model's class shares).

    .venv/bin/python bench/simulate_scale.py [--scenario flash_sale|daily|all] [--stage prod]
        [--seed 20] [--sale-plan] [--peak-requests-per-minute N] [--json]

The stage throttles are the ones the stage's `peak_requests_per_minute` (cdk.json) derives;
`--peak-requests-per-minute` tries another value of that setting. `--sale-plan` runs the flash sale
again as a platform team would set the stage for it (SALE_PLAN below: the setting raised, consumer
concurrency and SES rate), to show what breaks next. Standard library only
(plus the shop's own modules); deterministic for a seed; a few seconds per scenario.
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import json
import math
import random
import sys
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]

from cdk_app.api_routes import ROUTES, Access  # noqa: E402
from cdk_app.config import load_stage_config  # noqa: E402
from cdk_app.function_catalog import FUNCTIONS, RESERVED_CONCURRENCY, consumer_visibility_seconds  # noqa: E402
from cdk_app.traffic_limits import (  # noqa: E402
    API_RATE_PER_IP,
    PAYMENTS_RATE_PER_IP,
    SEED_LOAD,
    SEED_REQUESTS_PER_MINUTE,
    RouteClass,
    Throttle,
    planned_load,
    route_class,
    route_throttle,
)
from shop.catalog.model import LOW_STOCK_SHOWN_AT  # noqa: E402
from shop.contracts.queues import (  # noqa: E402
    EMAIL_NOTIFICATION,
    MAX_RECEIVES_BEFORE_DLQ,
    ORDER_PROCESSING,
    PAYMENT_PROCESSING,
)
from shop.orders.inventory import TRANSACTION_ATTEMPTS, retry_pause  # noqa: E402
from shop.orders.service import STOCK_CONTENTION_RETRY_SECONDS  # noqa: E402
from shop.platform.circuit_breaker import FAILURE_THRESHOLD, FAILURE_WINDOW_SECONDS, RESET_TIMEOUT_SECONDS  # noqa: E402
from stacks.domain_stack import CONSUMER_BATCH_SIZE, CONSUMER_CONCURRENCY  # noqa: E402

# --- AWS quotas (docs/scaling.md cites the page of each) -------------------------------------------
API_ACCOUNT_RPS = 10_000  # API Gateway, per account and Region (us-east-1)
API_ACCOUNT_BURST = 5_000
LAMBDA_ACCOUNT_CONCURRENCY = 1_000  # a new account's default
LAMBDA_SCALING_PER_10S = 1_000  # new execution environments per function every 10 s
PARTITION_WCU = 1_000  # per partition (table or GSI), per second
PARTITION_RCU = 3_000
ON_DEMAND_NEW_TABLE_WRU = 4_000  # a new on-demand table's warm throughput, per second
ON_DEMAND_NEW_TABLE_RRU = 12_000
SES_SANDBOX = (1.0, 200)  # emails per second, per 24 hours
# Out of the sandbox AWS no longer states a default ("varies based on your use case"); 14/s and
# 50,000 a day is what accounts have long been given at first. A quota request names the real need.
SES_PRODUCTION = (14.0, 50_000)
T4G_MICRO_BASELINE_MBIT = 64  # ElastiCache cache.t4g.micro baseline network (bursts to 5 Gbit/s)
# Stripe, live mode (docs.stripe.com/rate-limits): 100 requests a second per account, 25 per endpoint
# (creating PaymentIntents is one endpoint, retrieving them another) unless Stripe raises them.
STRIPE_ACCOUNT_RPS = 100
STRIPE_ENDPOINT_RPS = 25

# --- Latencies in AWS and sizes (assumptions; docs/scaling.md "Assumptions") ------------------------
HANDLER_MS = 8  # a warm handler's own work: routing, validation, serialization
DYNAMODB_CALL_MS = 6  # one in-Region DynamoDB call from the VPC (gateway endpoint)
SQS_SEND_MS = 12
REDIS_OP_MS = 1
STRIPE_CALL_MS = 400  # one call to Stripe's API (create or retrieve a PaymentIntent)
SES_SEND_MS = 80
SES_THROTTLED_MS = 1_500  # a throttled send: botocore's retries (max_attempts 2) back off, then fail
BREAKER_OPEN_FAIL_MS = 5  # an open circuit refuses at once
# Measured with the shop's models and DynamoDB's sizing rules (docs/scaling.md): a product 969 B,
# a pending order with one line 1,266 B (it grows past 1 KB, so 2 KB: 2 WRU a write).
PRODUCT_KB = 1
ORDER_KB = 2
CATALOG_PRODUCTS = 1_000  # seed 001's catalog
CATEGORIES = 6
# How long a transaction keeps the hot stock item busy: another order's transaction or write on the
# item meanwhile is cancelled (TransactionConflict). Not published by AWS; 25 ms ~ two write latencies.
TRANSACTION_HOLD_MS = 25
STRIPE_WEBHOOK_DELAY_S = (1.0, 3.0)  # after the card is confirmed on the page
# Stripe retries a webhook it could not deliver "for up to three days with exponential backoff";
# the first retries (assumed) come after about 1, 5, 30 and 60 minutes.
STRIPE_RETRY_DELAYS_S = (60, 300, 1_800, 3_600)

# --- Shoppers (web/js/*.js) -------------------------------------------------------------------------
PAGE_RETRY_WAIT_S = 30  # api.js tells a shopper refused with 429 to try again in 30 s (no Retry-After)
SHOPPER_RETRIES = 3  # a flash-sale shopper tries again this many times, then gives up
POLL_EVERY_S = 1.0  # checkout.js POLL_MS: it reads the order until it is paid ...
POLL_LIMIT_S = 30.0  # ... for 30 s at most (POLL_LIMIT_MS)
NUDGE_AFTER_S = 8.0  # CONFIRM_NUDGE_MS: then POST /payment/stripe/confirm once
SIGNED_IN_SHARE = 0.4

# --- Flash sale and daily plans ---------------------------------------------------------------------
FLASH_SHOPPERS = 5_000
FLASH_WINDOW_S = 600
FLASH_DECAY_S = 100  # arrivals decay exponentially from the opening: half in the first ~70 s
DAILY_ORDERS = 10_000
# Share of a day's orders in each hour (US evening peak); the busiest hour holds 9 % of the day.
DAILY_CURVE = (
    1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.4, 3.6, 4.4, 4.8, 5.0,
    5.3, 5.2, 5.0, 5.0, 5.4, 6.2, 7.5, 8.6, 9.0, 8.1, 5.7, 4.5,
)  # fmt: skip
BROWSE_SESSIONS_PER_ORDER = 4  # browse-only visits per order (8 catalog reads each)
ABANDONED_CARTS_PER_ORDER = 1  # a cart filled and left
EMAILS_PER_ORDER = 3  # confirmation, payment received, shipped (the last one days later)

# What a platform team would set for the flash sale (`--sale-plan`; docs/scaling.md).
SALE_PLAN = {
    # The stage's cdk.json setting for the sale: 20 times seed 001's plan, which derives 60 orders/s
    # per order-placing route (cdk_app/traffic_limits.py) and every other throttle in proportion.
    "peak_requests_per_minute": 20_000,
    "consumer_concurrency": {"payment_processor": 25, "order_processor": 10},
    # SES's rate raised by a quota request, and email_sender's concurrency matched to it: 3 senders
    # of 80 ms each offer 37.5 emails a second, under the 50 a second SES accepts.
    "ses": (50.0, 200_000),
    "email_sender_concurrency": 3,
}

# --- List prices, us-east-1, taken 2026-12-05 (docs/scaling.md "Cost per 1,000 orders") -------------
PRICES_TAKEN = "2026-12-05"
PRICES = {
    "lambda_request": 0.20 / 1e6,  # aws.amazon.com/lambda/pricing
    "lambda_gb_s_arm": 0.0000133334,  # Arm, first 7.5 billion GB-s a month
    "apigw_rest_request": 3.50 / 1e6,  # aws.amazon.com/api-gateway/pricing, first 333 million
    "dynamodb_wru": 0.625 / 1e6,  # aws.amazon.com/dynamodb/pricing/on-demand (Nov 2024 price cut)
    "dynamodb_rru": 0.125 / 1e6,
    "sqs_request": 0.40 / 1e6,  # aws.amazon.com/sqs/pricing, standard queue, per 64 KB chunk
    "ses_email": 0.10 / 1e3,  # aws.amazon.com/ses/pricing, outbound email
    "data_out_gb": 0.09,  # aws.amazon.com/ec2/pricing/on-demand, internet egress, first 10 TB
    "waf_request": 0.60 / 1e6,  # aws.amazon.com/waf/pricing
    "logs_gb": 0.50,  # aws.amazon.com/cloudwatch/pricing, ingestion (standard)
}
LOG_KB_PER_INVOCATION = 1.5  # Powertools' structured lines + START/END/REPORT
LOG_KB_PER_API_REQUEST = 2.5  # access log line + INFO execution log of the stage (method settings)


# ====================================================================================================
# Work per request: the calls bench/bench_calls.py measured at 7b4669e (docs/benchmarks.md, "Work per
# request"; the queue consumers' and the payment routes' own from the code), with the capacity units
# each costs in AWS from the items' sizes (moto reports none). docs/scaling.md lists them.


@dataclass(frozen=True)
class Work:
    dynamodb_calls: int = 0
    rru: float = 0.0
    wru: float = 0.0
    redis_ops: int = 0
    sqs_sends: int = 0
    external_ms: int = 0
    response_kb: float = 1.0
    stock_wcu: float = 0.0  # on the ordered product's item (transactional: 2 per KB)

    def duration_ms(self) -> float:
        return (
            HANDLER_MS
            + self.dynamodb_calls * DYNAMODB_CALL_MS
            + self.redis_ops * REDIS_OP_MS
            + self.sqs_sends * SQS_SEND_MS
            + self.external_ms
        )


ORDER_GSIS = 3  # Orders: user_id-, order_status- and payment_status-order_date indexes, all projected
PRODUCT_GSI_WRITES_PER_SALE = 3  # status-sales_count (key moves: delete + put) and category index
# POST /orders/create from the cart: PutItem Idempotency (the access token; the replay check) 1 WRU;
# GetItem Cart 1 RRU; BatchGetItem Products (consistent) 1; TransactWriteItems: order Put 2x2 +
# product Update 2x1 WRU, then the order lands in 3 GSIs (3x2); BatchGetItem Products as written 1 RRU;
# SQS send; UpdateItem Orders processing_queue_id 2 + 3x2 GSI; DeleteItem Cart 1; the product's GSIs 3.
ORDER_CREATE = Work(
    dynamodb_calls=7,
    rru=3,
    wru=1
    + (2 * ORDER_KB + 2 * PRODUCT_KB)
    + ORDER_GSIS * ORDER_KB
    + (1 + ORDER_GSIS) * ORDER_KB
    + 1
    + PRODUCT_GSI_WRITES_PER_SALE * PRODUCT_KB,
    redis_ops=3,
    sqs_sends=1,
    response_kb=2,
    stock_wcu=2 * PRODUCT_KB,
)
ROUTE_WORK: dict[str, Work] = {
    # Catalog reads that miss the stage cache: Redis answers (listings may also query, see below).
    "GET /products/{id}": Work(redis_ops=1, response_kb=3),
    "GET /products": Work(redis_ops=3, response_kb=30),
    "GET /categories": Work(redis_ops=2, response_kb=1),
    "GET /featured": Work(redis_ops=3, response_kb=15),
    "GET /bestsellers": Work(redis_ops=3, response_kb=12),
    "GET /reviews/{product_id}": Work(dynamodb_calls=1, rru=2, redis_ops=1, response_kb=5),
    # Cart: UpdateItem RateLimits, PutItem Cart (revision-checked); the cart and products from Redis.
    "POST /cart/add": Work(dynamodb_calls=2, wru=2, redis_ops=3, response_kb=2),
    "POST /guest/cart/add": Work(dynamodb_calls=2, wru=2, redis_ops=3, response_kb=2),
    "GET /cart": Work(dynamodb_calls=1, wru=1, redis_ops=1, response_kb=2),
    "GET /guest/cart": Work(dynamodb_calls=1, wru=1, redis_ops=1, response_kb=2),
    "GET /me": Work(dynamodb_calls=2, rru=2, response_kb=1),  # GetItem Users, GetItem EmailPreferences
    "POST /orders/create": ORDER_CREATE,
    "POST /guest/orders/create": ORDER_CREATE,
    # The page's polling: one Query Orders by id, consistent, of a 2 KB order.
    "GET /orders/{id}": Work(dynamodb_calls=1, rru=1, response_kb=2),
    "GET /guest/orders/{id}": Work(dynamodb_calls=1, rru=1, response_kb=2),
    # UpdateItem RateLimits, Query Orders, GetItem CircuitBreakers, Stripe creates the intent, UpdateItem
    # Orders (the payment attempt: 2 + the order's 3 GSI copies).
    "POST /payment/stripe/intent": Work(
        dynamodb_calls=4, rru=2, wru=1 + (1 + ORDER_GSIS) * ORDER_KB, external_ms=STRIPE_CALL_MS
    ),
    "POST /payment/stripe/confirm": Work(
        dynamodb_calls=3, rru=2, wru=1, sqs_sends=1, external_ms=STRIPE_CALL_MS
    ),
    # Signature checked in the function, then queued for payment_processor.
    "POST /payment/webhook/stripe": Work(sqs_sends=1, response_kb=0.1),
}
# A listing whose Redis entry is stale (the catalog generation moved: every order moves it) queries
# its GSI for every candidate product, eventually consistent: 8 KB per RRU.
LISTING_MISS_RRU_ALL = CATALOG_PRODUCTS * PRODUCT_KB / 8
LISTING_MISS_RRU_CATEGORY = CATALOG_PRODUCTS / CATEGORIES * PRODUCT_KB / 8

# Queue consumers, per message.
ORDER_PROCESSOR = Work(dynamodb_calls=4, rru=1, wru=2 + (1 + ORDER_GSIS) * ORDER_KB, sqs_sends=1)
# Powertools' idempotency record (put, then completed) 2 WRU; Query the order, the breaker's state;
# Stripe retrieve; UpdateItem to paid: the order 2, its user-index copy 2, its status and
# payment-status index keys move (delete + put) 4 each; the invoice number: GetItem the counter, one
# transaction raising it (2x1) and numbering the order (2x2), the order's 3 index copies; GetItem
# the order; SQS send of the email.
PAYMENT_PROCESSOR = Work(
    dynamodb_calls=8,
    rru=4,
    wru=2
    + (ORDER_KB + ORDER_KB + 2 * 2 * ORDER_KB)
    + (2 * PRODUCT_KB + 2 * ORDER_KB + ORDER_GSIS * ORDER_KB),
    sqs_sends=1,
    external_ms=STRIPE_CALL_MS,
)
# GetItem Idempotency (sent already?), GetItem CircuitBreakers, SES, PutItem Idempotency.
EMAIL_SENDER = Work(dynamodb_calls=3, rru=2, wru=1, external_ms=SES_SEND_MS)
# The hot GSI key values an order writes: Orders order_status "pending" (put, two updates, delete
# when paid) and payment_status "unpaid" alike; Products status-sales_count "active" (delete + put).
PENDING_KEY_WRU_PER_ORDER = 4 * ORDER_KB
ACTIVE_KEY_WRU_PER_ORDER = 2 * PRODUCT_KB


# ====================================================================================================
# Limits of a stage, from the code.


@dataclass(frozen=True)
class Limits:
    stage: str
    throttles: dict[str, Throttle]  # "METHOD /path" -> the stage throttle of that method
    route_classes: dict[str, RouteClass]
    route_functions: dict[str, str]
    cached_ttl: dict[str, int]  # routes the stage cache serves, when the stage has one
    reserved: dict[str, int]  # function -> reserved concurrency (0: the shared unreserved pool)
    memory_mb: dict[str, int]
    consumer_concurrency: dict[str, int]
    consumer_batch: int
    visibility_s: dict[str, int]
    max_receives: int
    payment_hold_s: int
    api_cache: bool
    waf: bool
    cache_node_type: str
    ses: tuple[float, int]
    peak_requests_per_minute: int = SEED_REQUESTS_PER_MINUTE  # the plan the throttles come from


def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def limits_for(
    stage: str, *, ses: tuple[float, int] = SES_PRODUCTION, peak_requests_per_minute: int | None = None
) -> Limits:
    """The stage's limits; its throttles from its `peak_requests_per_minute` (cdk.json), or from
    `peak_requests_per_minute` given here (validated as cdk.json's would be)."""
    context = _context()
    if peak_requests_per_minute is not None:
        stages = {**context["shop:stages"]}
        stages[stage] = {**stages[stage], "peak_requests_per_minute": peak_requests_per_minute}
        context = {**context, "shop:stages": stages}
    config = load_stage_config(context, stage)
    public = [route for route in ROUTES if route.access not in (Access.ADMIN, Access.PARTNER)]
    keys = {f"{route.method} {route.path}": route for route in public}
    reserved = dict(RESERVED_CONCURRENCY) if config.reserved_concurrency else dict.fromkeys(FUNCTIONS, 0)
    load = planned_load(config.peak_requests_per_minute)
    return Limits(
        stage=stage,
        peak_requests_per_minute=config.peak_requests_per_minute,
        throttles={key: route_throttle(route, load) for key, route in keys.items()},
        route_classes={key: route_class(route) for key, route in keys.items()},
        route_functions={key: route.function for key, route in keys.items()},
        cached_ttl={key: route.cache_ttl_seconds for key, route in keys.items() if route.cached},
        reserved=reserved,
        memory_mb={name: spec.memory_mb for name, spec in FUNCTIONS.items()},
        consumer_concurrency=dict(CONSUMER_CONCURRENCY),
        consumer_batch=CONSUMER_BATCH_SIZE,
        visibility_s={
            spec.consumer: consumer_visibility_seconds(spec.consumer, spec.min_visibility_seconds)
            for spec in (ORDER_PROCESSING, PAYMENT_PROCESSING, EMAIL_NOTIFICATION)
        },
        max_receives=MAX_RECEIVES_BEFORE_DLQ,
        payment_hold_s=config.payment_hold_minutes * 60,
        api_cache=config.api_cache,
        waf=config.waf,
        cache_node_type=config.cache_node_type,
        ses=ses,
    )


def with_sale_plan(limits: Limits, *, email: bool = True) -> Limits:
    """The stage as a platform team would set it for the flash sale (SALE_PLAN): its throttles from
    the plan's `peak_requests_per_minute`, as cdk.json's setting would derive them; `email=False`
    leaves SES's quota and email_sender's concurrency as they are."""
    planned = limits_for(
        limits.stage,
        ses=limits.ses,
        peak_requests_per_minute=SALE_PLAN["peak_requests_per_minute"],  # type: ignore[arg-type]
    )
    consumers: dict[str, int] = dict(SALE_PLAN["consumer_concurrency"])  # type: ignore[call-overload]
    if email:
        consumers["email_sender"] = SALE_PLAN["email_sender_concurrency"]  # type: ignore[assignment]
    return replace(
        limits,
        throttles=planned.throttles,
        peak_requests_per_minute=planned.peak_requests_per_minute,
        consumer_concurrency={**limits.consumer_concurrency, **consumers},
        reserved={
            **limits.reserved,
            **{
                name: max(limits.reserved[name], concurrency * 2)
                for name, concurrency in consumers.items()
                if limits.reserved[name]
            },
        },
        ses=SALE_PLAN["ses"] if email else limits.ses,  # type: ignore[arg-type]
    )


# ====================================================================================================
# The simulation.


class TokenBucket:
    """API Gateway's throttle: `rate` tokens a second, at most `burst` kept."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, float(burst), 0.0

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class Shopper:
    ident: int
    kind: str  # flash | buyer | browser | cart
    signed_in: bool
    hot: bool  # buys the sale's product
    retries: int = 0
    created_at: float | None = None
    order_id: int | None = None
    gave_up: str | None = None


@dataclass
class Order:
    ident: int
    created_at: float
    paid_at: float | None = None
    webhook_accepted_at: float | None = None


class ConsumerPool:
    """An SQS event source: `concurrency` functions, each handling one message at a time."""

    def __init__(self, name: str, concurrency: int) -> None:
        self.name, self.concurrency, self.busy = name, concurrency, 0
        self.backlog: deque[Any] = deque()
        self.max_backlog, self.last_done, self.handled = 0, 0.0, 0


@dataclass
class Totals:
    """Everything the report needs, per second where a peak matters."""

    admitted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    throttled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cache_hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lambda_throttled: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    invocations: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    gb_s: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    peak_concurrency: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_second: dict[str, dict[int, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    count: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    first_refusal: dict[str, float] = field(default_factory=dict)

    def refused(self, component: str, second: float) -> None:
        self.first_refusal.setdefault(component, round(second, 1))

    def add(self, metric: str, second: float, amount: float = 1.0) -> None:
        self.per_second[metric][int(second)] += amount
        self.count[metric] += amount

    def peak(self, metric: str) -> float:
        values = self.per_second.get(metric)
        return max(values.values()) if values else 0.0


class Simulation:
    def __init__(self, limits: Limits, seed: int, *, hold_ms: float = TRANSACTION_HOLD_MS) -> None:
        self.limits = limits
        self.hold_s = hold_ms / 1000
        self.rng = random.Random(seed)
        # The stock transaction's retry waits draw from their own stream, so a change of backoff
        # moves only what it changes, not every shopper's later draws.
        self.jitter = random.Random(seed + 1)
        self.events: list[tuple[float, int, Callable[[float], None]]] = []
        self.seq = 0
        self.buckets = {key: TokenBucket(t.rate_per_second, t.burst) for key, t in limits.throttles.items()}
        self.in_flight: dict[str, list[float]] = defaultdict(list)
        self.totals = Totals()
        self.stage_cache: dict[tuple[str, str], float] = {}  # key -> expires at
        self.redis_listing: dict[str, int] = {}  # listing key -> generation it was cached at
        self.generation = 0
        self.hot_stock = FLASH_SHOPPERS
        # Start times of the hot stock item's transactions (sorted). An order's rounds are decided
        # when its request is, ahead of the event loop (its retries up to ~0.75 s later), so the item
        # is a timeline of holds rather than one "busy until" mark, which would block everyone
        # between now and a retry booked for later.
        self.hot_holds: list[float] = []
        self.flushes = 0
        self.orders: dict[int, Order] = {}
        self.shoppers: list[Shopper] = []
        self.pools = {
            name: ConsumerPool(name, limits.consumer_concurrency[name])
            for name in ("order_processor", "payment_processor", "email_sender")
        }
        self.ses_bucket = TokenBucket(limits.ses[0], max(1.0, limits.ses[0]))
        self.ses_sent_today = 0
        self.breaker_failures: list[float] = []
        self.breaker_open_until = 0.0
        self.email_dlq = 0
        self.emails_sent = 0
        self.end = 0.0

    # -- the event loop ------------------------------------------------------------------------

    def at(self, when: float, action: Callable[[float], None]) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when, self.seq, action))

    def run(self) -> None:
        while self.events:
            when, _seq, action = heapq.heappop(self.events)
            self.end = max(self.end, when)
            action(when)

    # -- one API request -----------------------------------------------------------------------

    def request(
        self, now: float, key: str, *, cache_key: str = "", listing: str = "", hot: bool = False
    ) -> str:
        """ok | throttled (stage 429) | lambda (function throttled) | conflict (503, stock contention)."""
        totals = self.totals
        totals.add("api", now)
        totals.add(f"route:{key}", now)
        if not self.buckets[key].take(now):
            totals.throttled[key] += 1
            totals.refused(f"stage throttle {key}", now)
            return "throttled"
        totals.admitted[key] += 1
        ttl = self.limits.cached_ttl.get(key) if self.limits.api_cache else None
        entry = (key, cache_key)
        if ttl and self.stage_cache.get(entry, -1.0) > now:
            totals.cache_hits[key] += 1
            return "ok"
        function = self.limits.route_functions[key]
        work = ROUTE_WORK[key]
        if hot:
            outcome, work = self._take_stock(now, work)
            if outcome != "ok":
                self._invoke(now, function, work)
                totals.add("stock_503", now)
                totals.refused("DynamoDB stock item (transactions cancelled, 503)", now)
                return outcome
        if listing:
            work = self._listing(now, listing, work)
        if not self._invoke(now, function, work):
            return "lambda"
        if key == "POST /payment/stripe/intent":
            totals.add("stripe_create", now)
        elif key == "POST /payment/stripe/confirm":
            totals.add("stripe_retrieve", now)
        if ttl:
            self.stage_cache[entry] = now + ttl
        return "ok"

    def _invoke(self, now: float, function: str, work: Work) -> bool:
        totals = self.totals
        ends = self.in_flight[function]
        while ends and ends[0] <= now:
            heapq.heappop(ends)
        cap = self.limits.reserved.get(function) or (
            LAMBDA_ACCOUNT_CONCURRENCY - sum(self.limits.reserved.values())
        )
        if len(ends) >= cap:
            totals.lambda_throttled[function] += 1
            totals.refused(f"Lambda concurrency {function}", now)
            return False
        duration = work.duration_ms()
        heapq.heappush(ends, now + duration / 1000)
        totals.peak_concurrency[function] = max(totals.peak_concurrency[function], len(ends))
        totals.invocations[function] += 1
        totals.gb_s[function] += self.limits.memory_mb[function] / 1024 * duration / 1000
        totals.add("rru", now, work.rru)
        totals.add("wru", now, work.wru)
        totals.add("dynamodb_calls", now, work.dynamodb_calls)
        totals.add("redis_ops", now, work.redis_ops)
        totals.add("redis_kb", now, work.redis_ops and work.response_kb)
        totals.add("sqs_sends", now, work.sqs_sends)
        totals.add("response_kb", now, work.response_kb)
        return True

    def _listing(self, now: float, listing: str, work: Work) -> Work:
        """A listing's Redis entry is keyed by the catalog generation, which every order moves."""
        if self.redis_listing.get(listing) == self.generation:
            return work
        self.redis_listing[listing] = self.generation
        rru = LISTING_MISS_RRU_ALL if listing.startswith("all") else LISTING_MISS_RRU_CATEGORY
        self.totals.add("listing_misses", now)
        self.totals.add("listing_query_rru", now, rru)
        return replace(work, dynamodb_calls=work.dynamodb_calls + 1, rru=work.rru + rru)

    def _take_stock(self, now: float, work: Work) -> tuple[str, Work]:
        """store_with_stock's transaction on the hot item: cancelled while another one holds it, read
        again and retried (TRANSACTION_ATTEMPTS, each wait drawn as inventory.retry_pause draws it:
        full jitter over a doubling window); 503 when all are cancelled."""
        t = now + (3 * DYNAMODB_CALL_MS) / 1000  # the token claim, the cart and products before it
        waited = 0.0
        for attempt in range(TRANSACTION_ATTEMPTS):
            if self._hot_item_free(t):
                bisect.insort(self.hot_holds, t)
                self.totals.add("stock_wcu", t, work.stock_wcu)
                self.totals.add("pending_key_wru", t, PENDING_KEY_WRU_PER_ORDER)
                self.totals.add("active_key_wru", t, ACTIVE_KEY_WRU_PER_ORDER)
                extra = attempt * 2  # each lost round re-read the products and tried again
                return "ok", replace(
                    work,
                    dynamodb_calls=work.dynamodb_calls + extra,
                    rru=work.rru + attempt,
                    external_ms=work.external_ms + round(waited * 1000),  # the function waited
                )
            self.totals.add("transaction_conflicts", t)
            pause = retry_pause(attempt, self.jitter)
            waited += pause
            t += pause + DYNAMODB_CALL_MS / 1000
        failed = replace(
            work,
            dynamodb_calls=3 + 2 * TRANSACTION_ATTEMPTS - 1,
            wru=1,
            sqs_sends=0,
            stock_wcu=0,
            external_ms=work.external_ms + round(waited * 1000),
        )
        return "conflict", failed

    def _hot_item_free(self, t: float) -> bool:
        """No other transaction holds the item within `hold` of `t` (before: it is still at work;
        after: one booked for later would meet this one at work, so one of the two is cancelled)."""
        holds = self.hot_holds
        if len(holds) > 4096:  # forget holds long past: every later round is at or after `now`
            del holds[: bisect.bisect_left(holds, t - 5.0)]
        i = bisect.bisect_right(holds, t - self.hold_s)
        return i == len(holds) or holds[i] >= t + self.hold_s

    # -- journeys ------------------------------------------------------------------------------

    def start(self, shopper: Shopper, when: float) -> None:
        self.shoppers.append(shopper)
        first = {"browser": self.browse, "cart": self.browse}.get(shopper.kind, self.product_page)
        self.at(when, lambda now: first(shopper, now))

    def _refused(
        self, shopper: Shopper, now: float, outcome: str, again: Callable[[Shopper, float], None], step: str
    ) -> None:
        """The page shows the error; the shopper tries again (30 s; 1 s after a 503) or gives up."""
        if shopper.retries >= SHOPPER_RETRIES:
            shopper.gave_up = step
            self.totals.add(f"gave_up:{step}", now)
            return
        shopper.retries += 1
        wait = STOCK_CONTENTION_RETRY_SECONDS if outcome == "conflict" else PAGE_RETRY_WAIT_S
        self.at(now + wait * self.rng.uniform(1.0, 1.5), lambda t: again(shopper, t))

    def product_page(self, shopper: Shopper, now: float) -> None:
        product = "hot" if shopper.hot else str(self._popular())
        outcome = self.request(now, "GET /products/{id}", cache_key=product)
        self.request(now, "GET /reviews/{product_id}", cache_key=product)
        related = "hot-category" if shopper.hot else f"category-{self.rng.randrange(CATEGORIES)}"
        self.request(now, "GET /products", cache_key=related, listing=related)
        if outcome != "ok":
            return self._refused(shopper, now, outcome, self.product_page, "product page")
        if shopper.kind == "browser":
            return None
        self.at(now + self.rng.uniform(5, 20), lambda t: self.add_to_cart(shopper, t))
        return None

    def browse(self, shopper: Shopper, now: float) -> None:
        """A visit that reads the catalog: listings, pages and products (8 reads over ~4 minutes)."""
        for position in range(8):
            self.at(now + position * self.rng.uniform(10, 50), lambda t: self._browse_read(t))
        if shopper.kind == "cart":
            self.at(now + self.rng.uniform(60, 240), lambda t: self.add_to_cart(shopper, t))

    def _browse_read(self, now: float) -> None:
        choice = self.rng.random()
        if choice < 0.45:
            category = self.rng.randrange(CATEGORIES + 1)
            sort, page = self.rng.randrange(5), min(int(self.rng.expovariate(1.0)), 9)
            listing = "all" if category == CATEGORIES else f"category-{category}"
            self.request(
                now, "GET /products", cache_key=f"{listing}:{sort}:{page}", listing=f"{listing}:{sort}"
            )
        elif choice < 0.85:
            product = str(self._popular())
            self.request(now, "GET /products/{id}", cache_key=product)
            if choice < 0.6:
                self.request(now, "GET /reviews/{product_id}", cache_key=product)
        else:
            key = self.rng.choice(("GET /categories", "GET /featured", "GET /bestsellers"))
            self.request(now, key, cache_key="")

    def _popular(self) -> int:
        """A product id, the popular ones more often (Zipf-like, as bench/bench_load.py)."""
        return min(int(self.rng.paretovariate(1.1)) - 1, CATALOG_PRODUCTS - 1)

    def add_to_cart(self, shopper: Shopper, now: float) -> None:
        key = "POST /cart/add" if shopper.signed_in else "POST /guest/cart/add"
        outcome = self.request(now, key)
        if outcome != "ok":
            return self._refused(shopper, now, outcome, self.add_to_cart, "cart")
        if shopper.kind == "cart":
            self.at(now + self.rng.uniform(5, 30), lambda t: self.look_at_cart(shopper, t))
            return None
        self.at(now + self.rng.uniform(3, 8), lambda t: self.checkout_page(shopper, t))
        return None

    def look_at_cart(self, shopper: Shopper, now: float) -> None:
        """An abandoned cart: looked at once more, then left."""
        self.request(now, self._cart_key(shopper))

    def _cart_key(self, shopper: Shopper) -> str:
        return "GET /cart" if shopper.signed_in else "GET /guest/cart"

    def checkout_page(self, shopper: Shopper, now: float) -> None:
        outcome = self.request(now, self._cart_key(shopper))
        if shopper.signed_in:
            self.request(now, "GET /me")  # the saved addresses
        if outcome != "ok":
            return self._refused(shopper, now, outcome, self.checkout_page, "checkout page")
        # Filling in the address and the card.
        self.at(now + self.rng.uniform(20, 60), lambda t: self.place_order(shopper, t))
        return None

    def place_order(self, shopper: Shopper, now: float) -> None:
        key = "POST /orders/create" if shopper.signed_in else "POST /guest/orders/create"
        if shopper.hot and self.hot_stock <= 0:
            shopper.gave_up = "sold out"
            return None
        outcome = self.request(now, key, hot=shopper.hot)
        if outcome != "ok":
            return self._refused(shopper, now, outcome, self.place_order, "order")
        order = Order(ident=len(self.orders), created_at=now)
        self.orders[order.ident] = order
        shopper.order_id, shopper.created_at = order.ident, now
        self.totals.add("orders_placed", now)
        self.generation += 1  # product_changed: the catalog generation moves with every order
        if shopper.hot:
            before = self.hot_stock
            self.hot_stock -= 1
            if _shown(before) != _shown(self.hot_stock):
                self.flushes += 1
                self.stage_cache.clear()  # catalog_cache_invalidator flushes the whole stage cache
        self.enqueue("order_processor", now + SQS_SEND_MS / 1000, ("placed", order.ident))
        self.at(now + 0.5, lambda t: self.pay(shopper, t))
        return None

    def pay(self, shopper: Shopper, now: float) -> None:
        outcome = self.request(now, "POST /payment/stripe/intent")
        if outcome != "ok":
            return self._refused(shopper, now, outcome, self.pay, "payment")
        # The page confirms the card with Stripe; Stripe then calls the webhook.
        confirmed = now + STRIPE_CALL_MS / 1000 + self.rng.uniform(2, 5)
        order = self.orders[shopper.order_id or 0]
        self.at(confirmed + self.rng.uniform(*STRIPE_WEBHOOK_DELAY_S), lambda t: self.webhook(order, t, 0))
        self.at(confirmed, lambda t: self.poll(shopper, t, confirmed, nudged=False))
        return None

    def webhook(self, order: Order, now: float, attempt: int) -> None:
        if order.webhook_accepted_at is not None:
            return
        outcome = self.request(now, "POST /payment/webhook/stripe")
        if outcome == "ok":
            order.webhook_accepted_at = now
            self.enqueue("payment_processor", now + SQS_SEND_MS / 1000, ("settle", order.ident))
        elif attempt < len(STRIPE_RETRY_DELAYS_S):
            self.at(now + STRIPE_RETRY_DELAYS_S[attempt], lambda t: self.webhook(order, t, attempt + 1))
        else:
            self.totals.add("webhooks_lost", now)

    def poll(self, shopper: Shopper, now: float, started: float, *, nudged: bool) -> None:
        order = self.orders[shopper.order_id or 0]
        key = "GET /orders/{id}" if shopper.signed_in else "GET /guest/orders/{id}"
        outcome = self.request(now, key)
        if outcome == "ok" and order.paid_at is not None and order.paid_at <= now:
            self.totals.add("saw_paid", now)
            return
        if not nudged and now - started >= NUDGE_AFTER_S:
            nudged = True
            if (
                self.request(now, "POST /payment/stripe/confirm") == "ok"
                and order.webhook_accepted_at is None
            ):
                order.webhook_accepted_at = now  # the confirm queues the same settlement
                self.enqueue("payment_processor", now + SQS_SEND_MS / 1000, ("settle", order.ident))
        if now - started + POLL_EVERY_S > POLL_LIMIT_S:
            self.totals.add("poll_timeouts", now)
            return
        self.at(now + POLL_EVERY_S, lambda t: self.poll(shopper, t, started, nudged=nudged))

    # -- queues and consumers --------------------------------------------------------------------

    def enqueue(self, consumer: str, when: float, message: Any) -> None:
        self.totals.add(f"sqs:{consumer}", when)
        self.at(when, lambda t: self._offer(consumer, t, message))

    def _offer(self, consumer: str, now: float, message: Any) -> None:
        pool = self.pools[consumer]
        pool.backlog.append(message)
        pool.max_backlog = max(pool.max_backlog, len(pool.backlog))
        self._dispatch(pool, now)

    def _dispatch(self, pool: ConsumerPool, now: float) -> None:
        while pool.busy < pool.concurrency and pool.backlog:
            message = pool.backlog.popleft()
            pool.busy += 1
            self._handle(pool, now, message)

    def _done(self, pool: ConsumerPool, now: float) -> None:
        pool.busy -= 1
        pool.handled += 1
        pool.last_done = max(pool.last_done, now)
        self._dispatch(pool, now)

    def _handle(self, pool: ConsumerPool, now: float, message: Any) -> None:
        kind, payload = message[0], message[1]
        if pool.name == "email_sender":
            return self._send_email(pool, now, message)
        work = ORDER_PROCESSOR if pool.name == "order_processor" else PAYMENT_PROCESSOR
        self._account_consumer(pool.name, now, work)
        done = now + work.duration_ms() / 1000
        if kind == "settle":
            self.totals.add("stripe_retrieve", now)
            order = self.orders[payload]
            order.paid_at = done
            if done - order.created_at > self.limits.payment_hold_s:
                self.totals.add("paid_after_hold", done)  # the sweep cancelled it: refunded at once
            else:
                self.totals.add("orders_paid", done)
        self.enqueue("email_sender", done, ("email", payload, 1))
        self.at(done, lambda t: self._done(pool, t))
        return None

    def _account_consumer(self, function: str, now: float, work: Work) -> None:
        totals = self.totals
        duration = work.duration_ms()
        totals.invocations[function] += 1  # per message: batches of CONSUMER_BATCH_SIZE share one
        totals.gb_s[function] += self.limits.memory_mb[function] / 1024 * duration / 1000
        totals.peak_concurrency[function] = max(totals.peak_concurrency[function], self.pools[function].busy)
        totals.add("rru", now, work.rru)
        totals.add("wru", now, work.wru)
        totals.add("dynamodb_calls", now, work.dynamodb_calls)
        totals.add("sqs_sends", now, work.sqs_sends)

    def _send_email(self, pool: ConsumerPool, now: float, message: Any) -> None:
        """SES behind the breaker: a throttled send fails after botocore's retries, counts against
        SES, and comes back after the visibility timeout; the third receive parks it in the DLQ."""
        self._account_consumer("email_sender", now, EMAIL_SENDER)
        per_day = self.limits.ses[1]
        if now < self.breaker_open_until:
            return self._email_failed(pool, now, message, BREAKER_OPEN_FAIL_MS)
        if self.ses_sent_today < per_day and self.ses_bucket.take(now):
            self.ses_sent_today += 1
            self.emails_sent += 1
            self.totals.add("ses_sent", now)
            self.at(now + SES_SEND_MS / 1000, lambda t: self._done(pool, t))
            return None
        self.totals.add("ses_throttled", now)
        self.totals.refused("SES sending rate", now)
        self.breaker_failures = [t for t in self.breaker_failures if t > now - FAILURE_WINDOW_SECONDS]
        self.breaker_failures.append(now)
        if len(self.breaker_failures) >= FAILURE_THRESHOLD:
            self.breaker_open_until = now + RESET_TIMEOUT_SECONDS
            self.breaker_failures.clear()
            self.totals.add("breaker_opened", now)
        return self._email_failed(pool, now, message, SES_THROTTLED_MS)

    def _email_failed(self, pool: ConsumerPool, now: float, message: Any, spent_ms: float) -> None:
        _kind, order_id, receives = message
        done = now + spent_ms / 1000
        if receives >= self.limits.max_receives:
            self.email_dlq += 1
            self.totals.add("email_dlq", done)
        else:
            again = done + self.limits.visibility_s["email_sender"]
            self.at(again, lambda t: self._offer("email_sender", t, ("email", order_id, receives + 1)))
        self.at(done, lambda t: self._done(pool, t))


def _shown(stock: int) -> tuple[str, int]:
    """What a shopper sees of the stock (shop.catalog.model.availability): a change flushes the cache."""
    if stock <= 0:
        return ("sold out", 0)
    return ("low", stock) if stock <= LOW_STOCK_SHOWN_AT else ("in stock", 0)


# ====================================================================================================
# Scenarios.


def flash_arrivals(rng: random.Random, shoppers: int = FLASH_SHOPPERS) -> list[float]:
    """The shoppers' opening times in the window: exponential decay from the opening, truncated."""
    cut = 1 - math.exp(-FLASH_WINDOW_S / FLASH_DECAY_S)
    return sorted(-FLASH_DECAY_S * math.log(1 - rng.random() * cut) for _ in range(shoppers))


def run_flash_sale(
    limits: Limits, seed: int, hold_ms: float = TRANSACTION_HOLD_MS, *, shoppers: int = FLASH_SHOPPERS
) -> Simulation:
    sim = Simulation(limits, seed, hold_ms=hold_ms)
    for ident, when in enumerate(flash_arrivals(sim.rng, shoppers)):
        shopper = Shopper(ident, "flash", signed_in=sim.rng.random() < SIGNED_IN_SHARE, hot=True)
        sim.start(shopper, when)
    sim.run()
    return sim


def peak_hour_orders() -> float:
    return DAILY_ORDERS * max(DAILY_CURVE) / sum(DAILY_CURVE)


def run_daily(limits: Limits, seed: int, hold_ms: float = TRANSACTION_HOLD_MS) -> Simulation:
    """The busiest hour of a 10,000-order day: Poisson arrivals of buyers, browsers and carts."""
    sim = Simulation(limits, seed, hold_ms=hold_ms)
    orders = peak_hour_orders()
    rates = {
        "buyer": orders / 3600,
        "browser": orders * BROWSE_SESSIONS_PER_ORDER / 3600,
        "cart": orders * ABANDONED_CARTS_PER_ORDER / 3600,
    }
    ident = 0
    for kind, rate in rates.items():
        when = sim.rng.expovariate(rate)
        while when < 3600:
            sim.start(Shopper(ident, kind, signed_in=sim.rng.random() < SIGNED_IN_SHARE, hot=False), when)
            ident += 1
            when += sim.rng.expovariate(rate)
    sim.hot_stock = 10**9
    sim.run()
    return sim


# ====================================================================================================
# The report.


def cost_per_1000_orders(sim: Simulation) -> dict[str, float]:
    """USD per 1,000 placed orders, with the browsing that came with them (list prices)."""
    totals = sim.totals
    orders = max(1.0, totals.count["orders_placed"])
    requests = totals.count["api"]
    invocations = sum(totals.invocations.values())
    messages = sum(totals.count[f"sqs:{name}"] for name in sim.pools)
    emails = orders * EMAILS_PER_ORDER
    cost = {
        "lambda_requests": invocations * PRICES["lambda_request"],
        "lambda_gb_s": sum(totals.gb_s.values()) * PRICES["lambda_gb_s_arm"],
        "api_gateway": requests * PRICES["apigw_rest_request"],
        "dynamodb_writes": totals.count["wru"] * PRICES["dynamodb_wru"],
        "dynamodb_reads": totals.count["rru"] * PRICES["dynamodb_rru"],
        # Send, receive and delete per message; Lambda's pollers' empty receives are not counted.
        "sqs": messages * 3 * PRICES["sqs_request"],
        "ses": emails * PRICES["ses_email"],
        "data_transfer": totals.count["response_kb"] / 1024 / 1024 * PRICES["data_out_gb"],
        "waf": (requests * PRICES["waf_request"]) if sim.limits.waf else 0.0,
        "logs": (invocations * LOG_KB_PER_INVOCATION + requests * LOG_KB_PER_API_REQUEST)
        / 1024
        / 1024
        * PRICES["logs_gb"],
    }
    per_thousand = {name: value / orders * 1000 for name, value in cost.items()}
    per_thousand["total"] = sum(per_thousand.values())
    return {name: round(value, 4) for name, value in per_thousand.items()}


def report(sim: Simulation, scenario: str) -> dict[str, Any]:
    totals, limits = sim.totals, sim.limits
    routes = {}
    for key in sorted(set(totals.admitted) | set(totals.throttled)):
        throttle = limits.throttles[key]
        routes[key] = {
            "peak_rps": totals.peak(f"route:{key}"),
            "limit_rps": throttle.rate_per_second,
            "burst": throttle.burst,
            "requests": int(totals.count[f"route:{key}"]),
            "throttled": totals.throttled.get(key, 0),
            "stage_cache_hits": totals.cache_hits.get(key, 0),
        }
    functions = {
        name: {
            "peak_concurrency": totals.peak_concurrency[name],
            "reserved": limits.reserved.get(name, 0),
            "throttled": totals.lambda_throttled.get(name, 0),
            "invocations": totals.invocations[name],
        }
        for name in sorted(totals.invocations)
    }
    queues = {
        name: {
            "messages": int(totals.count[f"sqs:{name}"]),
            "peak_per_s": totals.peak(f"sqs:{name}"),
            "max_concurrency": pool.concurrency,
            "batch_size": limits.consumer_batch,
            "max_backlog": pool.max_backlog,
            "drained_at_s": round(pool.last_done, 1),
        }
        for name, pool in sim.pools.items()
    }
    by_class: dict[str, float] = defaultdict(float)
    for key, route in routes.items():
        by_class[limits.route_classes[key].value] += route["requests"]
    orders = int(totals.count["orders_placed"])
    gave_up = {
        metric.split(":", 1)[1]: int(n) for metric, n in totals.count.items() if metric.startswith("gave_up:")
    }
    peak_stock_wcu = totals.peak("stock_wcu")
    result: dict[str, Any] = {
        "scenario": scenario,
        "stage": limits.stage,
        "peak_requests_per_minute": limits.peak_requests_per_minute,
        "shoppers": len(sim.shoppers),
        "orders_placed": orders,
        "orders_paid": int(totals.count["orders_paid"]),
        "paid_after_payment_hold": int(totals.count["paid_after_hold"]),
        "gave_up": gave_up,
        "api": {
            "requests": int(totals.count["api"]),
            "peak_rps": totals.peak("api"),
            "account_limit_rps": API_ACCOUNT_RPS,
            "account_burst": API_ACCOUNT_BURST,
            "throttled_429": sum(totals.throttled.values()),
            # The mix of this scenario next to the seed's load model the throttles come from.
            "class_shares": {
                kind: round(n / max(1, totals.count["api"]), 3) for kind, n in sorted(by_class.items())
            },
            "seed_shares": {kind.value: share for kind, share in SEED_LOAD.shares.items()},
        },
        "routes": routes,
        "functions": functions,
        "lambda": {
            "account_concurrency": LAMBDA_ACCOUNT_CONCURRENCY,
            "reserved_in_all": sum(limits.reserved.values()),
            "scaling_per_function_per_10s": LAMBDA_SCALING_PER_10S,
            "peak_concurrency_in_all": sum(f["peak_concurrency"] for f in functions.values()),
        },
        "dynamodb": {
            "peak_wru_per_s": totals.peak("wru"),
            "peak_rru_per_s": totals.peak("rru"),
            "new_table_warm_wru": ON_DEMAND_NEW_TABLE_WRU,
            "new_table_warm_rru": ON_DEMAND_NEW_TABLE_RRU,
            "hot_stock_item_peak_wcu": peak_stock_wcu,
            "partition_wcu": PARTITION_WCU,
            "hot_stock_item_share_of_partition": round(peak_stock_wcu / PARTITION_WCU, 4),
            "orders_pending_gsi_key_peak_wru": totals.peak("pending_key_wru"),
            "products_active_gsi_key_peak_wru": totals.peak("active_key_wru"),
            "transaction_conflicts": int(totals.count["transaction_conflicts"]),
            "stock_contention_503": int(totals.count["stock_503"]),
            "listing_misses": int(totals.count["listing_misses"]),
            "listing_query_peak_rru": totals.peak("listing_query_rru"),
            "partition_rcu": PARTITION_RCU,
        },
        "redis": {
            "peak_ops_per_s": totals.peak("redis_ops"),
            "peak_mbit_per_s": round(totals.peak("redis_kb") * 8 / 1000, 2),
            "node": limits.cache_node_type,
            "baseline_mbit_per_s": T4G_MICRO_BASELINE_MBIT,
        },
        "queues": queues,
        "email": {
            "ses_rate_per_s": limits.ses[0],
            "ses_per_day": limits.ses[1],
            "sent": sim.emails_sent,
            "throttled_sends": int(totals.count["ses_throttled"]),
            "breaker_opened": int(totals.count["breaker_opened"]),
            "dead_lettered": sim.email_dlq,
        },
        "stripe": {
            "create_intent_peak_per_s": totals.peak("stripe_create"),
            "retrieve_intent_peak_per_s": totals.peak("stripe_retrieve"),
            "endpoint_limit_per_s": STRIPE_ENDPOINT_RPS,
            "account_limit_per_s": STRIPE_ACCOUNT_RPS,
        },
        "stage_cache_flushes": sim.flushes,
        "webhooks_lost": int(totals.count["webhooks_lost"]),
        "poll_timeouts": int(totals.count["poll_timeouts"]),
        "simulated_until_s": round(sim.end, 1),
        "cost_per_1000_orders_usd": cost_per_1000_orders(sim),
    }
    # Every component that refused work, with the second it first did: the earliest broke first.
    result["first_refusals"] = dict(sorted(totals.first_refusal.items(), key=lambda item: item[1]))
    result["first_to_break"] = next(iter(result["first_refusals"]), None)
    return result


SES_PRESETS = {"production": SES_PRODUCTION, "sandbox": SES_SANDBOX}


def simulate(
    scenario: str,
    stage: str = "prod",
    seed: int = 20,
    *,
    sale_plan: bool = False,
    plan_email: bool = True,
    ses: str = "production",
    hold_ms: float = TRANSACTION_HOLD_MS,
    peak_requests_per_minute: int | None = None,
) -> dict[str, Any]:
    limits = limits_for(stage, ses=SES_PRESETS[ses], peak_requests_per_minute=peak_requests_per_minute)
    label = scenario
    if peak_requests_per_minute is not None:
        label += f" (peak_requests_per_minute {peak_requests_per_minute:,})"
    if sale_plan:
        limits = with_sale_plan(limits, email=plan_email)
        label += " (sale plan)" if plan_email else " (sale plan, email left as it is)"
    if ses != "production":
        label += f" (SES {ses})"
    if hold_ms != TRANSACTION_HOLD_MS:
        label += f" (stock transactions hold {hold_ms:g} ms)"
    runner = run_flash_sale if scenario == "flash_sale" else run_daily
    return report(runner(limits, seed, hold_ms), label)


def waf_headroom() -> dict[str, float]:
    """Shoppers one client IP (a NAT, a carrier's CGNAT) can carry before WAF blocks it (403)."""
    flash_requests = 3 + 1 + 2 + 1 + 1 + POLL_LIMIT_S / POLL_EVERY_S / 6  # in ~5 minutes
    return {
        "api_per_ip_per_5_min": API_RATE_PER_IP.limit,
        "flash_shoppers_per_ip": round(API_RATE_PER_IP.limit / flash_requests, 1),
        "payments_per_ip_per_min": PAYMENTS_RATE_PER_IP.limit,
        "paying_shoppers_per_ip_per_min": PAYMENTS_RATE_PER_IP.limit / 2,  # intent + confirm
    }


def render(result: dict[str, Any]) -> str:
    api, db, redis, email = result["api"], result["dynamodb"], result["redis"], result["email"]
    lines = [
        f"== {result['scenario']} on {result['stage']} (throttles planned for "
        f"{result['peak_requests_per_minute']:,} requests/min) ==",
        f"shoppers {result['shoppers']:,}; orders placed {result['orders_placed']:,}, "
        f"paid {result['orders_paid']:,}, paid after the payment hold (refunded) "
        f"{result['paid_after_payment_hold']:,}; gave up at {result['gave_up']}",
        f"API Gateway: {api['requests']:,} requests, peak {api['peak_rps']:.0f}/s of the account's "
        f"{api['account_limit_rps']:,}/s; {api['throttled_429']:,} refused by stage throttles (429)",
        "route                               peak/s  limit/s burst  requests  throttled  cache hits",
    ]
    for key, route in result["routes"].items():
        lines.append(
            f"{key:35} {route['peak_rps']:6.0f} {route['limit_rps']:8.0f} {route['burst']:5} "
            f"{route['requests']:9,} {route['throttled']:10,} {route['stage_cache_hits']:11,}"
        )
    lines.append("function                  peak concurrency  reserved  throttled  invocations")
    for name, function in result["functions"].items():
        lines.append(
            f"{name:25} {function['peak_concurrency']:16} {function['reserved']:9} "
            f"{function['throttled']:10,} {function['invocations']:12,}"
        )
    lines += [
        f"DynamoDB: peak {db['peak_wru_per_s']:.0f} WRU/s, {db['peak_rru_per_s']:.0f} RRU/s (a new on-demand "
        f"table: {db['new_table_warm_wru']:,} / {db['new_table_warm_rru']:,})",
        f"  hot stock item: peak {db['hot_stock_item_peak_wcu']:.0f} WCU/s of a partition's "
        f"{db['partition_wcu']:,}; {db['transaction_conflicts']:,} transaction conflicts, "
        f"{db['stock_contention_503']:,} orders refused for them (503)",
        f"  GSI keys: Orders 'pending' {db['orders_pending_gsi_key_peak_wru']:.0f} WRU/s, Products 'active' "
        f"{db['products_active_gsi_key_peak_wru']:.0f} WRU/s; {db['listing_misses']:,} listing misses, "
        f"listing queries peak {db['listing_query_peak_rru']:.0f} RRU/s",
        f"Redis ({redis['node']}): peak {redis['peak_ops_per_s']:.0f} ops/s, "
        f"{redis['peak_mbit_per_s']} Mbit/s of a {redis['baseline_mbit_per_s']} Mbit/s baseline",
    ]
    for name, queue in result["queues"].items():
        lines.append(
            f"queue of {name:18} {queue['messages']:6,} messages, peak {queue['peak_per_s']:.0f}/s, "
            f"{queue['max_concurrency']} at once, max backlog {queue['max_backlog']:,}, "
            f"last done at {queue['drained_at_s']:,} s"
        )
    refusals = list(result["first_refusals"].items())
    cost = result["cost_per_1000_orders_usd"]
    stripe = result["stripe"]
    lines += [
        f"Stripe: peak {stripe['create_intent_peak_per_s']:.0f} intents created/s and "
        f"{stripe['retrieve_intent_peak_per_s']:.0f} retrieved/s, of {stripe['endpoint_limit_per_s']}/s per "
        f"endpoint and {stripe['account_limit_per_s']}/s per account (not simulated as refusals)",
        f"SES at {email['ses_rate_per_s']}/s, {email['ses_per_day']:,}/day: sent {email['sent']:,}, "
        f"{email['throttled_sends']:,} throttled sends, breaker opened {email['breaker_opened']} times, "
        f"{email['dead_lettered']:,} emails dead-lettered",
        f"stage cache flushes {result['stage_cache_flushes']}; webhooks lost {result['webhooks_lost']}; "
        f"pages that stopped polling unpaid {result['poll_timeouts']:,}; "
        f"simulated until {result['simulated_until_s']:,} s",
        "first refusals: "
        + ("; ".join(f"{name} at {second:g} s" for name, second in refusals[:6]) or "none"),
        f"cost per 1,000 orders (USD, list prices {PRICES_TAKEN}): "
        + ", ".join(f"{name} {value:.2f}" for name, value in cost.items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=("flash_sale", "daily", "all"), default="all")
    parser.add_argument("--stage", default="prod")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument(
        "--sale-plan",
        action="store_true",
        help="also run the flash sale with SALE_PLAN, and with it but email as is",
    )
    parser.add_argument("--ses", choices=sorted(SES_PRESETS), default="production")
    parser.add_argument(
        "--hold-ms", type=float, default=TRANSACTION_HOLD_MS, help="stock item transaction hold"
    )
    parser.add_argument(
        "--peak-requests-per-minute",
        type=int,
        help="the stage's cdk.json setting to try instead of its own (the throttles follow it)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    scenarios = ("flash_sale", "daily") if args.scenario == "all" else (args.scenario,)
    results = [
        simulate(
            name,
            args.stage,
            args.seed,
            ses=args.ses,
            hold_ms=args.hold_ms,
            peak_requests_per_minute=args.peak_requests_per_minute,
        )
        for name in scenarios
    ]
    if args.sale_plan and "flash_sale" in scenarios:
        for plan_email in (True, False):
            results.append(
                simulate(
                    "flash_sale",
                    args.stage,
                    args.seed,
                    sale_plan=True,
                    plan_email=plan_email,
                    hold_ms=args.hold_ms,
                )
            )
    if args.json:
        print(json.dumps({"results": results, "waf": waf_headroom()}, indent=2))
    else:
        for result in results:
            print(render(result))
            print()
        print("WAF per client IP:", waf_headroom())
    return 0


if __name__ == "__main__":
    sys.exit(main())
