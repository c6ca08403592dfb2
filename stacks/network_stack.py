"""Network: the VPC, its endpoints, and the security groups of the Lambda functions and the cache."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.log_retention import log_retention
from constructs_lib.shop_vpc import ShopVpc
from stacks.shop_stack import ShopStack

REDIS_PORT = 6379


class NetworkStack(ShopStack):
    def __init__(self, scope: Construct, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            "Network",
            config=config,
            stateful=True,
            purpose="VPC, endpoints, security groups",
            **kwargs,
        )
        network = ShopVpc(
            self,
            "Shop",
            nat_gateways=config.nat_gateways,
            interface_endpoint_azs=config.interface_endpoint_azs,
            flow_log_retention=log_retention(config.log_retention_days),
            removal_policy=self.data_removal_policy,
        )
        self.vpc = network.vpc
        self.lambda_subnets = network.lambda_subnets

        self.lambda_security_group = ec2.SecurityGroup(
            self,
            "LambdaSecurityGroup",
            vpc=self.vpc,
            description="Shop Lambda functions inside the VPC",
            allow_all_outbound=True,
        )
        self.cache_security_group = ec2.SecurityGroup(
            self,
            "CacheSecurityGroup",
            vpc=self.vpc,
            description="Redis - port 6379 from the shop Lambda functions only",
            allow_all_outbound=False,
        )
        self.cache_security_group.add_ingress_rule(
            self.lambda_security_group, ec2.Port.tcp(REDIS_PORT), "Redis from the shop's Lambda functions"
        )
        network.endpoint_security_group.add_ingress_rule(
            self.lambda_security_group, ec2.Port.tcp(443), "AWS APIs from the shop's Lambda functions"
        )
