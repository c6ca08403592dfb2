"""`make load`: seed 001's load test with locust against the local shop or a deployed stage, then the
shop's side of it (issue 20).

    .venv/bin/python bench/load.py [--url SITE] [--users 100] [--minutes 5] [--think-seconds 0] ...

Without --url it starts the local shop here first (seeded, 1000 products, stock raised: bench_load.py)
and stops it afterwards. locust runs as a subprocess (it monkey-patches the standard library with
gevent) on bench/locustfile.py, headless, writing its CSV and HTML reports to --report-dir. Then:

- every order the run placed is paid once the queues drained (the Orders table, read by order id);
- no dead-letter queue gained a message (every queue of the stage whose name says dlq);
- the catalog and cart cache hit rates of the handlers' EMF metrics (local: the functions' log;
  deployed: CloudWatch) and the stage cache's (local: /_local/cache; deployed: API Gateway metrics).

It prints one summary (requests/s, failures, p50/p95/p99 per class, hit rates, placed/paid, queue
depths), writes it as JSON next to locust's reports, and exits 1 when a request failed, an order
placed was not paid, or a dead-letter queue holds more than before.

A deployed stage is reached with the default AWS credentials and the region of its config.json. Its
shoppers pause 7.5 s between steps on average (seed 001's 1000 requests a minute from 100 shoppers;
--think-seconds 0 runs into the stage throttles' 429s), pay with Stripe's test card (test-mode keys
only) and get their emails at SES's mailbox simulator. WAF's per-IP rules (stages with `waf: true`:
1,500 requests per 5 minutes, 10 a minute on the payment routes) block one machine driving 100
shoppers: run against a stage with WAF off, or from several machines (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT)]

from bench_load import LocalLoadOptions, PeakMemory, start_local_shop  # noqa: E402
from load_catalog import Catalog  # noqa: E402
from load_checks import (  # noqa: E402
    EmfTally,
    HitRate,
    ShopResources,
    cloudwatch_cache_rates,
    drain,
    queue_depths,
    resources_by_stage_prefix,
    resources_from_stacks,
    stage_cache_rate,
)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCUSTFILE = BENCH / "locustfile.py"
# `make run`'s functions write their output here (cdk_app/local/__main__.py).
RUNNING_SHOP_FUNCTION_LOG = ROOT / ".local-shop" / "logs" / "functions.log"
CLASSES = ("browse", "cart", "checkout", "stripe")
# A function's workers (cdk_app/local/function_processes.py: up to 4 each) start on demand.
WARM_UP_USERS = 4
# A deployed stage admits seed 001's plan: 1000 requests/min from 100 shoppers (cdk_app/traffic_limits.py's
# stage throttles allow 3x each class's share). A step makes ~1.25 requests on average (measured), so 100
# shoppers pausing 7.5 s on average send ~1000 a minute; without pauses they would measure the throttles.
DEPLOYED_THINK_SECONDS = 7.5
# CloudWatch shows EMF and API Gateway metrics a minute or two after they happen.
CLOUDWATCH_DELAY_SECONDS = 150


@dataclass(frozen=True)
class Target:
    """Where the run goes: the site, its config.json, and how to reach the stage's AWS resources."""

    site: str
    config: dict[str, Any]
    local: bool
    aws_endpoint: str | None  # the local shop's moto; None: AWS itself
    function_log: Path | None
    local_aws: Any = None  # the LocalAws of a shop started here: its clients know every local endpoint

    @property
    def region(self) -> str:
        return str(self.config.get("region") or os.environ.get("AWS_REGION") or "us-east-1")

    def client(self, service: str) -> Any:
        import boto3

        if self.local_aws is not None:
            return self.local_aws.client(service)
        if self.aws_endpoint is None:
            return boto3.client(service, region_name=self.region)
        # moto takes any credentials; the environment's real ones must not go to it (or be needed).
        return boto3.client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name=self.region,
            aws_access_key_id="load",
            aws_secret_access_key="load",
        )


def read_target(site: str, function_log: Path | None, local_aws: Any = None) -> Target:
    site = site.rstrip("/")
    config = requests.get(f"{site}/config.json", timeout=30).json()
    local = urlparse(site).hostname in LOCAL_HOSTS
    # The local shop's config.json names its moto endpoint (for Cognito); AWS itself has none.
    endpoint = config.get("cognitoEndpoint") if local else None
    return Target(site, config, local, endpoint, function_log if local else None, local_aws)


def find_resources(target: Target) -> ShopResources:
    stage = str(target.config["stage"])
    if target.local:
        return resources_by_stage_prefix(target.client("dynamodb"), target.client("sqs"), stage)
    return resources_from_stacks(target.client("cloudformation"), stage)


def locust_command(
    args: argparse.Namespace, target: Target, report: Path, *, name: str, users: int, seconds: float
) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{max(1, round(seconds))}s",
        # A shopper finishes its step after the time is up: an order placed is then also paid.
        "--stop-timeout",
        "60",
        "--host",
        target.site,
        "--csv",
        str(report / name),
        "--html",
        str(report / f"{name}.html"),
        "--summary-json",
        str(report / f"{name}-summary.json"),
        "--catalog-json",
        str(report / "catalog.json"),
        "--mix",
        args.mix,
        "--think-seconds",
        str(args.think_seconds),
        "--seed",
        str(args.seed),
        "--only-summary",
        "--exit-code-on-error",
        "0",  # failures are judged here, with the shop's side
    ]
    if target.local:
        command.append("--source-ips")
    return command


def run_locust(
    args: argparse.Namespace,
    target: Target,
    report: Path,
    memory: PeakMemory | None = None,
    *,
    name: str = "locust",
    users: int | None = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    users = args.users if users is None else users
    seconds = args.minutes * 60 if seconds is None else seconds
    command = locust_command(args, target, report, name=name, users=users, seconds=seconds)
    log = report / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        if memory is not None:
            memory.exclude = process.pid
        code = process.wait()
    summary_file = report / f"{name}-summary.json"
    if code != 0 or not summary_file.is_file():
        tail = "".join(log.read_text().splitlines(keepends=True)[-30:])
        raise SystemExit(f"locust exited {code} without its summary; the end of {log}:\n{tail}")
    return dict(json.loads(summary_file.read_text()))


def local_stage_cache(site: str) -> HitRate | None:
    try:
        response = requests.get(f"{site}/_local/cache", timeout=10)
        stats = response.json() if response.ok else None
    except (requests.RequestException, ValueError):
        return None
    return HitRate(stats["hits"], stats["misses"]) if stats else None


@contextlib.contextmanager
def target_shop(args: argparse.Namespace, report: Path) -> Iterator[Target]:
    """The --url site, or a local shop started here for the run (stopped afterwards)."""
    if args.url:
        log = args.function_log or (
            RUNNING_SHOP_FUNCTION_LOG if RUNNING_SHOP_FUNCTION_LOG.is_file() else None
        )
        yield read_target(args.url, log)
        return
    options = LocalLoadOptions(
        products=args.products,
        stock=args.stock,
        in_process=args.in_process,
        cache_kill_switch=args.cache_kill_switch,
    )
    started = time.monotonic()
    function_log = report / "functions.log"
    shop = start_local_shop(options, function_log)
    try:
        print(f"local shop ready in {time.monotonic() - started:.0f} s at {shop.server.url}", file=sys.stderr)
        yield read_target(shop.server.url, function_log, shop.aws)
    finally:
        shop.stop()


def measure(args: argparse.Namespace, target: Target, report: Path) -> dict[str, Any]:
    resources = find_resources(target)
    sqs = target.client("sqs")
    # Read here, before the counters below: the shoppers' catalog is not part of the measured traffic.
    catalog = Catalog.read(str(target.config["apiUrl"]).rstrip("/"))
    catalog.write(report / "catalog.json")
    warm_up = None
    if args.warm_up_seconds:
        # Function workers start on their first calls (each one a cold start): on a busy machine these
        # take seconds each. The warm-up's requests and orders are reported apart, not judged.
        users = min(args.users, WARM_UP_USERS)
        print(f"warm-up: {users} shoppers for {args.warm_up_seconds:g} s", file=sys.stderr)
        warm_up = run_locust(args, target, report, name="warm-up", users=users, seconds=args.warm_up_seconds)
    dead_letters_before = queue_depths(sqs, resources.dead_letter_queues)
    log_offset = (
        target.function_log.stat().st_size if target.function_log and target.function_log.is_file() else 0
    )
    stage_before = local_stage_cache(target.site) if target.local else None
    began = datetime.now(UTC)
    print(
        f"locust: {args.users} shoppers for {args.minutes:g} min against {target.site} "
        f"({len(catalog.product_ids)} products)",
        file=sys.stderr,
    )
    memory = PeakMemory() if target.local and not args.url else None
    with memory or contextlib.nullcontext():
        load = run_locust(args, target, report, memory)
    ended = datetime.now(UTC)
    drained = drain(
        target.client("dynamodb"), sqs, resources, load["orders_created"], limit_seconds=args.drain_seconds
    )
    result: dict[str, Any] = {
        "target": target.site,
        "stage": resources.stage,
        "settings": {
            "users": args.users,
            "minutes": args.minutes,
            "spawn_rate": args.spawn_rate,
            "think_seconds": args.think_seconds,
            "mix": args.mix,
        },
        "load": {key: value for key, value in load.items() if key != "orders_created"}
        | {"products": len(catalog.product_ids)},
        "orders": asdict(drained) | {"paid": drained.paid},
        "dead_letters_before": dead_letters_before,
    }
    if warm_up is not None:
        result["warm_up"] = {key: warm_up[key] for key in ("requests", "failures", "elapsed_seconds")}
        result["warm_up"]["orders"] = len(warm_up["orders_created"])
    if memory is not None:
        result["shop_peak_rss_mib"] = round(memory.peak, 1)
        result["shop_processes"] = memory.processes
    caches: dict[str, HitRate] = {}
    if target.local:
        if target.function_log and target.function_log.is_file():
            caches = EmfTally.of_log(target.function_log, log_offset).caches
        stage_after = local_stage_cache(target.site)
        if stage_before and stage_after:
            caches["stage"] = HitRate(
                stage_after.hits - stage_before.hits, stage_after.misses - stage_before.misses
            )
    else:
        caches = deployed_cache_rates(target, resources, began, ended)
    result["caches"] = {name: asdict(rate) | {"rate": rate.rate} for name, rate in sorted(caches.items())}
    return result


def deployed_cache_rates(
    target: Target, resources: ShopResources, began: datetime, ended: datetime
) -> dict[str, HitRate]:
    wait = (ended + timedelta(seconds=CLOUDWATCH_DELAY_SECONDS) - datetime.now(UTC)).total_seconds()
    if wait > 0:
        print(f"waiting {wait:.0f} s for CloudWatch to show the run's metrics", file=sys.stderr)
        time.sleep(wait)
    cloudwatch = target.client("cloudwatch")
    start, end = began - timedelta(minutes=1), ended + timedelta(minutes=2)
    caches = cloudwatch_cache_rates(cloudwatch, start, end)
    if resources.rest_api_id and target.config.get("apiStage"):
        caches["stage"] = stage_cache_rate(
            cloudwatch,
            target.client("apigateway"),
            resources.rest_api_id,
            str(target.config["apiStage"]),
            start,
            end,
        )
    return caches


def failures(result: dict[str, Any]) -> list[str]:
    problems = []
    load, orders = result["load"], result["orders"]
    if load["failures"]:
        problems.append(f"{load['failures']} requests failed (locust's failures CSV says which)")
    if orders["paid"] != orders["placed"]:
        problems.append(f"{orders['placed']} orders placed but {orders['paid']} paid: {orders['payment']}")
    grown = {
        name: depth
        for name, depth in orders["dead_letter_queues"].items()
        if depth > result["dead_letters_before"].get(name, 0)
    }
    if grown:
        problems.append(f"dead-letter queues gained messages: {grown}")
    return problems


def print_summary(result: dict[str, Any], report: Path) -> None:
    load, orders, settings = result["load"], result["orders"], result["settings"]
    print(
        f"\n{settings['users']} shoppers, {load['elapsed_seconds']} s against {result['target']} "
        f"(stage {result['stage']}; mix {settings['mix']}; think {settings['think_seconds']} s): "
        f"{load['requests']} requests, {load['requests_per_second']} req/s, {load['failures']} failures, "
        f"{load['stock_409']} answered 409 for stock"
    )
    if "warm_up" in result:
        warm = result["warm_up"]
        print(
            f"(before it, unmeasured: a warm-up of {warm['elapsed_seconds']} s, {warm['requests']} requests, "
            f"{warm['failures']} failures, {warm['orders']} orders)"
        )
    print(f"\n{'class':<10} {'requests':>9} {'failures':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name in CLASSES:
        row = load["by_class"].get(name)
        if row:
            print(
                f"{name:<10} {row['requests']:>9} {row['failures']:>9} "
                f"{row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8}"
            )
    print()
    for name, rate in result["caches"].items():
        print(f"{name} cache hit rate: {HitRate(rate['hits'], rate['misses']).describe()}")
    print(
        f"orders placed {orders['placed']}, paid {orders['paid']} (by payment status: {orders['payment']}; "
        f"drained in {orders['waited_seconds']} s)"
    )
    print(f"work queues: {orders['work_queues']}")
    print(f"dead-letter queues: {orders['dead_letter_queues']}")
    if "shop_peak_rss_mib" in result:
        print(
            f"local shop peak RSS {result['shop_peak_rss_mib']} MiB over {result['shop_processes']} processes"
        )
    print(f"reports: {report}/ (locust.html, locust_stats.csv, locust_failures.csv, load-summary.json)")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the shop's site (a stage's, or a running local shop); none: start one")
    parser.add_argument("--users", type=int, default=100, help="concurrent shoppers (seed 001: 100)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long the shoppers shop")
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="shoppers started per second")
    parser.add_argument(
        "--think-seconds",
        type=float,
        help="mean pause between a shopper's steps (default: 0 locally, as hard as it goes; "
        f"{DEPLOYED_THINK_SECONDS:g} s against a deployed stage: seed 001's 1000 requests/min)",
    )
    parser.add_argument(
        "--mix", default="70,20,10", help="browse,cart,checkout weights (0 checkout: no orders)"
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--report-dir", type=Path, default=ROOT / "load-report")
    parser.add_argument(
        "--warm-up-seconds", type=float, default=0.0, help="shop first with a few shoppers, unmeasured"
    )
    parser.add_argument("--drain-seconds", type=float, default=120.0, help="longest wait for the queues")
    parser.add_argument("--function-log", type=Path, help="with a local --url: its functions' log (EMF)")
    local = parser.add_argument_group("the local shop started without --url")
    local.add_argument("--products", type=int, default=1000, help="catalog size (seed 001: 1000)")
    local.add_argument("--stock", type=int, default=100_000, help="raise every in-stock product to this")
    local.add_argument(
        "--in-process", action="store_true", help="every handler in one process, one at a time"
    )
    local.add_argument("--cache-kill-switch", action="store_true", help='set {"cache_bypass": true} first')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.think_seconds is None:
        local = not args.url or urlparse(args.url).hostname in LOCAL_HOSTS
        args.think_seconds = 0.0 if local else DEPLOYED_THINK_SECONDS
    if args.url and (args.in_process or args.cache_kill_switch):
        raise SystemExit("--in-process and --cache-kill-switch need the local shop started here (no --url)")
    report: Path = args.report_dir
    report.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    with target_shop(args, report) as target:
        result = measure(args, target, report)
    problems = failures(result)
    result["problems"] = problems
    (report / "load-summary.json").write_text(json.dumps(result, indent=2) + "\n")
    print_summary(result, report)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
