"""The shop's side of a load run, with boto3: every order the run placed is paid once the queues drained,
nothing is left in a dead-letter queue, and how often the caches answered.

The same calls serve the local shop (moto's endpoint, the stage's names) and a deployed stage (its
CloudFormation stacks name the queues, tables and REST API): only `ShopResources` is found two ways.

Cache hit rates come from the handlers' EMF metrics (`CacheHit` / `CacheMiss` with the `cache`
dimension, namespace `Shop`: lambdas/shop/contracts/metric_names.py): locally from the functions' log
file, deployed from CloudWatch. The stage cache's: locally `/_local/cache`, deployed API Gateway's
`CacheHitCount` / `CacheMissCount`.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "lambdas") not in sys.path:
    sys.path.append(str(ROOT / "lambdas"))  # the shop's contracts: metric names, payment statuses

from shop.contracts.metric_names import CACHE_DIMENSION, CACHE_HIT, CACHE_MISS, METRICS_NAMESPACE  # noqa: E402
from shop.orders.state import PaymentStatus  # noqa: E402

UNPAID, PAID = PaymentStatus.UNPAID.value, PaymentStatus.PAID.value
QUEUE_DEPTH_ATTRIBUTES = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


@dataclass(frozen=True)
class ShopResources:
    """A stage's resources the checks read: its Orders table, every queue (name -> URL), its REST API."""

    stage: str
    orders_table: str
    queue_urls: dict[str, str]
    rest_api_id: str | None = None

    @property
    def dead_letter_queues(self) -> dict[str, str]:
        return {name: url for name, url in self.queue_urls.items() if "dlq" in name.lower()}

    @property
    def work_queues(self) -> dict[str, str]:
        return {name: url for name, url in self.queue_urls.items() if "dlq" not in name.lower()}


def _orders_table(names: Iterable[str]) -> str:
    (table,) = [name for name in names if name.endswith("-Orders")]
    return table


def resources_by_stage_prefix(dynamodb: Any, sqs: Any, stage: str) -> ShopResources:
    """The local shop: the stage's physical names start with `<stage>-` (StageConfig.resource_name)."""
    tables = [
        name
        for page in dynamodb.get_paginator("list_tables").paginate()
        for name in page["TableNames"]
        if name.startswith(f"{stage}-")
    ]
    urls = sqs.list_queues(QueueNamePrefix=f"{stage}-").get("QueueUrls", [])
    return ShopResources(stage, _orders_table(tables), {url.rsplit("/", 1)[-1]: url for url in urls})


def resources_from_stacks(cloudformation: Any, stage: str) -> ShopResources:
    """A deployed stage: the resources of its stacks `Shop-<stage>-*` (StageConfig.stack_name)."""
    prefix = f"Shop-{stage}-"
    stacks = [
        summary["StackName"]
        for page in cloudformation.get_paginator("list_stacks").paginate()
        for summary in page["StackSummaries"]
        if summary["StackName"].startswith(prefix) and summary["StackStatus"] != "DELETE_COMPLETE"
    ]
    if not stacks:
        raise RuntimeError(f"no stack named {prefix}*: is the {stage} stage deployed in this account/region?")
    tables, queues, apis = [], {}, []
    for stack in stacks:
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack):
            for resource in page["StackResourceSummaries"]:
                kind, physical = resource["ResourceType"], resource.get("PhysicalResourceId", "")
                if kind == "AWS::DynamoDB::Table":
                    tables.append(physical)
                elif kind == "AWS::SQS::Queue":
                    queues[physical.rsplit("/", 1)[-1]] = physical  # a queue's physical id is its URL
                elif kind == "AWS::ApiGateway::RestApi":
                    apis.append(physical)
    return ShopResources(stage, _orders_table(tables), queues, apis[0] if len(apis) == 1 else None)


def queue_depths(sqs: Any, queues: dict[str, str]) -> dict[str, int]:
    """Messages in each queue: waiting, in flight and delayed."""
    depths = {}
    for name, url in sorted(queues.items()):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_DEPTH_ATTRIBUTES)[
            "Attributes"
        ]
        depths[name] = sum(int(attributes.get(key, 0)) for key in QUEUE_DEPTH_ATTRIBUTES)
    return depths


def payment_statuses(dynamodb: Any, table: str, order_ids: Iterable[str]) -> dict[str, str | None]:
    """Each order's payment_status (None: no such order). A Query by the partition key, as a guest
    order's sort key (user_id) is not known to the client."""
    statuses: dict[str, str | None] = {}
    for order_id in order_ids:
        items = dynamodb.query(
            TableName=table,
            KeyConditionExpression="order_id = :id",
            ExpressionAttributeValues={":id": {"S": order_id}},
            ProjectionExpression="payment_status",
            ConsistentRead=True,
        )["Items"]
        statuses[order_id] = items[0].get("payment_status", {}).get("S") if items else None
    return statuses


@dataclass
class Drained:
    """The run's orders once the queues drained: by payment status, and the queues' depths then."""

    placed: int
    payment: dict[str, int]
    waited_seconds: float
    work_queues: dict[str, int]
    dead_letter_queues: dict[str, int]

    @property
    def paid(self) -> int:
        return self.payment.get(PAID, 0)

    @property
    def dead_letters(self) -> int:
        return sum(self.dead_letter_queues.values())


def drain(
    dynamodb: Any,
    sqs: Any,
    resources: ShopResources,
    order_ids: list[str],
    *,
    limit_seconds: float = 120.0,
    poll_seconds: float = 2.0,
) -> Drained:
    """Poll until every order of the run has left `unpaid` and the work queues are empty, or nothing
    changed for 10 polls, or `limit_seconds`. Settled orders are not read again."""
    started = time.monotonic()
    settled: dict[str, str | None] = {}
    pending = list(order_ids)
    last: tuple[int, int] | None = None
    unchanged = 0
    while True:
        for order_id, status in payment_statuses(dynamodb, resources.orders_table, pending).items():
            if status not in (UNPAID, None):
                settled[order_id] = status
        pending = [order_id for order_id in pending if order_id not in settled]
        in_queues = sum(queue_depths(sqs, resources.work_queues).values())
        state = (len(pending), in_queues)
        unchanged = unchanged + 1 if state == last else 0
        last = state
        waited = time.monotonic() - started
        if state == (0, 0) or unchanged >= 10 or waited > limit_seconds:
            break
        time.sleep(poll_seconds)
    statuses = Counter(str(status) for status in settled.values())
    for status in payment_statuses(dynamodb, resources.orders_table, pending).values():
        statuses[str(status)] += (
            1  # "unpaid", or "None": the API said created but the table has no such order
        )
    return Drained(
        placed=len(order_ids),
        payment=dict(statuses),
        waited_seconds=round(time.monotonic() - started, 1),
        work_queues=queue_depths(sqs, resources.work_queues),
        dead_letter_queues=queue_depths(sqs, resources.dead_letter_queues),
    )


@dataclass
class HitRate:
    hits: float = 0.0
    misses: float = 0.0

    @property
    def rate(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None

    def describe(self) -> str:
        rate = "n/a" if self.rate is None else f"{self.rate:.1%}"
        return f"{rate} ({int(self.hits)} hits, {int(self.misses)} misses)"


@dataclass
class EmfTally:
    """CacheHit / CacheMiss per `cache` dimension, counted from EMF lines (the local functions' log)."""

    caches: dict[str, HitRate] = field(default_factory=dict)

    def add_line(self, line: str) -> None:
        if '"_aws"' not in line or "Cache" not in line:
            return
        try:
            record = json.loads(line)
        except ValueError:
            return
        for name in (CACHE_HIT, CACHE_MISS):
            values = record.get(name)
            if values is None:
                continue
            total = float(sum(values) if isinstance(values, list) else values)
            rate = self.caches.setdefault(str(record.get(CACHE_DIMENSION, "?")), HitRate())
            if name == CACHE_HIT:
                rate.hits += total
            else:
                rate.misses += total

    @classmethod
    def of_log(cls, path: Path, offset: int = 0) -> EmfTally:
        """The EMF lines written to `path` after byte `offset` (where the log stood when the run began)."""
        tally = cls()
        with path.open("rb") as log:
            log.seek(offset)
            for raw in log:
                tally.add_line(raw.decode("utf-8", "replace"))
        return tally


def cloudwatch_cache_rates(cloudwatch: Any, start: datetime, end: datetime) -> dict[str, HitRate]:
    """The handlers' CacheHit / CacheMiss sums between `start` and `end`, per `cache`, over every
    dimension set they were emitted with (Powertools adds `service`). CloudWatch takes a minute or two
    to show EMF metrics: call it after the drain."""
    rates: dict[str, HitRate] = {}
    for metric_name in (CACHE_HIT, CACHE_MISS):
        paginator = cloudwatch.get_paginator("list_metrics")
        for page in paginator.paginate(Namespace=METRICS_NAMESPACE, MetricName=metric_name):
            for metric in page["Metrics"]:
                dimensions = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
                if CACHE_DIMENSION not in dimensions:
                    continue
                total = _metric_sum(
                    cloudwatch, METRICS_NAMESPACE, metric_name, metric["Dimensions"], start, end
                )
                rate = rates.setdefault(dimensions[CACHE_DIMENSION], HitRate())
                if metric_name == CACHE_HIT:
                    rate.hits += total
                else:
                    rate.misses += total
    return rates


def stage_cache_rate(
    cloudwatch: Any, apigateway: Any, rest_api_id: str, api_stage: str, start: datetime, end: datetime
) -> HitRate:
    """API Gateway's stage cache: CacheHitCount / CacheMissCount of the stage (by the API's name)."""
    api_name = apigateway.get_rest_api(restApiId=rest_api_id)["name"]
    dimensions = [{"Name": "ApiName", "Value": api_name}, {"Name": "Stage", "Value": api_stage}]
    return HitRate(
        _metric_sum(cloudwatch, "AWS/ApiGateway", "CacheHitCount", dimensions, start, end),
        _metric_sum(cloudwatch, "AWS/ApiGateway", "CacheMissCount", dimensions, start, end),
    )


def _metric_sum(
    cloudwatch: Any,
    namespace: str,
    name: str,
    dimensions: list[dict[str, str]],
    start: datetime,
    end: datetime,
) -> float:
    points = cloudwatch.get_metric_statistics(
        Namespace=namespace,
        MetricName=name,
        Dimensions=dimensions,
        StartTime=start,
        EndTime=end,
        Period=60,
        Statistics=["Sum"],
    )["Datapoints"]
    return float(sum(point["Sum"] for point in points))
