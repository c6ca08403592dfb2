"""docs/api.md is generated from the route table and must not go stale."""

from __future__ import annotations

from cdk_app.api_docs import API_DOC, render
from cdk_app.api_routes import ROUTES


def test_api_doc_is_current() -> None:
    assert API_DOC.read_text() == render(), "docs/api.md is stale: run `make api-docs`"


def test_api_doc_lists_every_route_with_auth_cache_and_limit() -> None:
    text = render()
    for route in ROUTES:
        row = next(
            line for line in text.splitlines() if line.startswith(f"| {route.method} | `{route.path}` |")
        )
        assert route.rate_limit.value in row
        if route.cached:
            assert f"{route.cache_ttl_seconds} s" in row
