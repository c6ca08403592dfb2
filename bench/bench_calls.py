"""Work per request (issue 20): the AWS calls and Redis round trips each route of the local shop makes.

Starts a seeded local shop (schedules off) with SHOP_CALL_LOG set, so every function worker counts its
own invocations' calls (cdk_app/local/call_counter.py: botocore hooks, redis-py's connection), then
drives each route class one request at a time: a warm-up request (its worker's cold start and
first-use reads are not counted), then `--repeat` measured ones. Each request carries an
`X-Call-Tag` header; the function's record with that tag is the request's own work. Records without
a tag that appear while the request runs or in the quiet second after a write (order_processor after
the order's SQS message, the catalog invalidator after a product write, localstripe's webhook) are
the asynchronous work the request set off, reported apart. A request the stage cache answers
invokes no function: 0 calls.

    .venv/bin/python bench/bench_calls.py [--repeat 3] [--json] [--only PREFIX] [--checkout DIR]

Prints a table per route (medians over the measured requests): DynamoDB calls in total and by
operation, Redis round trips, SQS sends, other AWS calls, and the asynchronous work; then the
order-create path's calls in order (guest and signed-in). `--checkout DIR` runs another checkout's
code (for a before/after: `git worktree add /tmp/before <commit>`); that checkout needs the counter
(cdk_app/local/call_counter.py and function_worker.py, copied in if it predates them).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cdk_app.local.call_counter import CallLog

ROOT = Path(__file__).resolve().parent.parent
ADDRESS = {
    "name": "Bench Caller",
    "line1": "1 Bench Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
ADMIN_API_KEY_NAME = "local-shop-api-admin"
TAG_HEADER = "X-Call-Tag"
QUIET_SECONDS = 2.0  # the stream pump polls every 0.5 s; queue pumps long-poll; a loaded machine is slow
SETTLE_LIMIT_SECONDS = 20.0


@dataclass
class Sample:
    status: int
    own: list[dict[str, Any]]  # the tagged records: the request's own invocation (0 or 1)
    follow_up: list[dict[str, Any]]  # untagged records while it ran or settled: the work it set off


@dataclass
class RouteResult:
    name: str
    samples: list[Sample] = field(default_factory=list)


# -- driving requests --------------------------------------------------------------------------------


class Driver:
    def __init__(self, base: str, log: CallLog, *, repeat: int) -> None:
        import requests

        self.api = base + "/api"
        self.base = base
        self.log = log
        self.repeat = repeat
        self.session = requests.Session()
        self.session.trust_env = False
        self.results: list[RouteResult] = []
        self.stray: list[dict[str, Any]] = []

    def request(self, method: str, path: str, *, settle: bool, **kwargs: Any) -> tuple[Any, Sample]:
        self.stray.extend(self.log.new())  # anything before this request is not its work
        tag = uuid.uuid4().hex
        headers = {**kwargs.pop("headers", {}), TAG_HEADER: tag}
        response = self.session.request(method, self.api + path, headers=headers, timeout=60, **kwargs)
        records = self.log.new()
        if settle:
            records += self._settle()
        own = [r for r in records if r.get("tag") == tag]
        follow_up = [r for r in records if r.get("tag") is None]
        self.stray.extend(r for r in records if r.get("tag") not in (tag, None))
        return response, Sample(response.status_code, own, follow_up)

    def _settle(self) -> list[dict[str, Any]]:
        """Records until none has come for QUIET_SECONDS (the request's asynchronous work)."""
        records: list[dict[str, Any]] = []
        started = last = time.monotonic()
        while time.monotonic() - last < QUIET_SECONDS and time.monotonic() - started < SETTLE_LIMIT_SECONDS:
            time.sleep(0.1)
            fresh = self.log.new()
            if fresh:
                records += fresh
                last = time.monotonic()
        return records

    def route(
        self,
        name: str,
        call: Callable[[], tuple[Any, Sample]],
        *,
        before_each: Callable[[], None] | None = None,
        warm_up: bool = True,
    ) -> list[Any]:
        """`call` once to warm up (not counted), then `repeat` times; returns the measured responses."""
        result = RouteResult(name)
        responses = []
        for attempt in range(self.repeat + (1 if warm_up else 0)):
            if before_each is not None:
                before_each()
            response, sample = call()
            if warm_up and attempt == 0:
                continue
            result.samples.append(sample)
            responses.append(response)
        self.results.append(result)
        return responses

    def flush_stage_cache(self) -> None:
        self.session.delete(self.base + "/_local/cache", timeout=10)


# -- the scenario ------------------------------------------------------------------------------------


@dataclass
class Shop:
    """What the scenario needs of the started shop: tokens, keys, product ids, Redis."""

    shopper_token: str
    admin_headers: dict[str, str]
    products: list[dict[str, Any]]
    redis_url: str
    card_token: Callable[[], str | None]

    def product_ids(self, count: int) -> list[str]:
        shippable = [
            p["product_id"]
            for p in self.products
            if p.get("availability") == "in_stock" and not p.get("digital_download")
        ]
        return shippable[:count]


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# The admin's order search by email (any address: the work is the index page and the orders by key).
SEARCHED_EMAIL = "shopper%40shop.local"  # cdk_app.local.sample_catalog.SHOPPER_EMAIL


def scenario(driver: Driver, shop: Shop, only: str | None) -> None:
    def wanted(prefix: str) -> bool:
        return only is None or prefix.startswith(only) or only in prefix

    product_id, other_id, third_id = shop.product_ids(3)
    category = next(p["category"] for p in shop.products if p["product_id"] == product_id)
    word = next(p["name"] for p in shop.products if p["product_id"] == product_id).split()[0]
    customer = {"Authorization": shop.shopper_token}

    def cold_caches() -> None:
        flush_redis(shop.redis_url)
        driver.flush_stage_cache()

    reads = [
        ("GET /products/{id}", f"/products/{product_id}", {}),
        ("GET /products", "/products", {"limit": 24}),
        ("GET /products?category", "/products", {"category": category, "limit": 24}),
        ("GET /products?q (search)", "/products", {"q": word, "limit": 24}),
        ("GET /categories", "/categories", {}),
        ("GET /featured", "/featured", {}),
        ("GET /bestsellers", "/bestsellers", {}),
        ("GET /reviews/{product_id}", f"/reviews/{product_id}", {}),
        ("GET /sitemap.xml", "/sitemap.xml", {}),
    ]
    for name, path, params in reads:
        if not wanted(name):
            continue
        # Uncached: Redis and the stage cache empty; Redis-cached: the function runs, Redis answers;
        # stage-cached: API Gateway answers, no function runs.
        driver.route(
            f"{name} [uncached]",
            lambda path=path, params=params: driver.request("GET", path, settle=False, params=params),
            before_each=cold_caches,
        )
        driver.route(
            f"{name} [Redis-cached]",
            lambda path=path, params=params: driver.request("GET", path, settle=False, params=params),
            before_each=driver.flush_stage_cache,
        )
        driver.route(
            f"{name} [stage-cached]",
            lambda path=path, params=params: driver.request("GET", path, settle=False, params=params),
        )
    if wanted("GET /health"):
        driver.route("GET /health", lambda: driver.request("GET", "/health", settle=False))

    # -- carts: a guest's (X-Cart-Id) and the signed-in shopper's ----------------------------------
    for who, prefix, headers in (("guest", "/guest", {}), ("customer", "", customer)):
        if not wanted(f"cart {who}") and not wanted(f"{prefix}/cart"):
            continue
        cart_headers = dict(headers)
        first, _ = driver.request(
            "POST",
            f"{prefix}/cart/add",
            settle=True,
            headers=cart_headers,
            json={"product_id": third_id, "quantity": 1},
        )
        if who == "guest" and first.ok:
            cart_headers["X-Cart-Id"] = first.json().get("cart_id", "")
        quantity = iter(range(1, 1000))  # one counter per cart: each update changes the quantity
        driver.route(
            f"POST {prefix}/cart/add",
            lambda h=cart_headers, p=prefix: driver.request(
                "POST",
                f"{p}/cart/add",
                settle=True,
                headers=h,
                json={"product_id": product_id, "quantity": 1},
            ),
        )
        driver.route(
            f"PUT {prefix}/cart/update",
            lambda h=cart_headers, p=prefix, q=quantity: driver.request(
                "PUT",
                f"{p}/cart/update",
                settle=True,
                headers=h,
                json={"product_id": product_id, "quantity": 1 + next(q) % 3},
            ),
        )
        driver.route(
            f"GET {prefix}/cart",
            lambda h=cart_headers, p=prefix: driver.request("GET", f"{p}/cart", settle=False, headers=h),
        )

        def add_then_remove(h: dict[str, str] = cart_headers, p: str = prefix) -> tuple[Any, Sample]:
            driver.request(
                "POST", f"{p}/cart/add", settle=True, headers=h, json={"product_id": other_id, "quantity": 1}
            )
            return driver.request(
                "DELETE", f"{p}/cart/remove", settle=True, headers=h, json={"product_id": other_id}
            )

        driver.route(f"DELETE {prefix}/cart/remove", add_then_remove)

    # -- orders and payment --------------------------------------------------------------------------
    def order_body(email: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "shipping_address": ADDRESS,
            "items": [{"product_id": product_id, "quantity": 1}],
        }
        if email:
            body["email"] = email
        return body

    # As the checkout page places them (web/js/checkout.js): from the cart (the guest's X-Cart-Id, the
    # shopper's own), with an Idempotency-Key, no `items`. The cart is filled first, outside the count.
    def fill_cart(headers: dict[str, str], prefix: str) -> dict[str, str]:
        response, _ = driver.request(
            "POST",
            f"{prefix}/cart/add",
            settle=True,
            headers=headers,
            json={"product_id": product_id, "quantity": 1},
        )
        cart_id = response.json().get("cart_id") if response.ok else None
        return {"X-Cart-Id": cart_id} if cart_id else {}

    def guest_order_from_cart() -> tuple[Any, Sample]:
        headers = {**fill_cart({}, "/guest"), "Idempotency-Key": uuid.uuid4().hex}
        body = order_body(f"bench-{uuid.uuid4().hex[:8]}@example.com")
        del body["items"]
        return driver.request("POST", "/guest/orders/create", settle=True, headers=headers, json=body)

    def customer_order_from_cart() -> tuple[Any, Sample]:
        fill_cart(customer, "")
        body = order_body(None)
        del body["items"]
        headers = {**customer, "Idempotency-Key": uuid.uuid4().hex}
        return driver.request("POST", "/orders/create", settle=True, headers=headers, json=body)

    guest_orders: list[dict[str, Any]] = []
    if wanted("POST /guest/orders/create"):
        responses = driver.route("POST /guest/orders/create", guest_order_from_cart)
        guest_orders = [r.json() for r in responses if r.ok]
        driver.route(
            "POST /guest/orders/create (items)",
            lambda: driver.request(
                "POST",
                "/guest/orders/create",
                settle=True,
                headers={"Idempotency-Key": uuid.uuid4().hex},
                json=order_body(f"bench-{uuid.uuid4().hex[:8]}@example.com"),
            ),
        )
    customer_orders: list[dict[str, Any]] = []
    if wanted("POST /orders/create"):
        responses = driver.route("POST /orders/create", customer_order_from_cart)
        customer_orders = [r.json() for r in responses if r.ok]
    if guest_orders and wanted("POST /payment/stripe/intent"):
        unpaid = iter(guest_orders)

        def pay() -> tuple[Any, Sample]:
            order = next(unpaid, guest_orders[-1])
            body = {
                "order_id": order["order_id"],
                "access_token": order["access_token"],
                "card_token": shop.card_token(),
            }
            return driver.request("POST", "/payment/stripe/intent", settle=True, json=body)

        # No warm-up: each call pays another order (the warm-up would use one of the measured ones).
        driver.route("POST /payment/stripe/intent", pay, warm_up=False)
    if guest_orders and wanted("GET /guest/orders/{id}"):
        order = guest_orders[0]
        driver.route(
            "GET /guest/orders/{id}",
            lambda: driver.request(
                "GET",
                f"/guest/orders/{order['order_id']}",
                settle=False,
                headers={"X-Order-Token": order["access_token"]},
            ),
        )
    if customer_orders and wanted("GET /orders"):
        order_id = customer_orders[0]["order_id"]
        driver.route("GET /orders", lambda: driver.request("GET", "/orders", settle=False, headers=customer))
        driver.route(
            "GET /orders/{id}",
            lambda: driver.request("GET", f"/orders/{order_id}", settle=False, headers=customer),
        )

    # -- account, tracking, reviews --------------------------------------------------------------------
    if wanted("GET /me"):
        driver.route("GET /me", lambda: driver.request("GET", "/me", settle=False, headers=customer))
        driver.route(
            "GET /me/preferences",
            lambda: driver.request("GET", "/me/preferences", settle=False, headers=customer),
        )
        driver.route(
            "PUT /me",
            lambda: driver.request("PUT", "/me", settle=True, headers=customer, json={"name": "Sam Shopper"}),
        )
    if wanted("POST /track"):
        session_id = uuid.uuid4().hex
        body = {"product_id": product_id, "session_id": session_id}
        driver.route(
            "POST /track/view", lambda: driver.request("POST", "/track/view", settle=True, json=body)
        )
        driver.route(
            "POST /track/cart-add", lambda: driver.request("POST", "/track/cart-add", settle=True, json=body)
        )
        driver.route(
            "POST /track/watchlist/add",
            lambda: driver.request(
                "POST", "/track/watchlist/add", settle=True, headers=customer, json={"product_id": product_id}
            ),
        )
        driver.route(
            "GET /track/watchlist",
            lambda: driver.request("GET", "/track/watchlist", settle=False, headers=customer),
        )
    if wanted("POST /reviews"):
        driver.route(
            "POST /reviews",
            lambda: driver.request(
                "POST",
                "/reviews",
                settle=True,
                headers=customer,
                json={"product_id": other_id, "rating": 5, "title": "Bench"},
            ),
        )

    # -- administrators ----------------------------------------------------------------------------------
    if wanted("admin"):
        admin = shop.admin_headers
        for name, path in (
            ("GET /admin/products", "/admin/products"),
            ("GET /orders/admin/list", "/orders/admin/list"),
            # The order search by email: an index page and the orders by key, never a Scan.
            ("GET /orders/admin/list?q (email)", f"/orders/admin/list?q={SEARCHED_EMAIL}"),
            ("GET /orders/admin/sales", "/orders/admin/sales"),
            ("GET /admin/promotions", "/admin/promotions"),
            ("GET /admin/audit-log", "/admin/audit-log"),
        ):
            driver.route(
                f"{name} (admin)", lambda path=path: driver.request("GET", path, settle=False, headers=admin)
            )
        price = iter(range(1000, 100000, 7))
        driver.route(
            "PUT /products/{id} (admin)",
            lambda: driver.request(
                "PUT", f"/products/{third_id}", settle=True, headers=admin, json={"price": next(price)}
            ),
        )


# -- summarizing -------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _counts(records: list[dict[str, Any]], service: str) -> Counter[str]:
    total: Counter[str] = Counter()
    for record in records:
        for name, count in record.get("aws", {}).items():
            if name.startswith(service + "."):
                total[name.split(".", 1)[1]] += count
    return total


def summarize(result: RouteResult) -> dict[str, Any]:
    samples = result.samples
    per_sample = []
    for sample in samples:
        own = sample.own
        dynamodb = _counts(own, "dynamodb")
        sqs = _counts(own, "sqs")
        other = Counter(
            {
                name: n
                for record in own
                for name, n in record.get("aws", {}).items()
                if not name.startswith(("dynamodb.", "sqs."))
            }
        )
        follow_dynamodb = _counts(sample.follow_up, "dynamodb")
        per_sample.append(
            {
                "status": sample.status,
                "invoked": len(own),
                "dynamodb": sum(dynamodb.values()),
                "dynamodb_by_operation": dict(dynamodb),
                "redis_round_trips": sum(r.get("redis_round_trips", 0) for r in own),
                "sqs_sends": sqs.get("SendMessage", 0) + sqs.get("SendMessageBatch", 0),
                "other_aws": dict(other),
                "follow_up_invocations": [
                    f"{r['function']} ({r.get('route', r.get('trigger'))})" for r in sample.follow_up
                ],
                "follow_up_dynamodb": sum(follow_dynamodb.values()),
                "follow_up_redis": sum(r.get("redis_round_trips", 0) for r in sample.follow_up),
                "calls": [call for r in own for call in r.get("calls", [])],
                "redis": [cmd for r in own for cmd in r.get("redis", [])],
                "follow_up_calls": [
                    f"{r['function']}: {call}" for r in sample.follow_up for call in r.get("calls", [])
                ],
            }
        )
    operations = sorted({op for s in per_sample for op in s["dynamodb_by_operation"]})
    return {
        "route": result.name,
        "requests": len(samples),
        "statuses": dict(Counter(str(s["status"]) for s in per_sample)),
        "invoked": _median([s["invoked"] for s in per_sample]),
        "dynamodb": _median([s["dynamodb"] for s in per_sample]),
        "dynamodb_max": max((s["dynamodb"] for s in per_sample), default=0),
        "dynamodb_by_operation": {
            op: _median([s["dynamodb_by_operation"].get(op, 0) for s in per_sample]) for op in operations
        },
        "redis_round_trips": _median([s["redis_round_trips"] for s in per_sample]),
        "sqs_sends": _median([s["sqs_sends"] for s in per_sample]),
        "other_aws": dict(Counter(name for s in per_sample for name in s["other_aws"])),
        "follow_up_dynamodb": _median([s["follow_up_dynamodb"] for s in per_sample]),
        "follow_up_functions": sorted({f for s in per_sample for f in s["follow_up_invocations"]}),
        "samples": per_sample,
    }


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'route':<44} {'fn':>3} {'DDB':>4} {'max':>4} {'Redis':>5} {'SQS':>4}  {'async DDB':>9}"
        "  DynamoDB by operation; other AWS"
    )
    for row in rows:
        operations = ", ".join(f"{op} {_number(n)}" for op, n in row["dynamodb_by_operation"].items() if n)
        other = ", ".join(row["other_aws"])
        print(
            f"{row['route']:<44} {_number(row['invoked']):>3} {_number(row['dynamodb']):>4} "
            f"{row['dynamodb_max']:>4} {_number(row['redis_round_trips']):>5} "
            f"{_number(row['sqs_sends']):>4}  {_number(row['follow_up_dynamodb']):>9}  "
            f"{operations}{'; ' + other if other else ''}"
        )


def print_paths(rows: list[dict[str, Any]], routes: tuple[str, ...]) -> None:
    for row in rows:
        if row["route"] not in routes or not row["samples"]:
            continue
        # The sample whose DynamoDB count is the median: the path as it usually runs.
        samples = sorted(row["samples"], key=lambda s: s["dynamodb"])
        sample = samples[len(samples) // 2]
        print(
            f"\n{row['route']} (status {sample['status']}): {sample['dynamodb']} DynamoDB calls, "
            f"{len(sample['redis'])} Redis round trips"
        )
        for number, call in enumerate(sample["calls"], 1):
            print(f"  {number:>2}. {call}")
        print(f"  Redis: {', '.join(sample['redis']) or 'none'}")
        if sample["follow_up_calls"]:
            print("  set off (asynchronous):")
            for call in sample["follow_up_calls"]:
                print(f"     - {call}")


# -- running -----------------------------------------------------------------------------------------


@contextmanager
def started_shop(log_path: Path) -> Iterator[Any]:
    from cdk_app.local.redis_server import free_port
    from cdk_app.local.runner import LocalShop, LocalShopOptions

    saved = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["SHOP_CALL_LOG"] = str(log_path)  # the workers inherit the runner's environment
    shop = LocalShop(LocalShopOptions(port=free_port(), seed=True, run_schedules=False)).start()
    try:
        yield shop
    finally:
        shop.stop()
        os.environ.clear()
        os.environ.update(saved)


def shop_parts(shop: Any) -> Shop:
    import requests

    from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SHOPPER_EMAIL
    from cdk_app.local.seed import sign_in

    base = shop.server.url.rstrip("/")
    products = requests.get(base + "/api/products", params={"limit": 100}, timeout=30).json()["items"]

    def card_token() -> str | None:
        payments = shop.payments
        if payments is None or payments.api_base is None:
            return None
        card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
        data = {f"card[{k}]": v for k, v in card.items()} | {"key": payments.stripe_publishable_key}
        response = requests.post(f"{payments.api_base}/v1/tokens", data=data, timeout=30)
        return str(response.json()["id"]) if response.ok else None

    return Shop(
        shopper_token=sign_in(shop, SHOPPER_EMAIL, LOCAL_PASSWORD)["IdToken"],
        admin_headers={
            "Authorization": sign_in(shop, ADMIN_EMAIL, LOCAL_PASSWORD)["IdToken"],
            "X-Api-Key": shop.api_keys[ADMIN_API_KEY_NAME],
        },
        products=products,
        redis_url=shop.redis.url,
        card_token=card_token,
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as directory:
        log_path = Path(directory) / "calls.jsonl"
        started = time.monotonic()
        real_stdout = sys.stdout
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the functions' logs, relayed to stdout
        try:
            with started_shop(log_path) as shop:
                print(f"shop started in {time.monotonic() - started:.1f} s", file=sys.stderr)
                from cdk_app.local.call_counter import CallLog

                driver = Driver(shop.server.url.rstrip("/"), CallLog(log_path), repeat=args.repeat)
                scenario(driver, shop_parts(shop), args.only)
        finally:
            sys.stdout.close()
            sys.stdout = real_stdout
    rows = [summarize(result) for result in driver.results]
    return {
        "checkout": str(Path(args.checkout).resolve()) if args.checkout else str(ROOT),
        "repeat": args.repeat,
        "load_average": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "routes": rows,
        "unattributed_records": len(driver.stray),
    }


ORDER_PATHS = ("POST /guest/orders/create", "POST /orders/create")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=3, help="measured requests per route (after one warm-up)"
    )
    parser.add_argument("--only", help="only routes whose name starts with or contains this")
    parser.add_argument("--checkout", help="run another checkout's code (a git worktree)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    args = parser.parse_args()
    code_root = Path(args.checkout).resolve() if args.checkout else ROOT
    if not (code_root / "cdk_app" / "local" / "call_counter.py").is_file():
        raise SystemExit(
            f"{code_root} has no cdk_app/local/call_counter.py: copy it and function_worker.py in"
        )
    sys.path[:0] = [str(code_root), str(code_root / "lambdas")]
    os.chdir(code_root)
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['checkout']}: {result['repeat']} requests per route after a warm-up; "
        f"load average {result['load_average'][0]:.2f}"
    )
    print(
        "medians per request: fn = functions invoked, DDB = DynamoDB calls (max over the requests), "
        "Redis = round trips,"
    )
    print("SQS = messages sent, async DDB = DynamoDB calls of the work the request set off\n")
    print_table(result["routes"])
    print_paths(result["routes"], ORDER_PATHS)


if __name__ == "__main__":
    main()
