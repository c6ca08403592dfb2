"""A shopper's Cognito ID token verified in the function itself, for public routes that still want to
know who is calling (the payment routes: guests pay too, so API Gateway has no authorizer on them).

The checks are those of API Gateway's Cognito authorizer on a route without scopes: an RS256 signature
by one of the pool's published keys (JWKS), not expired, issued by this pool, to the web client, and an
ID token (`token_use` = id). A token that fails any of them is refused (401), never taken as a guest:
a shopper who sent one meant to be signed in. The keys are fetched once per process (again only for a
key id not seen yet: Cognito rotates them rarely); from the local runner's moto through
AWS_ENDPOINT_URL, as boto3 would.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from shop.platform.errors import ServiceUnavailable, Unauthorized
from shop.platform.observability import logger
from shop.platform.process_state import per_process
from shop.platform.settings import MissingSetting, get_settings

Jwks = Mapping[str, Any]

JWKS_TIMEOUT_SECONDS = 3.0
# boto3's own endpoint overrides, most specific first: the local runner sets AWS_ENDPOINT_URL (moto).
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_COGNITO_IDP", "AWS_ENDPOINT_URL")
# The key set cannot be read: the caller may retry soon.
JWKS_RETRY_AFTER_SECONDS = 5
# Clock skew between Cognito and the function that is not the shopper's fault.
LEEWAY_SECONDS = 5


def fetch_jwks(url: str) -> Jwks:
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310 - fixed AWS URL
        keys: Jwks = json.loads(response.read())
        return keys


def issuer_of(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_url_of(issuer: str, user_pool_id: str, environment: Mapping[str, str]) -> str:
    """The pool's JWKS: under the issuer in AWS, under the overriding endpoint where one is set."""
    for variable in ENDPOINT_VARIABLES:
        endpoint = environment.get(variable)
        if endpoint:
            return f"{endpoint.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
    return f"{issuer}/.well-known/jwks.json"


class IdTokenVerifier:
    """Verifies ID tokens of one pool and app client; `claims` is the only entry point."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        load_jwks: Callable[[str], Jwks] = fetch_jwks,
    ) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.jwks_url = jwks_url
        self._load_jwks = load_jwks
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _key(self, key_id: str) -> Any:
        import jwt

        with self._lock:
            if key_id not in self._keys:
                try:
                    key_set = jwt.PyJWKSet.from_dict(dict(self._load_jwks(self.jwks_url)))
                except (OSError, ValueError, jwt.PyJWTError) as error:
                    logger.error(
                        "the user pool's keys cannot be read",
                        extra={"jwks_url": self.jwks_url, "error": repr(error)},
                    )
                    raise ServiceUnavailable(
                        "sign-in cannot be checked right now; try again shortly",
                        retry_after_seconds=JWKS_RETRY_AFTER_SECONDS,
                    ) from None
                self._keys = {key.key_id: key.key for key in key_set.keys if key.key_id}
            if key_id not in self._keys:
                raise Unauthorized("the sign-in token was not issued by this shop; sign in again")
            return self._keys[key_id]

    def claims(self, token: str) -> dict[str, Any]:
        """The token's claims; Unauthorized naming what is wrong with it."""
        # PyJWT (and cryptography's RSA with it) is imported by the first token checked: most requests
        # of the public routes that call this carry none, and a cold start need not load it for them.
        import jwt

        try:
            key_id = str(jwt.get_unverified_header(token).get("kid", ""))
        except jwt.PyJWTError:
            raise Unauthorized("the sign-in token is not a token; sign in again") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(key_id),
                algorithms=["RS256"],
                issuer=self.issuer,
                audience=self.client_id,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the sign-in token has expired; sign in again") from None
        except jwt.PyJWTError as error:
            logger.info("sign-in token refused", extra={"reason": str(error)})
            raise Unauthorized("the sign-in token is not valid; sign in again") from None
        if claims.get("token_use") != "id":
            raise Unauthorized("send the ID token of the sign-in, not another token")
        return claims


@per_process
def id_token_verifier() -> IdTokenVerifier:
    """The verifier of this function's pool and web client (USER_POOL_ID, USER_POOL_CLIENT_ID)."""
    settings = get_settings()
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not (settings.user_pool_id and settings.user_pool_client_id and region):
        raise MissingSetting("USER_POOL_ID, USER_POOL_CLIENT_ID and AWS_REGION verify sign-in tokens")
    issuer = issuer_of(region, settings.user_pool_id)
    return IdTokenVerifier(
        issuer=issuer,
        client_id=settings.user_pool_client_id,
        jwks_url=jwks_url_of(issuer, settings.user_pool_id, os.environ),
        load_jwks=fetch_jwks,
    )
