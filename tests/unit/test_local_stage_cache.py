"""API Gateway's stage cache, emulated: TTL, cache keys, what is cached, counters and flush."""

from __future__ import annotations

import json
from typing import Any

from cdk_app.local.api_gateway import ApiGateway, HttpRequest
from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.stage_cache import CachedResponse, StageCache, cache_key
from cdk_app.local.template_model import RouteModel

FUNCTION = ResourceAddress("Shop-local-Api", "fn")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingHandler:
    def __init__(self, status: int = 200) -> None:
        self.calls = 0
        self.status = status

    def __call__(self, address: ResourceAddress, event: Any) -> Any:
        self.calls += 1
        return {"statusCode": self.status, "body": json.dumps({"call": self.calls, "path": event["path"]})}


def cached_route(path: str, keys: tuple[str, ...], method: str = "GET", ttl: int = 60) -> RouteModel:
    return RouteModel(
        method=method,
        path=path,
        function=FUNCTION,
        cache_enabled=True,
        cache_ttl_seconds=ttl,
        cache_key_parameters=keys,
    )


def gateway(routes: list[RouteModel], handler: CountingHandler, clock: FakeClock) -> ApiGateway:
    return ApiGateway(routes, handler, stage="v1", cache=StageCache(clock=clock))


def get(api: ApiGateway, path: str, query: str = "") -> dict[str, Any]:
    response = api.handle(HttpRequest(method="GET", path=path, query=query))
    return {
        "status": response.status,
        "body": json.loads(response.body),
        "cache": response.header("X-Local-Cache"),
    }


def test_second_get_within_ttl_is_a_hit_and_expires_after_it() -> None:
    clock, handler = FakeClock(), CountingHandler()
    api = gateway([cached_route("/products/{id}", ("method.request.path.id",))], handler, clock)
    assert get(api, "/products/1")["cache"] == "Miss"
    assert get(api, "/products/1") == {
        "status": 200,
        "body": {"call": 1, "path": "/products/1"},
        "cache": "Hit",
    }
    clock.now += 61
    assert get(api, "/products/1")["body"]["call"] == 2
    assert handler.calls == 2


def test_path_parameters_in_the_key_keep_entries_apart() -> None:
    clock, handler = FakeClock(), CountingHandler()
    api = gateway([cached_route("/products/{id}", ("method.request.path.id",))], handler, clock)
    get(api, "/products/1")
    assert get(api, "/products/2")["body"]["path"] == "/products/2"


def test_a_path_parameter_missing_from_the_key_shares_one_entry_as_aws_would() -> None:
    clock, handler = FakeClock(), CountingHandler()
    api = gateway([cached_route("/products/{id}", ())], handler, clock)
    get(api, "/products/1")
    # AWS serves product 1 for product 2 here; the emulation shows the misconfiguration locally.
    assert get(api, "/products/2")["body"]["path"] == "/products/1"


def test_only_declared_query_strings_are_in_the_key() -> None:
    clock, handler = FakeClock(), CountingHandler()
    api = gateway([cached_route("/products", ("method.request.querystring.category",))], handler, clock)
    get(api, "/products", "category=shoes&utm=a")
    assert get(api, "/products", "category=shoes&utm=b")["cache"] == "Hit"
    assert get(api, "/products", "category=hats")["cache"] == "Miss"


def test_non_get_methods_and_errors_are_not_cached() -> None:
    clock = FakeClock()
    posting = CountingHandler()
    api = gateway([cached_route("/orders", (), method="POST")], posting, clock)
    for _ in range(2):
        api.handle(HttpRequest(method="POST", path="/orders"))
    assert posting.calls == 2
    failing = CountingHandler(status=500)
    api = gateway([cached_route("/products", ())], failing, clock)
    get(api, "/products")
    get(api, "/products")
    assert failing.calls == 2


def test_counters_and_flush() -> None:
    clock, handler = FakeClock(), CountingHandler()
    api = gateway([cached_route("/products", ())], handler, clock)
    for _ in range(4):
        get(api, "/products")
    stats = api.cache.stats()
    assert (stats["hits"], stats["misses"], stats["hitRate"]) == (3, 1, 0.75)
    assert stats["routes"]["GET /products"]["hits"] == 3
    api.cache.flush()
    assert get(api, "/products")["cache"] == "Miss"


def test_cache_key_reads_headers_case_insensitively() -> None:
    route = cached_route("/products", ("method.request.header.Accept-Language",))
    key_en = cache_key(route, path_parameters={}, query={}, headers={"accept-language": "en"})
    key_fr = cache_key(route, path_parameters={}, query={}, headers={"Accept-Language": "fr"})
    assert key_en != key_fr
    cache = StageCache(clock=FakeClock())
    cache.put(key_en, CachedResponse(200, (), b"en"), 10)
    entry = cache.get(key_en)
    assert entry is not None
    assert entry.body == b"en"
    assert cache.get(key_fr) is None
