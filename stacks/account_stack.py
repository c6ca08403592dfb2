"""Account: what API Gateway holds once per account and region, owned by no stage.

API Gateway writes every REST API's execution logs through one account-wide setting, the CloudWatch
role. When each stage's Api stack set it to a role of its own, the last stage deployed won, and
destroying that stage deleted the role every other stage's logging went through. This stack is the
setting's only owner: every stage's app includes it under the same name with the same template, so
deploying any stage leaves it as it is, and termination protection keeps `cdk destroy` of a stage
from taking it along (docs/decisions.md, "Account-wide settings outside the stages").
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Environment, RemovalPolicy, Stack, Tags
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk_app.cloud_assembly import ACCOUNT_STACK_NAME
from cdk_app.version import product_version
from constructs_lib.nag import acknowledge


class AccountStack(Stack):
    def __init__(self, scope: Construct, *, region: str, **kwargs: Any) -> None:
        version = product_version()
        super().__init__(
            scope,
            ACCOUNT_STACK_NAME,
            stack_name=ACCOUNT_STACK_NAME,
            env=Environment(region=region),
            description=f"Serverless shop {version} - account-wide settings shared by every stage",
            termination_protection=True,
            tags={"shop:version": version},  # no stage tag: it belongs to none
            **kwargs,
        )
        Tags.of(self).add("shop:version", version)
        self.cloud_watch_role = iam.Role(
            self,
            "ApiGatewayCloudWatchRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway execution and access logging for every REST API of this account",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                )
            ],
        )
        # Kept if the stack is ever deleted: a setting pointing at a deleted role breaks every API's logs.
        self.cloud_watch_role.apply_removal_policy(RemovalPolicy.RETAIN)
        account = apigw.CfnAccount(
            self, "ApiGatewayAccount", cloud_watch_role_arn=self.cloud_watch_role.role_arn
        )
        account.apply_removal_policy(RemovalPolicy.RETAIN)
        acknowledge(
            self.cloud_watch_role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level CloudWatch role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented minimum for execution logs.",
        )
