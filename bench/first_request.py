"""Import + first request of each API handler, in a fresh interpreter, against moto and redis-server.

What a cold start costs a shopper is the handler's import and then its first request, which now loads
what the import no longer does (boto3 and its clients, redis, the X-Ray SDK when tracing is on). Each
measurement is one fresh interpreter that imports the handler and invokes it once with a
representative API Gateway event (a route that reads DynamoDB and, where the route has one, Redis);
the AWS APIs are moto's server and Redis a real redis-server, both on loopback and started here.

`traced=True` runs the interpreter as Lambda with X-Ray active tracing does: LAMBDA_TASK_ROOT set, the
invocation's trace header in _X_AMZN_TRACE_ID, the daemon address a UDP socket of this process on
loopback (it only collects the segments). `traced=False` is the local shop and the tests
(POWERTOOLS_TRACE_DISABLED=true).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "lambdas")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from tests.integration.events import admin_claims, api_event, shopper_claims  # noqa: E402

CHILD = """
import importlib, json, sys, time
from dataclasses import dataclass

@dataclass
class Context:
    function_name: str = "shop-bench"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:shop-bench"
    aws_request_id: str = "bench-request"
    function_version: str = "1"
    log_group_name: str = "/aws/lambda/shop-bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000

event = json.loads(sys.stdin.read())
started = time.perf_counter()
module = importlib.import_module(sys.argv[1])
imported = time.perf_counter()
response = module.handler(event, Context())
answered = time.perf_counter()
print("BENCH " + json.dumps({"import": imported - started, "first": answered - imported,
                              "status": response["statusCode"], "body": response.get("body")}))
"""


@dataclass(frozen=True)
class FirstRequest:
    import_seconds: float
    request_seconds: float
    status: int

    @property
    def total_seconds(self) -> float:
        return self.import_seconds + self.request_seconds


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _create_tables(dynamodb: Any) -> None:
    from shop.contracts.tables import ALL_TABLES

    for spec in ALL_TABLES:
        keys = [spec.partition_key] + ([spec.sort_key] if spec.sort_key else [])
        attributes = {key.name: key.type for key in keys}
        for index in spec.indexes:
            for key in (index.partition_key, index.sort_key):
                if key:
                    attributes[key.name] = key.type

        def schema(partition: Any, sort: Any) -> list[dict[str, str]]:
            return [{"AttributeName": partition.name, "KeyType": "HASH"}] + (
                [{"AttributeName": sort.name, "KeyType": "RANGE"}] if sort else []
            )

        arguments: dict[str, Any] = {
            "TableName": f"bench-{spec.logical_name}",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
            "KeySchema": schema(spec.partition_key, spec.sort_key),
        }
        if spec.indexes:
            arguments["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": schema(index.partition_key, index.sort_key),
                    "Projection": {"ProjectionType": "ALL"},
                }
                for index in spec.indexes
            ]
        dynamodb.create_table(**arguments)


class BenchShop:
    """moto's server and a redis-server on loopback with the shop's tables and queues, one product."""

    def __init__(self) -> None:
        self.environment: dict[str, str] = {}
        self.product_id = ""
        self._daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._runs = 0

    @contextmanager
    def running(self) -> Iterator[BenchShop]:
        import boto3
        from moto.server import ThreadedMotoServer

        from cdk_app.local.redis_server import RedisServer
        from shop.contracts import environment as env_vars
        from shop.contracts.queues import ALL_QUEUES
        from shop.contracts.tables import ALL_TABLES

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per moto request otherwise
        port = _free_port()
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        moto.start()
        redis = RedisServer().start()
        self._daemon.bind(("127.0.0.1", 0))
        try:
            endpoint = f"http://127.0.0.1:{port}"
            credentials = {
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
            }
            session = boto3.Session(
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                aws_session_token="testing",
            )
            _create_tables(session.client("dynamodb", endpoint_url=endpoint))
            sqs = session.client("sqs", endpoint_url=endpoint)
            queues: dict[str, str] = {}
            for queue in ALL_QUEUES:
                queues[queue.env_var] = sqs.create_queue(QueueName=queue.queue_name("bench"))["QueueUrl"]
                queues[queue.dlq_env_var] = sqs.create_queue(QueueName=queue.dlq_name("bench"))["QueueUrl"]
            self.environment = {
                **{
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("POWERTOOLS_TRACE_DISABLED", "PYTHONPATH")
                },
                **credentials,
                **queues,
                **{spec.env_var: f"bench-{spec.logical_name}" for spec in ALL_TABLES},
                "AWS_ENDPOINT_URL": endpoint,
                "POWERTOOLS_SERVICE_NAME": "shop-bench",
                "POWERTOOLS_METRICS_NAMESPACE": "ShopBench",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
                env_vars.STAGE: "bench",
                env_vars.REDIS_URL: redis.url,
                env_vars.PRICING_RULES: json.dumps(
                    {
                        "currency": "USD",
                        "tax_rate_bps": 825,
                        "flat_shipping_cents": 599,
                        "free_shipping_threshold_cents": 5000,
                    }
                ),
            }
            self.product_id = self._seed_product()
            yield self
        finally:
            redis.stop()
            moto.stop()
            self._daemon.close()

    def _seed_product(self) -> str:
        """One product, created through shop_api's own POST /products (not measured)."""
        event = api_event(
            "POST",
            "/products",
            claims=admin_claims("bench-admin"),
            body={
                "name": "Study Bible",
                "description": "A study Bible with notes and maps",
                "category": "Books",
                "price": 2999,
                "currency": "USD",
                "sku": "BK-0001",
                "stock_quantity": 1000,
                "images": ["https://images.example.com/bible.jpg"],
                "tags": ["bible", "study"],
            },
        )
        answer = self._invoke("shop_api.handler", event, ROOT / "lambdas", traced=False)
        if answer["status"] != 201:
            raise RuntimeError(f"seeding the product failed: {answer}")
        body: dict[str, Any] = json.loads(answer["body"])
        return str(body["product_id"])

    def events(self) -> dict[str, Callable[[str], dict[str, Any]]]:
        """Each handler's representative first request, for a shopper seen for the first time."""
        product = {"product_id": self.product_id}
        return {
            "shop_api.handler": lambda user: api_event(
                "GET", "/products/{product_id}", path_parameters=product
            ),
            "cart_api.handler": lambda user: api_event(
                "POST", "/cart/add", claims=shopper_claims(user), body={**product, "quantity": 1}
            ),
            "order_api.handler": lambda user: api_event("GET", "/orders", claims=shopper_claims(user)),
            "payment_api.handler": lambda user: api_event(
                "POST",
                "/payment/stripe/intent",
                claims=shopper_claims(user),
                body={"order_id": f"missing-{user}", "card_token": "tok_visa"},
            ),
            "account_api.handler": lambda user: api_event("GET", "/me", claims=shopper_claims(user)),
            "tracking_api.handler": lambda user: api_event(
                "POST", "/track/view", claims=shopper_claims(user), body={**product, "session_id": user}
            ),
            # The scans' and analytics' reads (DynamoDB, then the analytics cache in Redis).
            "marketing_automation_api.handler": lambda user: api_event(
                "GET", "/marketing/analytics", claims=admin_claims(user)
            ),
        }

    def measure(self, handler: str, lambdas_dir: Path, *, traced: bool) -> FirstRequest:
        self._runs += 1
        event = self.events()[handler](f"bench-{self._runs}-{secrets.token_hex(4)}")
        answer = self._invoke(handler, event, lambdas_dir, traced=traced)
        return FirstRequest(answer["import"], answer["first"], int(answer["status"]))

    def _invoke(
        self, handler: str, event: dict[str, Any], lambdas_dir: Path, *, traced: bool
    ) -> dict[str, Any]:
        environment = {**self.environment, "PYTHONPATH": str(lambdas_dir)}
        if traced:
            environment.update(
                {
                    "LAMBDA_TASK_ROOT": str(lambdas_dir),
                    "AWS_LAMBDA_FUNCTION_NAME": "shop-bench",
                    "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{self._daemon.getsockname()[1]}",
                    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
                    "_X_AMZN_TRACE_ID": f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};"
                    f"Parent={secrets.token_hex(8)};Sampled=1",
                }
            )
        else:
            environment["POWERTOOLS_TRACE_DISABLED"] = "true"
        result = subprocess.run(
            [sys.executable, "-X", "frozen_modules=on", "-c", CHILD, handler],
            cwd=ROOT,
            env=environment,
            input=json.dumps(event),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"{handler} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        answer: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH "))
        return answer
