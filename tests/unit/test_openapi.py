"""docs/openapi.json is what the shop_api and cart_api resolvers generate today."""

from __future__ import annotations

import json

import pytest

from cdk_app import openapi


def test_committed_document_is_current() -> None:
    assert openapi.OPENAPI_DOCUMENT.read_text() == openapi.render(), (
        "docs/openapi.json is stale: run `python -m cdk_app.openapi` and commit the result"
    )


def test_document_covers_every_catalog_review_and_cart_route() -> None:
    paths = json.loads(openapi.OPENAPI_DOCUMENT.read_text())["paths"]
    expected = {
        "/products": {"get", "post"},
        "/products/{product_id}": {"get", "put", "delete"},
        "/categories": {"get"},
        "/featured": {"get"},
        "/bestsellers": {"get"},
        "/reviews": {"post"},
        "/reviews/{product_id}": {"get"},
        "/reviews/{product_id}/{review_id}/vote": {"post"},
        "/cart": {"get"},
        "/cart/add": {"post"},
        "/cart/update": {"put"},
        "/cart/remove": {"delete"},
        "/cart/clear": {"delete"},
        "/cart/merge": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path


def test_merge_refuses_a_route_declared_twice() -> None:
    document = {"openapi": "3.1.0", "paths": {"/cart": {"get": {}}}, "components": {"schemas": {}}}
    with pytest.raises(openapi.OpenApiMergeError):
        openapi.merge_documents([document, document], version="1")
