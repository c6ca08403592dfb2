"""ShopDashboard: the one CloudWatch dashboard of the shop (seed 001's Shopping-Overview).

A facade in the manner of cdk-monitoring-constructs: the caller hands over the resources, the facade
lays out the widgets. Every graph uses constructs_lib.shop_metrics, the same metrics the alarms use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.shop_metrics import (
    PERIOD,
    cache_hit_rate,
    cache_unavailable,
    lambda_duration_p99,
    lambda_error_rate,
    metric_id,
    outcome_rate,
    queue_depth,
    search_sum,
    shop_metric,
)
from shop.contracts.alarm_metric_names import (
    CIRCUIT_BREAKER_OPENED,
    DEPENDENCY_DIMENSION,
    LIMIT_DIMENSION,
    ORDER_PROCESSING_FAILED,
    ORDERS_PROCESSED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    PROVIDER_DIMENSION,
    RATE_LIMITED,
    SERVICE_DIMENSION,
)

FULL, HALF, THIRD = 24, 12, 8
HEIGHT = 6


@dataclass(frozen=True)
class DashboardThresholds:
    """Alarm thresholds drawn as horizontal lines, so a graph shows how close it is to paging."""

    queue_depth: float
    cache_hit_rate_percent: float
    lambda_duration_ms: float
    api_latency_ms: float


@dataclass(frozen=True)
class PaymentOutcomes:
    """Who writes PaymentSucceeded/PaymentFailed (`service`) and for which `provider` values."""

    service: str
    providers: Sequence[str]


class ShopDashboard(Construct):
    """Queues, DLQs, API, Lambda, cache, orders and payments of one stage on one dashboard."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        dashboard_name: str,
        work_queues: Mapping[str, sqs.IQueue],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        functions: Mapping[str, lambda_.IFunction],
        api_stage: apigateway.Stage,
        cache_emitters: Mapping[str, str],
        order_processing_service: str,
        payments: PaymentOutcomes,
        alarms: Sequence[cloudwatch.IAlarm],
        thresholds: DashboardThresholds,
        cache_cluster_ids: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        order_outcome = {SERVICE_DIMENSION: order_processing_service}
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name,
            period_override=cloudwatch.PeriodOverride.INHERIT,
        )
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=f"# {dashboard_name}\nEvery alarm names its section in `docs/runbooks.md`. "
                "Rates are percentages over 5-minute periods.",
                width=FULL,
                height=2,
            )
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=FULL, height=HEIGHT)
        )
        self.dashboard.add_widgets(
            self._graph(
                "SQS queue depth (messages visible)",
                [queue_depth(queue, label=name) for name, queue in work_queues.items()],
                width=HALF,
                line=(thresholds.queue_depth, "warning"),
            ),
            self._graph(
                "Dead-letter queue messages",
                [queue_depth(queue, label=name) for name, queue in dead_letter_queues.items()],
                width=HALF,
                line=(0, "critical above"),
            ),
        )
        self.dashboard.add_widgets(
            self._graph(
                "API Gateway 4xx / 5xx rate (%)",
                [
                    self._percent(api_stage.metric_client_error(statistic="Average", period=PERIOD), "4xx %"),
                    self._percent(api_stage.metric_server_error(statistic="Average", period=PERIOD), "5xx %"),
                ],
                width=THIRD,
            ),
            self._graph(
                "API Gateway latency (ms)",
                [
                    api_stage.metric_latency(statistic="p50", period=PERIOD, label="p50"),
                    api_stage.metric_latency(statistic="p99", period=PERIOD, label="p99"),
                    api_stage.metric_integration_latency(
                        statistic="p99", period=PERIOD, label="integration p99"
                    ),
                ],
                width=THIRD,
                line=(thresholds.api_latency_ms, "warning"),
            ),
            self._graph(
                "Payment success rate (%)",
                [
                    outcome_rate(
                        numerator=self._payment_metric(PAYMENT_SUCCEEDED, provider, payments.service),
                        other=self._payment_metric(PAYMENT_FAILED, provider, payments.service),
                        ids=(metric_id(f"{provider}_succeeded"), metric_id(f"{provider}_failed")),
                        label=provider,
                    )
                    for provider in payments.providers
                ],
                width=THIRD,
            ),
        )
        self.dashboard.add_widgets(
            self._graph(
                "Lambda error rate (%)",
                [lambda_error_rate(function, name=name) for name, function in functions.items()],
                width=HALF,
            ),
            self._graph(
                "Lambda duration p99 (ms)",
                [lambda_duration_p99(function, name=name) for name, function in functions.items()],
                width=HALF,
                line=(thresholds.lambda_duration_ms, "warning (API functions)"),
            ),
        )
        self.dashboard.add_widgets(
            self._graph(
                "Cache hit rate (%)",
                [cache_hit_rate(cache=cache, service=service) for cache, service in cache_emitters.items()],
                width=THIRD,
                line=(thresholds.cache_hit_rate_percent, "warning below"),
            ),
            self._graph(
                "Cache unavailable (operations without Redis)",
                [cache_unavailable(cache_emitters, period=PERIOD)],
                width=THIRD,
            ),
            self._graph(
                "Order processing failure rate (%)",
                [
                    outcome_rate(
                        numerator=shop_metric(ORDER_PROCESSING_FAILED, dimensions=order_outcome),
                        other=shop_metric(ORDERS_PROCESSED, dimensions=order_outcome),
                        ids=("orders_failed", "orders_processed"),
                        label="failed %",
                    )
                ],
                width=THIRD,
            ),
        )
        self.dashboard.add_widgets(
            self._graph(
                "Circuit breakers opened",
                [
                    search_sum(
                        CIRCUIT_BREAKER_OPENED,
                        dimensions=(DEPENDENCY_DIMENSION, SERVICE_DIMENSION),
                        label="",  # SEARCH labels each series by its dimensions
                    )
                ],
                width=THIRD,
            ),
            self._graph(
                "Rate-limited requests (429)",
                [search_sum(RATE_LIMITED, dimensions=(LIMIT_DIMENSION, SERVICE_DIMENSION), label="")],
                width=THIRD,
            ),
            self._graph(
                "ElastiCache nodes",
                [
                    metric
                    for node, cluster_id in enumerate(cache_cluster_ids, start=1)
                    for metric in self._cache_node_metrics(cluster_id, node=node)
                ],
                width=THIRD,
            )
            if cache_cluster_ids
            else cloudwatch.TextWidget(markdown="No ElastiCache replication group passed in.", width=THIRD),
        )

    @staticmethod
    def _graph(
        title: str,
        metrics: Sequence[cloudwatch.IMetric],
        *,
        width: int,
        line: tuple[float, str] | None = None,
    ) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title=title,
            left=list(metrics),
            width=width,
            height=HEIGHT,
            period=PERIOD,
            left_annotations=[cloudwatch.HorizontalAnnotation(value=line[0], label=line[1])] if line else [],
        )

    @staticmethod
    def _percent(average: cloudwatch.Metric, label: str) -> cloudwatch.MathExpression:
        # API Gateway's 4XXError/5XXError averaged over requests is the error fraction.
        id_ = metric_id(label)
        return cloudwatch.MathExpression(
            expression=f"100 * {id_}", using_metrics={id_: average}, label=label, period=PERIOD
        )

    @staticmethod
    def _payment_metric(name: str, provider: str, service: str) -> cloudwatch.Metric:
        return shop_metric(name, dimensions={PROVIDER_DIMENSION: provider, SERVICE_DIMENSION: service})

    @staticmethod
    def _cache_node_metrics(cluster_id: str, *, node: int) -> list[cloudwatch.IMetric]:
        return [
            cloudwatch.Metric(
                namespace="AWS/ElastiCache",
                metric_name=name,
                dimensions_map={"CacheClusterId": cluster_id},
                statistic="Maximum",
                period=PERIOD,
                label=f"node {node} {name} {label}",
            )
            for name, label in (
                ("EngineCPUUtilization", "%"),
                ("DatabaseMemoryUsagePercentage", "%"),
                ("CurrConnections", "(count)"),
            )
        ]
