"""admin_mfa_gate's handler against moto's Cognito: an admin without TOTP loses `admin` from the tokens,
an admin who set up TOTP (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference) keeps it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from admin_mfa_gate.gate import ADMIN_MFA_CLAIM
from admin_mfa_gate.handler import handler

from cdk_app.local.totp import fresh_totp_code
from shop.platform.process_state import reset_process_state

PASSWORD = "Correct-Horse-42!"


@pytest.fixture
def cognito(shop_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")  # wrong codes are refused
    reset_process_state()  # the handler's client is made inside this test's moto
    return boto3.client("cognito-idp", region_name="us-east-1")


def admin_pool(cognito: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="test-shop-users", UsernameAttributes=["email"])["UserPool"][
        "Id"
    ]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="shop-web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool_id, GroupName="admin")
    cognito.admin_create_user(UserPoolId=pool_id, Username="boss@example.com", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="boss@example.com", Password=PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="boss@example.com", GroupName="admin")
    return pool_id, client_id


def trigger_event(pool_id: str, username: str) -> dict[str, Any]:
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "shop-web"},
        "request": {
            "userAttributes": {"email": username},
            "groupConfiguration": {
                "groupsToOverride": ["admin"],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
            "scopes": ["aws.cognito.signin.user.admin"],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def set_up_totp(cognito: Any, client_id: str) -> str:
    """What account.html does: the secret, a code from it, then TOTP as the preferred method."""
    access_token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "boss@example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    secret: str = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    verified = cognito.verify_software_token(AccessToken=access_token, UserCode=fresh_totp_code(secret))
    assert verified["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def test_an_admin_without_totp_gets_tokens_without_the_admin_group(cognito: Any, lambda_context: Any) -> None:
    pool_id, _ = admin_pool(cognito)
    answer = handler(trigger_event(pool_id, "boss@example.com"), lambda_context)
    details = answer["response"]["claimsAndScopeOverrideDetails"]
    assert details["groupOverrideDetails"]["groupsToOverride"] == []
    assert ADMIN_MFA_CLAIM in details["idTokenGeneration"]["claimsToAddOrOverride"]


def test_an_admin_with_totp_keeps_the_admin_group(cognito: Any, lambda_context: Any) -> None:
    pool_id, client_id = admin_pool(cognito)
    set_up_totp(cognito, client_id)
    answer = handler(trigger_event(pool_id, "boss@example.com"), lambda_context)
    assert answer["response"] == {"claimsAndScopeOverrideDetails": None}


def test_once_totp_is_on_signing_in_needs_the_code(cognito: Any) -> None:
    """The other half of the design: with TOTP enabled the password alone yields no tokens."""
    _, client_id = admin_pool(cognito)
    secret = set_up_totp(cognito, client_id)
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "boss@example.com", "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    with pytest.raises(cognito.exceptions.CodeMismatchException):
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "boss@example.com", "SOFTWARE_TOKEN_MFA_CODE": "000000"},
        )
    tokens = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "boss@example.com",
            "SOFTWARE_TOKEN_MFA_CODE": fresh_totp_code(secret),
        },
    )
    assert tokens["AuthenticationResult"]["IdToken"]


def test_an_unknown_user_fails_the_trigger_so_no_tokens_are_issued(cognito: Any, lambda_context: Any) -> None:
    pool_id, _ = admin_pool(cognito)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        handler(trigger_event(pool_id, "nobody@example.com"), lambda_context)
