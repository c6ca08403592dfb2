"""Verify Cognito user pool tokens as API Gateway's COGNITO_USER_POOLS authorizer does.

moto signs id and access tokens with one fixed RSA key (kid `dummy`) and serves the public half at
`<endpoint>/<user_pool_id>/.well-known/jwks.json`, so the signature check is real: a tampered, expired
or foreign token is refused here exactly as in AWS.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

import jwt

Jwks = Mapping[str, Any]


class InvalidTokenError(Exception):
    """The token is missing, malformed, badly signed, expired, or was issued to someone else."""


class TokenVerifier(Protocol):
    def verify(self, token: str, *, scopes: Collection[str] = ()) -> dict[str, Any]:
        """The token's claims; raises InvalidTokenError when the authorizer would answer 401."""
        ...


def fetch_jwks(url: str) -> Jwks:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own endpoint
        jwks: Jwks = json.loads(response.read())
        return jwks


class CognitoTokenVerifier:
    """Checks signature (JWKS), expiry, issuer (the pool), audience/client and `token_use`.

    Like API Gateway: a method without authorization scopes takes an id token; one with scopes takes an
    access token carrying at least one of them.
    """

    def __init__(
        self,
        *,
        issuer: str,
        client_ids: Collection[str],
        jwks_url: str,
        jwks_loader: Callable[[str], Jwks] = fetch_jwks,
        leeway_seconds: int = 0,
    ) -> None:
        self._issuer = issuer
        self._client_ids = frozenset(client_ids)
        self._jwks_url = jwks_url
        self._load = jwks_loader
        self._leeway = leeway_seconds
        self._keys: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys:
                # Unknown kid: reload once, as the key set may have rotated.
                key_set = jwt.PyJWKSet.from_dict(dict(self._load(self._jwks_url)))
                self._keys = {key.key_id: key.key for key in key_set.keys if key.key_id}
            if kid not in self._keys:
                raise InvalidTokenError(f"no key {kid} in the pool's JWKS")
            return self._keys[kid]

    def verify(self, token: str, *, scopes: Collection[str] = ()) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(str(header.get("kid", ""))),
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "token_use"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        kind = claims.get("token_use")
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if kind != "access" or not granted.intersection(scopes):
                raise InvalidTokenError("an access token with one of the method's scopes is required")
            client = claims.get("client_id")
        else:
            if kind != "id":
                raise InvalidTokenError("an id token is required")
            client = claims.get("aud")
        if client not in self._client_ids:
            raise InvalidTokenError("token issued to another app client")
        return claims


def issuer_of(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def moto_jwks_url(endpoint_url: str, user_pool_id: str) -> str:
    return f"{endpoint_url.rstrip('/')}/{user_pool_id}/.well-known/jwks.json"
