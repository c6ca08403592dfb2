"""ShopFunction: every Lambda of the shop, with runtime, tracing, logging and packaging fixed once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import Annotations, ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_app.function_catalog import FunctionSpec, TableUse
from constructs_lib.log_retention import log_retention
from constructs_lib.nag import acknowledge
from constructs_lib.redis_cache import RedisEndpoint
from shop.contracts import environment as env_vars
from shop.contracts.metric_names import METRICS_NAMESPACE
from shop.contracts.tables import ALL_TABLES, SIGNING_KEYS

# The newest Python runtime in the pinned aws-cdk-lib that cdk-nag's AwsSolutions-L1 accepts.
RUNTIME = lambda_.Runtime.PYTHON_3_14
# Graviton: cheaper per GB-second, and every dependency in the layer ships aarch64 wheels.
ARCHITECTURE = lambda_.Architecture.ARM_64
LIVE_ALIAS = "live"
TABLES_BY_NAME = {spec.logical_name: spec for spec in ALL_TABLES}
# The data-plane subsets of CDK's grant_read_data / grant_write_data (no stream or admin actions),
# without Scan: only a function that declares it reads a table whole gets that (Access.scans).
TABLE_READ_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
TABLE_SCAN_ACTION = "dynamodb:Scan"
TABLE_WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)
# An append-only table: new items only. No read (writers never look back), no UpdateItem, DeleteItem
# or BatchWriteItem (which deletes too), so a writer's credentials cannot rewrite history.
TABLE_APPEND_ACTIONS = ("dynamodb:PutItem",)


class FunctionVpcPlacement:
    """Where VPC functions run: the Network stack's Lambda subnets and security group."""

    def __init__(
        self, *, vpc: ec2.IVpc, subnets: ec2.SubnetSelection, security_group: ec2.ISecurityGroup
    ) -> None:
        self.vpc = vpc
        self.subnets = subnets
        self.security_group = security_group


class ShopFunction(Construct):
    """One function of seed 001, published as a version behind the alias `live`.

    Its handler is `<name>.handler.handler` inside the shared `lambdas/` asset; third-party packages
    come from the dependency layer. Callers (API, event sources, schedules) must use `alias`.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        spec: FunctionSpec,
        code: lambda_.Code,
        layer: lambda_.ILayerVersion,
        stage: str,
        version: str,
        log_retention_days: int,
        environment: Mapping[str, str],
        vpc_placement: FunctionVpcPlacement | None,
        reserved_concurrency: int | None = None,
        snap_start: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.spec = spec
        log_group = logs.LogGroup(
            self,
            "Logs",
            retention=log_retention(log_retention_days),
            removal_policy=RemovalPolicy.DESTROY,
        )
        if spec.in_vpc and vpc_placement is None:
            raise ValueError(f"{spec.name} runs in the VPC but no placement was given")
        placement = vpc_placement if spec.in_vpc else None
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{spec.name}.handler.handler",
            code=code,
            layers=[layer],
            memory_size=spec.memory_mb,
            timeout=spec.timeout,
            # None: the account's unreserved pool (stages whose account is too small to reserve).
            reserved_concurrent_executions=reserved_concurrency,
            # Published versions start from a snapshot of their init (shop.platform.snapstart's hooks).
            # A replaced version is deleted when the stack update ends (the template's default policy),
            # which also ends the billing of its snapshot (docs/cost.md, "SnapStart").
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=log_group,
            vpc=placement.vpc if placement else None,
            vpc_subnets=placement.subnets if placement else None,
            security_groups=[placement.security_group] if placement else None,
            environment={
                env_vars.STAGE: stage,
                env_vars.PRODUCT_VERSION: version,
                env_vars.POWERTOOLS_SERVICE_NAME: spec.name,
                env_vars.POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
                **environment,
            },
        )
        self.alias = lambda_.Alias(self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version)
        if snap_start:
            Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "The alias `live` always points at a published version (current_version).",
            )
        role = self.function.role
        assert role is not None
        managed = ["AWSLambdaBasicExecutionRole"] + (["AWSLambdaVPCAccessExecutionRole"] if placement else [])
        for policy in managed:
            acknowledge(
                role,
                f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{policy}]",
                "The AWS-maintained minimum for a function to write its logs"
                + (" and attach its VPC network interfaces." if "VPC" in policy else "."),
            )

    def add_environment(self, name: str, value: str) -> None:
        self.function.add_environment(name, value)

    def use_table(
        self, logical_name: str, table: dynamodb.ITableV2, *, use: TableUse, scan: bool = False
    ) -> None:
        """Read, read and write, or only append to one table (and read exactly its declared indexes).

        Like `grant_read_data`/`grant_read_write_data`, but on each GSI's ARN instead of `index/*`,
        so no function holds a wildcard on a table, and with Scan only where `scan` says so.
        """
        spec = TABLES_BY_NAME[logical_name]
        if use is TableUse.APPEND:
            if scan:
                raise ValueError(f"{self.spec.name} only appends to {logical_name}: it cannot scan it")
            actions: list[str] = list(TABLE_APPEND_ACTIONS)
            resources = [table.table_arn]
        else:
            actions = [
                *TABLE_READ_ACTIONS,
                *((TABLE_SCAN_ACTION,) if scan else ()),
                *(TABLE_WRITE_ACTIONS if use is TableUse.WRITE else ()),
            ]
            resources = [
                table.table_arn,
                *(f"{table.table_arn}/index/{index.name}" for index in spec.indexes),
            ]
        iam.Grant.add_to_principal(grantee=self.function, actions=actions, resource_arns=resources)
        self.function.add_environment(env_vars.TABLE_ENV_VARS[logical_name], table.table_name)

    def get_items(self, logical_name: str, table: dynamodb.ITableV2) -> None:
        """dynamodb:GetItem on one table and nothing else (no Query, Scan or write): for a function
        that only reads items whose keys it knows."""
        iam.Grant.add_to_principal(
            grantee=self.function, actions=["dynamodb:GetItem"], resource_arns=[table.table_arn]
        )
        self.function.add_environment(env_vars.TABLE_ENV_VARS[logical_name], table.table_name)

    def use_signing_keys(self, table: dynamodb.ITableV2) -> None:
        """Read the shop's HMAC keys, or make one on first use (shop.platform.signing_keys): GetItem and
        PutItem on that table only, so no function can list, change or delete a key."""
        iam.Grant.add_to_principal(
            grantee=self.function,
            actions=["dynamodb:GetItem", "dynamodb:PutItem"],
            resource_arns=[table.table_arn],
        )
        self.function.add_environment(env_vars.TABLE_ENV_VARS[SIGNING_KEYS.logical_name], table.table_name)

    def send_to(self, logical_name: str, queue: sqs.IQueue) -> None:
        queue.grant_send_messages(self.function)
        self.function.add_environment(env_vars.QUEUE_ENV_VARS[logical_name], queue.queue_url)

    def use_redis(self, redis: RedisEndpoint) -> None:
        """Connect as the cache's IAM-authenticated user: elasticache:Connect on that group and user only."""
        group_arn = Stack.of(self).format_arn(
            service="elasticache",
            resource="replicationgroup",
            resource_name=redis.replication_group_id,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        iam.Grant.add_to_principal(
            grantee=self.function, actions=["elasticache:Connect"], resource_arns=[group_arn, redis.user_arn]
        )
        self.function.add_environment(env_vars.REDIS_HOST, redis.host)
        self.function.add_environment(env_vars.REDIS_PORT, redis.port)
        self.function.add_environment(env_vars.REDIS_CACHE_NAME, redis.replication_group_id)
        self.function.add_environment(env_vars.REDIS_USER, redis.user_name)

    def use_secret(self, env_var: str, secret: secretsmanager.ISecret) -> None:
        secret.grant_read(self.function)
        self.function.add_environment(env_var, secret.secret_arn)
