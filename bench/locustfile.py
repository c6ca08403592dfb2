"""Seed 001's load scenario for locust: shoppers browsing, filling guest carts, checking out and paying.

    .venv/bin/locust -f bench/locustfile.py --headless -u 100 -r 20 -t 5m --host <site URL> \
        --csv load-report/locust --html load-report/locust.html --summary-json load-report/summary.json

`--host` is the shop's web site (local: http://127.0.0.1:8000; a stage: its site URL): its config.json
names the API and the stage's Stripe (localstripe locally). Usually run by bench/load.py (`make load`),
which starts a local shop when there is no URL and checks the shop's side afterwards.

Each shopper loops over a mix (`--mix`, default 70/20/10): browse (product lists with category, sort,
price filters and a second page now and then; one product with Zipf-like popularity; categories;
featured), guest cart (add / update / get with the X-Cart-Id the shop issued) and checkout (a guest
order with an Idempotency-Key, Stripe's test card tokenized at the stage's Stripe and
`/payment/stripe/intent` confirming it). Requests are named by route template, so locust's tables
group per route. `--summary-json` writes, when locust quits, p50/p95/p99 per class (browse, cart,
checkout, stripe) and the orders this run created, for the shop-side checks.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

import requests
from locust import HttpUser, events, task
from locust.clients import LocustHttpAdapter
from locust.env import Environment
from locust.stats import RequestStats
from urllib3 import PoolManager

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_catalog import TIMEOUT_SECONDS, Catalog, Site

ADDRESS = {
    "name": "Load Test",
    "line1": "1 Bench Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
SORTS = ["newest", "price_asc", "price_desc", "rating", "best_selling"]
# Order emails go to SES's mailbox simulator on a deployed stage (allowed in the SES sandbox too): accepted,
# outside the daily quota and the reputation metrics, still under the send rate and billed; an invented
# domain would bounce and count against the account's bounce rate.
LOAD_EMAIL = "success+load-{}@simulator.amazonses.com"
TEST_CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
# Route template (locust's name) -> class of the summary's per-class percentiles.
ROUTE_CLASSES = {
    "GET /products": "browse",
    "GET /products/{id}": "browse",
    "GET /categories": "browse",
    "GET /featured": "browse",
    "POST /guest/cart/add": "cart",
    "PUT /guest/cart/update": "cart",
    "GET /guest/cart": "cart",
    "POST /guest/orders/create": "checkout",
    "POST /payment/stripe/intent": "checkout",
    "POST /v1/tokens (Stripe)": "stripe",
}
# A 409 on a cart or checkout route is the shop saying "not enough stock": the right answer, counted
# apart (a stage's real stock may run out during a run); anywhere else it is a failure.
STOCK_CLASSES = {"cart", "checkout"}


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--mix", default="70,20,10", help="browse,cart,checkout weights of a step")
    parser.add_argument("--think-seconds", type=float, default=0.0, help="mean pause between steps")
    parser.add_argument("--seed", type=int, default=9, help="seed of the shoppers' random choices")
    parser.add_argument(
        "--source-ips",
        action="store_true",
        help="each shopper its own loopback address 127.0.x.y (local shop: per-IP limits see N clients)",
    )
    parser.add_argument("--summary-json", default="", help="write per-class figures and created orders here")
    parser.add_argument(
        "--catalog-json", default="", help="the catalog bench/load.py read (default: read it)"
    )


@dataclass
class Run:
    """Shared by the shoppers of this process: the site, the catalog, and what the summary reports."""

    site: Site
    catalog: Catalog
    classes: RequestStats = field(default_factory=lambda: RequestStats(use_response_times_cache=False))
    stock_409: int = 0
    steps: int = 0
    orders: list[str] = field(default_factory=list)
    paid_confirmations: int = 0
    started: float = field(default_factory=time.monotonic)
    started_epoch: float = field(default_factory=time.time)
    stopped: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


RUN: Run | None = None
_user_numbers = itertools.count()


@events.init.add_listener
def _load_catalog(environment: Environment, **_kwargs: Any) -> None:
    """Before the run (and its --run-time) starts: reading 1000 products takes a while under load."""
    global RUN
    assert environment.host, "--host: the shop's site URL"
    site = Site.read(environment.host)
    catalog_file = environment.parsed_options.catalog_json if environment.parsed_options else ""
    RUN = Run(site, Catalog.load(Path(catalog_file)) if catalog_file else Catalog.read(site.api))


@events.test_start.add_listener
def _started(**_kwargs: Any) -> None:
    if RUN is not None:
        RUN.started, RUN.started_epoch = time.monotonic(), time.time()


@events.request.add_listener
def _count_by_class(
    request_type: str, name: str, response_time: float, response_length: int, exception: Any, **kwargs: Any
) -> None:
    if RUN is None:
        return
    route_class = ROUTE_CLASSES.get(f"{request_type} {name}", "other")
    RUN.classes.log_request("class", route_class, round(response_time), response_length or 0)
    if exception is not None:
        RUN.classes.log_error("class", route_class, exception)


@events.test_stop.add_listener
def _stopped(**_kwargs: Any) -> None:
    if RUN is not None and RUN.stopped is None:
        RUN.stopped = time.monotonic()


@events.quitting.add_listener
def _write_summary(environment: Environment, **_kwargs: Any) -> None:
    path = environment.parsed_options.summary_json if environment.parsed_options else ""
    if not path or RUN is None:
        return
    elapsed = (RUN.stopped or time.monotonic()) - RUN.started
    classes = {}
    for (name, _method), entry in sorted(RUN.classes.entries.items()):
        classes[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            **{
                f"p{round(q * 100)}_ms": entry.get_response_time_percentile(q) if entry.num_requests else None
                for q in (0.5, 0.95, 0.99)
            },
        }
    total = environment.stats.total
    summary = {
        "users": environment.parsed_options.num_users,
        "elapsed_seconds": round(elapsed, 1),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "requests_per_second": round(total.num_requests / elapsed, 1) if elapsed else 0.0,
        "started_epoch": RUN.started_epoch,
        "steps": RUN.steps,
        "stock_409": RUN.stock_409,
        "by_class": classes,
        "orders_created": RUN.orders,
        "payments_confirmed": RUN.paid_confirmations,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(summary, indent=2) + "\n")


class Shopper(HttpUser):
    """One guest shopper: a step at a time from the mix, with its own cart and (optionally) address."""

    def on_start(self) -> None:
        assert RUN is not None, "test_start did not run"
        self.scenario = RUN
        options = self.environment.parsed_options
        number = next(_user_numbers)
        self.rng = random.Random(options.seed * 100_003 + number)
        weights = [float(part) for part in options.mix.split(",")]
        if len(weights) != 3 or sum(weights) <= 0:
            raise ValueError(f"--mix takes three weights (browse,cart,checkout), not {options.mix!r}")
        self.mix = list(accumulate(weights))
        self.think = options.think_seconds
        if options.source_ips:
            # Each shopper its own client address, as real shoppers have: the shop's per-IP limits (a
            # guest's first cart add, the payment routes) would otherwise count every shopper as one.
            # Linux routes all of 127.0.0.0/8 to the loopback interface.
            address = f"127.0.{1 + number // 250}.{1 + number % 250}"
            self.client.mount(
                "http://", LocustHttpAdapter(pool_manager=PoolManager(source_address=(address, 0)))
            )
        self.cart_id: str | None = None
        self.cart_products: list[str] = []

    def wait_time(self) -> float:
        return self.rng.uniform(0, 2 * self.think) if self.think else 0.0

    def call(self, method: str, route: str, path: str, **kwargs: Any) -> requests.Response:
        """A request to the API named by its route; a 409 for stock on cart and checkout is not a failure."""
        with self.client.request(
            method,
            self.scenario.site.api + path,
            name=route,
            timeout=TIMEOUT_SECONDS,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code == 409 and ROUTE_CLASSES[f"{method} {route}"] in STOCK_CLASSES:
                response.success()
                with self.scenario.lock:
                    self.scenario.stock_409 += 1
            return response

    @task
    def step(self) -> None:
        with self.scenario.lock:
            self.scenario.steps += 1
        roll = self.rng.random() * self.mix[-1]
        if roll < self.mix[0]:
            self.browse()
        elif roll < self.mix[1]:
            self.cart()
        else:
            self.checkout()

    def browse(self) -> None:
        rng, catalog = self.rng, self.scenario.catalog
        choice = rng.random()
        if choice < 0.40:
            params: dict[str, Any] = {"limit": rng.choice([12, 24])}
            if rng.random() < 0.6 and catalog.categories:
                params["category"] = rng.choice(catalog.categories)
            if rng.random() < 0.3:
                params["sort"] = rng.choice(SORTS)
            if rng.random() < 0.2:
                params["min_price"] = rng.choice([0, 1000, 2000])
                params["max_price"] = params["min_price"] + rng.choice([5000, 10000])
            response = self.call("GET", "/products", "/products", params=params)
            # Page on now and then, with the cursor the first page returned.
            cursor = _json(response).get("next_cursor") if _answered(response) else None
            if cursor and rng.random() < 0.3:
                self.call("GET", "/products", "/products", params={**params, "cursor": cursor})
        elif choice < 0.80:
            self.call("GET", "/products/{id}", f"/products/{catalog.popular(rng)}")
        elif choice < 0.90:
            self.call("GET", "/categories", "/categories")
        else:
            self.call("GET", "/featured", "/featured")

    def _cart_headers(self) -> dict[str, str]:
        return {"X-Cart-Id": self.cart_id} if self.cart_id else {}

    def cart(self) -> None:
        rng = self.rng
        choice = rng.random()
        if choice < 0.5 or not self.cart_products:
            product_id = self.scenario.catalog.popular_buyable(rng)
            body = {"product_id": product_id, "quantity": 1}
            response = self.call(
                "POST", "/guest/cart/add", "/guest/cart/add", json=body, headers=self._cart_headers()
            )
            if _answered(response):
                # A guest's first add answers with the new, signed cart id; later calls send it back.
                self.cart_id = _json(response).get("cart_id") or self.cart_id
                self.cart_products.append(product_id)
        elif choice < 0.75:
            body = {"product_id": rng.choice(self.cart_products), "quantity": rng.randint(1, 3)}
            self.call(
                "PUT", "/guest/cart/update", "/guest/cart/update", json=body, headers=self._cart_headers()
            )
        else:
            self.call("GET", "/guest/cart", "/guest/cart", headers=self._cart_headers())

    def checkout(self) -> None:
        rng = self.rng
        items = {self.scenario.catalog.popular_buyable(rng): 1 for _ in range(rng.randint(1, 2))}
        body = {
            "shipping_address": ADDRESS,
            "email": LOAD_EMAIL.format(uuid.uuid4().hex[:12]),
            "items": [{"product_id": pid, "quantity": qty} for pid, qty in items.items()],
        }
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        response = self.call(
            "POST", "/guest/orders/create", "/guest/orders/create", json=body, headers=headers
        )
        order = _json(response) if _answered(response) else {}
        order = order.get("order", order)
        order_id, access_token = order.get("order_id"), order.get("access_token")
        if not order_id:
            return
        with self.scenario.lock:
            self.scenario.orders.append(order_id)
        card_token = self.card_token()
        if card_token is None:
            return
        body = {"order_id": order_id, "access_token": access_token, "card_token": card_token}
        intent = self.call("POST", "/payment/stripe/intent", "/payment/stripe/intent", json=body)
        if _answered(intent):
            with self.scenario.lock:
                self.scenario.paid_confirmations += 1

    def card_token(self) -> str | None:
        """Stripe.js's createToken without a browser: the test card to the stage's Stripe with the
        publishable key. Timed as its own class ("stripe"): it is Stripe's latency, not the shop's."""
        site = self.scenario.site
        if site.stripe_api is None:
            return None
        fields = {f"card[{name}]": value for name, value in TEST_CARD.items()} | {"key": site.publishable_key}
        with self.client.post(
            f"{site.stripe_api}/v1/tokens",
            data=fields,
            name="/v1/tokens (Stripe)",
            timeout=TIMEOUT_SECONDS,
            catch_response=True,
        ) as response:
            return str(_json(response).get("id")) if _answered(response) else None


def _answered(response: requests.Response) -> bool:
    """2xx/3xx. Not `response.ok`: on a connection error or timeout locust's response raises that error
    from raise_for_status(), which `ok` calls, and the shopper's step would end in an exception."""
    return 200 <= response.status_code < 400


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
