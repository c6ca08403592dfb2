"""Cache: Valkey 8 on Graviton cache.t4g.micro in the isolated subnets, TLS + IAM auth, one node per stage."""

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


def test_valkey_replication_group_with_encryption_and_iam_auth(dev: SynthesizedStage) -> None:
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
    # No AUTH token (and so no secret): the group admits the users of its one user group.
    assert "AuthToken" not in properties
    resources = dev.template("Cache")["Resources"]
    assert not [r for r in resources.values() if r["Type"] == "AWS::SecretsManager::Secret"]
    group_id, user_group = _one(dev, "Cache", "AWS::ElastiCache::UserGroup")
    assert properties["UserGroupIds"] == [{"Ref": group_id}]
    members = {
        resources[ref["Ref"]]["Properties"]["UserName"]: resources[ref["Ref"]]["Properties"]
        for ref in user_group["Properties"]["UserIds"]
    }
    assert set(members) == {"default", "shop-dev-functions"}
    # The default user every group must hold is switched off: nothing signs in without IAM.
    assert members["default"]["AccessString"].startswith("off ")
    functions = members["shop-dev-functions"]
    assert functions["AuthenticationMode"] == {"Type": "iam"}
    assert functions["UserId"] == functions["UserName"]  # IAM auth requires it
    assert functions["Engine"] == "valkey"
    assert "-@dangerous" in functions["AccessString"]


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
        user_prefix="shop-test",
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


def test_functions_connect_to_this_cache_as_its_iam_user_with_no_secret(dev: SynthesizedStage) -> None:
    """Every function with Redis may elasticache:Connect to the one group as the one user, and its
    environment names both; none is granted a secret to reach Redis."""
    functions_with_redis = 0
    for stack_name in ("Catalog", "Cart", "Orders", "Tracking", "Marketing"):
        resources = dev.template(stack_name)["Resources"]
        for resource in resources.values():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            variables = resource["Properties"].get("Environment", {}).get("Variables", {})
            if "REDIS_HOST" not in variables:
                continue
            functions_with_redis += 1
            assert variables["REDIS_USER"] == "shop-dev-functions"
            assert "REDIS_CACHE_NAME" in variables
            assert not any(name.endswith("SECRET_ARN") and "REDIS" in name for name in variables)
        connects = [
            statement
            for resource in resources.values()
            if resource["Type"] == "AWS::IAM::Policy"
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]
            if statement["Action"] == "elasticache:Connect"
        ]
        for statement in connects:
            # The replication group and the user, nothing else.
            assert len(statement["Resource"]) == 2
            assert "replicationgroup" in str(statement["Resource"])
            assert "FunctionsUser" in str(statement["Resource"])
    assert functions_with_redis >= 7
