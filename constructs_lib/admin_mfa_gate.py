"""The user pool's pre token generation trigger: tokens carry the `admin` group only for users with TOTP.

Cognito's tokens do not say whether MFA was used and the VPC functions cannot ask Cognito, so the
check happens where tokens are minted (lambdas/admin_mfa_gate, docs/decisions.md "Admin MFA at token
issue"). The function runs outside the VPC (it calls cognito-idp:AdminGetUser on this pool, nothing
else) and answers within Cognito's five-second limit for triggers.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from cdk_app.code_assets import LAMBDAS_DIR, staged_asset
from cdk_app.function_catalog import Domain, FunctionSpec
from cdk_app.version import product_version
from constructs_lib.dependency_layer import DependencyLayer
from constructs_lib.nag import acknowledge
from constructs_lib.shop_function import ARCHITECTURE, RUNTIME, ShopFunction
from shop.contracts import environment

ADMIN_MFA_GATE = FunctionSpec(
    "admin_mfa_gate",
    512,  # a cold start inside Cognito's 5 s budget for a trigger, with room for two AdminGetUser tries
    Duration.seconds(5),
    False,
    "Pre token generation: the admin group only with TOTP MFA",
    Domain.ACCOUNTS,
)


class AdminMfaGate(Construct):
    """Attaches the admin MFA trigger (V2_0 event: both tokens) to `user_pool`."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        user_pool: cognito.UserPool,
        admin_group: str,
        stage: str,
        log_retention_days: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        layer = DependencyLayer(
            self,
            "Dependencies",
            requirements=LAMBDAS_DIR / "requirements.txt",
            architecture=ARCHITECTURE,
            runtime=RUNTIME,
        ).layer
        self.function = ShopFunction(
            self,
            ADMIN_MFA_GATE.name,
            spec=ADMIN_MFA_GATE,
            code=lambda_.Code.from_asset(str(staged_asset([ADMIN_MFA_GATE.name]))),
            layer=layer,
            stage=stage,
            version=product_version(),
            log_retention_days=log_retention_days,
            environment={environment.ADMIN_GROUP: admin_group},
            vpc_placement=None,
        )
        role = self.function.function.role
        assert role is not None
        # A policy of its own, not the role's default one: the function waits for its default policy,
        # the pool waits for the function (LambdaConfig), and this policy names the pool, so putting
        # it in the default policy would make CloudFormation's graph a cycle.
        iam.Policy(
            self,
            "ReadsMfaSettings",
            roles=[role],
            statements=[
                iam.PolicyStatement(actions=["cognito-idp:AdminGetUser"], resources=[user_pool.user_pool_arn])
            ],
        )
        default_policy = role.node.try_find_child("DefaultPolicy")
        assert default_policy is not None
        acknowledge(
            default_policy,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray's PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level "
            "permissions.",
        )
        user_pool.add_trigger(
            cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
            self.function.alias,
            cognito.LambdaVersion.V2_0,
        )
