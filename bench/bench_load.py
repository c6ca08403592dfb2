"""Load: N concurrent simulated shoppers against the local shop for D seconds (issue 9).

Starts the local shop from this process (seeded, schedules off; its functions in worker processes,
`--in-process` for the one-at-a-time runtime) or targets an already running one (`--url`, e.g.
`make run`). Each shopper is a thread with its own HTTP session (neither httpx nor
aiohttp is a dependency) looping over a mix: 70 % browse (product lists with filters and pages,
one product, categories, featured), 20 % guest cart (add / update / get), 10 % guest checkout
(order with an Idempotency-Key, the card tokenized at the stage's Stripe — localstripe locally — and
the PaymentIntent confirmed with it). Traffic goes to 127.0.0.1 only,
and the run stops by itself after `--seconds`.

    .venv/bin/python bench/bench_load.py [--users 100] [--seconds 60] [--cache-kill-switch] [--json]

Reports requests/s, p50/p95/p99 per route class and per route, the error rate (409s from stock
counted apart), the Redis hit rate (INFO stats before/after), the stage-cache hit rate
(/_local/cache), orders placed vs paid once the queues drained, and the peak RSS of this process and
of it with its function workers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

KILL_SWITCH_FLAGS = {"orders_inline": False, "cache_bypass": True}
ADDRESS = {
    "name": "Load Test",
    "line1": "1 Bench Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
SORTS = ["newest", "price_asc", "price_desc", "rating", "best_selling"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@dataclass
class Sample:
    route_class: str
    route: str
    status: int  # 0: no response (connection error, timeout)
    seconds: float


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders_created: int = 0
    payments_confirmed: int = 0

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class EmfTally:
    """Stands in for sys.stdout while the shop runs (the function workers' output is relayed to it): the
    handlers' EMF lines are counted (CacheHit / CacheMiss per cache), not printed; the rest is dropped."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buffer = ""
        self.counts: dict[str, dict[str, float]] = defaultdict(lambda: {"CacheHit": 0.0, "CacheMiss": 0.0})

    def write(self, text: str) -> int:
        with self.lock:
            self.buffer += text
            *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            self._count(line)
        return len(text)

    def flush(self) -> None:
        pass

    def _count(self, line: str) -> None:
        if '"_aws"' not in line or "Cache" not in line:
            return
        try:
            record = json.loads(line)
        except ValueError:
            return
        for name in ("CacheHit", "CacheMiss"):
            values = record.get(name)
            if values is not None:
                total = sum(values) if isinstance(values, list) else float(values)
                with self.lock:
                    self.counts[record.get("cache", "?")][name] += total

    def summary(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            counts = {cache: dict(values) for cache, values in self.counts.items()}
        result = {}
        for cache, values in sorted(counts.items()):
            hits, misses = values["CacheHit"], values["CacheMiss"]
            rate = round(hits / (hits + misses), 4) if hits + misses else None
            result[cache] = {"hits": int(hits), "misses": int(misses), "hit_rate": rate}
        return result


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address (Linux routes all of 127.0.0.0/8 to lo)."""

    def __init__(self, source_ip: str) -> None:
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass(frozen=True)
class CardTokens:
    """Stripe.js's createToken without a browser: Stripe's test card to the stage's Stripe (localstripe
    for the local shop, from config.json) with the publishable key. Not timed: it is Stripe's call."""

    stripe_api: str
    publishable_key: str

    @classmethod
    def of_site(cls, base: str) -> CardTokens | None:
        config = requests.get(f"{base}/config.json", timeout=10).json()
        key, script = config.get("stripePublishableKey"), config.get("stripeJsUrl") or ""
        if not key or not script:
            return None
        # localstripe serves its Stripe.js at <its API>/js.stripe.com/v3/; Stripe's own is on its own host.
        local = not script.startswith("https://js.stripe.com/")
        return cls(script.removesuffix("/js.stripe.com/v3/") if local else "https://api.stripe.com", key)

    def token(self, session: requests.Session) -> str | None:
        card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        fields = {f"card[{name}]": value for name, value in card.items()} | {"key": self.publishable_key}
        try:
            response = session.post(f"{self.stripe_api}/v1/tokens", data=fields, timeout=30)
        except requests.RequestException:
            return None
        return str(response.json()["id"]) if response.ok else None


class Shopper:
    def __init__(
        self,
        api: str,
        catalog: Catalog,
        recorder: Recorder,
        rng: random.Random,
        source_ip: str | None = None,
        cards: CardTokens | None = None,
    ) -> None:
        self.api = api
        self.cards = cards
        self.catalog = catalog
        self.recorder = recorder
        self.rng = rng
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy between us and 127.0.0.1
        if source_ip:
            # Each shopper its own client address, as real shoppers have: the shop's per-IP limits
            # (a guest's first cart add) would otherwise count 100 shoppers as one client.
            self.session.mount("http://", _FromAddress(source_ip))
        self.cart_id: str | None = None
        self.cart_products: list[str] = []

    def call(
        self, route_class: str, route: str, method: str, path: str, **kwargs: Any
    ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.api + path, timeout=30, **kwargs)
        except requests.RequestException:
            self.recorder.add(Sample(route_class, route, 0, time.perf_counter() - started))
            return None
        self.recorder.add(Sample(route_class, route, response.status_code, time.perf_counter() - started))
        return response

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.70:
            self.browse()
        elif roll < 0.90:
            self.cart()
        else:
            self.checkout()

    def browse(self) -> None:
        rng = self.rng
        choice = rng.random()
        if choice < 0.40:
            params: dict[str, Any] = {"limit": rng.choice([12, 24])}
            if rng.random() < 0.6 and self.catalog.categories:
                params["category"] = rng.choice(self.catalog.categories)
            if rng.random() < 0.3:
                params["sort"] = rng.choice(SORTS)
            if rng.random() < 0.2:
                params["min_price"] = rng.choice([0, 1000, 2000])
                params["max_price"] = params["min_price"] + rng.choice([5000, 10000])
            response = self.call("browse", "GET /products", "GET", "/products", params=params)
            # Page on now and then, with the cursor the first page returned.
            if response is not None and response.ok and rng.random() < 0.3:
                cursor = _json(response).get("next_cursor") or _json(response).get("cursor")
                if cursor:
                    self.call(
                        "browse", "GET /products", "GET", "/products", params={**params, "cursor": cursor}
                    )
        elif choice < 0.80:
            product_id = self.catalog.popular(rng)
            self.call("browse", "GET /products/{id}", "GET", f"/products/{product_id}")
        elif choice < 0.90:
            self.call("browse", "GET /categories", "GET", "/categories")
        else:
            self.call("browse", "GET /featured", "GET", "/featured")

    def _cart_headers(self) -> dict[str, str]:
        return {"X-Cart-Id": self.cart_id} if self.cart_id else {}

    def cart(self) -> None:
        rng = self.rng
        choice = rng.random()
        if choice < 0.5 or not self.cart_products:
            product_id = self.catalog.popular(rng)
            response = self.call(
                "cart",
                "POST /guest/cart/add",
                "POST",
                "/guest/cart/add",
                json={"product_id": product_id, "quantity": 1},
                headers=self._cart_headers(),
            )
            if response is not None and response.ok:
                self.cart_id = _json(response).get("cart_id") or self.cart_id
                self.cart_products.append(product_id)
        elif choice < 0.75:
            self.call(
                "cart",
                "PUT /guest/cart/update",
                "PUT",
                "/guest/cart/update",
                json={"product_id": rng.choice(self.cart_products), "quantity": rng.randint(1, 3)},
                headers=self._cart_headers(),
            )
        else:
            self.call("cart", "GET /guest/cart", "GET", "/guest/cart", headers=self._cart_headers())

    def checkout(self) -> None:
        rng = self.rng
        items = {self.catalog.popular(rng): 1 for _ in range(rng.randint(1, 2))}
        body = {
            "shipping_address": ADDRESS,
            "email": f"load-{uuid.uuid4().hex[:12]}@example.com",
            "items": [{"product_id": pid, "quantity": qty} for pid, qty in items.items()],
        }
        response = self.call(
            "checkout",
            "POST /guest/orders/create",
            "POST",
            "/guest/orders/create",
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if response is None or not response.ok:
            return
        with self.recorder.lock:
            self.recorder.orders_created += 1
        order = _json(response)
        order = order.get("order", order)
        order_id, token = order.get("order_id"), order.get("access_token")
        if not order_id:
            return
        card_token = self.cards.token(self.session) if self.cards else None
        if card_token is None:
            return
        intent = self.call(
            "checkout",
            "POST /payment/stripe/intent",
            "POST",
            "/payment/stripe/intent",
            json={"order_id": order_id, "access_token": token, "card_token": card_token},
        )
        if intent is not None and intent.ok:
            with self.recorder.lock:
                self.recorder.payments_confirmed += 1


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@dataclass
class Catalog:
    product_ids: list[str]
    categories: list[str]

    def popular(self, rng: random.Random) -> str:
        """Zipf-like: the first products of the list are read far more often than the tail."""
        weights = [1 / (rank + 1) for rank in range(len(self.product_ids))]
        return rng.choices(self.product_ids, weights=weights)[0]


def load_catalog(api: str) -> Catalog:
    session = requests.Session()
    session.trust_env = False
    ids: list[str] = []
    params: dict[str, Any] = {"limit": 50}
    for _ in range(20):
        body = session.get(api + "/products", params=params, timeout=30).json()
        items = body.get("items") or body.get("products") or []
        ids.extend(item["product_id"] for item in items if "product_id" in item)
        cursor = body.get("next_cursor") or body.get("cursor")
        if not cursor:
            break
        params["cursor"] = cursor
    categories_body = session.get(api + "/categories", timeout=30).json()
    categories_list = (
        categories_body.get("categories", []) if isinstance(categories_body, dict) else categories_body
    )
    categories = [
        c.get("category") or c.get("name") or c.get("id") for c in categories_list if isinstance(c, dict)
    ]
    if not ids:
        raise SystemExit("the catalog is empty: start the shop seeded")
    return Catalog(ids, [c for c in categories if c])


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def latency_table(samples: list[Sample], key: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sample in samples:
        label = getattr(sample, key)
        groups[label].append(sample.seconds)
        statuses[label][str(sample.status)] += 1
    table = {}
    for label, values in sorted(groups.items()):
        values.sort()
        table[label] = {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "statuses": dict(sorted(statuses[label].items())),
        }
    return table


def redis_stats(url: str | None) -> dict[str, int] | None:
    if not url:
        return None
    import redis

    info = redis.Redis.from_url(url).info("stats")
    return {"hits": int(info["keyspace_hits"]), "misses": int(info["keyspace_misses"])}


def stage_cache_stats(base: str) -> dict[str, Any] | None:
    try:
        response = requests.get(base + "/_local/cache", timeout=10)
        return response.json() if response.ok else None
    except (requests.RequestException, ValueError):
        return None


def orders_table(shop: Any) -> tuple[Any, str] | None:
    import boto3

    client = boto3.client("dynamodb", endpoint_url=shop.aws.endpoint_url, region_name=shop.aws.region)
    names = [
        n for n in client.list_tables()["TableNames"] if "order" in n.lower() and "idempot" not in n.lower()
    ]
    names.sort(key=len)
    return (client, names[0]) if names else None


def count_orders(client: Any, table_name: str) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    arguments: dict[str, Any] = {"TableName": table_name, "ProjectionExpression": "#s, payment_status"}
    arguments["ExpressionAttributeNames"] = {"#s": "order_status"}
    # Orders only: the invoice and credit-note counters live in the table too, without a status.
    arguments["FilterExpression"] = "attribute_exists(#s)"
    while True:
        page = client.scan(**arguments)
        for item in page.get("Items", []):
            counts["total"] += 1
            counts["status:" + item.get("order_status", {}).get("S", "?")] += 1
            counts["payment:" + item.get("payment_status", {}).get("S", "?")] += 1
        if "LastEvaluatedKey" not in page:
            return dict(counts)
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def drain_orders(
    client: Any, table_name: str, unpaid_before: int, limit_seconds: float = 60.0
) -> tuple[dict[str, int], float]:
    """Poll the Orders table every 2 s until no new order is left unpaid (counts unchanged over one
    poll), or the counts stay the same for 10 s, or `limit_seconds`."""
    started = time.monotonic()
    last, stable = None, 0
    while True:
        counts = count_orders(client, table_name)
        stable = stable + 1 if counts == last else 0
        last = counts
        settled = counts.get("payment:unpaid", 0) <= unpaid_before and stable >= 1
        if settled or stable >= 5 or time.monotonic() - started > limit_seconds:
            return counts, time.monotonic() - started
        time.sleep(2)


def restock(shop: Any, quantity: int) -> int:
    """Raise every product in stock to at least `quantity` (sold-out ones stay sold out), so the run
    measures the shop rather than the sample catalog running dry; returns how many were raised.
    Without it the popular products sell out within seconds and most orders end `failed`/refunded."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=shop.aws.endpoint_url, region_name=shop.aws.region)
    name = min((n for n in client.list_tables()["TableNames"] if "product" in n.lower()), key=len)
    raised = 0
    for page in client.get_paginator("scan").paginate(TableName=name):
        for item in page["Items"]:
            stock = int(item.get("stock_quantity", {}).get("N", "0"))
            if 0 < stock < quantity:
                client.update_item(
                    TableName=name,
                    Key={"product_id": item["product_id"]},
                    UpdateExpression="SET stock_quantity = :q",
                    ExpressionAttributeValues={":q": {"N": str(quantity)}},
                )
                raised += 1
    return raised


def _process_tree(pid: int) -> list[int]:
    pids, pending = [], [pid]
    while pending:
        current = pending.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue  # the process or thread ended meanwhile
    return pids


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and every process under it (the runner and its function workers)."""
    total_kib = 0
    for member in _process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


class PeakMemory:
    """Samples tree_rss_mib of this process once a second; `.peak` is the highest seen."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(os.getpid()))
            self._stop.wait(1.0)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def set_kill_switch(shop: Any) -> None:
    import boto3

    if str(ROOT / "lambdas") not in sys.path:
        sys.path.append(str(ROOT / "lambdas"))  # tests.kill_switches takes the switch names from shop
    from tests.kill_switches import set_runtime_flags

    (table,) = [table.name for table in shop.model.tables if table.name.endswith("-RuntimeFlags")]
    dynamodb = boto3.client("dynamodb", endpoint_url=shop.aws.endpoint_url, region_name=shop.aws.region)
    set_runtime_flags(dynamodb, table, **KILL_SWITCH_FLAGS)
    # Handlers read the flags at most every 30 s and seeding may have read them already: in-process
    # handlers forget that reading; worker processes are stopped, so every function starts cold.
    recycle = getattr(shop.runtime, "recycle", None)
    if recycle is not None:
        recycle()
    module_name = "shop.platform.runtime_flags"
    flags_module = sys.modules.get(module_name)
    if flags_module is not None:
        flags_module._flags.reset()
        return
    # Not imported here (worker processes), so nothing to forget; a missing file means a rename that
    # would leave seeding's flags in place and the benchmark measuring the wrong thing.
    module_file = (
        Path(__file__).resolve().parents[1].joinpath("lambdas", *module_name.split(".")).with_suffix(".py")
    )
    if not module_file.is_file():
        raise ModuleNotFoundError(f"{module_name} not found at {module_file}: update set_kill_switch")


def run(args: argparse.Namespace) -> dict[str, Any]:
    shop = None
    if args.url:
        base = args.url.rstrip("/")
        if urlparse(base).hostname not in LOCAL_HOSTS:
            raise SystemExit("--url must point at 127.0.0.1 or localhost")
        redis_url = args.redis_url
        if args.cache_kill_switch:
            raise SystemExit("--cache-kill-switch needs the in-process shop (no --url)")
    else:
        from cdk_app.local.runner import LocalShop, LocalShopOptions

        logging.disable(logging.WARNING)
        started = time.monotonic()
        shop = LocalShop(
            LocalShopOptions(
                port=args.port,
                seed=True,
                run_schedules=False,
                retry_delay_seconds=args.retry_delay,
                isolated_functions=not args.in_process,
            )
        ).start()
        print(f"shop started in {time.monotonic() - started:.1f} s at {shop.server.url}", file=sys.stderr)
        base = shop.server.url.rstrip("/")
        redis_url = shop.redis.url
        if args.stock:
            print(f"restocked {restock(shop, args.stock)} products to {args.stock}", file=sys.stderr)
            # Written behind the catalog's back: drop what the caches remember of the old stock.
            import redis

            redis.Redis.from_url(shop.redis.url).flushdb()
            requests.delete(base + "/_local/cache", timeout=10)
        if args.cache_kill_switch:
            set_kill_switch(shop)
    api = base + "/api"
    tally = EmfTally()
    real_stdout = sys.stdout
    if shop is not None:
        sys.stdout = tally  # type: ignore[assignment]
    try:
        result = _measure(args, shop, base, api, redis_url)
    finally:
        if shop is not None:
            shop.stop()  # first: its workers' last lines still go to the tally, not into the report
        sys.stdout = real_stdout
    if shop is not None:
        result["emf_cache"] = tally.summary()
    return result


def _measure(
    args: argparse.Namespace, shop: Any, base: str, api: str, redis_url: str | None
) -> dict[str, Any]:
    catalog = load_catalog(api)
    cards = CardTokens.of_site(base)
    orders = orders_table(shop) if shop is not None else None
    orders_before = count_orders(*orders) if orders else None
    redis_before = redis_stats(redis_url)
    stage_before = stage_cache_stats(base)
    recorder = Recorder()
    stop_at = time.monotonic() + args.seconds

    def shopper_loop(index: int) -> None:
        source_ip = (
            f"127.0.{1 + index // 250}.{1 + index % 250}" if urlparse(api).hostname == "127.0.0.1" else None
        )
        shopper = Shopper(
            api, catalog, recorder, random.Random(args.seed * 100_003 + index), source_ip, cards
        )
        while time.monotonic() < stop_at:
            shopper.step()
            if args.think_ms:
                time.sleep(shopper.rng.uniform(0, 2 * args.think_ms) / 1000)

    threads = [threading.Thread(target=shopper_loop, args=(i,), daemon=True) for i in range(args.users)]
    started = time.monotonic()
    with PeakMemory() as memory:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, stop_at - time.monotonic()) + 60)
    elapsed = time.monotonic() - started
    samples = list(recorder.samples)

    redis_after = redis_stats(redis_url)
    stage_after = stage_cache_stats(base)
    drained = None
    if orders:
        before = orders_before or {}
        counts, waited = drain_orders(*orders, unpaid_before=before.get("payment:unpaid", 0))
        drained = {
            "placed": counts.get("total", 0) - before.get("total", 0),
            "paid": counts.get("payment:paid", 0) - before.get("payment:paid", 0),
            # Payments given back (an order failed for stock while or after its shopper paid).
            "refunded": counts.get("payment:refunded", 0) - before.get("payment:refunded", 0),
            "unpaid": counts.get("payment:unpaid", 0) - before.get("payment:unpaid", 0),
            "statuses_after": counts,
            "drain_seconds": round(waited, 1),
        }

    total = len(samples)
    # 409 on a cart or checkout route: not enough stock (or an order no longer payable): expected.
    stock_409 = sum(1 for s in samples if s.status == 409 and s.route_class != "browse")
    rate_limited = sum(1 for s in samples if s.status == 429)
    errors = sum(
        1
        for s in samples
        if not (200 <= s.status < 400) and not (s.status == 409 and s.route_class != "browse")
    )
    result: dict[str, Any] = {
        "users": args.users,
        "seconds": args.seconds,
        "elapsed_seconds": round(elapsed, 1),
        "cache_kill_switch": args.cache_kill_switch,
        "in_process": args.in_process,
        "requests": total,
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
        "errors": errors,
        "error_rate": round(errors / total, 4) if total else 0.0,
        "stock_409": stock_409,
        "rate_limited_429": rate_limited,
        "by_class": latency_table(samples, "route_class"),
        "by_route": latency_table(samples, "route"),
        "orders_created_ok": recorder.orders_created,
        "payments_confirmed_ok": recorder.payments_confirmed,
        "orders": drained,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # This process plus the function workers it started (sampled each second during the run).
        "peak_tree_rss_mib": round(memory.peak, 1),
        "function_workers": max(0, len(_process_tree(os.getpid())) - 1),
    }
    if redis_before and redis_after:
        hits = redis_after["hits"] - redis_before["hits"]
        misses = redis_after["misses"] - redis_before["misses"]
        result["redis"] = {
            "hits": hits,
            "misses": misses,
            "hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
        }
    if stage_before and stage_after:
        hits = stage_after["hits"] - stage_before["hits"]
        misses = stage_after["misses"] - stage_before["misses"]
        result["stage_cache"] = {
            "hits": hits,
            "misses": misses,
            "hit_rate": round(hits / (hits + misses), 4) if hits + misses else None,
        }
    return result


def print_report(result: dict[str, Any]) -> None:
    print(
        f"{result['users']} shoppers, {result['elapsed_seconds']} s"
        f"{' (cache kill switch on)' if result['cache_kill_switch'] else ''}: "
        f"{result['requests']} requests, {result['requests_per_second']} req/s"
    )
    print(
        f"errors {result['errors']} ({result['error_rate']:.2%}); "
        f"409 (stock, cart + checkout) {result['stock_409']}; 429 {result['rate_limited_429']}"
    )
    for title, key in (("class", "by_class"), ("route", "by_route")):
        print(f"\n{title:<30} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
        for label, row in result[key].items():
            print(
                f"{label:<30} {row['count']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}"
                f"  {row['statuses']}"
            )
    print()
    for name in ("redis", "stage_cache"):
        if name in result:
            stats = result[name]
            rate = "n/a" if stats["hit_rate"] is None else f"{stats['hit_rate']:.1%}"
            print(f"{name} hit rate: {rate} ({stats['hits']} hits, {stats['misses']} misses)")
    if result.get("emf_cache") == {}:
        print("EMF: no CacheHit / CacheMiss records (the handlers skipped their Redis caches)")
    for cache, stats in result.get("emf_cache", {}).items():
        rate = "n/a" if stats["hit_rate"] is None else f"{stats['hit_rate']:.1%}"
        print(f"EMF {cache} cache hit rate: {rate} ({stats['hits']} CacheHit, {stats['misses']} CacheMiss)")
    print(
        f"orders created (2xx) {result['orders_created_ok']}, "
        f"payments confirmed (2xx) {result['payments_confirmed_ok']}"
    )
    if result["orders"]:
        orders = result["orders"]
        print(
            f"Orders table after drain ({orders['drain_seconds']} s): "
            f"placed {orders['placed']}, paid {orders['paid']}, refunded {orders['refunded']}, "
            f"unpaid {orders['unpaid']}"
        )
    print(
        f"peak RSS: this process {result['peak_rss_mib']} MiB; with its {result['function_workers']} "
        f"processes (function workers, Redis) {result['peak_tree_rss_mib']} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--url", help="a running local shop (127.0.0.1 only); default: start one in process")
    parser.add_argument("--redis-url", help="with --url: the shop's Redis, for the hit rate")
    parser.add_argument("--port", type=int, default=0, help="port of the in-process shop (0: any free port)")
    parser.add_argument(
        "--retry-delay",
        type=int,
        default=5,
        help="seconds before the in-process shop retries a failed queue message (the template says minutes)",
    )
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between a shopper's steps")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--stock",
        type=int,
        default=100_000,
        help="in-process shop: raise every product in stock to this before the run (0: keep the sample's)",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run the handlers in this process, one at a time"
    )
    parser.add_argument(
        "--cache-kill-switch", action="store_true", help='set {"cache_bypass": true} before the run'
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
