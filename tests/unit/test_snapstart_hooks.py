"""SnapStart's runtime hooks (shop.platform.snapstart): what a restore renews and what a snapshot primes.

A restore is simulated in-process: the state an init left behind (Redis connections, an IAM token, a
random state, caches with an age) is what Lambda's snapshot holds, and `after_restore` is what Lambda
runs on it in every environment it restores.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import redis
import snapshot_restore_py

from cdk_app.config import SNAP_START_READY
from cdk_app.local.redis_server import RedisServer
from shop.contracts import environment as env_vars
from shop.platform import runtime_flags, signing_keys, snapstart
from shop.platform.cache import shared_redis_outage
from shop.platform.process_state import reset_process_state
from shop.platform.redis_connection import ElastiCacheIamCredentials, shared_redis_client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.fail(
            "redis-server is not on PATH: these tests need a real Redis (apt-get install redis-server)"
        )
    with RedisServer().start() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(env_vars.STAGE, "test")
    for name in (env_vars.REDIS_URL, env_vars.REDIS_HOST, env_vars.REDIS_USER, env_vars.REDIS_CACHE_NAME):
        monkeypatch.delenv(name, raising=False)
    reset_process_state()
    yield
    reset_process_state()


def client_ids(server: RedisServer) -> set[int]:
    """The ids of the connections the server holds, other than the asking one."""
    with redis.Redis.from_url(server.url) as observer:
        own = observer.client_id()
        return {int(client["id"]) for client in observer.client_list() if int(client["id"]) != own}


def test_a_restore_closes_the_snapshots_redis_connections_and_opens_new_ones(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env_vars.REDIS_URL, redis_server.url)
    snapshot_client = shared_redis_client()
    assert snapshot_client.ping()
    snapshot_connection = snapshot_client.client_id()
    assert snapshot_connection in client_ids(redis_server)

    snapstart.after_restore()

    restored_client = shared_redis_client()
    assert restored_client is not snapshot_client
    assert restored_client.connection_pool is not snapshot_client.connection_pool
    restored_connection = restored_client.client_id()
    assert restored_connection != snapshot_connection
    # The snapshot's socket was closed rather than left to the server's timeout.
    assert client_ids(redis_server) == {restored_connection}


def test_a_restore_signs_a_new_iam_token_for_the_new_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    # ElastiCache's IAM token is a SigV4 presigned request, valid 15 minutes from its X-Amz-Date;
    # signing is local, so fake credentials are enough to see which one a connection would send.
    for name, value in {
        env_vars.REDIS_HOST: "cache.example.internal",
        env_vars.REDIS_USER: "shop-functions",
        env_vars.REDIS_CACHE_NAME: "prod-shop-cache",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    snapshot_credentials = shared_redis_client().connection_pool.connection_kwargs["credential_provider"]
    assert isinstance(snapshot_credentials, ElastiCacheIamCredentials)
    snapshot_token = snapshot_credentials.get_credentials()[1]

    snapstart.after_restore()

    restored_credentials = shared_redis_client().connection_pool.connection_kwargs["credential_provider"]
    assert isinstance(restored_credentials, ElastiCacheIamCredentials)
    assert restored_credentials is not snapshot_credentials
    assert snapshot_token  # the snapshot's connections had signed one
    # The new client holds no token yet: its first connection signs one, at restore time.
    assert restored_credentials._token == ""
    user, restored_token = restored_credentials.get_credentials()
    assert user == "shop-functions"
    assert restored_credentials._signed_at > snapshot_credentials._signed_at
    query = parse_qs(restored_token.split("?", 1)[1])
    assert query["Action"] == ["connect"]
    assert query["User"] == ["shop-functions"]


def test_every_restored_environment_draws_its_own_random_numbers() -> None:
    random.seed(20261206)  # whatever state init left: the snapshot holds exactly this one
    snapshot_state = random.getstate()
    without_hook = random.getrandbits(64)

    draws = []
    for _environment in range(2):
        random.setstate(snapshot_state)  # one more environment restored from the same snapshot
        snapstart.after_restore()
        draws.append(random.getrandbits(64))

    assert without_hook not in draws
    assert draws[0] != draws[1]


def test_a_restore_forgets_every_cache_with_an_age() -> None:
    # Their ages are time.monotonic() stamps, which do not advance while a snapshot waits to be used.
    signing_keys._cache["links"] = signing_keys._Read(b"k" * 32, at=0.0)
    runtime_flags._flags._flags = runtime_flags.RuntimeFlags(orders_inline=True)
    runtime_flags._flags._read_at = 0.0
    shared_redis_outage.trip()
    assert not shared_redis_outage.open  # Redis counted as down for the cool-down

    snapstart.after_restore()

    assert signing_keys._cache == {}
    assert runtime_flags._flags._read_at is None
    assert runtime_flags._flags._flags == runtime_flags.RuntimeFlags()
    assert shared_redis_outage.open


def test_the_hooks_are_registered_only_when_lambda_initializes_a_snapstart_version() -> None:
    before, after = snapshot_restore_py.get_before_snapshot(), snapshot_restore_py.get_after_restore()
    registered = (len(before), len(after))
    try:
        assert snapstart.register_hooks({"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}) is False
        assert snapstart.register_hooks({}) is False
        assert (len(before), len(after)) == registered

        assert snapstart.register_hooks({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}) is True
        assert before[-1][0] is snapstart.before_snapshot
        assert after[-1][0] is snapstart.after_restore
    finally:
        del before[registered[0] :], after[registered[1] :]
    # In the tests (and the local shop) the module registered nothing at import.
    assert snapstart.HOOKS_REGISTERED is False


@pytest.mark.parametrize("function", SNAP_START_READY)
def test_every_snapstart_ready_handler_imports_the_hooks(function: str) -> None:
    source = (ROOT / "lambdas" / function / "handler.py").read_text()
    assert "import shop.platform.snapstart" in source


def test_the_dependency_layer_leaves_the_hook_library_to_the_runtime() -> None:
    # A layer copy would shadow the managed runtime's own, whose registry the runtime reads.
    requirements = (ROOT / "lambdas" / "requirements.txt").read_text().lower()
    assert "snapshot-restore-py" not in requirements
    assert "snapshot_restore_py" not in requirements


def test_a_step_that_cannot_be_primed_is_logged_and_left_to_the_first_request(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No region: boto3 cannot build the DynamoDB resource (NoRegionError), as a first request could not.
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv(env_vars.TABLE_ENV_VARS["Cart"], "test-Cart")

    snapstart.before_snapshot()  # does not raise: publishing the version must not fail on priming

    records = {record.getMessage(): record for record in caplog.records}
    failed = records["snapstart: could not prime before the snapshot"]
    assert failed.step == "dynamodb"  # type: ignore[attr-defined]
    assert "NoRegionError" in failed.error  # type: ignore[attr-defined]
    summary = records["snapstart: primed before the snapshot"]
    assert "dynamodb" not in summary.primed  # type: ignore[attr-defined]


PRIME_SCRIPT = """
import json, sys
from shop.platform import dynamodb, snapstart
import boto3
loaded_before = {name: name in sys.modules for name in ("aws_xray_sdk.core", "redis")}
snapstart.before_snapshot()
loader = boto3.DEFAULT_SESSION._session.get_component("data_loader")
print(json.dumps({
    "loaded_before": loaded_before,
    "xray": "aws_xray_sdk.core" in sys.modules,
    "redis": "redis" in sys.modules,
    "dynamodb_resource_built": dynamodb.dynamodb_resource.cache_info().currsize,
    "models": sorted({key[1] for key in loader._cache if len(key) == 3 and key[0] == "list_api_versions"}),
}))
"""


def test_before_snapshot_loads_tracing_and_the_functions_aws_clients() -> None:
    # A fresh interpreter, as Lambda's init: nothing of the X-Ray SDK or boto3's models loaded yet.
    environ = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": f"{ROOT / 'lambdas'}",
        env_vars.STAGE: "test",
        env_vars.TABLE_ENV_VARS["Cart"]: "test-Cart",
        env_vars.QUEUE_ENV_VARS["order-processing"]: "https://sqs.us-east-1.amazonaws.com/1/q",
        # A cache host nobody listens on: priming imports the Redis library and must not connect.
        env_vars.REDIS_HOST: "192.0.2.1",
        # Powertools traces only inside Lambda: these make it decide as it would there.
        "LAMBDA_TASK_ROOT": str(ROOT / "lambdas"),
        "AWS_LAMBDA_FUNCTION_NAME": "cart_api",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret",
        "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRIME_SCRIPT], env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    primed = json.loads(result.stdout.strip().splitlines()[-1])

    assert primed["loaded_before"] == {"aws_xray_sdk.core": False, "redis": False}
    assert primed["xray"] is True
    assert primed["redis"] is True  # imported, not connected: 192.0.2.1 would time out the test
    assert primed["dynamodb_resource_built"] == 1
    assert {"dynamodb", "sqs"} <= set(primed["models"])
    assert "s3" not in primed["models"]  # no bucket in this function's settings: not primed
