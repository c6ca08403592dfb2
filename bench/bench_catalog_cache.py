"""Catalog cache: a cached GET /products/{id} through shop_api vs one raw Redis GET of the same key,
and the hit rate of 10,000 Zipf-distributed reads over 1,000 products. Real redis-server; DynamoDB
from moto (in process).

    .venv/bin/python bench/bench_catalog_cache.py [--calls 3000] [--reads 10000] [--products 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "lambdas")]
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import boto3  # noqa: E402
import redis  # noqa: E402
from moto import mock_aws  # noqa: E402

from cdk_app.local.redis_server import RedisServer  # noqa: E402
from tests.integration.conftest import LambdaContext, _create_table, emitted_metrics, reset_module_state  # noqa: E402
from tests.integration.events import api_event  # noqa: E402


def configure(redis_url: str) -> None:
    from shop.contracts import environment
    from shop.contracts.tables import ALL_TABLES

    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            environment.REDIS_URL: redis_url,
            **{spec.env_var: f"bench-{spec.logical_name}" for spec in ALL_TABLES},
        }
    )
    client = boto3.client("dynamodb")
    for spec in ALL_TABLES:
        _create_table(client, spec)
        # _create_table names tables test-<name>; point the environment at them.
        os.environ[spec.env_var] = f"test-{spec.logical_name}"
    reset_module_state()


def create_products(count: int) -> list[str]:
    from shop.catalog.model import Category, ProductDraft
    from shop.catalog.repository import ProductRepository

    repository = ProductRepository()
    categories = list(Category)
    ids = []
    for n in range(count):
        draft = ProductDraft(
            name=f"Product {n}",
            description=f"Description of product {n}",
            category=categories[n % len(categories)],
            price=500 + n,
            sku=f"SKU-{n:05d}",
            stock_quantity=100,
            tags=["bench"],
        )
        ids.append(repository.create(draft).product_id)
    return ids


def median_seconds(operation: Any, calls: int) -> float:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        operation()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def zipf_sequence(items: list[str], reads: int, exponent: float, seed: int = 5) -> list[str]:
    """Reads where the k-th most popular item is drawn with weight 1/k^exponent."""
    weights = [1 / (rank**exponent) for rank in range(1, len(items) + 1)]
    return random.Random(seed).choices(items, weights=weights, k=reads)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--reads", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--zipf-exponent", type=float, default=1.0)
    args = parser.parse_args()

    with RedisServer() as server, mock_aws():
        configure(server.url)
        from shop_api.handler import handler

        from shop.catalog.cache_keys import product_key

        context = LambdaContext()
        product_ids = create_products(args.products)
        target = product_ids[0]
        event = api_event("GET", "/products/{id}", path_parameters={"id": target})
        raw_client = redis.Redis.from_url(server.url)
        sink = io.StringIO()

        def through_handler() -> None:
            with contextlib.redirect_stdout(sink):
                response = handler(event, context)
            assert response["statusCode"] == 200

        through_handler()  # warm: the first read caches the product
        key = product_key(target)
        assert raw_client.get(key) is not None

        for _ in range(200):
            through_handler()
            raw_client.get(key)
        handler_median = median_seconds(through_handler, args.calls)
        raw_median = median_seconds(lambda: raw_client.get(key), args.calls)
        print(
            f"cached GET /products/{{id}} via handler: median {handler_median * 1e6:.0f} us "
            f"over {args.calls} calls"
        )
        print(
            f"raw Redis GET of the same key:          median {raw_median * 1e6:.0f} us "
            f"over {args.calls} calls"
        )
        print(f"ratio handler/raw: {handler_median / raw_median:.1f}x (target <= 5x)")

        raw_client.flushall()
        reset_module_state()
        sequence = zipf_sequence(product_ids, args.reads, args.zipf_exponent)
        output = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(output):
            for product_id in sequence:
                response = handler(
                    api_event("GET", "/products/{id}", path_parameters={"id": product_id}), context
                )
                assert response["statusCode"] == 200
        elapsed = time.perf_counter() - started
        counts: Counter[tuple[str, str]] = emitted_metrics(output.getvalue())
        hits, misses = counts[("CacheHit", "catalog")], counts[("CacheMiss", "catalog")]
        print(
            f"hit rate over {args.reads} Zipf(s={args.zipf_exponent}) reads of {args.products} products, "
            "cold cache: "
            f"{hits / (hits + misses):.1%} ({hits:.0f} hits, {misses:.0f} misses, "
            f"{len(set(sequence))} distinct products; {elapsed:.1f} s) (target >= 90%)"
        )
        print(
            json.dumps(
                {"handler_median_us": round(handler_median * 1e6), "raw_median_us": round(raw_median * 1e6)}
            )
        )


if __name__ == "__main__":
    main()
