"""A domain stack: one business area's functions, their grants, event sources, routes and safe deployments.

Each domain (`cdk_app.function_catalog.Domain`) is a stack `Shop-<stage>-<Domain>` with a code asset of
its own (`cdk_app.code_assets`), so a change inside one domain publishes new versions of its functions
only, and a failing rollback alarm on them rolls back only this stack.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Stack, TimeZone
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_app.api_routes import (
    API_STAGE_NAME,
    MARKETING_SCHEDULE_HOUR,
    MARKETING_SCHEDULED_JOB,
    MARKETING_WEEKLY_DAY,
    MARKETING_WEEKLY_HOUR,
    MARKETING_WEEKLY_JOB,
    ROUTES,
)
from cdk_app.code_assets import LAMBDAS_DIR, staged_asset
from cdk_app.config import StageConfig
from cdk_app.function_catalog import RESERVED_CONCURRENCY, Access, Domain, functions_of
from cdk_app.version import product_version
from constructs_lib.dependency_layer import DependencyLayer
from constructs_lib.nag import acknowledge
from constructs_lib.queue_with_dlq import QueueWithDlq
from constructs_lib.redis_cache import RedisEndpoint
from constructs_lib.safe_deployment import SafeDeployment
from constructs_lib.shop_function import ARCHITECTURE, RUNTIME, FunctionVpcPlacement, ShopFunction
from constructs_lib.shop_rest_api import ApiParts, DomainRoutes, api_key_plans_by_function
from shop.contracts import environment
from shop.contracts.api_keys import API_KEY_ROUTES, api_key_id_variable, encode_key_routes
from shop.contracts.digital_files import KEY_PREFIX as DIGITAL_FILES_KEY_PREFIX
from shop.contracts.product_images import KEY_PREFIX as IMAGE_KEY_PREFIX
from shop.contracts.queues import ALL_QUEUES
from shop.contracts.schedules import PAYMENT_HOLD_SWEEP_EVERY_MINUTES, PAYMENT_HOLD_SWEEP_JOB
from shop.contracts.tables import RUNTIME_FLAGS, SIGNING_KEYS
from stacks.shop_stack import ShopStack

# Messages in flight at once per consumer; SQS event sources need at least 2.
CONSUMER_CONCURRENCY = {
    "order_processor": 5,
    "payment_processor": 5,
    "email_sender": 5,
    "inventory_updater": 5,
    "tracking_processor": 2,
}
CONSUMER_BATCH_SIZE = 10
# Lambda's own retries of a failed asynchronous run (its default, written down): the scheduled jobs
# are idempotent, and a run that fails three times goes to the on-failure destination.
ASYNC_RETRY_ATTEMPTS = 2


@dataclass(frozen=True)
class SharedResources:
    """What the stateful stacks and the Api stack give the domain stacks' functions."""

    vpc_placement: FunctionVpcPlacement
    tables: dict[str, dynamodb.ITableV2]
    queues: dict[str, QueueWithDlq]
    redis: RedisEndpoint
    user_pool: cognito.IUserPool
    user_pool_client_id: str
    product_images_bucket: s3.IBucket
    digital_files_bucket: s3.IBucket
    payment_provider_secret: secretsmanager.ISecret
    api: ApiParts
    # The site's origin (https://, no trailing slash): the API's CORS origin and the base of email links.
    site_origin: str


class DomainStack(ShopStack):
    def __init__(
        self, scope: Construct, *, domain: Domain, config: StageConfig, shared: SharedResources, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            domain.value,
            config=config,
            stateful=False,
            purpose=f"{domain.value} functions, their routes and event sources",
            **kwargs,
        )
        self.domain = domain
        specs = functions_of(domain)
        layer = DependencyLayer(
            self,
            "Dependencies",
            requirements=LAMBDAS_DIR / "requirements.txt",
            architecture=ARCHITECTURE,
            runtime=RUNTIME,
        ).layer
        code = lambda_.Code.from_asset(str(staged_asset(spec.name for spec in specs)))
        reserve = reserves_concurrency(config)
        self.functions: dict[str, ShopFunction] = {
            spec.name: ShopFunction(
                self,
                spec.name,
                spec=spec,
                code=code,
                layer=layer,
                stage=config.name,
                version=product_version(),
                log_retention_days=config.log_retention_days,
                environment={environment.WEB_ORIGIN: shared.site_origin},
                vpc_placement=shared.vpc_placement,
                reserved_concurrency=RESERVED_CONCURRENCY[spec.name] if reserve else None,
                snap_start=spec.name in config.snap_start_functions,
            )
            for spec in specs
        }
        for spec in specs:
            self._grant(self.functions[spec.name], spec.access, shared)
        self._consume_queues(shared.queues)
        self.routes = DomainRoutes(self, "Routes", parts=shared.api, cors_origin=shared.site_origin)
        for route in ROUTES:
            if route.function in self.functions:
                self.routes.add_route(route, self.functions[route.function].alias)
        self._bind_api_keys(shared.api)
        self._async_failures_configured: set[str] = set()
        self._add_safe_deployments()
        self._acknowledge_generated_wildcards()

    # -- what each function may touch, from its declared Access --------------------------------------

    def _grant(self, function: ShopFunction, access: Access, shared: SharedResources) -> None:
        if unknown := set(access.scans) - set(access.tables):
            raise ValueError(f"{function.spec.name} scans tables it has no access to: {sorted(unknown)}")
        for table, use in access.tables.items():
            function.use_table(table, shared.tables[table], use=use, scan=table in access.scans)
        for queue in access.sends_to:
            function.send_to(queue, shared.queues[queue].queue)
        if access.redis:
            function.use_redis(shared.redis)
        if access.runtime_flags:
            function.get_items(RUNTIME_FLAGS.logical_name, shared.tables[RUNTIME_FLAGS.logical_name])
        if access.pricing_rules:
            function.add_environment(
                environment.PRICING_RULES, json.dumps(self.config.pricing, sort_keys=True)
            )
        if access.payment_secrets:
            function.use_secret(environment.PAYMENT_SECRETS_ARN, shared.payment_provider_secret)
        if access.sender_email:
            function.add_environment(environment.SENDER_EMAIL, self.config.sender_email)
        if access.personal_codes:
            function.add_environment(environment.PERSONAL_CODE_DAYS, str(self.config.personal_code_days))
        if access.payment_hold:
            function.add_environment(environment.PAYMENT_HOLD_MINUTES, str(self.config.payment_hold_minutes))
        if access.attribution:
            function.add_environment(environment.ATTRIBUTION_DAYS, str(self.config.attribution_days))
        if access.site_url:
            function.add_environment(environment.SITE_URL, shared.site_origin)
        if access.brand:
            brand = json.dumps(self.config.brand, sort_keys=True)
            function.add_environment(environment.BRAND_SETTINGS, brand)
        if access.order_links:
            function.use_signing_keys(shared.tables[SIGNING_KEYS.logical_name])
        if access.sends_email:
            sender_domain = self.config.sender_email.split("@", 1)[1]
            ses.EmailIdentity.from_email_identity_name(
                self, f"{function.spec.name}SenderIdentity", sender_domain
            ).grant_send_email(function.function)
        if access.user_pool_client:
            function.add_environment(environment.USER_POOL_CLIENT_ID, shared.user_pool_client_id)
            # The pool names the tokens' issuer and where its signing keys are published.
            function.add_environment(environment.USER_POOL_ID, shared.user_pool.user_pool_id)
        if access.deletes_users:
            # DELETE /me ends with the shopper's Cognito user: this one action, on this one pool.
            function.add_environment(environment.USER_POOL_ID, shared.user_pool.user_pool_id)
            shared.user_pool.grant(function.function, "cognito-idp:AdminDeleteUser")
        if access.uploads_product_images:
            self._allow_image_uploads(function, shared.product_images_bucket)
        if access.uploads_digital_files or access.serves_downloads:
            self._use_digital_files(function, shared.digital_files_bucket, access)
        if access.grants_downloads:
            function.add_environment(environment.DOWNLOAD_LIMIT, str(self.config.download_limit))
            function.add_environment(environment.DOWNLOAD_DAYS, str(self.config.download_days))
        if access.api_url:
            function.add_environment(
                environment.API_URL,
                f"https://{shared.api.api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}/{API_STAGE_NAME}",
            )

    def _bind_api_keys(self, api: ApiParts) -> None:
        """Functions of admin and partner routes get each route's plan and that plan's key id."""
        for name, plans in api_key_plans_by_function(ROUTES).items():
            if name in self.functions:
                self.functions[name].add_environment(API_KEY_ROUTES, encode_key_routes(plans))
                for plan in sorted(set(plans.values())):
                    self.functions[name].add_environment(api_key_id_variable(plan), api.api_key_ids[plan])

    def _allow_image_uploads(self, function: ShopFunction, bucket: s3.IBucket) -> None:
        """Presigned uploads carry the function's own permission: new product images only."""
        function.add_environment(environment.PRODUCT_IMAGES_BUCKET, bucket.bucket_name)
        put_objects_only(function, bucket, f"{IMAGE_KEY_PREFIX}*")
        policy = function.function.role.node.try_find_child("DefaultPolicy")  # type: ignore[union-attr]
        assert policy is not None
        # The finding names the Data stack's export of the bucket ARN; export_value returns (and reuses)
        # exactly the export that the cross-stack reference creates, so the name matches the finding.
        export = self.resolve(Stack.of(bucket).export_value(bucket.bucket_arn))["Fn::ImportValue"]
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{export}/{IMAGE_KEY_PREFIX}*]",
            "Presigned image uploads go to random keys under this prefix only; the rest of the bucket "
            "stays out of reach.",
        )

    def _use_digital_files(self, function: ShopFunction, bucket: s3.IBucket, access: Access) -> None:
        """Presigned uploads may only put files, presigned downloads only get them: each carries the
        permission of the function that signed it, on the files/ prefix and nothing else."""
        function.add_environment(environment.DIGITAL_FILES_BUCKET, bucket.bucket_name)
        objects = f"{DIGITAL_FILES_KEY_PREFIX}*"
        if access.uploads_digital_files:
            put_objects_only(function, bucket, objects)
        if access.serves_downloads:
            function.function.add_to_role_policy(
                # Not grant_read: that adds s3:List*, and nobody lists the buyers' files.
                iam.PolicyStatement(actions=["s3:GetObject"], resources=[bucket.arn_for_objects(objects)])
            )
        policy = function.function.role.node.try_find_child("DefaultPolicy")  # type: ignore[union-attr]
        assert policy is not None
        export = self.resolve(Stack.of(bucket).export_value(bucket.bucket_arn))["Fn::ImportValue"]
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{export}/{objects}]",
            "Digital files live at random keys under files/; the grant covers that prefix only (put for "
            "the admin's uploads, get for counted downloads), never a listing.",
        )

    def _consume_queues(self, queues: dict[str, QueueWithDlq]) -> None:
        """Queue consumers: batches of 10 with partial-batch responses, through the `live` alias. Each
        knows its queue (retries back off by changing a message's visibility: the event source's
        consume grant allows sqs:ChangeMessageVisibility) and may send to its DLQ (poison messages go
        there at once, shop.platform.queue_consumer)."""
        for spec in ALL_QUEUES:
            consumer = self.functions.get(spec.consumer)
            if consumer is None:
                continue
            pair = queues[spec.logical_name]
            consumer.add_environment(spec.env_var, pair.queue.queue_url)
            consumer.add_environment(spec.dlq_env_var, pair.dead_letter_queue.queue_url)
            # The DLQs are SQS-managed encrypted (constructs_lib/queue_with_dlq.py): no KMS grant needed.
            pair.dead_letter_queue.grant_send_messages(consumer.function)
            consumer.alias.add_event_source(
                event_sources.SqsEventSource(
                    queues[spec.logical_name].queue,
                    batch_size=CONSUMER_BATCH_SIZE,
                    report_batch_item_failures=True,
                    max_concurrency=CONSUMER_CONCURRENCY[spec.consumer],
                )
            )

    # -- what only some domains have --------------------------------------------------------------------

    def flush_api_cache_on_product_changes(
        self, *, products: dynamodb.ITableV2, api: ApiParts, stream_dlq: sqs.IQueue
    ) -> None:
        """Catalog changes flush the API stage cache (docs/api.md, "Cache invalidation")."""
        invalidator = self.functions["catalog_cache_invalidator"]
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
        invalidator.add_environment(environment.REST_API_ID, api.api.rest_api_id)
        invalidator.add_environment(environment.REST_API_STAGE, API_STAGE_NAME)
        invalidator.function.add_to_role_policy(
            iam.PolicyStatement(
                # FlushStageCache is authorised as DELETE on the stage's cache-data path; no grant_* exists.
                actions=["apigateway:DELETE"],
                resources=[
                    f"arn:{self.partition}:apigateway:{self.region}::/restapis/{api.api.rest_api_id}"
                    f"/stages/{API_STAGE_NAME}/cache/data"
                ],
            )
        )

    def schedule_daily_marketing(self, *, dead_letter_queue: sqs.IQueue) -> scheduler.Schedule:
        """The daily marketing run at 10:00 in the stage's time zone, retried, failures kept in a DLQ."""
        self.marketing_schedule = self._scheduled_job(
            "DailyMarketing",
            description="Seed 001: marketing scans daily at 10 AM",
            schedule=scheduler.ScheduleExpression.cron(
                minute="0",
                hour=str(MARKETING_SCHEDULE_HOUR),
                time_zone=TimeZone.of(self.config.schedule_time_zone),
            ),
            function="marketing_automation_api",
            job=MARKETING_SCHEDULED_JOB,
            max_event_age=Duration.hours(2),
            dead_letter_queue=dead_letter_queue,
        )
        return self.marketing_schedule

    def schedule_weekly_recommendations(self, *, dead_letter_queue: sqs.IQueue) -> scheduler.Schedule:
        """The weekly recommendation email, Mondays in the stage's time zone, retried, failures in a DLQ."""
        self.weekly_recommendations_schedule = self._scheduled_job(
            "WeeklyRecommendations",
            description="Seed 001: personalized recommendation email weekly",
            schedule=scheduler.ScheduleExpression.cron(
                minute="0",
                hour=str(MARKETING_WEEKLY_HOUR),
                week_day=MARKETING_WEEKLY_DAY,
                time_zone=TimeZone.of(self.config.schedule_time_zone),
            ),
            function="marketing_automation_api",
            job=MARKETING_WEEKLY_JOB,
            max_event_age=Duration.hours(2),
            dead_letter_queue=dead_letter_queue,
        )
        return self.weekly_recommendations_schedule

    def schedule_payment_hold_sweep(self, *, dead_letter_queue: sqs.IQueue) -> scheduler.Schedule:
        """order_processor's sweep of expired payment holds every few minutes, retried, failures kept
        in a DLQ (its alarm is how a sweep that keeps failing gets noticed)."""
        self.payment_hold_schedule = self._scheduled_job(
            "PaymentHoldSweep",
            description="Cancel unpaid orders whose payment hold expired; their stock goes back",
            schedule=scheduler.ScheduleExpression.rate(Duration.minutes(PAYMENT_HOLD_SWEEP_EVERY_MINUTES)),
            function="order_processor",
            job=PAYMENT_HOLD_SWEEP_JOB,
            # Older than one interval, a retry only duplicates the next run.
            max_event_age=Duration.minutes(PAYMENT_HOLD_SWEEP_EVERY_MINUTES),
            dead_letter_queue=dead_letter_queue,
        )
        return self.payment_hold_schedule

    def _scheduled_job(
        self,
        id_: str,
        *,
        description: str,
        schedule: scheduler.ScheduleExpression,
        function: str,
        job: str,
        max_event_age: Duration,
        dead_letter_queue: sqs.IQueue,
    ) -> scheduler.Schedule:
        """One schedule invoking `function`'s alias with `{"job": job}`: Scheduler retries it three times
        within `max_event_age`, and both its refusals and the runs that fail keep their record in
        `dead_letter_queue` (and so reach its alarm)."""
        created = scheduler.Schedule(
            self,
            id_,
            description=description,
            schedule=schedule,
            target=targets.LambdaInvoke(
                self.functions[function].alias,
                input=scheduler.ScheduleTargetInput.from_object({"job": job}),
                retry_attempts=3,
                max_event_age=max_event_age,
                dead_letter_queue=dead_letter_queue,
            ),
        )
        self._keep_failed_async_runs(function, dead_letter_queue, max_event_age=max_event_age)
        return created

    def _keep_failed_async_runs(
        self, name: str, dead_letter_queue: sqs.IQueue, *, max_event_age: Duration
    ) -> None:
        """Scheduler invokes asynchronously: its DLQ only holds invocations Lambda refused. A run that
        Lambda accepted and that then failed is retried twice by Lambda itself and would be dropped
        silently after that; this on-failure destination keeps its invocation record in the same DLQ
        (and its alarm). One configuration per alias, however many schedules invoke it."""
        if name in self._async_failures_configured:
            return
        self._async_failures_configured.add(name)
        self.functions[name].alias.configure_async_invoke(
            on_failure=destinations.SqsDestination(dead_letter_queue),
            retry_attempts=ASYNC_RETRY_ATTEMPTS,
            max_event_age=max_event_age,
        )

    # -- deployments and acknowledgements -------------------------------------------------------------

    def _add_safe_deployments(self) -> None:
        """Every alias shifts traffic through CodeDeploy and rolls back on its alarms."""
        application = codedeploy.LambdaApplication(
            self,
            "Deployments",
            application_name=deployment_application_name(self.config, self.domain),
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
                strategy=self.config.deployment_strategy,
                application=application,
                role=role,
                rollback_alarms=self.config.rollback_alarms,
                # SQS never runs a consumer beyond its event source's maximum concurrency, below its
                # reservation: a throttle there is never the new version's doing (docs/decisions.md).
                watch_throttles=name not in CONSUMER_CONCURRENCY,
            )
            for name, shop_function in self.functions.items()
        }

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


def reserves_concurrency(config: StageConfig) -> bool:
    """The stage setting `reserved_concurrency` (default true). False for an account whose concurrency
    limit is below the reservations' sum plus the 100 AWS keeps unreserved (new accounts may start at
    10): its functions then share the unreserved pool, as before (docs/decisions.md)."""
    return config.reserved_concurrency


def put_objects_only(function: ShopFunction, bucket: s3.IBucket, key_pattern: str) -> None:
    """s3:PutObject under one prefix and nothing else: presigned uploads (their forms set only the
    content type) need no more, and grant_put's legal-hold, retention, tagging and multipart-abort
    actions would let the role's credentials lock or tag objects that no upload asks for."""
    function.function.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:PutObject"], resources=[bucket.arn_for_objects(key_pattern)])
    )


def deployment_application_name(config: StageConfig, domain: Domain) -> str:
    """The CodeDeploy application of one domain's functions; the Monitoring stack's rule matches on it."""
    return config.resource_name(f"shop-{domain.value.lower()}")
