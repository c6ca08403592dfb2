"""Cognito end to end under moto: sign-up, confirm, sign-in, and the token through the local gateway.

The web site calls Cognito's public API itself (docs/accounts.md); the shop's part is that the ID
token it gets is verified like API Gateway's Cognito authorizer does (the local runner's verifier) and
that the verified claims reach account_api. moto signs every pool's tokens with one published key, so
a token from another pool has a valid signature and only the issuer and audience checks refuse it.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import jwt
import pytest
from moto.utilities.utils import load_resource

from cdk_app.local.api_gateway import ApiGateway, HttpRequest, HttpResponse
from cdk_app.local.cognito_tokens import CognitoTokenVerifier, InvalidTokenError, issuer_of
from cdk_app.local.intrinsics import ResourceAddress
from cdk_app.local.template_model import RouteModel
from tests.integration.conftest import LambdaContext

REGION = "us-east-1"
PASSWORD = "Correct-Horse-42!"
ACCOUNT_API = ResourceAddress("Api", "accountapiFunction")


class Pool:
    """A user pool set up as the Auth stack's: email sign-in, the web client's flows, an admin group."""

    def __init__(self, name: str) -> None:
        self.cognito = boto3.client("cognito-idp", region_name=REGION)
        self.pool_id = self.cognito.create_user_pool(PoolName=name, UsernameAttributes=["email"])["UserPool"][
            "Id"
        ]
        self.client_id = self.cognito.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName="shop-web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        self.cognito.create_group(UserPoolId=self.pool_id, GroupName="admin")

    def sign_up(self, email: str) -> str:
        """What the web site does: SignUp, then the code from the email (admin-confirmed: moto sends none)."""
        sub = self.cognito.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )["UserSub"]
        self.cognito.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)
        return str(sub)

    def sign_in(self, email: str) -> dict[str, Any]:
        result: dict[str, Any] = self.cognito.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return result

    def verifier(self) -> CognitoTokenVerifier:
        return CognitoTokenVerifier(
            issuer=issuer_of(REGION, self.pool_id),
            client_ids={self.client_id},
            jwks_url=f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}/.well-known/jwks.json",
            # moto serves its JWKS over its own HTTP endpoint only; in process, read the same file.
            jwks_loader=lambda _url: load_resource("cognitoidp/resources/jwks-public.json"),
        )


@pytest.fixture
def pool(shop_env: dict[str, str]) -> Pool:
    return Pool("test-shop-users")


@pytest.fixture
def gateway(pool: Pool, lambda_context: LambdaContext) -> ApiGateway:
    """The local runner's API Gateway with account_api's routes behind the Cognito authorizer."""
    from account_api.handler import handler

    routes = [
        RouteModel(method="GET", path="/me", function=ACCOUNT_API, authorization_type="COGNITO_USER_POOLS"),
        RouteModel(
            method="GET",
            path="/admin/audit-log",
            function=ACCOUNT_API,
            authorization_type="COGNITO_USER_POOLS",
        ),
    ]
    return ApiGateway(
        routes, lambda _address, event: handler(event, lambda_context), stage="v1", verifier=pool.verifier()
    )


def call(gateway: ApiGateway, path: str, token: str | None) -> HttpResponse:
    headers = [("Authorization", token)] if token else []
    return gateway.handle(HttpRequest(method="GET", path=path, headers=headers))


def body(response: HttpResponse) -> Any:
    return json.loads(response.body)


def test_a_new_shoppers_id_token_verifies_and_its_claims_reach_get_me(
    pool: Pool, gateway: ApiGateway
) -> None:
    sub = pool.sign_up("grace@example.com")
    tokens = pool.sign_in("grace@example.com")

    claims = pool.verifier().verify(tokens["IdToken"])
    assert (claims["sub"], claims["email"], claims["token_use"]) == (sub, "grace@example.com", "id")

    response = call(gateway, "/me", tokens["IdToken"])
    assert response.status == 200, response.body
    assert (body(response)["user_id"], body(response)["email"]) == (sub, "grace@example.com")
    # The refresh token is Cognito's business too: it yields a new ID token the gateway accepts.
    refreshed = pool.cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert call(gateway, "/me", refreshed["IdToken"]).status == 200


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def _resigned(token: str, **changes: Any) -> str:
    """The token with `changes`, signed again with the pool's own key (moto's published private JWK)."""
    private = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256").key
    return jwt.encode({**_payload(token), **changes}, private, algorithm="RS256", headers={"kid": "dummy"})


def test_expired_tampered_and_foreign_tokens_are_401(pool: Pool, gateway: ApiGateway) -> None:
    pool.sign_up("mallory@example.com")
    token = pool.sign_in("mallory@example.com")["IdToken"]
    assert call(gateway, "/me", token).status == 200  # the genuine token works

    # Re-signing alone keeps a token valid, so the expired one below is refused for its expiry only.
    assert pool.verifier().verify(_resigned(token))["email"] == "mallory@example.com"
    expired = _resigned(token, exp=int(time.time()) - 5)
    header, _payload_part, signature = token.split(".")
    promoted = {**_payload(token), "cognito:groups": ["admin"]}
    forged_payload = base64.urlsafe_b64encode(json.dumps(promoted).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged_payload}.{signature}"
    other = Pool("another-shop-users")
    other.sign_up("mallory@example.com")
    foreign = other.sign_in("mallory@example.com")["IdToken"]
    access = pool.sign_in("mallory@example.com")["AccessToken"]  # an access token is not an ID token

    for name, bad in (
        ("expired", expired),
        ("tampered", tampered),
        ("other pool", foreign),
        ("access", access),
    ):
        with pytest.raises(InvalidTokenError):
            pool.verifier().verify(bad)
        response = call(gateway, "/me", bad)
        assert response.status == 401, name
        assert body(response) == {"message": "Unauthorized"}, name
    assert call(gateway, "/me", None).status == 401


def test_admin_routes_need_the_admin_group(pool: Pool, gateway: ApiGateway) -> None:
    pool.sign_up("shopper@example.com")
    pool.sign_up("boss@example.com")
    pool.cognito.admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username="boss@example.com", GroupName="admin"
    )

    shopper = call(gateway, "/admin/audit-log", pool.sign_in("shopper@example.com")["IdToken"])
    boss_token = pool.sign_in("boss@example.com")["IdToken"]
    boss = call(gateway, "/admin/audit-log", boss_token)

    assert shopper.status == 403
    assert body(shopper)["error"] == "forbidden"
    assert pool.verifier().verify(boss_token)["cognito:groups"] == ["admin"]
    assert boss.status == 200, boss.body
    assert body(boss) == {"entries": [], "next_cursor": None}
