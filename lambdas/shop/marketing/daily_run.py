"""The daily marketing run that EventBridge Scheduler starts: every scan, one after the other."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from shop.marketing.abandoned_carts import scan_abandoned_carts
from shop.marketing.attribution import Attribution
from shop.marketing.browse_abandonment import scan_browse_abandonment
from shop.marketing.campaign import Campaign
from shop.marketing.price_drops import scan_price_drops
from shop.marketing.restock import scan_restock
from shop.marketing.triggers import ScanSummary
from shop.platform.clock import iso, utc_now

logger = Logger(child=True)

# The schedule's input is {"job": DAILY_SCANS_JOB}; the Marketing stack builds it from
# cdk_app.api_routes.MARKETING_SCHEDULED_JOB, which a test keeps equal to this value.
DAILY_SCANS_JOB = "daily-marketing-scans"


class DailyRunError(RuntimeError):
    """Some scans failed (the others' results are kept for the log)."""

    def __init__(self, failed: list[str], results: dict[str, dict[str, Any]]) -> None:
        super().__init__(f"marketing scans failed: {', '.join(failed)}")
        self.failed = failed
        self.results = results


Scan = Callable[..., ScanSummary]
SCANS: Mapping[str, Scan] = {
    "abandoned_carts": scan_abandoned_carts,
    "browse_abandonment": scan_browse_abandonment,
    "price_drops": scan_price_drops,
    "restock": scan_restock,
}


def run_daily_scans(
    campaign: Campaign | None = None, *, now: datetime | None = None, attribution: Attribution | None = None
) -> dict[str, Any]:
    """Run the four scans with one clock, so they agree on what "24 hours ago" means, then credit the
    day's paid orders to the emails that brought them (shop.marketing.attribution).

    A failing scan does not stop the others; the run then fails as a whole so that the schedule's
    retry policy runs it again, which is safe because every scan skips what it already mailed.
    """
    moment = now or utc_now()
    shared = campaign or Campaign()
    results: dict[str, dict[str, Any]] = {}
    failed: list[str] = []
    for name, scan in SCANS.items():
        try:
            results[name] = scan(shared, now=moment).body()
        except Exception:
            logger.exception("marketing scan failed", extra={"scan": name})
            failed.append(name)
    try:
        attributed = (attribution or Attribution()).sweep(now=moment).body()
    except Exception:
        logger.exception("attribution sweep failed")
        failed.append("attribution")
        attributed = {}
    if failed:
        raise DailyRunError(failed, results)
    return {
        "job": DAILY_SCANS_JOB,
        "ran_at": iso(moment),
        "scans": results,
        "attribution": attributed,
        "queued": sum(result["queued"] for result in results.values()),
    }
