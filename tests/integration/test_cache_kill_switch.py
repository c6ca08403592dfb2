"""The "rollback cache" kill switch: with cache_bypass on, reads skip Redis and writes keep it current."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from shop.contracts.metric_names import CACHE_HIT, CACHE_MISS, CATALOG_CACHE
from shop.contracts.tables import RUNTIME_FLAGS
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import Call, emitted_metrics
from tests.integration.events import api_event
from tests.kill_switches import set_runtime_flags


def _flags(**flags: bool) -> None:
    set_runtime_flags(boto3.client("dynamodb"), os.environ[RUNTIME_FLAGS.env_var], **flags)
    reset_process_state()


def _get(shop_api: Call, product_id: str) -> dict[str, object]:
    response = shop_api(api_event("GET", "/products/{id}", path_parameters={"id": product_id}))
    assert response.status == 200
    return response.body  # type: ignore[no-any-return]


def test_bypass_reads_dynamodb_and_switching_back_finds_a_current_cache(
    shop_api: Call,
    create_product: Callable[..., dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    product = create_product()
    _flags(cache_bypass=True, orders_inline=False)
    capsys.readouterr()

    assert _get(shop_api, product["product_id"])["name"] == product["name"]
    bypassed = emitted_metrics(capsys.readouterr().out)
    assert bypassed[(CACHE_HIT, CATALOG_CACHE)] == 0  # Redis was not asked

    _flags(cache_bypass=False, orders_inline=False)
    assert _get(shop_api, product["product_id"])["name"] == product["name"]
    restored = emitted_metrics(capsys.readouterr().out)
    assert restored[(CACHE_HIT, CATALOG_CACHE)] == 1
    assert restored[(CACHE_MISS, CATALOG_CACHE)] == 0
