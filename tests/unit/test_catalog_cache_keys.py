"""The catalog cache's key scheme, versioned values and outage breaker, without a Redis."""

from __future__ import annotations

from typing import Any

import pytest
import redis
from hypothesis import given
from hypothesis import strategies as st

from shop.catalog.cache_keys import (
    MalformedCacheEntryError,
    decode_versioned,
    encode_versioned,
    product_key,
    query_fingerprint,
    query_key,
)
from shop.contracts.metric_names import CACHE_HIT, CACHE_MISS, CACHE_UNAVAILABLE
from shop.platform.cache import CacheOutage, ResilientCache
from shop.platform.cache_metrics import CacheCounters


@given(version=st.integers(min_value=0, max_value=2**53), document=st.text())
def test_versioned_values_round_trip(version: int, document: str) -> None:
    assert decode_versioned(encode_versioned(version, document).encode()) == (version, document)


@pytest.mark.parametrize("raw", [b"", b"no-version", b"x|{}", b"-1|{}"])
def test_malformed_values_are_rejected(raw: bytes) -> None:
    with pytest.raises(MalformedCacheEntryError):
        decode_versioned(raw)


@given(
    parameters=st.dictionaries(
        st.sampled_from(["category", "min_price", "q", "sort", "tags"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=5)),
    )
)
def test_fingerprint_ignores_order_and_unset_parameters(parameters: dict[str, Any]) -> None:
    reordered = dict(reversed(list(parameters.items())))
    with_nones = {**parameters, "unused": None}
    assert query_fingerprint("products", parameters) == query_fingerprint("products", reordered)
    assert query_fingerprint("products", parameters) == query_fingerprint("products", with_nones)


def test_fingerprints_differ_by_view_and_value_and_keys_carry_the_generation() -> None:
    base = query_fingerprint("products", {"sort": "newest"})
    assert base != query_fingerprint("featured", {"sort": "newest"})
    assert base != query_fingerprint("products", {"sort": "price_asc"})
    assert query_key(7, base) != query_key(8, base)
    assert "g7" in query_key(7, base)
    assert product_key("prod_1") == "shop:catalog:product:prod_1"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class DeadClient:
    """A client whose every command fails the way a refused connection does."""

    def __init__(self) -> None:
        self.calls = 0

    def mget(self, keys: list[str]) -> Any:
        self.calls += 1
        raise redis.ConnectionError("connection refused")


def test_outage_closes_the_cache_for_the_cool_down_and_counts_every_skipped_lookup() -> None:
    clock = Clock()
    outage = CacheOutage(cool_down_seconds=10, clock=clock)
    client = DeadClient()
    counters = CacheCounters()
    cache = ResilientCache("catalog", lambda: client, outage=outage, counters=counters)  # type: ignore[arg-type,return-value]

    assert cache.get("k") is None
    assert cache.get_many(["a", "b"]) == [None, None]
    assert client.calls == 1  # the second lookup did not touch Redis
    assert counters.pending() == {(CACHE_UNAVAILABLE, "catalog"): 3}

    clock.now += 10.5
    assert cache.get("k") is None
    assert client.calls == 2  # after the cool-down Redis is tried again


class MemoryClient:
    def __init__(self, values: dict[str, bytes]) -> None:
        self.values = values

    def mget(self, keys: list[str]) -> list[bytes | None]:
        return [self.values.get(key) for key in keys]


def test_hits_and_misses_are_counted_per_key() -> None:
    counters = CacheCounters()
    client = MemoryClient({"a": b"1", "c": b"3"})
    cache = ResilientCache("cart", lambda: client, outage=CacheOutage(), counters=counters)  # type: ignore[arg-type,return-value]

    assert cache.get_many(["a", "b", "c"]) == [b"1", None, b"3"]
    assert counters.pending() == {(CACHE_HIT, "cart"): 2, (CACHE_MISS, "cart"): 1}
