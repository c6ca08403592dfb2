"""Cache: Valkey 8 on Graviton cache.t4g.micro in the isolated subnets, TLS + AUTH, one node per stage."""

from __future__ import annotations

from typing import Any

from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from cdk_app.synth import SynthesizedStage
from constructs_lib.redis_cache import RedisCache


def _one(stage: SynthesizedStage, stack: str, type_: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (logical_id, resource)
        for logical_id, resource in stage.template(stack)["Resources"].items()
        if resource["Type"] == type_
    ]
    assert len(matches) == 1, matches
    return matches[0]


def test_valkey_replication_group_with_encryption_and_auth(dev: SynthesizedStage) -> None:
    _, group = _one(dev, "Cache", "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    # Valkey on Graviton: the cheapest node that runs seed 001's Redis 7 workload (docs/decisions.md).
    assert properties["Engine"] == "valkey"
    assert properties["EngineVersion"].startswith("8.")
    assert properties["CacheParameterGroupName"] == "default.valkey8"
    assert properties["CacheNodeType"] == "cache.t4g.micro"
    assert properties["Port"] == 6379
    assert properties["TransitEncryptionEnabled"] is True
    assert properties["TransitEncryptionMode"] == "required"
    assert properties["AtRestEncryptionEnabled"] is True
    secret_id, _ = _one(dev, "Cache", "AWS::SecretsManager::Secret")
    token = properties["AuthToken"]["Fn::Join"][1]
    assert {"Ref": secret_id} in token
    assert any(isinstance(part, str) and part.startswith("{{resolve:secretsmanager:") for part in token)


def test_dev_has_one_node_without_failover(dev: SynthesizedStage) -> None:
    _, group = _one(dev, "Cache", "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    assert properties["NumCacheClusters"] == 1
    assert properties["AutomaticFailoverEnabled"] is False
    assert properties["MultiAZEnabled"] is False
    assert properties["SnapshotRetentionLimit"] == 0
    assert group["DeletionPolicy"] == "Delete"


def test_prod_has_one_node_with_daily_snapshots_kept_on_delete(prod: SynthesizedStage) -> None:
    """Seed 001's one node: a second one for Multi-AZ failover would cost $9.34 a month, and while the
    node is replaced every request is served from DynamoDB (docs/decisions.md, "Fixed cost per stage");
    a stage that wants the failover sets `cache_nodes: 2`."""
    _, group = _one(prod, "Cache", "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    assert properties["NumCacheClusters"] == 1
    assert properties["SnapshotRetentionLimit"] >= 1
    assert properties["SnapshotWindow"]
    assert group["DeletionPolicy"] == "Retain"


def test_two_nodes_fail_over_across_azs() -> None:
    stack = Stack(App(), "CacheOnly")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    RedisCache(
        stack,
        "Redis",
        vpc=vpc,
        subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
        security_group=ec2.SecurityGroup(stack, "Sg", vpc=vpc),
        node_type="cache.t4g.micro",
        engine="valkey",
        nodes=2,
        snapshot_retention_days=7,
        port=6379,
        removal_policy=RemovalPolicy.RETAIN,
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ElastiCache::ReplicationGroup",
        {"NumCacheClusters": 2, "AutomaticFailoverEnabled": True, "MultiAZEnabled": True},
    )


def test_cache_sits_in_the_isolated_subnets_behind_the_cache_security_group(dev: SynthesizedStage) -> None:
    _, group = _one(dev, "Cache", "AWS::ElastiCache::ReplicationGroup")
    subnet_group_id, subnet_group = _one(dev, "Cache", "AWS::ElastiCache::SubnetGroup")
    assert group["Properties"]["CacheSubnetGroupName"] == {"Ref": subnet_group_id}
    exported = dev.template("Network")["Outputs"]
    subnet_refs = subnet_group["Properties"]["SubnetIds"]
    assert len(subnet_refs) == 2
    for ref in subnet_refs:
        export_name = ref["Fn::ImportValue"]
        output = next(output for output in exported.values() if output["Export"]["Name"] == export_name)
        subnet = dev.template("Network")["Resources"][output["Value"]["Ref"]]
        tags = {tag["Key"]: tag["Value"] for tag in subnet["Properties"]["Tags"]}
        assert tags["aws-cdk:subnet-type"] == "Isolated"
    [security_group_import] = group["Properties"]["SecurityGroupIds"]
    output = next(
        output
        for output in exported.values()
        if output["Export"]["Name"] == security_group_import["Fn::ImportValue"]
    )
    security_group = dev.template("Network")["Resources"][output["Value"]["Fn::GetAtt"][0]]
    assert security_group["Properties"]["GroupDescription"].startswith("Redis")
