"""`make cost`: what a stage costs per month with zero traffic, item by item, from its synthesized templates.

Prices come from cdk_app/prices.json (one region, the date they were taken, a source for each price).
Resource types the table marks usage-only count $0 and are listed by type; types it does not know at all
count $0 too but are listed as "not priced", and a priced resource whose price is missing (an unknown
node type, say) is flagged, so nothing is silently left out. `make diff` prints the change between two
assemblies with `render_change`.

    python -m cdk_app.cost [--stage dev | --assembly DIR] [--before DIR] [--all-items] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cdk_app.cloud_assembly import AssemblyError, display_path, read_json, read_templates, synthesize

PRICES_FILE = Path(__file__).resolve().parent / "prices.json"
DEFAULT_STAGE = "dev"  # as in cdk_app.config, not imported from there: it starts a Node process
Template = Mapping[str, Any]
Properties = Mapping[str, Any]

NETWORK, CACHE, COMPUTE = "Network", "Cache", "Compute"
MONITORING, SECURITY, DNS = "Monitoring", "Security", "DNS"
CATEGORIES = (NETWORK, CACHE, COMPUTE, MONITORING, SECURITY, DNS)
SECONDS_PER_HOUR = 3600
# Lambda's default when a function template leaves MemorySize out.
DEFAULT_LAMBDA_MEMORY_MB = 128
# Dozens of alarms read better as one row per stack; --all-items lists them one by one.
COLLAPSED_TYPES = frozenset({"AWS::CloudWatch::Alarm"})
# Below a minute an alarm evaluates high-resolution metrics, billed at the higher rate.
HIGH_RESOLUTION_BELOW_SECONDS = 60
# A cost change smaller than half a cent is rounding, not a change; a diff lists a few changed alarms
# one by one and more than that as one row per stack.
CENT = 0.01
COLLAPSE_ABOVE = 3


class PriceTableError(RuntimeError):
    """prices.json is missing or malformed; the message says which entry."""


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UnitPrice(_Entry):
    usd: float
    per: str
    source: str
    checked: str


class HourlyPrices(_Entry):
    vpc_interface_endpoint: UnitPrice
    nat_gateway: UnitPrice
    public_ipv4_address: UnitPrice


class MonthlyPrices(_Entry):
    cloudwatch_alarm_metric_standard: UnitPrice
    cloudwatch_alarm_metric_high_resolution: UnitPrice
    cloudwatch_composite_alarm: UnitPrice
    cloudwatch_dashboard: UnitPrice
    kms_customer_managed_key: UnitPrice
    secrets_manager_secret: UnitPrice
    waf_web_acl: UnitPrice
    waf_rule: UnitPrice
    route53_hosted_zone: UnitPrice


class NodePrices(_Entry):
    per: str
    source: str
    checked: str
    usd: dict[str, dict[str, float]]  # engine -> node type -> USD per node-hour


class ServerlessMinimum(_Entry):
    minimum_gb: float
    usd_per_gb_hour: float


class ServerlessPrices(_Entry):
    per: str
    source: str
    checked: str
    engines: dict[str, ServerlessMinimum]


class CacheSizePrices(_Entry):
    per: str
    source: str
    checked: str
    usd: dict[str, float]  # CacheClusterSize in GB, as written -> USD per hour


class SnapStartPrices(_Entry):
    """Lambda SnapStart for Python and .NET: the cache of each published version's snapshot, billed per
    GB of the function's memory per second while the version is active, and each restore, per GB."""

    cache_usd_per_gb_second: float
    restore_usd_per_gb: float
    # Versions whose snapshot is billed at once: the live one. CloudFormation deletes a replaced version
    # when the stack update ends (the shop retains none), so it is not billed until 14 days without a call.
    cached_versions_per_function: int
    source: str
    checked: str


class PriceTable(_Entry):
    """cdk_app/prices.json: list prices of one region on one date, each with its source."""

    about: str
    region: str
    currency: str
    prices_taken: str
    hours_per_month: int
    hourly: HourlyPrices
    monthly: MonthlyPrices
    elasticache_nodes: NodePrices
    elasticache_serverless_minimum: ServerlessPrices
    apigateway_cache: CacheSizePrices
    lambda_snapstart: SnapStartPrices
    usage_only: dict[str, str]  # resource type -> what it is billed for instead

    def per_month(self, usd_per_hour: float) -> float:
        return usd_per_hour * self.hours_per_month


def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    try:
        return PriceTable.model_validate(read_json(path))
    except AssemblyError as error:
        raise PriceTableError(str(error)) from None
    except ValidationError as error:
        raise PriceTableError(f"{display_path(path)} is malformed: {error}") from None


@dataclass(frozen=True)
class LineItem:
    """One resource's fixed monthly cost. `quantity` counts what is billed (AZs, nodes, alarm metrics)."""

    stack: str
    logical_id: str
    resource_type: str
    category: str
    what: str
    monthly_usd: float
    quantity: int = 1


@dataclass(frozen=True)
class CostReport:
    region: str
    prices_taken: str
    items: tuple[LineItem, ...]
    usage_only: dict[str, int]  # resource type -> count: $0 fixed, per the price table
    not_priced: dict[str, int]  # resource type -> count: not in the price table at all
    missing_prices: tuple[str, ...]  # resources of a priced type whose price the table lacks

    @property
    def total(self) -> float:
        return sum(item.monthly_usd for item in self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "prices_taken": self.prices_taken,
            "total_monthly_usd": round(self.total, 2),
            "items": [asdict(item) | {"monthly_usd": round(item.monthly_usd, 4)} for item in self.items],
            "usage_only": self.usage_only,
            "not_priced": self.not_priced,
            "missing_prices": list(self.missing_prices),
        }


class _NoPrice(Exception):
    """A priced resource type whose configuration the table has no price for."""


@dataclass(frozen=True)
class _Charge:
    category: str
    what: str
    monthly_usd: float
    quantity: int = 1


_Pricer = Callable[[Properties, PriceTable], _Charge | None]


def _text(value: Any, region: str) -> str | None:
    """A literal string, or one CDK builds with Fn::Join from the region; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and value.get("Ref") == "AWS::Region":
        return region
    if isinstance(value, Mapping) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        texts = [_text(part, region) for part in parts]
        return None if None in texts else str(separator).join(text for text in texts if text is not None)
    return None


def _number(properties: Properties, name: str, default: float) -> float:
    value = properties.get(name, default)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _NoPrice(f"{name} is not a literal number ({json.dumps(value)[:60]})") from None


def _interface_endpoint(properties: Properties, prices: PriceTable) -> _Charge:
    service = _text(properties.get("ServiceName"), prices.region) or "(service from an intrinsic)"
    # CloudFormation's default endpoint type is Gateway, which has no charge.
    endpoint_type = properties.get("VpcEndpointType", "Gateway")
    if endpoint_type == "Gateway":
        return _Charge(NETWORK, f"gateway endpoint {service} (no charge)", 0.0, quantity=0)
    if endpoint_type != "Interface":
        raise _NoPrice(f"no price for a {endpoint_type} endpoint")
    subnets = properties.get("SubnetIds")
    if not isinstance(subnets, list):
        raise _NoPrice("SubnetIds is not a literal list, so the number of AZs is unknown")
    # An interface endpoint takes at most one subnet per AZ, so its subnets count its AZs.
    per_az = prices.per_month(prices.hourly.vpc_interface_endpoint.usd)
    what = f"interface endpoint {service} x {len(subnets)} AZ"
    return _Charge(NETWORK, what, per_az * len(subnets), quantity=len(subnets))


def _nat_gateway(properties: Properties, prices: PriceTable) -> _Charge:
    return _Charge(NETWORK, "NAT gateway", prices.per_month(prices.hourly.nat_gateway.usd))


def _public_address(properties: Properties, prices: PriceTable) -> _Charge:
    return _Charge(NETWORK, "public IPv4 address", prices.per_month(prices.hourly.public_ipv4_address.usd))


def _nodes(prices: PriceTable, *, engine: str, node_type: Any, count: int) -> _Charge:
    by_type = prices.elasticache_nodes.usd.get(engine.lower())
    if not isinstance(node_type, str) or by_type is None or node_type not in by_type:
        raise _NoPrice(f"no {engine} node-hour price for {node_type}")
    monthly = prices.per_month(by_type[node_type]) * count
    return _Charge(CACHE, f"{engine.lower()} {node_type} x {count} node{'s' * (count != 1)}", monthly, count)


def _replication_group(properties: Properties, prices: PriceTable) -> _Charge:
    if "NumCacheClusters" in properties:
        count = int(_number(properties, "NumCacheClusters", 1))
    else:
        shards = _number(properties, "NumNodeGroups", 1)
        count = int(shards * (_number(properties, "ReplicasPerNodeGroup", 0) + 1))
    engine = str(properties.get("Engine", "redis"))
    return _nodes(prices, engine=engine, node_type=properties.get("CacheNodeType"), count=count)


def _cache_cluster(properties: Properties, prices: PriceTable) -> _Charge:
    count = int(_number(properties, "NumCacheNodes", 1))
    engine = str(properties.get("Engine", "?"))
    return _nodes(prices, engine=engine, node_type=properties.get("CacheNodeType"), count=count)


def _serverless_cache(properties: Properties, prices: PriceTable) -> _Charge:
    engine = str(properties.get("Engine", "?")).lower()
    minimum = prices.elasticache_serverless_minimum.engines.get(engine)
    if minimum is None:
        raise _NoPrice(f"no serverless minimum for engine {engine}")
    monthly = prices.per_month(minimum.minimum_gb * minimum.usd_per_gb_hour)
    return _Charge(CACHE, f"{engine} serverless cache, minimum {minimum.minimum_gb:g} GB stored", monthly)


def _api_stage(properties: Properties, prices: PriceTable) -> _Charge | None:
    if properties.get("CacheClusterEnabled") not in (True, "true"):
        return None
    size = _number(properties, "CacheClusterSize", 0.5)  # API Gateway's default size
    hourly = next((usd for gb, usd in prices.apigateway_cache.usd.items() if float(gb) == size), None)
    if hourly is None:
        raise _NoPrice(f"no API cache price for {size:g} GB")
    stage = _text(properties.get("StageName"), prices.region) or "?"
    return _Charge(CACHE, f"API cache {size:g} GB (stage {stage})", prices.per_month(hourly))


def _alarm(properties: Properties, prices: PriceTable) -> _Charge:
    # Each metric an alarm reads is billed; pure expressions (metric math) read none themselves.
    metrics = properties.get("Metrics")
    if isinstance(metrics, list):
        periods = [entry["MetricStat"].get("Period", 60) for entry in metrics if "MetricStat" in entry]
        kind = "metric-math alarm" if len(metrics) > len(periods) else "alarm"
    else:
        periods, kind = [properties.get("Period", 60)], "alarm"
    high = sum(1 for period in periods if _seconds(period) < HIGH_RESOLUTION_BELOW_SECONDS)
    standard = len(periods) - high
    monthly = (
        standard * prices.monthly.cloudwatch_alarm_metric_standard.usd
        + high * prices.monthly.cloudwatch_alarm_metric_high_resolution.usd
    )
    counted = [f"{standard} metric{'s' * (standard != 1)}"] if standard or not high else []
    counted += [f"{high} high-resolution metric{'s' * (high != 1)}"] if high else []
    return _Charge(MONITORING, f"{kind}, {' + '.join(counted)}", monthly, quantity=len(periods))


def _seconds(period: Any) -> float:
    try:
        return float(period)
    except (TypeError, ValueError):
        raise _NoPrice(f"Period is not a literal number ({json.dumps(period)[:60]})") from None


def _composite_alarm(properties: Properties, prices: PriceTable) -> _Charge:
    return _Charge(MONITORING, "composite alarm", prices.monthly.cloudwatch_composite_alarm.usd)


def _dashboard(properties: Properties, prices: PriceTable) -> _Charge:
    name = _text(properties.get("DashboardName"), prices.region) or "(generated name)"
    return _Charge(MONITORING, f"dashboard {name}", prices.monthly.cloudwatch_dashboard.usd)


def _kms_key(properties: Properties, prices: PriceTable) -> _Charge:
    rotation = " (rotation on: each yearly rotation adds $1, not counted)"
    what = "customer managed key" + (
        rotation if properties.get("EnableKeyRotation") in (True, "true") else ""
    )
    return _Charge(SECURITY, what, prices.monthly.kms_customer_managed_key.usd)


def _secret(properties: Properties, prices: PriceTable) -> _Charge:
    name = _text(properties.get("Name"), prices.region)
    return _Charge(
        SECURITY, f"secret {name}" if name else "secret", prices.monthly.secrets_manager_secret.usd
    )


def _web_acl(properties: Properties, prices: PriceTable) -> _Charge:
    rules = properties.get("Rules")
    count = len(rules) if isinstance(rules, list) else 0
    monthly = prices.monthly.waf_web_acl.usd + count * prices.monthly.waf_rule.usd
    return _Charge(SECURITY, f"WAF web ACL with {count} rule{'s' * (count != 1)}", monthly)


def _hosted_zone(properties: Properties, prices: PriceTable) -> _Charge:
    name = _text(properties.get("Name"), prices.region) or "?"
    return _Charge(DNS, f"hosted zone {name}", prices.monthly.route53_hosted_zone.usd)


def _dynamodb_table(properties: Properties, prices: PriceTable) -> None:
    # Both table types default to provisioned capacity, which is billed by the hour.
    if properties.get("BillingMode", "PROVISIONED") != "PAY_PER_REQUEST":
        raise _NoPrice("provisioned capacity is a fixed cost the price table does not price")


def _lambda_function(properties: Properties, prices: PriceTable) -> _Charge | None:
    snap_start = properties.get("SnapStart") or {}
    if snap_start.get("ApplyOn", "None") == "None":
        return None  # requests and GB-seconds only
    memory_mb = int(_number(properties, "MemorySize", DEFAULT_LAMBDA_MEMORY_MB))
    snapstart = prices.lambda_snapstart
    versions = snapstart.cached_versions_per_function
    gb_seconds = memory_mb / 1024 * SECONDS_PER_HOUR * prices.hours_per_month * versions
    what = f"SnapStart cache, {memory_mb} MB x {versions} version{'s' * (versions != 1)} (restores are usage)"
    return _Charge(COMPUTE, what, gb_seconds * snapstart.cache_usd_per_gb_second, quantity=versions)


def _lambda_version(properties: Properties, prices: PriceTable) -> None:
    if properties.get("ProvisionedConcurrencyConfig"):
        raise _NoPrice("provisioned concurrency is a fixed cost the price table does not price")


PRICERS: dict[str, _Pricer] = {
    "AWS::EC2::VPCEndpoint": _interface_endpoint,
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::EIP": _public_address,
    "AWS::ElastiCache::ReplicationGroup": _replication_group,
    "AWS::ElastiCache::CacheCluster": _cache_cluster,
    "AWS::ElastiCache::ServerlessCache": _serverless_cache,
    "AWS::ApiGateway::Stage": _api_stage,
    "AWS::CloudWatch::Alarm": _alarm,
    "AWS::CloudWatch::CompositeAlarm": _composite_alarm,
    "AWS::CloudWatch::Dashboard": _dashboard,
    "AWS::KMS::Key": _kms_key,
    "AWS::KMS::ReplicaKey": _kms_key,
    "AWS::SecretsManager::Secret": _secret,
    "AWS::WAFv2::WebACL": _web_acl,
    "AWS::Route53::HostedZone": _hosted_zone,
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::DynamoDB::GlobalTable": _dynamodb_table,
    "AWS::Lambda::Function": _lambda_function,
    "AWS::Lambda::Version": _lambda_version,
    "AWS::Lambda::Alias": _lambda_version,
}
# CDKMetadata records which constructs the app uses; it deploys nothing.
IGNORED_TYPES = frozenset({"AWS::CDK::Metadata"})


def price_templates(templates: Mapping[str, Template], prices: PriceTable) -> CostReport:
    """Every stack's resources priced: fixed-cost line items, plus counts of what has no fixed cost."""
    items: list[LineItem] = []
    usage_only: Counter[str] = Counter()
    not_priced: Counter[str] = Counter()
    missing: list[str] = []
    for stack, template in sorted(templates.items()):
        for logical_id, resource in sorted((template.get("Resources") or {}).items()):
            resource_type = str(resource.get("Type", "?"))
            pricer = PRICERS.get(resource_type)
            if resource_type in IGNORED_TYPES:
                continue
            if pricer is None:
                (usage_only if resource_type in prices.usage_only else not_priced)[resource_type] += 1
                continue
            try:
                charge = pricer(resource.get("Properties") or {}, prices)
            except _NoPrice as reason:
                missing.append(f"{stack} {logical_id} ({resource_type}): {reason}")
                continue
            if charge is None:
                usage_only[resource_type] += 1
                continue
            items.append(
                LineItem(
                    stack,
                    logical_id,
                    resource_type,
                    charge.category,
                    charge.what,
                    charge.monthly_usd,
                    charge.quantity,
                )
            )
    return CostReport(
        region=prices.region,
        prices_taken=prices.prices_taken,
        items=tuple(items),
        usage_only=dict(sorted(usage_only.items())),
        not_priced=dict(sorted(not_priced.items())),
        missing_prices=tuple(missing),
    )


def price_assembly(assembly_dir: Path, prices: PriceTable) -> CostReport:
    return price_templates(read_templates(assembly_dir), prices)


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def signed_usd(amount: float) -> str:
    return f"-{usd(-amount)}" if amount <= -CENT / 2 else f"+{usd(abs(amount))}"


def _rows(items: Iterable[LineItem], *, collapse: bool) -> list[tuple[float, str, str]]:
    rows: list[tuple[float, str, str]] = []
    collapsed: dict[tuple[str, str], list[LineItem]] = {}
    for item in items:
        if collapse and item.resource_type in COLLAPSED_TYPES:
            collapsed.setdefault((item.stack, item.resource_type), []).append(item)
        else:
            rows.append((item.monthly_usd, f"{item.stack}  {item.logical_id}", item.what))
    for (stack, _), group in collapsed.items():
        metrics = sum(item.quantity for item in group)
        what = f"{len(group)} alarms reading {metrics} metrics (--all-items lists them)"
        rows.append((sum(item.monthly_usd for item in group), stack, what))
    return rows


def render_report(
    report: CostReport, *, title: str, prices: PriceTable, all_items: bool = False
) -> list[str]:
    lines = [
        f"Fixed monthly cost of {title}: {usd(report.total)}",
        f"({report.region} list prices of {report.prices_taken}, {prices.hours_per_month} h/month, "
        "on demand, no free tier; from cdk_app/prices.json)",
    ]
    for category in CATEGORIES:
        items = [item for item in report.items if item.category == category]
        if not items:
            continue
        lines += ["", f"{category:<12}{usd(sum(item.monthly_usd for item in items)):>11}"]
        for amount, where, what in _rows(items, collapse=not all_items):
            lines.append(f"  {usd(amount):>9}  {where}  {what}")
    lines += ["", f"{'Total':<12}{usd(report.total):>11}"]
    if report.missing_prices:
        lines += [
            "",
            f"!!! {len(report.missing_prices)} resource(s) with a fixed cost the table cannot price:",
        ]
        lines += [f"  {problem}" for problem in report.missing_prices]
    if report.usage_only:
        lines += ["", "Usage only ($0 fixed):"]
        for resource_type, count in report.usage_only.items():
            reason = prices.usage_only.get(resource_type, "no fixed charge as configured")
            lines.append(f"  {resource_type} x {count}: {reason}")
    if report.not_priced:
        lines += ["", "Not priced (not in cdk_app/prices.json; counted as $0, usage only or free):"]
        lines += [f"  {resource_type} x {count}" for resource_type, count in report.not_priced.items()]
    return lines


@dataclass(frozen=True)
class ItemChange:
    stack: str
    logical_id: str
    resource_type: str
    before_usd: float
    after_usd: float
    before_what: str | None  # None: the item is new
    after_what: str | None  # None: the item is gone

    @property
    def delta(self) -> float:
        return self.after_usd - self.before_usd


@dataclass(frozen=True)
class CostDelta:
    before_total: float
    after_total: float
    changes: tuple[ItemChange, ...]
    missing_prices: tuple[str, ...]  # of the after side

    @property
    def delta(self) -> float:
        return self.after_total - self.before_total


def compare(before: CostReport, after: CostReport) -> CostDelta:
    """Per resource (stack, logical ID): what its fixed cost was and is, for those whose cost changed."""
    old = {(item.stack, item.logical_id): item for item in before.items}
    new = {(item.stack, item.logical_id): item for item in after.items}
    changes = []
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key), new.get(key)
        resource_type = now.resource_type if now else was.resource_type if was else "?"
        change = ItemChange(
            *key,
            resource_type=resource_type,
            before_usd=was.monthly_usd if was else 0.0,
            after_usd=now.monthly_usd if now else 0.0,
            before_what=was.what if was else None,
            after_what=now.what if now else None,
        )
        if abs(change.delta) >= CENT / 2:
            changes.append(change)
    changes.sort(key=lambda change: -abs(change.delta))
    return CostDelta(before.total, after.total, tuple(changes), after.missing_prices)


def _change_row(change: ItemChange) -> str:
    if change.before_what is None:
        what = f"new: {change.after_what}"
    elif change.after_what is None:
        what = f"gone: {change.before_what}"
    elif change.before_what == change.after_what:
        what = change.after_what
    else:
        what = f"{change.before_what} -> {change.after_what}"
    return f"  {signed_usd(change.delta):>9}  {change.stack}  {change.logical_id}  {what}"


def render_delta(delta: CostDelta, *, all_items: bool = False) -> list[str]:
    """ "Fixed monthly cost: $X -> $Y (+$Z)", then the changed items, biggest change first."""
    total = f"{usd(delta.before_total)} -> {usd(delta.after_total)} ({signed_usd(delta.delta)})"
    lines = [f"Fixed monthly cost: {total}"]
    groups: dict[tuple[str, str], list[ItemChange]] = {}
    for change in delta.changes:
        groups.setdefault((change.stack, change.resource_type), []).append(change)
    for change in delta.changes:
        group = groups[(change.stack, change.resource_type)]
        if all_items or change.resource_type not in COLLAPSED_TYPES or len(group) <= COLLAPSE_ABOVE:
            lines.append(_change_row(change))
        elif change is group[0]:
            added = sum(1 for item in group if item.before_what is None)
            gone = sum(1 for item in group if item.after_what is None)
            counts = f"{added} new, {gone} gone, {len(group) - added - gone} changed"
            amount = signed_usd(sum(item.delta for item in group))
            lines.append(f"  {amount:>9}  {change.stack}  {len(group)} alarms ({counts})")
    if delta.missing_prices:
        lines.append(
            f"  (plus {len(delta.missing_prices)} resource(s) the price table cannot price: `make cost`)"
        )
    return lines


def render_change(
    before: Mapping[str, Template], after: Mapping[str, Template], prices: PriceTable | None = None
) -> list[str]:
    """`make diff`'s cost lines: the fixed monthly cost of both sides and the items that changed."""
    table = prices or load_prices()
    return render_delta(compare(price_templates(before, table), price_templates(after, table)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cdk_app.cost", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--stage", default=DEFAULT_STAGE, help=f"stage to synthesize (default: {DEFAULT_STAGE})"
    )
    parser.add_argument(
        "--assembly", type=Path, help="price this synthesized assembly instead of synthesizing"
    )
    parser.add_argument("--before", type=Path, help="also print the change from this assembly's cost")
    parser.add_argument(
        "--prices", type=Path, default=PRICES_FILE, help="price table (default: cdk_app/prices.json)"
    )
    parser.add_argument(
        "--all-items", action="store_true", help="list every alarm instead of one row per stack"
    )
    parser.add_argument("--json", action="store_true", help="print the line items as JSON")
    return parser


def _run(arguments: argparse.Namespace, *, scratch: Path) -> int:
    prices = load_prices(arguments.prices)
    if arguments.assembly is None:
        synthesize(stage=arguments.stage, out_dir=scratch)
        title = f"stage '{arguments.stage}'"
    else:
        title = display_path(arguments.assembly)
    report = price_assembly(arguments.assembly or scratch, prices)
    delta = compare(price_assembly(arguments.before, prices), report) if arguments.before else None
    if arguments.json:
        output: dict[str, Any] = {"title": title, **report.to_json()}
        if delta is not None:
            output["delta"] = {
                "before_total_monthly_usd": round(delta.before_total, 2),
                "after_total_monthly_usd": round(delta.after_total, 2),
                "changes": [asdict(change) for change in delta.changes],
            }
        print(json.dumps(output, indent=2))
        return 0
    print("\n".join(render_report(report, title=title, prices=prices, all_items=arguments.all_items)))
    if delta is not None:
        print()
        print(f"Against {display_path(arguments.before)}:")
        print("\n".join(render_delta(delta, all_items=arguments.all_items)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="shop-cost-") as scratch:
            return _run(arguments, scratch=Path(scratch))
    except (AssemblyError, PriceTableError) as error:
        print(f"cost failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
