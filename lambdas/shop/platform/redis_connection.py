"""The Redis client of this process, built from settings: a URL locally, TLS + AUTH token in AWS."""

from __future__ import annotations

import json
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from shop.platform.process_state import per_process
from shop.platform.settings import Settings, get_settings

# A cache that answers slower than this is treated as down: DynamoDB is the fallback, and a Lambda
# waiting on a dead socket for seconds would be worse than a miss.
CONNECT_TIMEOUT_SECONDS = 0.3
READ_TIMEOUT_SECONDS = 0.3


class RedisNotConfiguredError(RuntimeError):
    """No client could be built: neither REDIS_URL nor REDIS_HOST is set, or the AUTH token is unreadable.

    Callers treat it like an outage (counted and logged) rather than failing the request.
    """


@per_process
def _secrets_manager() -> Any:
    import boto3

    return boto3.client("secretsmanager")


@per_process
def redis_auth_token(secret_arn: str) -> str:
    """The AUTH token stored in Secrets Manager, read once per process (a plain string or JSON)."""
    secret: str = _secrets_manager().get_secret_value(SecretId=secret_arn)["SecretString"]
    try:
        document = json.loads(secret)
    except json.JSONDecodeError:
        return secret
    if isinstance(document, dict):
        for key in ("password", "token", "authToken", "auth_token"):
            if isinstance(document.get(key), str):
                return str(document[key])
    return secret


def _auth_token_or_raise(secret_arn: str) -> str:
    try:
        return redis_auth_token(secret_arn)
    except Exception as error:  # any Secrets Manager failure means "no cache", never a failed request
        raise RedisNotConfiguredError(f"cannot read the Redis AUTH token: {error!r}") from error


def build_redis_client(settings: Settings) -> redis.Redis:
    """A client with short timeouts; raises RedisNotConfiguredError when the function has no Redis."""
    common: dict[str, Any] = {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": READ_TIMEOUT_SECONDS,
        # redis-py retries three times by default; against a dead cache that triples the wait.
        "retry": Retry(NoBackoff(), 0),
        "health_check_interval": 30,
    }
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, **common)
    if settings.redis_host:
        password = (
            _auth_token_or_raise(settings.redis_auth_secret_arn) if settings.redis_auth_secret_arn else None
        )
        return redis.Redis(
            host=settings.redis_host, port=settings.redis_port, ssl=True, password=password, **common
        )
    raise RedisNotConfiguredError("set REDIS_URL or REDIS_HOST")


@per_process
def shared_redis_client() -> redis.Redis:
    """The process-wide client (connections are pooled and reused across invocations)."""
    return build_redis_client(get_settings())
