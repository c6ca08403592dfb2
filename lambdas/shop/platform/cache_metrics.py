"""Cache hit, miss and outage counts, tallied during an invocation and published as EMF at its end.

The shared `metrics` object gives every metric of one flush the same dimensions, but these counts
need their own `cache` dimension (catalog or cart), so each (metric, cache) pair is published as one
single-metric EMF record per invocation, with the tally as its value. That keeps one log line per
pair instead of one per cache lookup.
"""

from __future__ import annotations

import threading
from collections import Counter

from shop.contracts.metric_names import CACHE_DIMENSION
from shop.platform.observability import count_metric
from shop.platform.process_state import on_reset


class CacheCounters:
    """Counts cache events per (metric name, cache name) until `publish()` writes them out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()

    def record(self, metric_name: str, cache_name: str, count: int = 1) -> None:
        with self._lock:
            self._counts[(metric_name, cache_name)] += count

    def pending(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def publish(self) -> None:
        """Emit one EMF record per (metric, cache) pair counted since the last publish, then reset."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        for (metric_name, cache_name), count in sorted(counts.items()):
            count_metric(metric_name, {CACHE_DIMENSION: cache_name}, count)


cache_counters = CacheCounters()
on_reset(cache_counters.reset)
