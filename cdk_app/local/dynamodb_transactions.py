"""TransactWriteItems rolled back item by item instead of by copying every table it names.

moto 5's `transact_write_items` deep-copies each table a transaction names (every item and stream
record) before applying it, so that it can put the copies back when the transaction is cancelled.
The cost grows with the table: 12 ms for a 30-item Products table, 146 ms at 1,000 items, more as
Orders and the stream records accumulate; and the local DynamoDB answers one request at a time, so
every checkout's stock transaction held up every other DynamoDB call of the shop for that long
(docs/benchmarks.md, "Local shop under load").

Here moto's own function still applies the transaction (conditions, updates, cancellation reasons),
but its whole-table copies are no copies at all, and what a cancelled transaction must undo — the
items it names and the stream records it appended — is saved and put back by this wrapper. That is
only sound because the DynamoDB process serves one request at a time (`dynamodb_process`): nothing
else can read or write between the transaction's first write and its rollback.
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Callable
from typing import Any

_installed = False


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent). Only for a one-request-at-a-time server."""
    global _installed
    if _installed:
        return
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    # The module's `copy` as the transaction sees it: tables pass through uncopied, anything else
    # (moto copies items elsewhere in that module) is copied as before.
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    tables_uncopied = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)
    original: Callable[..., None] = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _save_named_items(self, transact_items)
        models.copy = tables_uncopied  # type: ignore[attr-defined,assignment]
        try:
            original(self, transact_items)
        except Exception:
            _restore(saved)
            raise
        finally:
            models.copy = copy  # type: ignore[attr-defined]

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _installed = True


_Saved = tuple[list[tuple[Any, Any, Any, Any]], list[tuple[Any, int]]]


def _save_named_items(backend: Any, transact_items: list[dict[str, Any]]) -> _Saved:
    """A copy of each item the transaction names (None: absent) and each named table's stream length."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    items: list[tuple[Any, Any, Any, Any]] = []
    streams: dict[str, tuple[Any, int]] = {}
    for entry in transact_items:
        if len(entry) != 1:
            continue  # moto refuses it before writing anything
        ((operation, request),) = entry.items()
        table = backend.tables.get(request.get("TableName"))
        key = request.get("Item") if operation == "Put" else request.get("Key")
        if table is None or not isinstance(key, dict):
            continue  # moto refuses it before writing anything
        if table.hash_key_attr not in key or (table.range_key_attr and table.range_key_attr not in key):
            continue  # refused by validation: nothing of it is written
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        current = table.get_item(hash_value, range_value)
        items.append((table, hash_value, range_value, copy.deepcopy(current)))
        if table.stream_shard is not None and table.name not in streams:
            streams[table.name] = (table.stream_shard, len(table.stream_shard.items))
    return items, list(streams.values())


def _restore(saved: _Saved) -> None:
    items, streams = saved
    for table, hash_value, range_value, item in reversed(items):
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        elif item is None:
            table.items.get(hash_value, {}).pop(range_value, None)
        else:
            table.items[hash_value][range_value] = item
    for shard, length in streams:
        del shard.items[length:]  # records of writes that never happened
