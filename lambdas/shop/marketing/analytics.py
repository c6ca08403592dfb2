"""Marketing analytics: per trigger type, how many emails were queued and sent in the last 30 days."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from shop.marketing.repository import MarketingQueueRepository
from shop.marketing.triggers import Trigger
from shop.platform.cache import ResilientCache, shared_redis_outage
from shop.platform.clock import iso, utc_now
from shop.platform.process_state import per_process
from shop.platform.redis_connection import shared_redis_client

ANALYTICS_WINDOW = timedelta(days=30)
ANALYTICS_CACHE = "marketing_analytics"
ANALYTICS_CACHE_KEY = "shop:marketing:analytics"
ANALYTICS_TTL_SECONDS = 15 * 60
_COUNTED_FLAGS = ("sent", "opened", "clicked", "converted")


def compute_analytics(queue: MarketingQueueRepository, *, now: datetime) -> dict[str, Any]:
    since = now - ANALYTICS_WINDOW
    counts: dict[str, Counter[str]] = {trigger.value: Counter() for trigger in Trigger}
    for item in queue.created_since(since):
        tally = counts.setdefault(str(item.get("trigger_type")), Counter())
        tally["queued"] += 1
        for flag in _COUNTED_FLAGS:
            if item.get(flag) is True:
                tally[flag] += 1
    by_trigger = {
        trigger: {"queued": tally["queued"], **{flag: tally[flag] for flag in _COUNTED_FLAGS}}
        for trigger, tally in sorted(counts.items())
    }
    totals = {key: sum(row[key] for row in by_trigger.values()) for key in ("queued", *_COUNTED_FLAGS)}
    return {"since": iso(since), "generated_at": iso(now), "by_trigger": by_trigger, "totals": totals}


class MarketingAnalytics:
    """Analytics cached in Redis for 15 minutes; computed from DynamoDB when Redis is down or empty."""

    def __init__(self, queue: MarketingQueueRepository, cache: ResilientCache) -> None:
        self.queue = queue
        self.cache = cache

    def report(self, *, now: datetime | None = None) -> dict[str, Any]:
        cached = self.cache.get(ANALYTICS_CACHE_KEY)
        if cached is not None:
            report: dict[str, Any] = json.loads(cached)
            return report
        report = compute_analytics(self.queue, now=now or utc_now())
        self.cache.set(ANALYTICS_CACHE_KEY, json.dumps(report), ANALYTICS_TTL_SECONDS)
        return report


@per_process
def shared_analytics() -> MarketingAnalytics:
    cache_ = ResilientCache(ANALYTICS_CACHE, shared_redis_client, outage=shared_redis_outage)
    return MarketingAnalytics(MarketingQueueRepository(), cache_)
