"""The Redis client of this process, built from settings: a URL locally, TLS + IAM authentication in AWS."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import redis
from redis.backoff import NoBackoff
from redis.credentials import CredentialProvider
from redis.retry import Retry

from shop.platform.process_state import per_process
from shop.platform.settings import Settings, get_settings

# A cache that answers slower than this is treated as down: DynamoDB is the fallback, and a Lambda
# waiting on a dead socket for seconds would be worse than a miss.
CONNECT_TIMEOUT_SECONDS = 0.3
READ_TIMEOUT_SECONDS = 0.3
# ElastiCache accepts an IAM token for 15 minutes after it is signed; a new connection within the
# first 10 reuses it, so a burst of reconnects signs once.
TOKEN_VALID_SECONDS = 900
TOKEN_REUSE_SECONDS = 600


class RedisNotConfiguredError(RuntimeError):
    """No client could be built: neither REDIS_URL nor REDIS_HOST is set, or IAM auth is half configured.

    Callers treat it like an outage (counted and logged) rather than failing the request.
    """


class ElastiCacheIamCredentials(CredentialProvider):
    """The user name and a SigV4-presigned `connect` request as the password, per ElastiCache's IAM auth.

    Signing is local (the function role's credentials from its environment), so connecting needs no
    call to any AWS API and no VPC endpoint.
    """

    def __init__(self, *, user: str, cache_name: str, region: str | None = None) -> None:
        self.user = user
        self.cache_name = cache_name
        self.region = region
        self._token = ""
        self._signed_at = 0.0

    def get_credentials(self) -> tuple[str, str]:
        if not self._token or time.monotonic() - self._signed_at > TOKEN_REUSE_SECONDS:
            self._token = self.sign()
            self._signed_at = time.monotonic()
        return self.user, self._token

    def sign(self) -> str:
        import botocore.session
        from botocore.model import ServiceId
        from botocore.signers import RequestSigner

        session = botocore.session.get_session()
        region = self.region or session.get_config_variable("region")
        credentials = session.get_credentials()
        if credentials is None:
            raise RedisNotConfiguredError("no AWS credentials to sign the ElastiCache IAM token with")
        signer = RequestSigner(
            ServiceId("elasticache"),
            region,
            "elasticache",
            "v4",
            credentials,
            session.get_component("event_emitter"),
        )
        query = urlencode({"Action": "connect", "User": self.user})
        request = {
            "method": "GET",
            "url": f"https://{self.cache_name}/?{query}",
            "body": {},
            "headers": {},
            "context": {},
        }
        signed_url: str = signer.generate_presigned_url(
            request, operation_name="connect", expires_in=TOKEN_VALID_SECONDS, region_name=region
        )
        return signed_url.removeprefix("https://")


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
        if not (settings.redis_user and settings.redis_cache_name):
            raise RedisNotConfiguredError("REDIS_HOST needs REDIS_USER and REDIS_CACHE_NAME for IAM auth")
        credentials = ElastiCacheIamCredentials(
            user=settings.redis_user, cache_name=settings.redis_cache_name
        )
        return redis.Redis(
            host=settings.redis_host,
            port=settings.redis_port,
            ssl=True,
            credential_provider=credentials,
            **common,
        )
    raise RedisNotConfiguredError("set REDIS_URL or REDIS_HOST")


@per_process
def shared_redis_client() -> redis.Redis:
    """The process-wide client (connections are pooled and reused across invocations)."""
    return build_redis_client(get_settings())


def forget_shared_client() -> None:
    """Close the process-wide client's connections and drop the client, so the next use builds a new one.

    For a process restored from a SnapStart snapshot: the snapshot's sockets are dead (the server
    never saw the restore), and its IAM token was signed at snapshot time and may be long expired.
    The new client opens new connections and signs a new token for them. Building none is fine.
    """
    if shared_redis_client.cache_info().currsize:  # type: ignore[attr-defined]
        shared_redis_client().connection_pool.disconnect()
    shared_redis_client.cache_clear()  # type: ignore[attr-defined]
