"""Token verification as API Gateway's Cognito authorizer does it: signature, expiry, issuer, client, use."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cdk_app.local.cognito_tokens import CognitoTokenVerifier, InvalidTokenError, issuer_of

POOL = "us-east-1_pool"
CLIENT = "web-client"
ISSUER = issuer_of("us-east-1", POOL)


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks(signing_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    return {"keys": [{**public, "kid": "key-1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def verifier(jwks: dict[str, Any]) -> CognitoTokenVerifier:
    return CognitoTokenVerifier(
        issuer=ISSUER, client_ids={CLIENT}, jwks_url="unused", jwks_loader=lambda _url: jwks
    )


def token(key: rsa.RSAPrivateKey, *, kid: str = "key-1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
        "email": "a@example.com",
        "cognito:groups": ["admin"],
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_a_valid_id_token_gives_its_claims(
    verifier: CognitoTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    claims = verifier.verify(token(signing_key))
    assert (claims["sub"], claims["email"], claims["cognito:groups"]) == (
        "user-1",
        "a@example.com",
        ["admin"],
    )


def test_an_expired_token_is_refused(verifier: CognitoTokenVerifier, signing_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidTokenError):
        verifier.verify(token(signing_key, exp=int(time.time()) - 10))


def test_a_tampered_token_is_refused(verifier: CognitoTokenVerifier, signing_key: rsa.RSAPrivateKey) -> None:
    header, payload, signature = token(signing_key).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:groups"] = ["admin", "superuser"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidTokenError):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_a_token_signed_by_another_key_is_refused(verifier: CognitoTokenVerifier) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidTokenError):
        verifier.verify(token(stranger))
    with pytest.raises(InvalidTokenError):
        verifier.verify(token(stranger, kid="unknown-kid"))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"iss": issuer_of("us-east-1", "another-pool")},
        {"token_use": "access", "aud": None, "client_id": CLIENT},
        {"token_use": None},
    ],
    ids=["wrong client", "wrong pool", "access token without scopes", "no token_use"],
)
def test_tokens_for_someone_else_are_refused(
    verifier: CognitoTokenVerifier, signing_key: rsa.RSAPrivateKey, overrides: dict[str, Any]
) -> None:
    with pytest.raises(InvalidTokenError):
        verifier.verify(token(signing_key, **overrides))


def test_methods_with_scopes_take_access_tokens_that_carry_one(
    verifier: CognitoTokenVerifier, signing_key: rsa.RSAPrivateKey
) -> None:
    access = token(signing_key, token_use="access", aud=None, client_id=CLIENT, scope="shop/orders openid")
    assert verifier.verify(access, scopes=["shop/orders"])["client_id"] == CLIENT
    with pytest.raises(InvalidTokenError):
        verifier.verify(access, scopes=["shop/admin"])
    with pytest.raises(InvalidTokenError):
        verifier.verify(token(signing_key), scopes=["shop/orders"])


def test_garbage_is_refused(verifier: CognitoTokenVerifier) -> None:
    with pytest.raises(InvalidTokenError):
        verifier.verify("not-a-jwt")
