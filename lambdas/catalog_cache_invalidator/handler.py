"""Flushes API Gateway's stage cache when a product change makes cached catalog answers wrong.

Triggered by the Products table's stream. A failed flush raises, so the batch is retried (bisected)
and finally parked in the stream-failures DLQ, never silently dropped.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.catalog.changes import API_CACHE_FLUSHES, changes_cached_catalog
from shop.platform.observability import logger, metrics, tracer
from shop.platform.process_state import per_process
from shop.platform.settings import MissingSetting, get_settings


@per_process
def _api_gateway() -> Any:
    return boto3.client("apigateway")


@tracer.capture_method
def flush_stage_cache() -> None:
    settings = get_settings()
    if not settings.rest_api_id or not settings.rest_api_stage:
        raise MissingSetting("REST_API_ID and REST_API_STAGE are required to flush the stage cache")
    _api_gateway().flush_stage_cache(restApiId=settings.rest_api_id, stageName=settings.rest_api_stage)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=DynamoDBStreamEvent)
def handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, int]:
    records = list(event.records)
    changed = [
        record
        for record in records
        if record.dynamodb is not None
        and changes_cached_catalog(record.dynamodb.old_image, record.dynamodb.new_image)
    ]
    if changed:
        flush_stage_cache()
        metrics.add_metric(name=API_CACHE_FLUSHES, unit=MetricUnit.Count, value=1)
        logger.info(
            "flushed the API stage cache", extra={"changed_products": len(changed), "records": len(records)}
        )
    return {"records": len(records), "catalog_changes": len(changed)}
