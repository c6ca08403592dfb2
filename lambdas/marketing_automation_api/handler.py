"""marketing_automation_api: the marketing scans (admin routes, the daily and weekly schedules) and analytics.

EventBridge Scheduler invokes the function directly with {"job": "daily-marketing-scans"} or
{"job": "weekly-recommendations"}; every other event is an API Gateway request.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.utilities.typing import LambdaContext

import shop.platform.snapstart  # noqa: F401 - registers the SnapStart hooks (shop/platform/snapstart.py)
from shop.api.documented_responses import REDIRECT_HEADERS, answers, json_object
from shop.api.http import build_resolver, caller_of, json_response
from shop.email.engagement import MAX_TARGET_LENGTH
from shop.marketing.abandoned_carts import scan_abandoned_carts
from shop.marketing.analytics import shared_analytics
from shop.marketing.browse_abandonment import scan_browse_abandonment
from shop.marketing.daily_run import DAILY_SCANS_JOB, run_daily_scans
from shop.marketing.engagement import EmailEngagement
from shop.marketing.price_drops import scan_price_drops
from shop.marketing.recommendations import WEEKLY_RECOMMENDATIONS_JOB, scan_weekly_recommendations
from shop.marketing.restock import scan_restock
from shop.platform.cache_metrics import cache_counters
from shop.platform.clock import utc_now
from shop.platform.observability import logger, metrics, tracer

app = build_resolver()
# A transparent 1x1 GIF, base64 as API Gateway wants binary from Lambda (an image/* Accept type is one
# of the API's binary media types, cdk_app.api_routes.BINARY_MEDIA_TYPES).
PIXEL_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
# Every answer is one email's, never to be kept by a cache or proxy (each open should reach us).
NOT_STORED = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}
SCANNED = answers(200, "What the scan found and queued", 403)
GIF_CONTENT = {"image/gif": {"schema": {"type": "string", "format": "binary"}}}


def _admin() -> None:
    caller_of(app).require_admin()


@app.post(
    "/marketing/scan-abandoned-carts",
    summary="Queue abandoned-cart emails",
    tags=["marketing"],
    responses=SCANNED,
)
def abandoned_carts() -> dict[str, Any]:
    _admin()
    return scan_abandoned_carts().body()


@app.post(
    "/marketing/scan-browse-abandonment",
    summary="Queue browse-abandonment emails",
    tags=["marketing"],
    responses=SCANNED,
)
def browse_abandonment() -> dict[str, Any]:
    _admin()
    return scan_browse_abandonment().body()


@app.post(
    "/marketing/scan-price-drops", summary="Queue price-drop alerts", tags=["marketing"], responses=SCANNED
)
def price_drops() -> dict[str, Any]:
    _admin()
    return scan_price_drops().body()


@app.post(
    "/marketing/scan-restock", summary="Queue back-in-stock alerts", tags=["marketing"], responses=SCANNED
)
def restock() -> dict[str, Any]:
    _admin()
    return scan_restock().body()


@app.post(
    "/marketing/scan-weekly-recommendations",
    summary="Queue this week's recommendation emails",
    tags=["marketing"],
    responses=SCANNED,
)
def weekly_recommendations() -> dict[str, Any]:
    _admin()
    return scan_weekly_recommendations().body()


@app.get(
    "/marketing/analytics",
    summary="Marketing email figures of the last 30 days per campaign type",
    description="`{since, generated_at, by_trigger: {<trigger_type>: row}, totals: row}`; a row is "
    "`queued, sent, opened, clicked, converted` (emails), `open_rate, click_rate, conversion_rate` "
    "(of sent, 4 places) and `attributed_revenue_cents` (docs/marketing.md, Analytics).",
    tags=["marketing"],
    responses=answers(200, "The figures", 403),
)
def analytics() -> dict[str, Any]:
    _admin()
    return shared_analytics().report()


@app.get(
    "/m/open/<message_id>",
    summary="A marketing email's open pixel",
    tags=["marketing"],
    responses=answers(200, "A transparent 1x1 GIF", content=GIF_CONTENT),
)
def open_pixel(message_id: str, t: Annotated[str, Query()]) -> Response[str]:
    # The same image whatever the token: a forged one learns nothing, and records nothing.
    EmailEngagement().record_open(message_id, t, now=utc_now())
    response = Response(
        status_code=HTTPStatus.OK, content_type="image/gif", body=PIXEL_GIF, headers=NOT_STORED
    )
    response.base64_encoded = True
    return response


@app.get(
    "/m/click/<message_id>",
    summary="A marketing email's link to a shop page",
    tags=["marketing"],
    responses=answers(
        302,
        "Redirect to the shop page; the body names the same `location`",
        403,
        content=json_object(),
        headers=REDIRECT_HEADERS,
    ),
)
def click(
    message_id: str,
    u: Annotated[str, Query(max_length=MAX_TARGET_LENGTH)],
    t: Annotated[str, Query(max_length=128)],
) -> Response[str]:
    landing = EmailEngagement().follow_click(message_id, u, t, now=utc_now())
    return json_response(HTTPStatus.FOUND, {"location": landing}, headers={"Location": landing, **NOT_STORED})


def _scheduled_job(event: dict[str, Any]) -> str | None:
    job = event.get("job")
    return job if job in (DAILY_SCANS_JOB, WEEKLY_RECOMMENDATIONS_JOB) and "httpMethod" not in event else None


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point, for API Gateway requests and the daily schedule."""
    try:
        job = _scheduled_job(event)
        if job == DAILY_SCANS_JOB:
            logger.info("daily marketing run started")
            return run_daily_scans()
        if job == WEEKLY_RECOMMENDATIONS_JOB:
            logger.info("weekly recommendations run started")
            return {"job": job, **scan_weekly_recommendations().body()}
        if "httpMethod" not in event:
            # Neither the schedule nor API Gateway: a wiring mistake worth failing loudly on.
            raise ValueError(f"unexpected event with keys {sorted(event)}")
        return app.resolve(event, context)
    finally:
        cache_counters.publish()
