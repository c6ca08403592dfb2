"""Cache: Redis 7 on cache.t3.micro in the isolated subnets, TLS + AUTH, one node dev, Multi-AZ prod."""

from __future__ import annotations

from typing import Any

from cdk_app.synth import SynthesizedStage


def _one(stage: SynthesizedStage, stack: str, type_: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (logical_id, resource)
        for logical_id, resource in stage.template(stack)["Resources"].items()
        if resource["Type"] == type_
    ]
    assert len(matches) == 1, matches
    return matches[0]


def test_redis_7_replication_group_with_encryption_and_auth(dev: SynthesizedStage) -> None:
    _, group = _one(dev, "Cache", "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    assert properties["Engine"] == "redis"
    assert properties["EngineVersion"].startswith("7.")
    assert properties["CacheNodeType"] == "cache.t3.micro"
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


def test_prod_has_two_nodes_multi_az_failover_and_daily_snapshots(prod: SynthesizedStage) -> None:
    _, group = _one(prod, "Cache", "AWS::ElastiCache::ReplicationGroup")
    properties = group["Properties"]
    assert properties["NumCacheClusters"] == 2
    assert properties["AutomaticFailoverEnabled"] is True
    assert properties["MultiAZEnabled"] is True
    assert properties["SnapshotRetentionLimit"] >= 1
    assert properties["SnapshotWindow"]
    assert group["DeletionPolicy"] == "Retain"


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
