"""marketing_automation_api: the four marketing scans (admin routes and the daily schedule) and analytics.

EventBridge Scheduler invokes the function directly with {"job": "daily-marketing-scans"}; every
other event is an API Gateway request.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shop.api.http import build_resolver, caller_of
from shop.marketing.abandoned_carts import scan_abandoned_carts
from shop.marketing.analytics import shared_analytics
from shop.marketing.browse_abandonment import scan_browse_abandonment
from shop.marketing.daily_run import DAILY_SCANS_JOB, run_daily_scans
from shop.marketing.price_drops import scan_price_drops
from shop.marketing.restock import scan_restock
from shop.platform.cache_metrics import cache_counters
from shop.platform.observability import logger, metrics, tracer

app = build_resolver()


def _admin() -> None:
    caller_of(app).require_admin()


@app.post("/marketing/scan-abandoned-carts", summary="Queue abandoned-cart emails", tags=["marketing"])
def abandoned_carts() -> dict[str, Any]:
    _admin()
    return scan_abandoned_carts().body()


@app.post("/marketing/scan-browse-abandonment", summary="Queue browse-abandonment emails", tags=["marketing"])
def browse_abandonment() -> dict[str, Any]:
    _admin()
    return scan_browse_abandonment().body()


@app.post("/marketing/scan-price-drops", summary="Queue price-drop alerts", tags=["marketing"])
def price_drops() -> dict[str, Any]:
    _admin()
    return scan_price_drops().body()


@app.post("/marketing/scan-restock", summary="Queue back-in-stock alerts", tags=["marketing"])
def restock() -> dict[str, Any]:
    _admin()
    return scan_restock().body()


@app.get("/marketing/analytics", summary="Marketing email counts of the last 30 days", tags=["marketing"])
def analytics() -> dict[str, Any]:
    _admin()
    return shared_analytics().report()


def _is_scheduled_run(event: dict[str, Any]) -> bool:
    return event.get("job") == DAILY_SCANS_JOB and "httpMethod" not in event


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point, for API Gateway requests and the daily schedule."""
    try:
        if _is_scheduled_run(event):
            logger.info("daily marketing run started")
            return run_daily_scans()
        if "httpMethod" not in event:
            # Neither the schedule nor API Gateway: a wiring mistake worth failing loudly on.
            raise ValueError(f"unexpected event with keys {sorted(event)}")
        return app.resolve(event, context)
    finally:
        cache_counters.publish()
