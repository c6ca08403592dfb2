"""The audit log only grows: an entry, once written, is never replaced, even by a writer that knows
its key (IAM allows PutItem; the write's own condition refuses an existing key)."""

from __future__ import annotations

import os

import boto3
import pytest

from shop.contracts.tables import AUDIT_LOG
from shop.platform import audit_log


def _entries(entity: str) -> list[dict[str, object]]:
    table = boto3.resource("dynamodb").Table(os.environ[AUDIT_LOG.env_var])
    return table.query(KeyConditionExpression="entity = :e", ExpressionAttributeValues={":e": entity})[
        "Items"
    ]


def test_a_second_write_with_an_existing_key_leaves_the_first_entry(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log, "occurred_now", lambda: "2026-12-06T00:00:00.000000Z#0001")
    audit_log.record("admin-1", "product.update", "product#p1", {"price": 1}, {"price": 2})
    audit_log.record("intruder", "product.update", "product#p1", {"price": 2}, {"price": 0})

    [entry] = _entries("product#p1")
    assert entry["actor"] == "admin-1"
    assert entry["after"] == {"price": 2}


def test_entries_at_different_times_are_all_kept(shop_env: dict[str, str]) -> None:
    for price in (1, 2, 3):
        audit_log.record("admin-1", "product.update", "product#p2", {"price": price - 1}, {"price": price})
    assert len(_entries("product#p2")) == 3
