"""Marketing analytics of the emails created in the last 30 days, per trigger type (campaign type):
queued, sent, opened, clicked, converted, the rates and the attributed revenue (docs/marketing.md)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from shop.marketing.attribution import Attribution
from shop.marketing.repository import MarketingQueueRepository
from shop.marketing.triggers import Trigger
from shop.platform.cache import ResilientCache, shared_redis_client, shared_redis_outage
from shop.platform.clock import iso, utc_now
from shop.platform.observability import logger
from shop.platform.process_state import per_process

ANALYTICS_WINDOW = timedelta(days=30)
ANALYTICS_CACHE = "marketing_analytics"
ANALYTICS_CACHE_KEY = "shop:marketing:analytics"
ANALYTICS_TTL_SECONDS = 15 * 60
_COUNTED_FLAGS = ("sent", "opened", "clicked", "converted")


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _row(tally: Counter[str]) -> dict[str, Any]:
    """One campaign type's figures; every rate is of the emails sent."""
    sent = tally["sent"]
    return {
        "queued": tally["queued"],
        **{flag: tally[flag] for flag in _COUNTED_FLAGS},
        "open_rate": _rate(tally["opened"], sent),
        "click_rate": _rate(tally["clicked"], sent),
        "conversion_rate": _rate(tally["converted"], sent),
        "attributed_revenue_cents": tally["attributed_revenue_cents"],
    }


def compute_analytics(queue: MarketingQueueRepository, *, now: datetime) -> dict[str, Any]:
    since = now - ANALYTICS_WINDOW
    counts: dict[str, Counter[str]] = {trigger.value: Counter() for trigger in Trigger}
    for item in queue.created_since(since):
        tally = counts.setdefault(str(item.get("trigger_type")), Counter())
        tally["queued"] += 1
        for flag in _COUNTED_FLAGS:
            if item.get(flag) is True:
                tally[flag] += 1
        if item.get("converted") is True:
            tally["attributed_revenue_cents"] += int(item.get("attributed_revenue_cents") or 0)
    by_trigger = {trigger: _row(tally) for trigger, tally in sorted(counts.items())}
    totals = _row(sum(counts.values(), Counter()))
    return {"since": iso(since), "generated_at": iso(now), "by_trigger": by_trigger, "totals": totals}


class MarketingAnalytics:
    """Analytics cached in Redis for 15 minutes; computed from DynamoDB when Redis is down or empty."""

    def __init__(
        self, queue: MarketingQueueRepository, cache: ResilientCache, attribution: Attribution | None = None
    ) -> None:
        self.queue = queue
        self.cache = cache
        self.attribution = attribution

    def report(self, *, now: datetime | None = None) -> dict[str, Any]:
        cached = self.cache.get(ANALYTICS_CACHE_KEY)
        if cached is not None:
            report: dict[str, Any] = json.loads(cached)
            return report
        moment = now or utc_now()
        self._attribute_paid_orders(moment)
        report = compute_analytics(self.queue, now=moment)
        self.cache.set(ANALYTICS_CACHE_KEY, json.dumps(report), ANALYTICS_TTL_SECONDS)
        return report

    def _attribute_paid_orders(self, now: datetime) -> None:
        """Conversions as fresh as the report: orders paid since the last sweep are credited first."""
        if self.attribution is None:
            return
        try:
            self.attribution.sweep(now=now)
        except Exception:  # the report of what is recorded beats no report
            logger.exception("attribution sweep failed; analytics show earlier conversions")


@per_process
def shared_analytics() -> MarketingAnalytics:
    cache_ = ResilientCache(ANALYTICS_CACHE, shared_redis_client, outage=shared_redis_outage)
    return MarketingAnalytics(MarketingQueueRepository(), cache_, Attribution())
