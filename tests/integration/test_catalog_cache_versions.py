"""The version guard of the catalog cache, on a real Redis (fakeredis has no Lua)."""

from __future__ import annotations

import redis

from cdk_app.local.redis_server import RedisServer
from shop.catalog.cache_keys import decode_versioned
from shop.platform.cache import CacheOutage, ResilientCache
from shop.platform.cache_metrics import CacheCounters


def test_an_older_version_never_replaces_a_newer_one(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.delete("test:versioned")
    cache = ResilientCache("catalog", lambda: client, outage=CacheOutage(), counters=CacheCounters())

    cache.set_if_newer([("test:versioned", 2, '{"price": 200}')], 60)
    cache.set_if_newer([("test:versioned", 1, '{"price": 100}')], 60)  # a slow reader, too late
    assert decode_versioned(client.get("test:versioned")) == (2, '{"price": 200}')  # type: ignore[arg-type]

    cache.set_if_newer([("test:versioned", 3, '{"price": 300}')], 60)
    assert decode_versioned(client.get("test:versioned")) == (3, '{"price": 300}')  # type: ignore[arg-type]
    assert 0 < client.ttl("test:versioned") <= 60


def test_generation_counter_restarts_from_the_clock_when_lost(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.delete("test:generation")
    cache = ResilientCache("catalog", lambda: client, outage=CacheOutage(), counters=CacheCounters())

    start = cache.read_counter("test:generation")
    advanced = cache.increment("test:generation")

    assert start is not None
    assert start > 10**12
    assert advanced == start + 1
    assert cache.read_counter("test:generation") == advanced


def test_writes_lost_in_an_outage_are_repaired_when_redis_answers_again(
    redis_server: RedisServer, dead_redis_url: str
) -> None:
    live = redis.Redis.from_url(redis_server.url)
    dead = redis.Redis.from_url(dead_redis_url, socket_connect_timeout=0.2)
    live.delete("test:stale", "test:gen")
    current = {"client": live}
    outage = CacheOutage()
    cache = ResilientCache("catalog", lambda: current["client"], outage=outage, counters=CacheCounters())
    cache.set("test:stale", "old price", 60)
    generation = cache.read_counter("test:gen")

    current["client"] = dead
    cache.set("test:stale", "new price", 60)  # the write-through of an update, lost
    outage.reset()
    assert cache.increment("test:gen") is None  # the listing invalidation, lost
    assert live.get("test:stale") == b"old price"  # what a reader would get once Redis is back

    current["client"] = live
    outage.reset()  # the cool-down has passed
    assert cache.get("test:unrelated") is None  # the first successful call repairs

    assert live.get("test:stale") is None
    assert generation is not None
    assert cache.read_counter("test:gen") == generation + 1
