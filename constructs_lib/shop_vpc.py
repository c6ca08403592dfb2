"""The shop's VPC: two AZs of isolated subnets, endpoints instead of a NAT gateway, flow logs."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

# VPC Lambdas reach SQS (enqueueing) through an interface endpoint rather than a NAT gateway. Each
# interface endpoint costs per AZ-hour, so what can avoid one does: the kill switches and the signing
# keys live in DynamoDB (free gateway endpoint), and Redis takes IAM tokens signed locally instead of
# an AUTH token read from Secrets Manager (docs/decisions.md, "Redis IAM authentication").
INTERFACE_SERVICES: dict[str, ec2.InterfaceVpcEndpointAwsService] = {
    "Sqs": ec2.InterfaceVpcEndpointAwsService.SQS,
}


class ShopVpc(Construct):
    """Private isolated subnets in two AZs; public + egress subnets only when NAT gateways are asked for."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        nat_gateways: int,
        interface_endpoint_azs: int,
        flow_log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        subnets = [
            ec2.SubnetConfiguration(
                name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=22
            )
        ]
        if nat_gateways:
            subnets += [
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                ec2.SubnetConfiguration(
                    name="egress", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
            ]
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.20.0.0/16"),
            max_azs=2,
            nat_gateways=nat_gateways,
            subnet_configuration=subnets,
            restrict_default_security_group=True,
        )
        flow_log_group = logs.LogGroup(
            self, "FlowLogs", retention=flow_log_retention, removal_policy=removal_policy
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )
        self.lambda_subnets = ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
            if nat_gateways
            else ec2.SubnetType.PRIVATE_ISOLATED
        )
        self.vpc.add_gateway_endpoint("DynamoDbEndpoint", service=ec2.GatewayVpcEndpointAwsService.DYNAMODB)
        self.vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)
        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="Interface endpoints - HTTPS from the shop Lambda functions only",
            allow_all_outbound=False,
        )
        # Interface endpoints are billed per AZ-hour; a dev stage may place them in one AZ (reachable
        # from both) to keep its fixed cost down, prod places one per AZ.
        endpoint_subnets = ec2.SubnetSelection(
            subnets=self.vpc.select_subnets(subnet_group_name="isolated").subnets[:interface_endpoint_azs]
        )
        self.interface_endpoints = {
            name: self.vpc.add_interface_endpoint(
                f"{name}Endpoint",
                service=service,
                subnets=endpoint_subnets,
                security_groups=[self.endpoint_security_group],
                private_dns_enabled=True,
                open=False,
            )
            for name, service in INTERFACE_SERVICES.items()
        }
