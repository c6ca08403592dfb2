"""ElastiCache replication group (Valkey 8 or Redis OSS 7): private, TLS-only, encrypted, AUTH token."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from constructs_lib.nag import acknowledge

# Valkey 8 speaks the Redis 7.2 protocol; redis-py and the local redis-server need nothing else.
ENGINE_VERSIONS = {"valkey": "8.0", "redis": "7.1"}
PARAMETER_GROUPS = {"valkey": "default.valkey8", "redis": "default.redis7"}


class RedisCache(Construct):
    """One primary (plus replicas with Multi-AZ failover when `nodes > 1`) in the given subnets."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        vpc: ec2.IVpc,
        subnet_type: ec2.SubnetType,
        security_group: ec2.ISecurityGroup,
        node_type: str,
        engine: str,
        nodes: int,
        snapshot_retention_days: int,
        port: int,
        removal_policy: RemovalPolicy,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        # ElastiCache AUTH tokens are 16-128 printable characters without '@', '"' or '/'.
        self.auth_token = secretsmanager.Secret(
            self,
            "AuthToken",
            description="AUTH token of the shop's Redis replication group",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=removal_policy,
        )
        acknowledge(
            self.auth_token,
            "AwsSolutions-SMG4",
            "Rotating a Redis AUTH token needs a coordinated ModifyReplicationGroup (ROTATE then SET); "
            "it is a runbook step, not an automatic rotation.",
        )
        subnet_group = elasticache.CfnSubnetGroup(
            self,
            "SubnetGroup",
            description="Private subnets of the shop's Redis",
            subnet_ids=vpc.select_subnets(subnet_type=subnet_type).subnet_ids,
        )
        multi_az = nodes > 1
        self.replication_group = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_description="Shop catalog, cart and breaker state",
            engine=engine,
            engine_version=ENGINE_VERSIONS[engine],
            cache_parameter_group_name=PARAMETER_GROUPS[engine],
            cache_node_type=node_type,
            num_cache_clusters=nodes,
            automatic_failover_enabled=multi_az,
            multi_az_enabled=multi_az,
            port=port,
            cache_subnet_group_name=subnet_group.ref,
            security_group_ids=[security_group.security_group_id],
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            auth_token=self.auth_token.secret_value.unsafe_unwrap(),
            snapshot_retention_limit=snapshot_retention_days,
            snapshot_window="03:00-04:00" if snapshot_retention_days else None,
            preferred_maintenance_window="sun:05:00-sun:06:00",
            auto_minor_version_upgrade=True,
        )
        self.replication_group.apply_removal_policy(removal_policy)
        acknowledge(
            self.replication_group,
            "AwsSolutions-AEC5",
            "The shop's design fixes Redis on 6379; it is reachable only from the Lambda security group.",
        )
        if not multi_az:
            acknowledge(
                self.replication_group,
                "AwsSolutions-AEC4",
                "Single-node cache in this stage by its settings (cost); the shop falls back to DynamoDB "
                "when the cache is down.",
            )
        self.endpoint_address = self.replication_group.attr_primary_end_point_address
        self.endpoint_port = self.replication_group.attr_primary_end_point_port
