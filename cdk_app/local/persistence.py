"""`--persist DIR`: keep the shop's data between runs.

moto keeps everything in memory and has no snapshot API, so on stop the runner exports what matters and
on start replays it into the fresh resources:
- DynamoDB items, table by table (`DIR/dynamodb/<table>.jsonl`, typed attribute values);
- S3 objects (`DIR/s3/<bucket>/<key>` plus `DIR/s3/<bucket>.json` with content types);
- Cognito users with their `sub`, password, attributes, status and groups (`DIR/cognito.json`). The API
  cannot set a `sub` or read a password, so this part reads and writes moto's in-process backend: it
  works only when this process started moto, and relies on moto 5's internals (pinned in requirements).
User pool and client ids stay the same across runs because the runner asks moto for hash-derived ids.
Not kept: queue messages (the pumps drain them) and Redis when it is fakeredis (a cache; it warms up).
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

from cdk_app.local.aws_services import LocalAws
from cdk_app.local.template_model import ShopModel

logger = logging.getLogger(__name__)


def save_state(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _save_tables(model, aws, directory / "dynamodb")
    _save_buckets(model, aws, directory / "s3")
    if aws.owns_server:
        _save_users(model, aws, directory / "cognito.json")


def restore_state(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    if not directory.exists():
        return
    _restore_tables(model, aws, directory / "dynamodb")
    _restore_buckets(model, aws, directory / "s3")
    if aws.owns_server:
        _restore_users(model, aws, directory / "cognito.json")


def _save_tables(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    paginator = aws.client("dynamodb").get_paginator("scan")
    for table in model.tables:
        target = directory / f"{table.name}.jsonl"
        partial = target.with_suffix(".partial")
        with partial.open("w") as out:
            for page in paginator.paginate(TableName=table.name):
                for item in page.get("Items", []):
                    out.write(json.dumps(item, default=_bytes_as_base64) + "\n")
        partial.replace(target)  # a save that fails half-way leaves the previous copy intact


def _bytes_as_base64(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    raise TypeError(f"cannot store {type(value).__name__}")


def _restore_binary(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__b64__"}:
            return base64.b64decode(value["__b64__"])
        return {key: _restore_binary(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore_binary(item) for item in value]
    return value


def _restore_tables(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    dynamodb = aws.client("dynamodb")
    for table in model.tables:
        path = directory / f"{table.name}.jsonl"
        if not path.exists():
            continue
        items = [_restore_binary(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            pending: dict[str, Any] = {table.name: requests}
            while pending:
                pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        logger.info("local runner: restored %d items into %s", len(items), table.name)


def _save_buckets(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    s3 = aws.client("s3")
    for bucket in model.buckets:
        content_types: dict[str, str] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket.name):
            for entry in page.get("Contents", []):
                key = entry["Key"]
                target = (directory / bucket.name / key).resolve()
                if not target.is_relative_to((directory / bucket.name).resolve()):
                    continue  # a key like ../../x must not write outside DIR
                obj = s3.get_object(Bucket=bucket.name, Key=key)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(obj["Body"].read())
                content_types[key] = obj.get("ContentType", "binary/octet-stream")
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{bucket.name}.json").write_text(json.dumps(content_types, indent=1))


def _restore_buckets(model: ShopModel, aws: LocalAws, directory: Path) -> None:
    s3 = aws.client("s3")
    for bucket in model.buckets:
        manifest = directory / f"{bucket.name}.json"
        if not manifest.exists():
            continue
        for key, content_type in json.loads(manifest.read_text()).items():
            source = directory / bucket.name / key
            if source.is_file():
                s3.put_object(Bucket=bucket.name, Key=key, Body=source.read_bytes(), ContentType=content_type)


def _pool_backend(aws: LocalAws) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    account = aws.client("sts").get_caller_identity()["Account"]
    return cognitoidp_backends[account][aws.region]


def _save_users(model: ShopModel, aws: LocalAws, path: Path) -> None:
    backend = _pool_backend(aws)
    pools: dict[str, list[dict[str, Any]]] = {}
    for pool in model.user_pools:
        pool_id = model.resources.values[pool.address].ref
        moto_pool = backend.user_pools.get(pool_id)
        if moto_pool is None:
            continue
        pools[pool.name] = [
            {
                "username": user.username,
                "sub": user.id,
                "password": user.password,
                "status": user.status,
                "enabled": user.enabled,
                "attributes": user.attributes,
                "groups": sorted(group.group_name for group in user.groups),
            }
            for user in moto_pool.users.values()
        ]
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(pools, indent=1))
    partial.replace(path)


def _restore_users(model: ShopModel, aws: LocalAws, path: Path) -> None:
    if not path.exists():
        return
    from moto.cognitoidp.models import CognitoIdpUser

    saved = json.loads(path.read_text())
    backend = _pool_backend(aws)
    for pool in model.user_pools:
        pool_id = model.resources.values[pool.address].ref
        moto_pool = backend.user_pools[pool_id]
        for record in saved.get(pool.name, []):
            user = CognitoIdpUser(pool_id, record["username"], record["password"], record["status"], [])
            user.id = record["sub"]
            user.enabled = record["enabled"]
            user.update_attributes(record["attributes"])
            moto_pool.users[user.username] = user
            for group_name in record["groups"]:
                group = moto_pool.groups.get(group_name)
                if group is not None:
                    group.users.add(user)
                    user.groups.add(group)
        logger.info("local runner: restored %d users into %s", len(saved.get(pool.name, [])), pool.name)
