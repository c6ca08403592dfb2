"""Admin MFA in the local shop: its Cognito runs the pool's pre token generation trigger from the
templates, as in AWS, so the seeded admin signs in with an authenticator code and an admin without
one gets tokens the admin routes refuse."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import jwt
import pytest
import requests

from cdk_app.local.runner import LocalShop
from cdk_app.local.sample_catalog import ADMIN_EMAIL, LOCAL_PASSWORD, SHOPPER_EMAIL
from cdk_app.local.seed import admin_otpauth_uri, admin_totp_secret, sign_in
from cdk_app.local.totp import fresh_totp_code, totp_code

ADMIN_API_KEY_SUFFIX = "-admin"


@pytest.fixture(scope="module")
def shop(seeded_shop: LocalShop) -> LocalShop:
    return seeded_shop


def _cognito(shop: LocalShop) -> Any:
    assert shop.aws is not None
    return shop.aws.client("cognito-idp")


def _pool_and_client(shop: LocalShop) -> tuple[str, str]:
    config = shop.web_config("http://unused")
    return str(config["userPoolId"]), str(config["userPoolClientId"])


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _audit_log(shop: LocalShop, id_token: str) -> int:
    assert shop.server is not None
    key = next(value for name, value in shop.api_keys.items() if name.endswith(ADMIN_API_KEY_SUFFIX))
    response = requests.get(
        f"{shop.server.url}/api/admin/audit-log",
        headers={"Authorization": id_token, "X-Api-Key": key},
        timeout=30,
    )
    return response.status_code


def _password_step(shop: LocalShop, email: str) -> dict[str, Any]:
    _, client_id = _pool_and_client(shop)
    answer: dict[str, Any] = _cognito(shop).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": LOCAL_PASSWORD},
    )
    return answer


def test_the_seeded_admin_needs_the_code_and_a_wrong_one_is_refused(shop: LocalShop) -> None:
    secret = admin_totp_secret(shop)
    assert secret
    uri = str(admin_otpauth_uri(shop))
    assert uri.startswith(f"otpauth://totp/Shop%20%28local%29%3A{quote(ADMIN_EMAIL)}?")
    assert f"secret={secret}" in uri
    challenge = _password_step(shop, ADMIN_EMAIL)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    _, client_id = _pool_and_client(shop)
    wrong = str((int(fresh_totp_code(secret)) + 1) % 1_000_000).zfill(6)
    with pytest.raises(_cognito(shop).exceptions.CodeMismatchException):
        _cognito(shop).respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": ADMIN_EMAIL, "SOFTWARE_TOKEN_MFA_CODE": wrong},
        )
    tokens = _cognito(shop).respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": ADMIN_EMAIL, "SOFTWARE_TOKEN_MFA_CODE": totp_code(secret)},
    )["AuthenticationResult"]
    assert _claims(tokens["IdToken"])["cognito:groups"] == ["admin"]
    assert _claims(tokens["AccessToken"])["cognito:groups"] == ["admin"]
    assert _audit_log(shop, tokens["IdToken"]) == 200


def test_an_admin_without_an_authenticator_app_gets_no_admin_group(shop: LocalShop) -> None:
    pool_id, _ = _pool_and_client(shop)
    email = "new-admin@example.com"
    cognito = _cognito(shop)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=LOCAL_PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="admin")

    tokens = _password_step(shop, email)["AuthenticationResult"]  # no code asked: no TOTP yet

    id_claims = _claims(tokens["IdToken"])
    assert "cognito:groups" not in id_claims
    assert "cognito:groups" not in _claims(tokens["AccessToken"])
    assert id_claims["shop_admin_mfa"] == "setup_required"  # what admin-guard.js explains
    assert _audit_log(shop, tokens["IdToken"]) == 403


def test_refreshed_tokens_go_through_the_trigger_too(shop: LocalShop) -> None:
    tokens = sign_in(shop, ADMIN_EMAIL, LOCAL_PASSWORD)
    pool_id, client_id = _pool_and_client(shop)
    cognito = _cognito(shop)
    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert _claims(refreshed["IdToken"])["cognito:groups"] == ["admin"]

    # An admin who turns TOTP off loses the group at the next refresh, not only at the next sign-in.
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username=ADMIN_EMAIL,
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
    )
    try:
        after = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]
        assert "cognito:groups" not in _claims(after["IdToken"])
    finally:
        from cdk_app.local.seed import seed

        seed(shop)  # the seed turns the admin's TOTP back on for the other tests
    assert _claims(sign_in(shop, ADMIN_EMAIL, LOCAL_PASSWORD)["IdToken"])["cognito:groups"] == ["admin"]


def test_a_shopper_signs_in_with_the_password_alone(shop: LocalShop) -> None:
    tokens = _password_step(shop, SHOPPER_EMAIL)["AuthenticationResult"]
    claims = _claims(tokens["IdToken"])
    assert "shop_admin_mfa" not in claims
    assert "cognito:groups" not in claims
