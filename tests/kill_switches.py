"""Flip the kill switches the way docs/runbooks.md ("Kill switches") tells an operator to.

One `update-item` on the RuntimeFlags table's one item: the named switches are set, the others keep
their value, and the item is created by the first flip. The low-level client makes the same call to
moto in-process (integration tests) and to the local shop's moto server (browser tests, benchmarks).
"""

from __future__ import annotations

from typing import Any

from shop.contracts.tables import RUNTIME_FLAG_SET, RUNTIME_FLAGS
from shop.platform.runtime_flags import RuntimeFlags


def set_runtime_flags(dynamodb: Any, table_name: str, **switches: bool) -> dict[str, bool]:
    """Set these switches; returns every switch the item held before (an empty dict if none), so a
    test can put them back. The functions see the change within runtime_flags.CACHE_SECONDS."""
    unknown = set(switches) - set(RuntimeFlags.model_fields)
    assert not unknown, f"no such kill switch: {sorted(unknown)}"
    assert switches, "name at least one switch"
    names = {f"#{name}": name for name in switches}
    values = {f":{name}": {"BOOL": on} for name, on in switches.items()}
    before = dynamodb.update_item(
        TableName=table_name,
        Key={RUNTIME_FLAGS.partition_key.name: {"S": RUNTIME_FLAG_SET}},
        UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in switches),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_OLD",
    ).get("Attributes", {})
    return {
        name: value["BOOL"]
        for name, value in before.items()
        if name in RuntimeFlags.model_fields and "BOOL" in value
    }
