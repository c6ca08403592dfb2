"""ElastiCache replication group (Valkey 8 or Redis OSS 7): private, TLS-only, encrypted, IAM auth.

The functions sign in as one ElastiCache user whose authentication mode is IAM: each connection's
password is a SigV4-signed token the function makes from its own role's credentials
(shop.platform.redis_connection), so there is no AUTH token to store, read over a Secrets Manager
endpoint, or rotate (docs/decisions.md, "Redis IAM authentication").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from constructs import Construct

from constructs_lib.nag import acknowledge

# Valkey 8 speaks the Redis 7.2 protocol; redis-py and the local redis-server need nothing else.
ENGINE_VERSIONS = {"valkey": "8.0", "redis": "7.1"}
PARAMETER_GROUPS = {"valkey": "default.valkey8", "redis": "default.redis7"}


@dataclass(frozen=True)
class RedisEndpoint:
    host: str
    port: str
    # IAM authentication: the token is signed for this replication group id and user.
    replication_group_id: str
    user_name: str
    user_arn: str


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
        user_prefix: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        # RBAC needs a user named "default" in every user group; this one is switched off, so the only
        # way in is the IAM-authenticated user below.
        disabled_default = elasticache.CfnUser(
            self,
            "DisabledDefaultUser",
            user_id=f"{user_prefix}-default",
            user_name="default",
            engine=engine,
            access_string="off -@all",
            authentication_mode={"Type": "no-password-required"},
        )
        # IAM authentication requires the user name to equal the user id. -@dangerous: the shop never
        # needs KEYS, FLUSHALL, CONFIG, DEBUG or the like, so a compromised function cannot run them.
        self.user_name = f"{user_prefix}-functions"
        self.functions_user = elasticache.CfnUser(
            self,
            "FunctionsUser",
            user_id=self.user_name,
            user_name=self.user_name,
            engine=engine,
            access_string="on ~* +@all -@dangerous",
            authentication_mode={"Type": "iam"},
        )
        user_group = elasticache.CfnUserGroup(
            self,
            "UserGroup",
            user_group_id=f"{user_prefix}-users",
            engine=engine,
            user_ids=[disabled_default.ref, self.functions_user.ref],
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
            user_group_ids=[user_group.ref],
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
        acknowledge(
            self.replication_group,
            "AwsSolutions-AEC6",
            "Role-based access with IAM authentication replaces the AUTH token: each connection signs in "
            "as the functions' user with a 15-minute SigV4 token, and the default user is switched off.",
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

    def endpoint(self) -> RedisEndpoint:
        """What a function needs to connect: host, port, and the group and user its IAM token names."""
        return RedisEndpoint(
            host=self.endpoint_address,
            port=self.endpoint_port,
            replication_group_id=self.replication_group.ref,
            user_name=self.user_name,
            user_arn=self.functions_user.attr_arn,
        )
