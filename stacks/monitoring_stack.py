"""Monitoring: the alarm topic, seed 001's critical and warning alarms, and the Shopping-Overview dashboard.

Every alarm names its section of docs/runbooks.md; why each threshold, period and missing-data rule
was chosen is written there, next to what on-call does about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Duration, Fn
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.alarm_topic import AlarmTopic
from constructs_lib.deployment_notifications import DeploymentNotifications
from constructs_lib.queue_with_dlq import QueueWithDlq
from constructs_lib.shop_alarms import Severity, ShopAlarms
from constructs_lib.shop_dashboard import DashboardThresholds, PaymentOutcomes, ShopDashboard
from constructs_lib.shop_function import ShopFunction
from constructs_lib.shop_metrics import (
    api_5xx_rate,
    cache_hit_rate,
    cache_unavailable,
    lambda_duration_p99,
    lambda_error_rate,
    outcome_rate,
    queue_depth,
    shop_metric,
)
from shop.contracts.alarm_metric_names import (
    CACHE_EMITTERS,
    HIT_RATE_CACHES,
    ORDER_PROCESSING_FAILED,
    ORDER_PROCESSING_SERVICE,
    ORDERS_PROCESSED,
    PAYMENT_SERVICE,
    PROVIDERS,
    SERVICE_DIMENSION,
)
from shop.contracts.queues import MAIN_QUEUES
from stacks.shop_stack import ShopStack

# Seed 001's dashboard name, qualified by the stage: dashboards are account-wide, one per name.
DASHBOARD_NAME = "Shopping-Overview"

# Seed 001's thresholds.
PAYMENT_API_ERROR_PERCENT = 5
# Not in seed 001; the same 5 % for every function behind the API, and for the API's own 5xx answers
# (which also count API Gateway's failures no function sees). Under MIN_REQUESTS_FOR_ERROR_RATE
# requests in 5 minutes a rate says little (1 of 3 is 33 %): a lone error pages nobody.
API_ERROR_PERCENT = 5
MIN_REQUESTS_FOR_ERROR_RATE = 20
ORDER_FAILURE_PERCENT = 2
CACHE_HIT_RATE_PERCENT = 70
QUEUE_DEPTH_MESSAGES = 100
LAMBDA_DURATION = Duration.seconds(10)
API_LATENCY = Duration.seconds(2)

# A hit rate over fewer lookups than this says nothing (3 misses of 4 right after a deploy is 25 %).
MIN_LOOKUPS_FOR_HIT_RATE = 20
# Functions with a longer timeout than API Gateway's 29 s integration limit serve no shopper directly
# (queue consumers, the daily marketing run): for them "slow" means close to timing out, because a
# timeout is a failed receive that ends in the DLQ after three attempts.
INTERACTIVE_TIMEOUT_CEILING = Duration.seconds(30)
NEAR_TIMEOUT_FRACTION = 0.8
# Redis retries after a 10 s cool-down, so a real outage writes CacheUnavailable every minute; two
# minutes in a row tells an outage from one dropped connection.
CACHE_UNAVAILABLE_PERIOD = Duration.minutes(1)

ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD
# No datapoint = no traffic (or an idle queue that SQS stopped reporting): nothing is failing.
NOT_BREACHING = cloudwatch.TreatMissingData.NOT_BREACHING


class MonitoringStack(ShopStack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        queues: Mapping[str, QueueWithDlq],
        extra_dlqs: Mapping[str, sqs.IQueue],
        functions: Mapping[str, ShopFunction],
        api_functions: Sequence[str],
        api_stage: apigateway.Stage,
        codedeploy_applications: Sequence[str],
        redis_replication_group: elasticache.CfnReplicationGroup | None = None,
        admin_sign_in_gate: lambda_.IFunction | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope, "Monitoring", config=config, stateful=False, purpose="alarms and dashboard", **kwargs
        )
        alarm_prefix = f"Shop-{config.name}"  # seed-readable names: Shop-<stage>-critical-...
        alarm_topic = AlarmTopic(
            self,
            "AlarmTopic",
            topic_name=config.resource_name("shop-alarms"),
            alarm_name_prefix=alarm_prefix,
            email=config.alarm_email,
        )
        self.alarm_topic = alarm_topic.topic
        alarms = ShopAlarms(self, "Alarms", name_prefix=alarm_prefix, topic=self.alarm_topic)
        self.alarms = alarms.alarms
        dead_letter_queues: dict[str, sqs.IQueue] = {
            name: pair.dead_letter_queue for name, pair in queues.items()
        }
        dead_letter_queues.update(extra_dlqs)
        main_queues = {spec.logical_name: queues[spec.logical_name].queue for spec in MAIN_QUEUES}
        fn = {name: shop_function.function for name, shop_function in functions.items()}

        # Critical: shoppers or money are affected now.
        for name, dlq in dead_letter_queues.items():
            alarms.add(
                severity=Severity.CRITICAL,
                slug=f"dlq-{name}",
                runbook="dlq-has-messages",
                summary=f"The {name} dead-letter queue holds messages that failed every retry.",
                metric=queue_depth(dlq, label=name),
                threshold=0,
                comparison=ABOVE,
                evaluation_periods=1,
                missing_data=NOT_BREACHING,
            )
        alarms.add(
            severity=Severity.CRITICAL,
            slug="payment-api-error-rate",
            runbook="payment-api-errors",
            summary=f"More than {PAYMENT_API_ERROR_PERCENT} % of payment_api invocations failed.",
            metric=lambda_error_rate(fn["payment_api"], name="payment_api"),
            threshold=PAYMENT_API_ERROR_PERCENT,
            comparison=ABOVE,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data=NOT_BREACHING,
        )
        order_outcome = {SERVICE_DIMENSION: ORDER_PROCESSING_SERVICE}
        alarms.add(
            severity=Severity.CRITICAL,
            slug="order-processing-failure-rate",
            runbook="order-processing-failures",
            summary=f"More than {ORDER_FAILURE_PERCENT} % of order processing attempts failed.",
            metric=outcome_rate(
                numerator=shop_metric(ORDER_PROCESSING_FAILED, dimensions=order_outcome),
                other=shop_metric(ORDERS_PROCESSED, dimensions=order_outcome),
                ids=("orders_failed", "orders_processed"),
                label="order processing failure %",
            ),
            threshold=ORDER_FAILURE_PERCENT,
            comparison=ABOVE,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data=NOT_BREACHING,
        )
        alarms.add(
            severity=Severity.CRITICAL,
            slug="api-5xx-rate",
            runbook="api-errors",
            summary=f"More than {API_ERROR_PERCENT} % of the REST API's responses were 5xx.",
            metric=api_5xx_rate(api_stage, min_requests=MIN_REQUESTS_FOR_ERROR_RATE),
            threshold=API_ERROR_PERCENT,
            comparison=ABOVE,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            missing_data=NOT_BREACHING,
        )
        for name in api_functions:
            if name == "payment_api":  # seed 001's own alarm above
                continue
            alarms.add(
                severity=Severity.CRITICAL,
                slug=f"api-error-rate-{name.replace('_', '-')}",
                runbook="api-errors",
                summary=f"More than {API_ERROR_PERCENT} % of {name} invocations failed.",
                metric=lambda_error_rate(fn[name], name=name, min_invocations=MIN_REQUESTS_FOR_ERROR_RATE),
                threshold=API_ERROR_PERCENT,
                comparison=ABOVE,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                missing_data=NOT_BREACHING,
            )
        alarms.add(
            severity=Severity.CRITICAL,
            slug="cache-unavailable",
            runbook="cache-unavailable",
            summary="Functions are serving requests without Redis (CacheUnavailable > 0 for 2 minutes).",
            metric=cache_unavailable(CACHE_EMITTERS, period=CACHE_UNAVAILABLE_PERIOD),
            threshold=0,
            comparison=ABOVE,
            evaluation_periods=2,
            missing_data=NOT_BREACHING,
        )

        # Warning: degraded, or heading for a critical.
        for cache in HIT_RATE_CACHES:
            alarms.add(
                severity=Severity.WARNING,
                slug=f"cache-hit-rate-{cache}",
                runbook="cache-hit-rate-low",
                summary=f"The {cache} cache hit rate stayed under {CACHE_HIT_RATE_PERCENT} % for 15 minutes.",
                metric=cache_hit_rate(
                    cache=cache, service=CACHE_EMITTERS[cache], min_lookups=MIN_LOOKUPS_FOR_HIT_RATE
                ),
                threshold=CACHE_HIT_RATE_PERCENT,
                comparison=BELOW,
                evaluation_periods=3,
                missing_data=NOT_BREACHING,
            )
        for name, queue in main_queues.items():
            alarms.add(
                severity=Severity.WARNING,
                slug=f"queue-depth-{name}",
                runbook="queue-depth-high",
                summary=f"More than {QUEUE_DEPTH_MESSAGES} messages waited in {name} for 15 minutes.",
                metric=queue_depth(queue, label=name),
                threshold=QUEUE_DEPTH_MESSAGES,
                comparison=ABOVE,
                evaluation_periods=3,
                missing_data=NOT_BREACHING,
            )
        for name, shop_function in functions.items():
            timeout = shop_function.spec.timeout
            interactive = timeout.to_seconds() <= INTERACTIVE_TIMEOUT_CEILING.to_seconds()
            limit_ms = (
                LAMBDA_DURATION.to_milliseconds()
                if interactive
                else int(timeout.to_milliseconds() * NEAR_TIMEOUT_FRACTION)
            )
            alarms.add(
                severity=Severity.WARNING,
                slug=f"lambda-duration-{name.replace('_', '-')}",
                runbook="lambda-duration-high",
                summary=f"{name}'s p99 duration exceeded {limit_ms / 1000:g} s for 15 minutes"
                + ("." if interactive else f" (80 % of its {timeout.to_seconds()} s timeout)."),
                metric=lambda_duration_p99(fn[name], name=name),
                threshold=limit_ms,
                comparison=ABOVE,
                evaluation_periods=3,
                missing_data=NOT_BREACHING,
            )
        alarms.add(
            severity=Severity.WARNING,
            slug="api-latency",
            runbook="api-latency-high",
            summary=f"The REST API's p99 latency exceeded {API_LATENCY.to_seconds()} s for 15 minutes.",
            metric=api_stage.metric_latency(statistic="p99", period=Duration.minutes(5)),
            threshold=API_LATENCY.to_milliseconds(),
            comparison=ABOVE,
            evaluation_periods=3,
            missing_data=NOT_BREACHING,
        )

        if admin_sign_in_gate is not None:
            # Cognito refuses the sign-in when its pre token generation trigger fails: every failure is
            # an administrator who could not sign in (the trigger fails closed, docs/accounts.md).
            alarms.add(
                severity=Severity.WARNING,
                slug="admin-sign-in-gate-errors",
                runbook="admin-sign-in-failing",
                summary="The admin MFA trigger failed: administrators cannot sign in.",
                metric=admin_sign_in_gate.metric_errors(period=Duration.minutes(5), statistic="Sum"),
                threshold=0,
                comparison=ABOVE,
                evaluation_periods=1,
                missing_data=NOT_BREACHING,
            )

        # Each rule's SNS target also lets EventBridge publish to the topic and use its key.
        self.deployment_notifications = DeploymentNotifications(
            self,
            "DeploymentNotifications",
            topic=self.alarm_topic,
            stack_name_prefix=config.stack_name(""),
            codedeploy_applications=codedeploy_applications,
        )

        self.dashboard = ShopDashboard(
            self,
            "Overview",
            dashboard_name=f"{DASHBOARD_NAME}-{config.name}",
            work_queues={name: pair.queue for name, pair in queues.items()},
            dead_letter_queues=dead_letter_queues,
            functions=fn,
            api_stage=api_stage,
            cache_emitters=CACHE_EMITTERS,
            order_processing_service=ORDER_PROCESSING_SERVICE,
            payments=PaymentOutcomes(service=PAYMENT_SERVICE, providers=PROVIDERS),
            alarms=self.alarms,
            thresholds=DashboardThresholds(
                queue_depth=QUEUE_DEPTH_MESSAGES,
                cache_hit_rate_percent=CACHE_HIT_RATE_PERCENT,
                lambda_duration_ms=LAMBDA_DURATION.to_milliseconds(),
                api_latency_ms=API_LATENCY.to_milliseconds(),
            ),
            cache_cluster_ids=member_cluster_ids(redis_replication_group),
        ).dashboard


def member_cluster_ids(replication_group: elasticache.CfnReplicationGroup | None) -> list[str]:
    """ElastiCache publishes node metrics per member cluster, named `<replication group id>-00N`."""
    if replication_group is None:
        return []
    count = replication_group.num_cache_clusters or 1
    return [Fn.join("-", [replication_group.ref, f"{index:03d}"]) for index in range(1, int(count) + 1)]
