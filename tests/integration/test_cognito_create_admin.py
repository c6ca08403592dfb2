"""`python -m cdk_app.create_admin` against moto's Cognito: create, promote, repeat, and refuse."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from cdk_app import create_admin as create_admin_module
from cdk_app.create_admin import TWO_STEP_SETUP, AdminSetupError, create_admin, main

REGION = "us-east-1"


@pytest.fixture
def cognito(shop_env: dict[str, str]) -> Any:
    return boto3.client("cognito-idp", region_name=REGION)


def stage_pool(cognito: Any, name: str = "dev-shop-users", *, admin_group: bool = True) -> str:
    pool_id = str(cognito.create_user_pool(PoolName=name, UsernameAttributes=["email"])["UserPool"]["Id"])
    if admin_group:
        cognito.create_group(UserPoolId=pool_id, GroupName="admin")
    return pool_id


def groups_of(cognito: Any, pool_id: str, username: str) -> list[str]:
    return [
        group["GroupName"]
        for group in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
    ]


def test_creates_the_first_admin_in_the_stages_pool(cognito: Any, capsys: pytest.CaptureFixture[str]) -> None:
    stage_pool(cognito, "prod-shop-users")  # another stage's pool is left alone
    pool_id = stage_pool(cognito)

    assert main(["--stage", "dev", "--email", "boss@example.com", "--password", "Correct-Horse-42!"]) == 0

    output = capsys.readouterr().out
    assert f"created user boss@example.com in dev-shop-users ({pool_id})" in output
    assert "added boss@example.com to the 'admin' group" in output
    assert "boss@example.com must turn on two-step sign-in" in output  # or the admin pages stay shut
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="boss@example.com")
    assert user["UserStatus"] == "CONFIRMED"  # the permanent password needs no first-sign-in change
    assert groups_of(cognito, pool_id, "boss@example.com") == ["admin"]
    # The password works: the new admin can sign in.
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="shop-web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    signed_in = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "boss@example.com", "PASSWORD": "Correct-Horse-42!"},
    )
    assert "IdToken" in signed_in["AuthenticationResult"]


def test_promotes_an_existing_shopper_and_is_idempotent(cognito: Any) -> None:
    pool_id = stage_pool(cognito)
    cognito.admin_create_user(UserPoolId=pool_id, Username="shopper@example.com", MessageAction="SUPPRESS")
    said: list[str] = []

    create_admin(cognito, stage="dev", email="shopper@example.com", password=None, say=said.append)
    create_admin(cognito, stage="dev", email="shopper@example.com", password=None, say=said.append)

    two_step = TWO_STEP_SETUP.format(email="shopper@example.com", group="admin")
    assert said == [
        f"user shopper@example.com already exists in dev-shop-users ({pool_id})",
        "added shopper@example.com to the 'admin' group",
        two_step,
        f"user shopper@example.com already exists in dev-shop-users ({pool_id})",
        "shopper@example.com is already in the 'admin' group",
        two_step,
    ]
    assert groups_of(cognito, pool_id, "shopper@example.com") == ["admin"]
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 1


def test_without_a_password_cognito_invites_the_admin(cognito: Any) -> None:
    pool_id = stage_pool(cognito)
    create_admin(cognito, stage="dev", email="new@example.com", password=None, say=lambda _line: None)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="new@example.com")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_refuses_a_missing_pool_or_group_and_changes_nothing(
    cognito: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--stage", "dev", "--email", "boss@example.com"]) == 2
    assert "no user pool named dev-shop-users" in capsys.readouterr().err

    pool_id = stage_pool(cognito, admin_group=False)
    with pytest.raises(AdminSetupError, match="no 'admin' group"):
        create_admin(cognito, stage="dev", email="boss@example.com", password=None)
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []

    stage_pool(cognito)  # a second pool of the same name: ambiguous
    with pytest.raises(AdminSetupError, match="2 user pools are named dev-shop-users"):
        create_admin(cognito, stage="dev", email="boss@example.com", password=None)


def test_the_group_is_the_one_the_auth_stack_creates() -> None:
    from constructs_lib.shop_user_pool import ADMIN_GROUP

    assert create_admin_module.ADMIN_GROUP == ADMIN_GROUP


def test_an_admin_who_already_uses_an_authenticator_app_is_told_so(cognito: Any) -> None:
    pool_id = stage_pool(cognito)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="shop-web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    create_admin(
        cognito, stage="dev", email="boss@example.com", password="Correct-Horse-42!", say=lambda _: None
    )
    access_token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "boss@example.com", "PASSWORD": "Correct-Horse-42!"},
    )["AuthenticationResult"]["AccessToken"]
    cognito.associate_software_token(AccessToken=access_token)
    cognito.verify_software_token(AccessToken=access_token, UserCode="123456")  # moto: any code by default
    cognito.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    said: list[str] = []

    create_admin(cognito, stage="dev", email="boss@example.com", password=None, say=said.append)

    assert said[-1] == "boss@example.com already signs in with an authenticator app"
    assert not any("must turn on two-step sign-in" in line for line in said)
