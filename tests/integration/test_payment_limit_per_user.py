"""The payment limit (10/min) counts per signed-in shopper: payment_api verifies the ID token the page
sends on its public routes (moto's Cognito signs it), so one shopper's orders share one count."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
from moto.utilities.utils import load_resource

from shop.contracts import environment
from shop.platform import cognito_tokens
from shop.platform.process_state import reset_process_state
from tests.integration.conftest import LambdaContext
from tests.integration.events import api_event
from tests.integration.order_events import OrderWorld, Reply, new_product, place
from tests.integration.payment_events import call_payment_api, guest_order, payment_world_in

REGION = "us-east-1"
PASSWORD = "Correct-Horse-42!"
CONFIRM = "/payment/stripe/confirm"


class Pool:
    """A moto user pool with the web client, as the Auth stack makes it; tokens from real sign-ins."""

    def __init__(self) -> None:
        self.cognito = boto3.client("cognito-idp", region_name=REGION)
        self.pool_id = self.cognito.create_user_pool(PoolName="shop-users", UsernameAttributes=["email"])[
            "UserPool"
        ]["Id"]
        self.client_id = self.client("shop-web")

    def client(self, name: str) -> str:
        client_id: str = self.cognito.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName=name, ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        return client_id

    def shopper(self, email: str) -> str:
        """Sign up and confirm; the shopper's sub."""
        sub: str = self.cognito.sign_up(
            ClientId=self.client_id,
            Username=email,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )["UserSub"]
        self.cognito.admin_confirm_sign_up(UserPoolId=self.pool_id, Username=email)
        return sub

    def tokens(self, email: str, client_id: str | None = None) -> dict[str, str]:
        result: dict[str, str] = self.cognito.initiate_auth(
            ClientId=client_id or self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return result


@pytest.fixture
def world(
    shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, lambda_context: LambdaContext
) -> Iterator[OrderWorld]:
    yield from payment_world_in(monkeypatch, lambda_context)


@pytest.fixture
def pool(world: OrderWorld, monkeypatch: pytest.MonkeyPatch) -> Pool:
    """The pool payment_api is configured with; its JWKS read from moto's published key file (moto
    serves it over HTTP only, and in process nothing listens)."""
    pool = Pool()
    monkeypatch.setenv(environment.USER_POOL_ID, pool.pool_id)
    monkeypatch.setenv(environment.USER_POOL_CLIENT_ID, pool.client_id)
    monkeypatch.setenv("AWS_REGION", REGION)
    expected_url = f"https://cognito-idp.{REGION}.amazonaws.com/{pool.pool_id}/.well-known/jwks.json"

    def moto_jwks(url: str) -> Any:
        assert url == expected_url
        return load_resource("cognitoidp/resources/jwks-public.json")

    monkeypatch.setattr(cognito_tokens, "fetch_jwks", moto_jwks)
    reset_process_state()
    return pool


def confirm(order_id: str, token: str | None = None, **body: str) -> Reply:
    headers = {"Authorization": token} if token else None
    payload = {"order_id": order_id, "payment_id": "pi_3QfA2bLkdIwHu7ix0x5Ze9Qm", **body}
    return call_payment_api(api_event("POST", CONFIRM, body=payload, headers=headers))


def shoppers_order(sub: str) -> str:
    order_id: str = place(new_product(price=1500), 1, user_id=sub).body["order_id"]
    return order_id


def test_the_eleventh_payment_call_of_one_shopper_in_a_minute_is_429_across_two_orders(pool: Pool) -> None:
    sub = pool.shopper("alice@example.com")
    token = pool.tokens("alice@example.com")["IdToken"]
    first, second = shoppers_order(sub), shoppers_order(sub)
    for order_id in (first, second) * 5:
        # Their own orders open with the token alone: no access token in the body.
        assert confirm(order_id, token).status == 202
    refused = confirm(second, token)
    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_two_shoppers_are_counted_apart(pool: Pool) -> None:
    alice, bob = pool.shopper("alice@example.com"), pool.shopper("bob@example.com")
    alice_token = pool.tokens("alice@example.com")["IdToken"]
    bob_token = pool.tokens("bob@example.com")["IdToken"]
    alice_order, bob_order = shoppers_order(alice), shoppers_order(bob)
    for _ in range(10):
        assert confirm(alice_order, alice_token).status == 202
    assert confirm(alice_order, alice_token).status == 429
    assert confirm(bob_order, bob_token).status == 202


def test_a_guest_is_still_counted_per_order(pool: Pool) -> None:
    (first, first_token), (second, second_token) = guest_order(), guest_order()
    for _ in range(10):
        assert confirm(first, access_token=first_token).status == 202
    assert confirm(first, access_token=first_token).status == 429
    assert confirm(second, access_token=second_token).status == 202


def test_a_signed_in_shopper_cannot_pay_another_shoppers_order(pool: Pool) -> None:
    alice = pool.shopper("alice@example.com")
    pool.shopper("mallory@example.com")
    mallory_token = pool.tokens("mallory@example.com")["IdToken"]
    reply = confirm(shoppers_order(alice), mallory_token)
    # The same 404 as for an order that does not exist: order ids cannot be probed.
    assert reply.status == 404
    assert reply.body["field"] == "order_id"


def _payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def _resigned(token: str, **changes: Any) -> str:
    """The token with `changes`, signed again with the pool's own key (moto's published private JWK)."""
    private = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256").key
    return jwt.encode({**_payload(token), **changes}, private, algorithm="RS256", headers={"kid": "dummy"})


def test_a_bad_token_is_401_and_never_a_guest(pool: Pool) -> None:
    sub = pool.shopper("alice@example.com")
    tokens = pool.tokens("alice@example.com")
    token = tokens["IdToken"]
    order_id = shoppers_order(sub)
    header, _claims_part, signature = token.split(".")
    claims = _payload(token)
    tampered = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "someone-else"}).encode()).decode()
    other_client = pool.client("another-app")
    bad_tokens = {
        "tampered": f"{header}.{tampered.rstrip('=')}.{signature}",
        "expired": _resigned(token, exp=int(time.time()) - 60, iat=int(time.time()) - 3700),
        "another pool": _resigned(token, iss=f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_other"),
        "another client": pool.tokens("alice@example.com", other_client)["IdToken"],
        "an access token": tokens["AccessToken"],
        "not a token": "let-me-in",
    }
    for problem, bad in bad_tokens.items():
        reply = confirm(order_id, bad)
        assert reply.status == 401, problem
        assert reply.body["error"] == "unauthorized", problem
        assert "sign" in reply.body["message"], problem
    assert "expired" in confirm(order_id, bad_tokens["expired"]).body["message"]
    # A bad token with a guest's access token is still refused: it is not quietly taken as a guest.
    guest_id, guest_token = guest_order()
    assert confirm(guest_id, bad_tokens["tampered"], access_token=guest_token).status == 401
    assert confirm(order_id, f"Bearer {token}").status == 202
