"""Create (or promote) a shop administrator in a stage's Cognito user pool.

    python -m cdk_app.create_admin --stage dev --email admin@example.com [--password ...]

Finds the pool by its name (`<stage>-shop-users`, as the Auth stack names it), creates the user
unless it exists, and adds it to the `admin` group. Without --password Cognito emails a temporary
password and asks for a new one at first sign-in; --password sets a permanent one (handy for a local
stage; it lands in the shell history, so avoid it for real stages). Uses the default AWS credentials
and region; AWS_ENDPOINT_URL points it at a local emulator instead.

Administrators sign in with two steps (issue #19): until the new admin turns on an authenticator app
(TOTP), the pool's pre token generation trigger leaves `admin` out of their tokens. The script says so
and how; it cannot do it for them, since the secret belongs on their phone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

POOL_NAME_SUFFIX = "shop-users"
# constructs_lib.shop_user_pool.ADMIN_GROUP (a test keeps them equal): importing it would load aws_cdk.
ADMIN_GROUP = "admin"
TOTP = "SOFTWARE_TOKEN_MFA"  # Cognito's name for an authenticator app
TWO_STEP_SETUP = (
    "{email} must turn on two-step sign-in before the admin pages open: sign in to the shop, open "
    "Account > Two-step sign-in, add the key to an authenticator app and confirm with a code. Until "
    "then their tokens leave out the {group!r} group (docs/accounts.md)."
)


class AdminSetupError(RuntimeError):
    """The stage's pool or group is missing or ambiguous: nothing was changed."""


def pool_name(stage: str) -> str:
    return f"{stage}-{POOL_NAME_SUFFIX}"


def find_user_pool(cognito: Any, stage: str) -> str:
    name = pool_name(stage)
    matches = [
        pool["Id"]
        for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60)
        for pool in page["UserPools"]
        if pool["Name"] == name
    ]
    if not matches:
        raise AdminSetupError(f"no user pool named {name}: is the {stage} stage's Auth stack deployed?")
    if len(matches) > 1:
        raise AdminSetupError(f"{len(matches)} user pools are named {name}: {', '.join(matches)}")
    return str(matches[0])


def _existing_username(cognito: Any, pool_id: str, email: str) -> str | None:
    # The pool signs in by email, so the email names the user in admin calls; list_users catches a user
    # whose email differs only in case.
    try:
        return str(cognito.admin_get_user(UserPoolId=pool_id, Username=email)["Username"])
    except cognito.exceptions.UserNotFoundException:
        pass
    users = cognito.list_users(UserPoolId=pool_id, Filter=f'email = "{email}"')["Users"]
    return str(users[0]["Username"]) if users else None


def create_admin(
    cognito: Any, *, stage: str, email: str, password: str | None, say: Callable[[str], None] = print
) -> str:
    """Make `email` an administrator of the stage's pool; returns the Cognito username."""
    pool_id = find_user_pool(cognito, stage)
    groups = {group["GroupName"] for group in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    if ADMIN_GROUP not in groups:
        raise AdminSetupError(f"{pool_name(stage)} has no {ADMIN_GROUP!r} group: deploy the Auth stack first")

    username = _existing_username(cognito, pool_id, email)
    if username is None:
        arguments: dict[str, Any] = {
            "UserPoolId": pool_id,
            "Username": email,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ],
            "DesiredDeliveryMediums": ["EMAIL"],
        }
        if password:
            arguments["MessageAction"] = "SUPPRESS"  # they know the password: no invitation email
        username = str(cognito.admin_create_user(**arguments)["User"]["Username"])
        say(f"created user {email} in {pool_name(stage)} ({pool_id})")
    else:
        say(f"user {email} already exists in {pool_name(stage)} ({pool_id})")
    if password:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        say("set the given password (permanent)")

    member_of = {
        group["GroupName"]
        for group in cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)["Groups"]
    }
    if ADMIN_GROUP in member_of:
        say(f"{email} is already in the {ADMIN_GROUP!r} group")
    else:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=ADMIN_GROUP)
        say(f"added {email} to the {ADMIN_GROUP!r} group")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    if TOTP in (user.get("UserMFASettingList") or ()):
        say(f"{email} already signs in with an authenticator app")
    else:
        say(TWO_STEP_SETUP.format(email=email, group=ADMIN_GROUP))
    return username


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cdk_app.create_admin", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stage", required=True, help="the stage whose user pool gets the admin (e.g. dev)")
    parser.add_argument("--email", required=True, help="the administrator's email (their sign-in name)")
    parser.add_argument("--password", help="a permanent password; omit to have Cognito email a temporary one")
    parser.add_argument("--region", help="AWS region of the stage (default: the AWS configuration's)")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    cognito = (
        boto3.client("cognito-idp", region_name=args.region) if args.region else boto3.client("cognito-idp")
    )
    try:
        create_admin(cognito, stage=args.stage, email=args.email.strip(), password=args.password)
    except AdminSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
