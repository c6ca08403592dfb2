"""Api: every Lambda function, the REST API, queue consumers, the catalog-cache flush and the schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from cdk_app.api_routes import MARKETING_SCHEDULE_HOUR, MARKETING_SCHEDULED_JOB, ROUTES
from cdk_app.config import StageConfig
from cdk_app.function_catalog import FUNCTIONS
from cdk_app.version import product_version
from constructs_lib.dependency_layer import DependencyLayer
from constructs_lib.nag import acknowledge
from constructs_lib.queue_with_dlq import QueueWithDlq
from constructs_lib.safe_deployment import SafeDeployment
from constructs_lib.shop_function import ARCHITECTURE, RUNTIME, FunctionVpcPlacement, ShopFunction
from constructs_lib.shop_rest_api import ShopRestApi
from shop.contracts import environment
from shop.contracts.product_images import KEY_PREFIX as IMAGE_KEY_PREFIX
from shop.contracts.queues import ALL_QUEUES
from stacks.shop_stack import ShopStack

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
API_STAGE_NAME = "v1"
# Messages in flight at once per consumer; SQS event sources need at least 2.
CONSUMER_CONCURRENCY = {
    "order_processor": 5,
    "payment_processor": 5,
    "email_sender": 5,
    "inventory_updater": 5,
    "tracking_processor": 2,
}
CONSUMER_BATCH_SIZE = 10
CONSUMERS = {spec.logical_name: spec.consumer for spec in ALL_QUEUES}
RUNTIME_FLAGS_DEFAULT = {"orders_inline": False, "cache_bypass": False}


@dataclass(frozen=True)
class RedisEndpoint:
    host: str
    port: str
    auth_token: secretsmanager.ISecret


class ApiStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        vpc_placement: FunctionVpcPlacement,
        tables: dict[str, dynamodb.ITableV2],
        queues: dict[str, QueueWithDlq],
        schedule_dlq: sqs.IQueue,
        stream_dlq: sqs.IQueue,
        redis: RedisEndpoint,
        user_pool: cognito.IUserPool,
        user_pool_client_id: str,
        product_images_bucket: s3.IBucket,
        payment_provider_secret: secretsmanager.ISecret,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            "Api",
            config=config,
            stateful=False,
            purpose="Lambda functions, REST API, consumers",
            **kwargs,
        )
        layer = DependencyLayer(
            self,
            "Dependencies",
            requirements=LAMBDAS_DIR / "requirements.txt",
            architecture=ARCHITECTURE,
            runtime=RUNTIME,
        ).layer
        code = lambda_.Code.from_asset(
            str(LAMBDAS_DIR), exclude=["requirements.txt", "**/__pycache__", "**/*.pyc", "**/.mypy_cache"]
        )
        self.functions: dict[str, ShopFunction] = {
            name: ShopFunction(
                self,
                name,
                spec=spec,
                code=code,
                layer=layer,
                stage=config.name,
                version=product_version(),
                log_retention_days=config.log_retention_days,
                environment={environment.WEB_ORIGIN: config.web_origin},
                vpc_placement=vpc_placement,
            )
            for name, spec in FUNCTIONS.items()
        }
        fn = self.functions
        q = {name: pair.queue for name, pair in queues.items()}
        self.runtime_flags = ssm.StringParameter(
            self,
            "RuntimeFlags",
            parameter_name=f"/shop/{config.name}/runtime-flags",
            description="Kill switches read at run time: orders_inline skips SQS, cache_bypass skips Redis",
            string_value=json.dumps(RUNTIME_FLAGS_DEFAULT),
        )

        # What each function may touch: seed 001's data flow, nothing more.
        fn["shop_api"].use_table("Products", tables["Products"], write=True)
        fn["shop_api"].use_table("Reviews", tables["Reviews"], write=True)
        fn["shop_api"].use_table("Orders", tables["Orders"])  # verified purchases
        fn["shop_api"].use_table("AuditLog", tables["AuditLog"], write=True)
        fn["shop_api"].use_table("RateLimits", tables["RateLimits"], write=True)
        # Presigned image uploads carry shop_api's own permission: it may put new product images only.
        fn["shop_api"].add_environment(environment.PRODUCT_IMAGES_BUCKET, product_images_bucket.bucket_name)
        product_images_bucket.grant_put(fn["shop_api"].function, f"{IMAGE_KEY_PREFIX}*")

        for name in ("cart_api", "order_api"):
            fn[name].add_environment(environment.PRICING_RULES, json.dumps(config.pricing, sort_keys=True))
        fn["cart_api"].use_table("Cart", tables["Cart"], write=True)
        fn["cart_api"].use_table("Products", tables["Products"])
        fn["cart_api"].use_table("RateLimits", tables["RateLimits"], write=True)

        for table in ("Orders", "Cart", "Idempotency", "RateLimits", "AuditLog"):
            fn["order_api"].use_table(table, tables[table], write=True)
        fn["order_api"].use_table("Products", tables["Products"])
        # inventory-update too: the orders_inline kill switch runs order_processor's step in order_api.
        for queue in ("order-processing", "payment-processing", "email-notification", "inventory-update"):
            fn["order_api"].send_to(queue, q[queue])

        fn["payment_api"].use_table("Orders", tables["Orders"])
        fn["payment_api"].use_table("RateLimits", tables["RateLimits"], write=True)
        fn["payment_api"].use_table("Idempotency", tables["Idempotency"], write=True)
        fn["payment_api"].send_to("payment-processing", q["payment-processing"])
        fn["payment_api"].use_secret(environment.PAYMENT_SECRETS_ARN, payment_provider_secret)

        fn["order_processor"].use_table("Orders", tables["Orders"], write=True)
        fn["order_processor"].use_table("Products", tables["Products"])
        fn["order_processor"].use_table("Idempotency", tables["Idempotency"], write=True)
        # payment-processing: an order failed after it was paid gets its refund queued (docs/orders.md).
        for queue in ("inventory-update", "email-notification", "payment-processing"):
            fn["order_processor"].send_to(queue, q[queue])

        fn["payment_processor"].use_table("Orders", tables["Orders"], write=True)
        fn["payment_processor"].use_table("Idempotency", tables["Idempotency"], write=True)
        for queue in ("email-notification", "inventory-update"):  # refunds restore stock
            fn["payment_processor"].send_to(queue, q[queue])
        fn["payment_processor"].use_secret(environment.PAYMENT_SECRETS_ARN, payment_provider_secret)
        # Its own queue's URL: retries back off by changing a failed message's visibility (the event
        # source's consume grant already allows sqs:ChangeMessageVisibility).
        fn["payment_processor"].add_environment(
            environment.QUEUE_ENV_VARS["payment-processing"], q["payment-processing"].queue_url
        )
        for name in ("payment_api", "payment_processor"):
            fn[name].add_environment(environment.PAYMENT_PROVIDER_MODE, config.payment_provider)

        fn["email_sender"].use_table("EmailPreferences", tables["EmailPreferences"])
        fn["email_sender"].use_table("Idempotency", tables["Idempotency"], write=True)
        fn["email_sender"].add_environment(environment.SENDER_EMAIL, config.sender_email)
        sender_domain = config.sender_email.split("@", 1)[1]
        ses.EmailIdentity.from_email_identity_name(self, "SenderIdentity", sender_domain).grant_send_email(
            fn["email_sender"].function
        )

        fn["inventory_updater"].use_table("Products", tables["Products"], write=True)
        fn["inventory_updater"].use_table("Orders", tables["Orders"], write=True)
        fn["inventory_updater"].use_table("WatchList", tables["WatchList"])
        fn["inventory_updater"].use_table("Idempotency", tables["Idempotency"], write=True)
        for queue in ("email-notification", "payment-processing"):  # out of stock after payment: refund
            fn["inventory_updater"].send_to(queue, q[queue])
        fn["inventory_updater"].add_environment(
            environment.SENDER_EMAIL, config.sender_email
        )  # low-stock alerts

        fn["tracking_api"].send_to("tracking-events", q["tracking-events"])
        fn["tracking_api"].use_table("WatchList", tables["WatchList"], write=True)
        fn["tracking_api"].use_table("ProductViews", tables["ProductViews"])
        fn["tracking_api"].use_table("Products", tables["Products"])
        fn["tracking_processor"].use_table("ProductViews", tables["ProductViews"], write=True)

        for table in ("Cart", "ProductViews", "Products", "EmailPreferences", "Orders"):
            fn["marketing_automation_api"].use_table(table, tables[table])
        for table in ("WatchList", "MarketingQueue"):
            fn["marketing_automation_api"].use_table(table, tables[table], write=True)
        fn["marketing_automation_api"].send_to("email-notification", q["email-notification"])

        # account_api: the shopper's own records in every table that holds them (export, delete, anonymize).
        for table in (
            "Users",
            "EmailPreferences",
            "WatchList",
            "Cart",
            "ProductViews",
            "Reviews",
            "Orders",
            "MarketingQueue",
            "AuditLog",
            "RateLimits",
        ):
            fn["account_api"].use_table(table, tables[table], write=True)
        # DELETE /me ends with the shopper's Cognito user: this one action, on this one pool.
        fn["account_api"].add_environment(environment.USER_POOL_ID, user_pool.user_pool_id)
        user_pool.grant(fn["account_api"].function, "cognito-idp:AdminDeleteUser")

        for name in (
            "shop_api",
            "cart_api",
            "order_api",
            "order_processor",
            "inventory_updater",
            "tracking_api",
            "marketing_automation_api",
        ):
            fn[name].use_redis(host=redis.host, port=redis.port, auth_token=redis.auth_token)
        for name in ("shop_api", "cart_api", "order_api"):
            fn[name].use_parameter(environment.RUNTIME_FLAGS_PARAMETER, self.runtime_flags)
        for name in ("shop_api", "order_api", "cart_api", "tracking_api", "marketing_automation_api"):
            fn[name].add_environment(environment.USER_POOL_CLIENT_ID, user_pool_client_id)

        # Queue consumers: batches of 10 with partial-batch responses, through the `live` alias.
        for queue_name, pair in queues.items():
            consumer = fn[CONSUMERS[queue_name]]
            consumer.alias.add_event_source(
                event_sources.SqsEventSource(
                    pair.queue,
                    batch_size=CONSUMER_BATCH_SIZE,
                    report_batch_item_failures=True,
                    max_concurrency=CONSUMER_CONCURRENCY[consumer.spec.name],
                )
            )

        self.rest_api = ShopRestApi(
            self,
            "Rest",
            api_name=config.resource_name("shop-api"),
            stage_name=API_STAGE_NAME,
            web_origin=config.web_origin,
            user_pool=user_pool,
            routes=ROUTES,
            log_retention_days=config.log_retention_days,
        )
        for route in ROUTES:
            self.rest_api.add_route(route, fn[route.function].alias)
        self.api = self.rest_api.api

        # Catalog changes flush the API stage cache (docs/api.md, "Cache invalidation").
        invalidator = fn["catalog_cache_invalidator"]
        products = tables["Products"]
        assert products.table_stream_arn is not None
        products.grant_stream_read(invalidator.alias)
        lambda_.EventSourceMapping(
            self,
            "ProductChanges",
            target=invalidator.alias,
            event_source_arn=products.table_stream_arn,
            starting_position=lambda_.StartingPosition.LATEST,
            batch_size=100,
            max_batching_window=Duration.seconds(2),
            retry_attempts=3,
            bisect_batch_on_error=True,
            on_failure=event_sources.SqsDlq(stream_dlq),
        )
        invalidator.add_environment(environment.REST_API_ID, self.api.rest_api_id)
        invalidator.add_environment(environment.REST_API_STAGE, API_STAGE_NAME)
        invalidator.function.add_to_role_policy(
            iam.PolicyStatement(
                # FlushStageCache is authorised as DELETE on the stage's cache-data path; no grant_* exists.
                actions=["apigateway:DELETE"],
                resources=[
                    f"arn:{self.partition}:apigateway:{self.region}::/restapis/{self.api.rest_api_id}"
                    f"/stages/{API_STAGE_NAME}/cache/data"
                ],
            )
        )

        # The daily marketing run at 10:00 in the stage's time zone, retried, failures kept in a DLQ.
        self.marketing_schedule = scheduler.Schedule(
            self,
            "DailyMarketing",
            description="Seed 001: marketing scans daily at 10 AM",
            schedule=scheduler.ScheduleExpression.cron(
                minute="0",
                hour=str(MARKETING_SCHEDULE_HOUR),
                time_zone=TimeZone.of(config.schedule_time_zone),
            ),
            target=targets.LambdaInvoke(
                fn["marketing_automation_api"].alias,
                input=scheduler.ScheduleTargetInput.from_object({"job": MARKETING_SCHEDULED_JOB}),
                retry_attempts=3,
                max_event_age=Duration.hours(2),
                dead_letter_queue=schedule_dlq,
            ),
        )
        self._add_safe_deployments(config)
        self._acknowledge_generated_wildcards()
        self._acknowledge_image_upload_grant(product_images_bucket)

    def _add_safe_deployments(self, config: StageConfig) -> None:
        """Every alias shifts traffic through CodeDeploy and rolls back on its alarms."""
        application = codedeploy.LambdaApplication(
            self, "Deployments", application_name=config.resource_name("shop-functions")
        )
        role = iam.Role(
            self,
            "DeploymentRole",
            assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSCodeDeployRoleForLambdaLimited"
                )
            ],
        )
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSCodeDeployRoleForLambdaLimited]",
            "The AWS-maintained minimum for CodeDeploy to shift alias traffic and read the rollback alarms.",
        )
        self.safe_deployments = {
            name: SafeDeployment(
                self,
                f"{name}Deployment",
                alias=shop_function.alias,
                timeout=shop_function.spec.timeout,
                alarm_prefix=f"{self.stack_name}-deploy-{name}",
                strategy=config.deployment_strategy,
                application=application,
                role=role,
            )
            for name, shop_function in self.functions.items()
        }

    def _acknowledge_image_upload_grant(self, bucket: s3.IBucket) -> None:
        """shop_api's grant_put: a key prefix (new keys are random) and S3's own Abort* action name."""
        policy = self.functions["shop_api"].function.role.node.try_find_child("DefaultPolicy")  # type: ignore[union-attr]
        assert policy is not None
        # The finding names the Data stack's export of the bucket ARN; export_value returns (and reuses)
        # exactly the export that the cross-stack reference creates, so the name matches the finding.
        export = self.resolve(Stack.of(bucket).export_value(bucket.bucket_arn))["Fn::ImportValue"]
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{export}/{IMAGE_KEY_PREFIX}*]",
            "Presigned image uploads go to random keys under this prefix only; the rest of the bucket "
            "(digital downloads) stays out of reach.",
        )
        acknowledge(
            policy,
            "AwsSolutions-IAM5[Action::s3:Abort*]",
            "grant_put's s3:AbortMultipartUpload, on the image prefix only: lets an upload be abandoned.",
        )

    def _acknowledge_generated_wildcards(self) -> None:
        for name, shop_function in self.functions.items():
            policy = shop_function.function.role.node.try_find_child("DefaultPolicy")  # type: ignore[union-attr]
            assert policy is not None, name
            acknowledge(
                policy,
                "AwsSolutions-IAM5[Resource::*]",
                "X-Ray's PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level "
                "permissions"
                + (
                    "; so has dynamodb:ListStreams, which the stream event source needs."
                    if name == "catalog_cache_invalidator"
                    else "."
                ),
            )
