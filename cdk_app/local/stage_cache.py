"""API Gateway's stage cache, emulated so that cache settings and hit rates can be tried locally.

As in AWS: only methods whose stage MethodSettings enable caching (GET, in this shop) are cached, for
their TTL, under a key made of the method, the resource template and the values of the integration's
`CacheKeyParameters` only. A path parameter left out of the cache key therefore makes `/products/1` and
`/products/2` share one entry, which is exactly the bug AWS would serve. Only 2xx responses are stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cdk_app.local.template_model import RouteModel

CacheKey = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class RouteCounters:
    hits: int = 0
    misses: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


def cache_key(
    route: RouteModel,
    *,
    path_parameters: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
) -> CacheKey:
    lower_headers = {name.lower(): value for name, value in headers.items()}
    parts = []
    for parameter in route.cache_key_parameters:
        source, _, name = parameter.removeprefix("method.request.").partition(".")
        if source == "path":
            value = path_parameters.get(name, "")
        elif source == "querystring":
            value = ",".join(query.get(name, []))
        elif source == "header":
            value = lower_headers.get(name.lower(), "")
        else:
            value = ""
        parts.append((parameter, value))
    return route.method, route.path, tuple(parts)


@dataclass
class StageCache:
    """Entries with their expiry, hit/miss counters per `METHOD /resource`, and a flush."""

    clock: Callable[[], float] = time.monotonic
    _entries: dict[CacheKey, tuple[float, CachedResponse]] = field(default_factory=dict)
    _counters: dict[str, RouteCounters] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: CacheKey) -> CachedResponse | None:
        label = f"{key[0]} {key[1]}"
        with self._lock:
            counters = self._counters.setdefault(label, RouteCounters())
            entry = self._entries.get(key)
            if entry is not None and entry[0] > self.clock():
                counters.hits += 1
                return entry[1]
            if entry is not None:
                del self._entries[key]
            counters.misses += 1
            return None

    def put(self, key: CacheKey, response: CachedResponse, ttl_seconds: int) -> None:
        if not 200 <= response.status < 300 or ttl_seconds <= 0:
            return
        with self._lock:
            self._entries[key] = (self.clock() + ttl_seconds, response)

    def flush(self) -> None:
        with self._lock:
            self._entries.clear()

    def counters(self) -> dict[str, RouteCounters]:
        with self._lock:
            return {label: RouteCounters(c.hits, c.misses) for label, c in self._counters.items()}

    def stats(self) -> dict[str, Any]:
        """JSON-ready counters, for the runner's /_local/cache endpoint and the benchmarks."""
        counters = self.counters()
        hits = sum(c.hits for c in counters.values())
        misses = sum(c.misses for c in counters.values())
        return {
            "hits": hits,
            "misses": misses,
            "hitRate": hits / (hits + misses) if hits + misses else 0.0,
            "routes": {
                label: {"hits": c.hits, "misses": c.misses, "hitRate": c.hit_rate}
                for label, c in counters.items()
            },
        }
