"""The CloudWatch metrics and metric-math rates that the shop's alarms and dashboard share.

One place builds each metric, so the dashboard shows exactly what the alarm evaluates. Custom metrics
carry the exact dimension set the Lambda code writes (see shop.contracts.alarm_metric_names): an alarm or
graph
on any other set would silently see no data.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from shop.contracts.alarm_metric_names import SERVICE_DIMENSION
from shop.contracts.metric_names import (
    CACHE_DIMENSION,
    CACHE_HIT,
    CACHE_MISS,
    CACHE_UNAVAILABLE,
    METRICS_NAMESPACE,
)

# SQS and the Lambda/API Gateway percentiles are only meaningful over a few minutes of traffic.
PERIOD = Duration.minutes(5)


def metric_id(name: str) -> str:
    """A metric-math id from a resource name: lowercase first letter, letters, digits and `_` only."""
    return "m_" + "".join(char if char.isalnum() else "_" for char in name.lower())


def shop_metric(
    name: str, *, dimensions: Mapping[str, str], statistic: str = "Sum", period: Duration = PERIOD
) -> cloudwatch.Metric:
    """A custom metric of the `Shop` namespace with its full dimension set (including `service`)."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map=dict(dimensions),
        statistic=statistic,
        period=period,
    )


def queue_depth(queue: sqs.IQueue, *, label: str) -> cloudwatch.Metric:
    # Maximum: a backlog that built up and drained within the period still shows.
    return queue.metric_approximate_number_of_messages_visible(
        statistic="Maximum", period=PERIOD, label=label
    )


def lambda_error_rate(
    function: lambda_.IFunction, *, name: str, min_invocations: int = 1
) -> cloudwatch.MathExpression:
    """Errors per invocation, in percent. Lambda writes Errors (0 included) whenever it is invoked.

    Over fewer than `min_invocations` the expression yields no datapoint: 1 error in 2 calls is 50 %
    but no reason to page anyone.
    """
    errors, invocations = metric_id(f"{name}_errors"), metric_id(f"{name}_invocations")
    rate = f"100 * {errors} / {invocations}"
    return cloudwatch.MathExpression(
        expression=rate if min_invocations <= 1 else f"IF({invocations} >= {min_invocations}, {rate})",
        using_metrics={
            errors: function.metric_errors(statistic="Sum", period=PERIOD),
            invocations: function.metric_invocations(statistic="Sum", period=PERIOD),
        },
        label=f"{name} error %",
        period=PERIOD,
    )


def api_5xx_rate(stage: apigateway.Stage, *, min_requests: int) -> cloudwatch.MathExpression:
    """Responses with a 5xx status per request, in percent, over the whole stage: function errors and
    timeouts, but also API Gateway's own failures (integration errors, its 29 s limit) that no function
    metric sees. No datapoint under `min_requests` requests."""
    errors = stage.metric_server_error(statistic="Sum", period=PERIOD)
    requests = stage.metric_count(statistic="Sum", period=PERIOD)
    return cloudwatch.MathExpression(
        expression=f"IF(requests >= {min_requests}, 100 * FILL(errors, 0) / requests)",
        using_metrics={"errors": errors, "requests": requests},
        label="API 5xx %",
        period=PERIOD,
    )


def lambda_duration_p99(function: lambda_.IFunction, *, name: str) -> cloudwatch.Metric:
    return function.metric_duration(statistic="p99", period=PERIOD, label=f"{name} p99")


def outcome_rate(
    *,
    numerator: cloudwatch.IMetric,
    other: cloudwatch.IMetric,
    ids: tuple[str, str],
    label: str,
    min_samples: int = 1,
    below_min_samples: float | None = None,
    period: Duration = PERIOD,
) -> cloudwatch.MathExpression:
    """100 * numerator / (numerator + other), e.g. hits / lookups or failed / attempted orders.

    FILL(.., 0): a period with hits but no misses has no CacheMiss datapoint at all. With fewer than
    `min_samples` events the rate says little: the expression then yields `below_min_samples`
    (a value that does not breach), or no datapoint when that is None.
    """
    num, oth = ids
    total = f"(FILL({num}, 0) + FILL({oth}, 0))"
    rate = f"100 * FILL({num}, 0) / {total}"
    fallback = "" if below_min_samples is None else f", {below_min_samples:g}"
    return cloudwatch.MathExpression(
        expression=f"IF({total} >= {min_samples}, {rate}{fallback})",
        using_metrics={num: numerator, oth: other},
        label=label,
        period=period,
    )


def cache_metric(name: str, *, cache: str, service: str, period: Duration = PERIOD) -> cloudwatch.Metric:
    return shop_metric(name, dimensions={CACHE_DIMENSION: cache, SERVICE_DIMENSION: service}, period=period)


def cache_hit_rate(
    *, cache: str, service: str, min_lookups: int = 1, below_min_lookups: float | None = None
) -> cloudwatch.MathExpression:
    return outcome_rate(
        numerator=cache_metric(CACHE_HIT, cache=cache, service=service),
        other=cache_metric(CACHE_MISS, cache=cache, service=service),
        ids=(metric_id(f"{cache}_hits"), metric_id(f"{cache}_misses")),
        label=f"{cache} hit %",
        min_samples=min_lookups,
        below_min_samples=below_min_lookups,
    )


def cache_unavailable(emitters: Mapping[str, str], *, period: Duration) -> cloudwatch.MathExpression:
    """CacheUnavailable summed over every (cache, emitting function) pair: any Redis outage a shopper saw."""
    metrics = {
        metric_id(f"{cache}_unavailable"): cache_metric(
            CACHE_UNAVAILABLE, cache=cache, service=service, period=period
        )
        for cache, service in emitters.items()
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({id_}, 0)" for id_ in metrics),
        using_metrics=metrics,
        label="cache operations served without Redis",
        period=period,
    )


def search_sum(metric_name: str, *, dimensions: tuple[str, ...], label: str) -> cloudwatch.MathExpression:
    """Every series of one custom metric, whichever function writes it (graphs only: alarms refuse SEARCH)."""
    schema = ",".join((METRICS_NAMESPACE, *dimensions))
    seconds = int(PERIOD.to_seconds())
    return cloudwatch.MathExpression(
        expression=f"SEARCH('{{{schema}}} MetricName=\"{metric_name}\"', 'Sum', {seconds})",
        label=label,
        period=PERIOD,
    )
