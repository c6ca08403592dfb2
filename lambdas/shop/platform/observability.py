"""Powertools logger, tracer and metrics, created once per process and shared by every module."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from shop.contracts.metric_names import METRICS_NAMESPACE
from shop.platform.deferred_tracer import DeferredTracer

logger = Logger()
# Not Tracer(): that imports the X-Ray SDK at import, a third of a handler's cold import. The deferred
# one creates it on the first traced call, or in SnapStart's before-snapshot hook (deferred_tracer.py).
tracer = DeferredTracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)

# Many invocations rightly emit no metric (a profile read, a cache hit with nothing to count); Powertools
# warns on each of them, into every log, with nothing anyone could do about it.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def count_metric(metric_name: str, dimensions: dict[str, str], value: int = 1) -> None:
    """Emit `value` of a Count metric with its own dimensions, as its own EMF record: on the shared
    `metrics` object a dimension would apply to every metric of the invocation."""
    with single_metric(
        name=metric_name,
        unit=MetricUnit.Count,
        value=value,
        namespace=METRICS_NAMESPACE,
        default_dimensions=dimensions,
    ):
        pass
