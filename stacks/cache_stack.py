"""Cache: the ElastiCache Redis replication group in the private subnets."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.redis_cache import RedisCache
from stacks.network_stack import REDIS_PORT
from stacks.shop_stack import ShopStack


class CacheStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        vpc: ec2.IVpc,
        cache_security_group: ec2.ISecurityGroup,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            "Cache",
            config=config,
            stateful=True,
            purpose=f"ElastiCache {config.cache_engine}",
            **kwargs,
        )
        self.redis = RedisCache(
            self,
            "Redis",
            vpc=vpc,
            subnet_type=ec2.SubnetType.PRIVATE_ISOLATED,
            security_group=cache_security_group,
            node_type=config.cache_node_type,
            engine=config.cache_engine,
            nodes=config.cache_nodes,
            snapshot_retention_days=config.cache_snapshot_retention_days,
            port=REDIS_PORT,
            removal_policy=self.data_removal_policy,
            user_prefix=f"shop-{config.name}",
        )
