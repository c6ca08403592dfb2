"""The fixed-cost tool on hand-made templates: each priced type, the change between two assemblies,
what it cannot price, its command line and the cost lines `make diff` prints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cdk_app import cost, diff
from cdk_app.cost import compare, load_prices, price_templates, render_delta
from cdk_app.release import create_release
from cdk_app.version import product_version

PRICES = load_prices()
HOURS = 730


def resource(resource_type: str, **properties: Any) -> dict[str, Any]:
    return {"Type": resource_type, "Properties": properties}


def interface_endpoint(service: str, *subnets: str) -> dict[str, Any]:
    return resource(
        "AWS::EC2::VPCEndpoint",
        ServiceName=f"com.amazonaws.us-east-1.{service}",
        VpcEndpointType="Interface",
        SubnetIds=[{"Ref": subnet} for subnet in subnets],
        VpcId={"Ref": "Vpc"},
    )


def alarm(period: int = 60) -> dict[str, Any]:
    return resource("AWS::CloudWatch::Alarm", MetricName="Errors", Namespace="AWS/Lambda", Period=period)


def metric_stat(name: str, period: int = 60) -> dict[str, Any]:
    return {
        "Id": name.lower(),
        "MetricStat": {"Metric": {"MetricName": name, "Namespace": "AWS/Lambda"}, "Period": period},
        "ReturnData": False,
    }


def metric_math_alarm(*metrics: dict[str, Any]) -> dict[str, Any]:
    expression = {"Id": "rate", "Expression": "errors / invocations * 100", "ReturnData": True}
    return resource("AWS::CloudWatch::Alarm", Metrics=[expression, *metrics])


def shop_templates(**overrides: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A small stage: the resources named in the task, by stack; `Stack__LogicalId=...` replaces one."""
    templates: dict[str, dict[str, Any]] = {
        "Shop-dev-Network": {
            "Resources": {
                "SqsEndpoint": interface_endpoint("sqs", "SubnetA", "SubnetB"),
                "SsmEndpoint": interface_endpoint("ssm", "SubnetA", "SubnetB"),
                "S3Endpoint": resource(
                    "AWS::EC2::VPCEndpoint",
                    ServiceName={"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]},
                    VpcEndpointType="Gateway",
                    RouteTableIds=[{"Ref": "RouteTableA"}],
                ),
                "Vpc": resource("AWS::EC2::VPC", CidrBlock="10.0.0.0/16"),
            }
        },
        "Shop-dev-Cache": {
            "Resources": {
                "Redis": resource(
                    "AWS::ElastiCache::ReplicationGroup",
                    CacheNodeType="cache.t4g.micro",
                    Engine="redis",
                    NumCacheClusters=2,
                ),
                "RedisAuthToken": resource("AWS::SecretsManager::Secret", Description="AUTH token"),
            }
        },
        "Shop-dev-ApiStage": {
            "Resources": {
                "Stage": resource(
                    "AWS::ApiGateway::Stage", StageName="v1", CacheClusterEnabled=True, CacheClusterSize="0.5"
                ),
            }
        },
        "Shop-dev-Monitoring": {
            "Resources": {
                "ErrorsAlarm": alarm(),
                "ThrottlesAlarm": alarm(period=300),
                "ErrorRateAlarm": metric_math_alarm(metric_stat("Errors"), metric_stat("Invocations")),
                "Dashboard": resource("AWS::CloudWatch::Dashboard", DashboardName="Shopping-Overview"),
                "AlarmTopicKey": resource("AWS::KMS::Key", EnableKeyRotation=True),
                "Metadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:..."}},
            }
        },
    }
    for key, body in overrides.items():
        stack, logical_id = key.split("__")
        resources = templates.setdefault(f"Shop-dev-{stack}", {"Resources": {}})["Resources"]
        if body:
            resources[logical_id] = body
        else:
            resources.pop(logical_id)
    return templates


def test_the_price_table_holds_the_numbers_the_expected_totals_use() -> None:
    # The hand computations below use these literals; a price change shows up here first, by name.
    assert (PRICES.region, PRICES.currency, PRICES.hours_per_month) == ("us-east-1", "USD", HOURS)
    assert PRICES.hourly.vpc_interface_endpoint.usd == 0.01
    assert PRICES.hourly.nat_gateway.usd == 0.045
    assert PRICES.elasticache_nodes.usd["redis"]["cache.t4g.micro"] == 0.016
    assert PRICES.apigateway_cache.usd["0.5"] == 0.020
    assert PRICES.monthly.cloudwatch_alarm_metric_standard.usd == 0.10
    assert PRICES.monthly.cloudwatch_alarm_metric_high_resolution.usd == 0.30
    assert PRICES.monthly.cloudwatch_dashboard.usd == 3.00
    assert PRICES.monthly.kms_customer_managed_key.usd == 1.00
    assert PRICES.monthly.secrets_manager_secret.usd == 0.40
    assert PRICES.lambda_snapstart.cache_usd_per_gb_second == 0.0000015046
    assert PRICES.lambda_snapstart.cached_versions_per_function == 1


def test_the_price_table_says_when_and_where_each_price_comes_from() -> None:
    assert date.fromisoformat(PRICES.prices_taken) <= date.today()
    entries = [*PRICES.hourly.model_dump().values(), *PRICES.monthly.model_dump().values()]
    entries += [PRICES.elasticache_nodes, PRICES.elasticache_serverless_minimum, PRICES.apigateway_cache]
    entries += [PRICES.lambda_snapstart]
    for entry in entries:
        fields = entry if isinstance(entry, dict) else entry.model_dump()
        assert fields["source"].startswith("https://aws.amazon.com/"), fields
        assert fields["checked"], fields
    # The free tiers the table mentions are not subtracted anywhere: it says so.
    assert "not subtracted" in PRICES.monthly.cloudwatch_dashboard.checked
    for zero_fixed in (
        "AWS::Logs::LogGroup",
        "AWS::DynamoDB::Table",
        "AWS::Lambda::Function",
        "AWS::SQS::Queue",
    ):
        assert zero_fixed in PRICES.usage_only


def test_valkey_nodes_cost_a_fifth_less_than_redis_oss_nodes() -> None:
    redis, valkey = PRICES.elasticache_nodes.usd["redis"], PRICES.elasticache_nodes.usd["valkey"]
    assert set(valkey) <= set(redis)
    for node_type, price in valkey.items():
        assert price == pytest.approx(redis[node_type] * 0.8), node_type


def test_the_small_stage_costs_what_its_items_cost_by_hand() -> None:
    report = price_templates(shop_templates(), PRICES)

    endpoints = 2 * 2 * 0.01 * 730  # two interface endpoints, two AZs each; the gateway one is free
    redis = 2 * 0.016 * 730  # two cache.t4g.micro Redis OSS nodes
    api_cache = 0.020 * 730  # 0.5 GB
    alarms = (1 + 1 + 2) * 0.10  # two single-metric alarms and a metric-math alarm over two metrics
    monthly = 3.00 + 1.00 + 0.40  # dashboard, KMS key, secret
    assert report.total == pytest.approx(endpoints + redis + api_cache + alarms + monthly)
    assert round(report.total, 2) == 71.96

    by_id = {item.logical_id: item for item in report.items}
    assert by_id["SqsEndpoint"].what == "interface endpoint com.amazonaws.us-east-1.sqs x 2 AZ"
    assert by_id["SqsEndpoint"].monthly_usd == pytest.approx(14.60)
    assert by_id["S3Endpoint"].what == "gateway endpoint com.amazonaws.us-east-1.s3 (no charge)"
    assert by_id["S3Endpoint"].monthly_usd == 0
    assert by_id["Redis"].what == "redis cache.t4g.micro x 2 nodes"
    assert by_id["Stage"].what == "API cache 0.5 GB (stage v1)"
    assert by_id["ErrorRateAlarm"].what == "metric-math alarm, 2 metrics"
    assert by_id["ErrorRateAlarm"].monthly_usd == pytest.approx(0.20)
    assert by_id["ErrorRateAlarm"].category == "Monitoring"
    assert "Metadata" not in by_id
    assert report.missing_prices == ()


def test_types_without_a_price_are_listed_by_count_never_dropped() -> None:
    report = price_templates(
        shop_templates(
            Data__Orders=resource("AWS::DynamoDB::GlobalTable", BillingMode="PAY_PER_REQUEST"),
            Data__Logs=resource("AWS::Logs::LogGroup", RetentionInDays=30),
            Api__Role=resource("AWS::IAM::Role"),
            Api__OtherRole=resource("AWS::IAM::Role"),
            Api__Thing=resource("AWS::Made::Up"),
            ApiStage__Uncached=resource("AWS::ApiGateway::Stage", StageName="v2"),
        ),
        PRICES,
    )

    assert report.not_priced == {"AWS::EC2::VPC": 1, "AWS::IAM::Role": 2, "AWS::Made::Up": 1}
    assert report.usage_only == {
        "AWS::ApiGateway::Stage": 1,
        "AWS::DynamoDB::GlobalTable": 1,
        "AWS::Logs::LogGroup": 1,
    }
    text = "\n".join(cost.render_report(report, title="test", prices=PRICES))
    assert "  AWS::Made::Up x 1" in text.split("Not priced")[1]
    assert "AWS::Logs::LogGroup x 1: CloudWatch Logs" in text.split("Usage only ($0 fixed):")[1]


def test_a_fixed_cost_the_table_cannot_price_is_flagged_and_left_out_of_the_total() -> None:
    report = price_templates(
        shop_templates(
            Cache__Redis=resource("AWS::ElastiCache::ReplicationGroup", CacheNodeType="cache.r7g.large"),
            Data__Table=resource("AWS::DynamoDB::Table", ProvisionedThroughput={"ReadCapacityUnits": 5}),
            Network__Endpoints=resource(
                "AWS::EC2::VPCEndpoint", VpcEndpointType="Interface", SubnetIds={"Ref": "Subnets"}
            ),
        ),
        PRICES,
    )

    assert [problem.split(" (")[0] for problem in report.missing_prices] == [
        "Shop-dev-Cache Redis",
        "Shop-dev-Data Table",
        "Shop-dev-Network Endpoints",
    ]
    assert "no redis node-hour price for cache.r7g.large" in report.missing_prices[0]
    text = "\n".join(cost.render_report(report, title="test", prices=PRICES))
    assert "!!! 3 resource(s) with a fixed cost the table cannot price:" in text


@pytest.mark.parametrize(
    ("body", "monthly", "what"),
    [
        (resource("AWS::EC2::NatGateway", SubnetId={"Ref": "Public"}), 0.045 * 730, "NAT gateway"),
        (resource("AWS::EC2::EIP", Domain="vpc"), 0.005 * 730, "public IPv4 address"),
        (
            resource(
                "AWS::ElastiCache::ReplicationGroup",
                CacheNodeType="cache.t4g.small",
                Engine="valkey",
                NumNodeGroups=2,
                ReplicasPerNodeGroup=1,
            ),
            4 * 0.0256 * 730,
            "valkey cache.t4g.small x 4 nodes",
        ),
        (
            resource(
                "AWS::ElastiCache::CacheCluster",
                CacheNodeType="cache.t3.micro",
                Engine="redis",
                NumCacheNodes=1,
            ),
            0.017 * 730,
            "redis cache.t3.micro x 1 node",
        ),
        (
            resource("AWS::ElastiCache::ServerlessCache", Engine="valkey", ServerlessCacheName="shop"),
            0.1 * 0.0837 * 730,
            "valkey serverless cache, minimum 0.1 GB stored",
        ),
        (
            resource("AWS::ElastiCache::ServerlessCache", Engine="redis", ServerlessCacheName="shop"),
            1 * 0.125 * 730,
            "redis serverless cache, minimum 1 GB stored",
        ),
        (
            resource(
                "AWS::ApiGateway::Stage", StageName="v1", CacheClusterEnabled=True, CacheClusterSize="6.1"
            ),
            0.200 * 730,
            "API cache 6.1 GB (stage v1)",
        ),
        (alarm(period=10), 0.30, "alarm, 1 high-resolution metric"),
        (
            metric_math_alarm(metric_stat("Errors", period=10), metric_stat("Invocations")),
            0.30 + 0.10,
            "metric-math alarm, 1 metric + 1 high-resolution metric",
        ),
        (resource("AWS::CloudWatch::CompositeAlarm", AlarmRule="ALARM(a)"), 0.50, "composite alarm"),
        (
            resource(
                "AWS::WAFv2::WebACL", Scope="REGIONAL", Rules=[{"Name": "a"}, {"Name": "b"}, {"Name": "c"}]
            ),
            5.00 + 3 * 1.00,
            "WAF web ACL with 3 rules",
        ),
        (resource("AWS::Route53::HostedZone", Name="shop.example.com"), 0.50, "hosted zone shop.example.com"),
        (
            # The snapshot of the live version stays cached all month: 0.5 GB for 730 hours.
            resource("AWS::Lambda::Function", MemorySize=512, SnapStart={"ApplyOn": "PublishedVersions"}),
            0.5 * 3600 * 730 * 0.0000015046,
            "SnapStart cache, 512 MB x 1 version (restores are usage)",
        ),
        (
            resource("AWS::Lambda::Function", SnapStart={"ApplyOn": "PublishedVersions"}),
            128 / 1024 * 3600 * 730 * 0.0000015046,
            "SnapStart cache, 128 MB x 1 version (restores are usage)",
        ),
    ],
)
def test_each_priced_type(body: dict[str, Any], monthly: float, what: str) -> None:
    report = price_templates({"Shop-dev-Extra": {"Resources": {"Thing": body}}}, PRICES)

    assert [(item.what, round(item.monthly_usd, 4)) for item in report.items] == [(what, round(monthly, 4))]


@pytest.mark.parametrize("snap_start", [None, {"ApplyOn": "None"}])
def test_a_function_without_snapstart_has_no_fixed_cost(snap_start: dict[str, str] | None) -> None:
    function = resource("AWS::Lambda::Function", MemorySize=1024)
    if snap_start is not None:
        function["Properties"]["SnapStart"] = snap_start
    report = price_templates({"Shop-dev-Extra": {"Resources": {"Fn": function}}}, PRICES)

    assert report.items == ()
    assert report.usage_only == {"AWS::Lambda::Function": 1}


def test_turning_snapstart_on_shows_as_a_compute_line_of_the_change() -> None:
    plain = resource("AWS::Lambda::Function", MemorySize=256)
    snap = resource("AWS::Lambda::Function", MemorySize=256, SnapStart={"ApplyOn": "PublishedVersions"})
    before = price_templates({"Shop-prod-Cart": {"Resources": {"CartApi": plain}}}, PRICES)
    after = price_templates({"Shop-prod-Cart": {"Resources": {"CartApi": snap}}}, PRICES)

    lines = render_delta(compare(before, after))
    # 0.25 GB x 2,628,000 s x $0.0000015046 = $0.9885 a month
    assert lines[0] == "Fixed monthly cost: $0.00 -> $0.99 (+$0.99)"
    assert "Shop-prod-Cart  CartApi  new: SnapStart cache, 256 MB x 1 version" in lines[1]
    text = "\n".join(cost.render_report(after, title="test", prices=PRICES))
    assert "Compute" in text


def test_the_change_between_two_stages_lists_what_changed_biggest_first() -> None:
    before = price_templates(shop_templates(), PRICES)
    after = price_templates(
        shop_templates(
            Network__SsmEndpoint=interface_endpoint("ssm", "SubnetA"),  # one AZ instead of two
            Cache__Redis=resource(
                "AWS::ElastiCache::ReplicationGroup",
                CacheNodeType="cache.t4g.micro",
                Engine="valkey",
                NumCacheClusters=2,
            ),
            Monitoring__Dashboard={},  # removed
            Data__PaymentKeys=resource("AWS::SecretsManager::Secret", Name="dev-shop/payment-providers"),
            Monitoring__ErrorsAlarm=alarm(period=300),  # another period, same price: not a change
        ),
        PRICES,
    )

    delta = compare(before, after)

    assert delta.delta == pytest.approx(-0.01 * 730 + 2 * (0.0128 - 0.016) * 730 - 3.00 + 0.40)
    assert [(change.logical_id, round(change.delta, 2)) for change in delta.changes] == [
        ("SsmEndpoint", -7.30),
        ("Redis", -4.67),
        ("Dashboard", -3.00),
        ("PaymentKeys", 0.40),
    ]
    lines = render_delta(delta)
    assert lines[0] == f"Fixed monthly cost: $71.96 -> ${after.total:.2f} (-${abs(delta.delta):.2f})"
    assert lines[1] == (
        "     -$7.30  Shop-dev-Network  SsmEndpoint  interface endpoint com.amazonaws.us-east-1.ssm x 2 AZ"
        " -> interface endpoint com.amazonaws.us-east-1.ssm x 1 AZ"
    )
    assert lines[3].endswith("Shop-dev-Monitoring  Dashboard  gone: dashboard Shopping-Overview")
    assert lines[4].endswith("Shop-dev-Data  PaymentKeys  new: secret dev-shop/payment-providers")


def test_many_changed_alarms_of_a_stack_read_as_one_line() -> None:
    more_alarms = {f"Monitoring__Alarm{number}": alarm() for number in range(5)}
    delta = compare(
        price_templates(shop_templates(), PRICES), price_templates(shop_templates(**more_alarms), PRICES)
    )

    assert render_delta(delta) == [
        "Fixed monthly cost: $71.96 -> $72.46 (+$0.50)",
        "     +$0.50  Shop-dev-Monitoring  5 alarms (5 new, 0 gone, 0 changed)",
    ]
    assert len(render_delta(delta, all_items=True)) == 6


# --- the command line and `make diff`, on hand-made assemblies ------------------------------------


def write_assembly(directory: Path, templates: dict[str, dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = {
        stack: {"type": "aws:cloudformation:stack", "properties": {"templateFile": f"{stack}.template.json"}}
        for stack in templates
    }
    (directory / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
    for stack, template in templates.items():
        (directory / f"{stack}.template.json").write_text(json.dumps(template))
    return directory


def release(releases: Path, assembly: Path) -> str:
    def copy_assembly(staging: Path) -> None:
        shutil.copytree(assembly, staging, dirs_exist_ok=True)

    version = product_version()
    create_release(
        version=version, stage="dev", releases=releases, synthesize_into=copy_assembly, commit="abc"
    )
    return version


def test_the_cli_prints_the_items_by_category_and_the_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assembly = write_assembly(tmp_path / "dev", shop_templates())

    assert cost.main(["--assembly", str(assembly)]) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"Fixed monthly cost of {assembly}: $71.96\n")
    assert re.search(r"^Network +\$29\.20$", out, re.MULTILINE)
    assert re.search(r"^Cache +\$37\.96$", out, re.MULTILINE)
    assert "  $0.40  Shop-dev-Monitoring  3 alarms reading 4 metrics" in out
    assert re.search(r"^Total +\$71\.96$", out, re.MULTILINE)
    assert "AWS::EC2::VPC x 1" in out


def test_the_cli_prints_json_and_the_change_from_another_assembly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = write_assembly(tmp_path / "before", shop_templates(Monitoring__Dashboard={}))
    after = write_assembly(tmp_path / "after", shop_templates())

    assert cost.main(["--assembly", str(after), "--before", str(before), "--json"]) == 0

    output = json.loads(capsys.readouterr().out)
    assert output["total_monthly_usd"] == 71.96
    assert len(output["items"]) == 11  # 3 endpoints, 3 alarms and 5 others
    assert output["delta"]["before_total_monthly_usd"] == 68.96
    assert [change["logical_id"] for change in output["delta"]["changes"]] == ["Dashboard"]


def test_the_cli_reports_a_missing_assembly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main(["--assembly", str(tmp_path / "nowhere")]) == 1
    assert "cost failed:" in capsys.readouterr().err


def test_the_offline_diff_ends_with_the_change_in_fixed_cost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases"
    version = release(releases, write_assembly(tmp_path / "released", shop_templates()))
    now = write_assembly(tmp_path / "now", shop_templates(Monitoring__Dashboard={}))

    code = diff.main(
        ["--against", version, "--releases-dir", str(releases), "--assembly", str(now), "--summary-only"],
        environ={},
    )

    assert code == 0
    out = capsys.readouterr().out
    assert "\nFixed monthly cost: $71.96 -> $68.96 (-$3.00)\n" in out
    assert out.rstrip().endswith("-$3.00  Shop-dev-Monitoring  Dashboard  gone: dashboard Shopping-Overview")


def test_the_aws_diff_compares_the_cost_with_the_newest_release_of_the_stage_or_says_why_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run_cdk(command: list[str], *, capture: bool) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(diff, "run_cdk", fake_run_cdk)
    releases = tmp_path / "releases"
    now = write_assembly(tmp_path / "now", shop_templates(Cache__Spare=alarm()))
    arguments = ["--assembly", str(now), "--releases-dir", str(releases)]

    assert diff.main(arguments, environ={"AWS_PROFILE": "shop"}) == 0
    assert "Fixed monthly cost: no 'dev' release to compare with" in capsys.readouterr().out

    version = release(releases, write_assembly(tmp_path / "released", shop_templates()))
    assert diff.main(arguments, environ={"AWS_PROFILE": "shop"}) == 0
    out = capsys.readouterr().out
    assert (
        f"Against release {version}, the newest 'dev' release:\nFixed monthly cost: $71.96 -> $72.06 (+$0.10)"
        in out
    )
