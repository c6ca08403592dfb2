"""The Redis client signs in to ElastiCache with an IAM token: the shape AWS checks, and redis-py's use of it.

ElastiCache verifies the SigV4 signature itself; here a real redis-server with an ACL user whose password
is the token proves the client sends that user and token on every new connection, and the token's
fields are the ones ElastiCache's IAM authentication documents.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import redis

from cdk_app.local.redis_server import RedisServer
from shop.platform.redis_connection import (
    ElastiCacheIamCredentials,
    RedisNotConfiguredError,
    build_redis_client,
)
from shop.platform.settings import Settings

USER = "shop-test-functions"
CACHE = "shop-test-cache"


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_the_token_is_a_presigned_connect_request_for_the_cache_and_user(aws_credentials: None) -> None:
    user, token = ElastiCacheIamCredentials(user=USER, cache_name=CACHE).get_credentials()

    assert user == USER
    parts = urlsplit(f"https://{token}")
    assert parts.hostname == CACHE
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["Action"] == "connect"
    assert query["User"] == USER
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
    assert query["X-Amz-Credential"].endswith("/us-east-1/elasticache/aws4_request")
    assert query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Security-Token"] == "session"
    assert len(query["X-Amz-Signature"]) == 64


def test_a_token_is_reused_for_new_connections_within_its_reuse_window(aws_credentials: None) -> None:
    credentials = ElastiCacheIamCredentials(user=USER, cache_name=CACHE)
    assert credentials.get_credentials() == credentials.get_credentials()


def test_redis_py_authenticates_every_connection_with_the_user_and_token(
    redis_server: RedisServer, aws_credentials: None
) -> None:
    credentials = ElastiCacheIamCredentials(user=USER, cache_name=CACHE)
    _, token = credentials.get_credentials()
    admin = redis.Redis.from_url(redis_server.url)
    admin.execute_command("ACL", "SETUSER", USER, "reset", "on", f">{token}", "~*", "+@all")
    try:
        host, port = redis_server.url.removeprefix("redis://").split("/")[0].split(":")
        client = redis.Redis(host=host, port=int(port), credential_provider=credentials)
        assert client.acl_whoami() == USER

        # Another token (another signature) is refused, as ElastiCache refuses a forged one.
        admin.execute_command("ACL", "SETUSER", USER, "resetpass", ">another-token")
        fresh = redis.Redis(host=host, port=int(port), credential_provider=credentials)
        with pytest.raises(redis.AuthenticationError):
            fresh.ping()
    finally:
        admin.execute_command("ACL", "DELUSER", USER)


def test_a_host_without_user_or_cache_name_is_not_configured() -> None:
    with pytest.raises(RedisNotConfiguredError, match="REDIS_USER"):
        build_redis_client(Settings(stage="test", redis_host="cache.internal", redis_user=USER))


def test_a_host_with_user_and_cache_name_connects_over_tls_with_the_iam_provider() -> None:
    client = build_redis_client(
        Settings(stage="test", redis_host="cache.internal", redis_user=USER, redis_cache_name=CACHE)
    )
    kwargs = client.connection_pool.connection_kwargs
    assert kwargs["host"] == "cache.internal"
    assert isinstance(kwargs["credential_provider"], ElastiCacheIamCredentials)
    assert kwargs["credential_provider"].cache_name == CACHE
    assert client.connection_pool.connection_class is redis.SSLConnection
