"""The local shop for a load run (issue 9, issue 20): seeded, 1000 products, stock that lasts.

bench/load.py (`make load` without URL, `make bench-load`) starts it in its own process, runs locust
against it in another, then checks the shop's side. This module holds what only the local shop needs:

- `start_local_shop`: the runner (schedules off, failed queue messages retried after a few seconds
  instead of the template's minutes, each function in worker processes of its own or `in_process`),
  its functions' output (JSON logs and EMF) written to a file so the cache metrics can be counted;
- `add_products`: seed 001's load test has 1000 products, the sample catalog 30: copies of the sample
  products are written straight into the Products table (with their indexes' attributes), as an
  import would, then the caches forget what they hold;
- `restock`: every in-stock product raised to a stock that outlasts the run, so it measures the shop
  rather than the sample selling out (popular products sell out within seconds otherwise);
- `set_kill_switch`: `{"orders_inline": false, "cache_bypass": true}` before the run, for comparison;
- `PeakMemory`: the resident memory of this process and its workers during the run.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

KILL_SWITCH_FLAGS = {"orders_inline": False, "cache_bypass": True}
SEED_001_PRODUCTS = 1000


@dataclass(frozen=True)
class LocalLoadOptions:
    products: int = SEED_001_PRODUCTS
    stock: int = 100_000
    retry_delay_seconds: int = 5
    in_process: bool = False
    cache_kill_switch: bool = False
    port: int = 0


def start_local_shop(options: LocalLoadOptions, function_log: Path) -> Any:
    """A started LocalShop with `options.products` products in stock; the caller stops it. The runner's
    warnings and errors (a function timing out under load, with its traceback) go to runner.log next
    to `function_log`, not between the summary's lines: locust counts those requests as failures."""
    from cdk_app.local.runner import LocalShop, LocalShopOptions

    function_log.parent.mkdir(parents=True, exist_ok=True)
    runner_log = logging.FileHandler(function_log.parent / "runner.log", mode="w", encoding="utf-8")
    runner_log.setLevel(logging.WARNING)
    runner_log.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(runner_log)
    shop = LocalShop(
        LocalShopOptions(
            templates=_synthesize_privately(),
            port=options.port,
            seed=True,
            run_schedules=False,
            retry_delay_seconds=options.retry_delay_seconds,
            isolated_functions=not options.in_process,
            function_log=function_log,
        )
    ).start()
    try:
        prepare_catalog(shop, options)
    except BaseException:
        shop.stop()
        raise
    return shop


def _synthesize_privately() -> Any:
    """The local stage's templates, with their code assets in a directory of this run's own: the runner's
    default, /tmp/shop-local-synth-*, was twice removed under a running load test on a shared machine
    (every new function worker then failed with ModuleNotFoundError). Still removed when this exits."""
    from cdk_app.local.synth import synthesize_local_templates

    saved, tempfile.tempdir = tempfile.tempdir, tempfile.mkdtemp(prefix="shop-load-run-")
    atexit.register(shutil.rmtree, tempfile.tempdir, ignore_errors=True)
    try:
        return synthesize_local_templates()
    finally:
        tempfile.tempdir = saved


def prepare_catalog(shop: Any, options: LocalLoadOptions) -> None:
    added = add_products(shop, options.products, options.stock)
    raised = restock(shop, options.stock) if options.stock else 0
    print(f"catalog: {added} products added, {raised} restocked to {options.stock}", file=sys.stderr)
    forget_cached_catalog(shop)
    if options.cache_kill_switch:
        set_kill_switch(shop)


def _dynamodb(shop: Any) -> Any:
    return shop.aws.client("dynamodb")


def products_table(shop: Any) -> str:
    (name,) = [table.name for table in shop.model.tables if table.name.endswith("-Products")]
    return str(name)


def add_products(shop: Any, total: int, stock: int) -> int:
    """Copy the sample products (round robin) until the table holds `total`; returns how many were added.
    A copy keeps everything the listing indexes read (category, created_at, status, sales_count) and
    gets its own id, name and SKU; copies are not featured, so /featured stays the sample's."""
    client, table = _dynamodb(shop), products_table(shop)
    samples = [
        item for page in client.get_paginator("scan").paginate(TableName=table) for item in page["Items"]
    ]
    missing = max(0, total - len(samples))
    requests = []
    for number in range(missing):
        sample = samples[number % len(samples)]
        copy = {key: value for key, value in sample.items() if key != "featured_key"}
        copy |= {
            "product_id": {"S": f"prod_{uuid.uuid4().hex[:16]}"},
            "name": {"S": f"{sample['name']['S']} No. {number + 2}"},
            "sku": {"S": f"{sample['sku']['S']}-L{number:04d}"},
            "featured": {"BOOL": False},
        }
        if int(sample.get("stock_quantity", {}).get("N", "0")) > 0:
            copy["stock_quantity"] = {"N": str(stock)}
        requests.append({"PutRequest": {"Item": copy}})
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start : start + 25]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return missing


def restock(shop: Any, quantity: int) -> int:
    """Raise every product in stock to at least `quantity` (sold-out ones stay sold out); returns how
    many were raised."""
    client, table = _dynamodb(shop), products_table(shop)
    raised = 0
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            stock = int(item.get("stock_quantity", {}).get("N", "0"))
            if 0 < stock < quantity:
                client.update_item(
                    TableName=table,
                    Key={"product_id": item["product_id"]},
                    UpdateExpression="SET stock_quantity = :q",
                    ExpressionAttributeValues={":q": {"N": str(quantity)}},
                )
                raised += 1
    return raised


def forget_cached_catalog(shop: Any) -> None:
    """The products were written behind the catalog's back: drop what Redis and the stage cache hold."""
    import redis
    import requests

    redis.Redis.from_url(shop.redis.url).flushdb()
    requests.delete(shop.server.url.rstrip("/") + "/_local/cache", timeout=10)


def set_kill_switch(shop: Any) -> None:
    if str(ROOT / "lambdas") not in sys.path:
        sys.path.append(str(ROOT / "lambdas"))  # tests.kill_switches takes the switch names from shop
    from tests.kill_switches import set_runtime_flags

    (table,) = [table.name for table in shop.model.tables if table.name.endswith("-RuntimeFlags")]
    set_runtime_flags(_dynamodb(shop), table, **KILL_SWITCH_FLAGS)
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
    module_file = ROOT.joinpath("lambdas", *module_name.split(".")).with_suffix(".py")
    if not module_file.is_file():
        raise ModuleNotFoundError(f"{module_name} not found at {module_file}: update set_kill_switch")


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


def tree_rss_mib(pid: int, exclude: int | None = None) -> float:
    """Resident memory of `pid` and every process under it, but `exclude`'s tree (the load client)."""
    excluded = set(_process_tree(exclude)) if exclude else set()
    total_kib = 0
    for member in _process_tree(pid):
        if member in excluded:
            continue
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


class PeakMemory:
    """Samples the shop's memory (this process and its children but the load client) once a second."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.processes = 0
        self.exclude: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(os.getpid(), self.exclude))
            excluded = len(_process_tree(self.exclude)) if self.exclude else 0
            self.processes = max(self.processes, len(_process_tree(os.getpid())) - excluded)
            self._stop.wait(1.0)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
