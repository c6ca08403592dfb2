"""Admin access needs TOTP: the pre token generation trigger leaves `admin` out of the tokens of an
administrator who has not enabled an authenticator app (docs/accounts.md, "Administrators and MFA").

Cognito's tokens do not say whether MFA was used, and the functions in the VPC cannot ask Cognito.
So the decision is made where tokens are minted: a user with TOTP enabled cannot finish signing in
without the code (the pool's MFA is OPTIONAL, and Cognito challenges everyone who enabled a factor),
and a user without it gets tokens with no `admin` group. Every existing admin check then enforces MFA.

It lives beside its handler, not in shop/accounts: the trigger belongs to the Auth stack, whose code
asset then holds only this package and shop's always-shipped ones, so a change in a domain never
redeploys the stateful Auth stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Protocol

TOTP: Final = "SOFTWARE_TOKEN_MFA"  # Cognito's name for an authenticator app (TOTP)
# An ID-token claim for the pages only (admin-guard.js explains how to enable MFA instead of a bare
# "not an admin"). The API never reads it: access is decided by `cognito:groups` alone.
ADMIN_MFA_CLAIM: Final = "shop_admin_mfa"
ADMIN_MFA_SETUP_REQUIRED: Final = "setup_required"


class MfaSettingsReader(Protocol):
    """Which MFA methods a user of the pool has enabled (Cognito's `UserMFASettingList`)."""

    def enabled_methods(self, user_pool_id: str, username: str) -> frozenset[str]: ...


class CognitoMfaSettings:
    """Reads a user's MFA settings with cognito-idp:AdminGetUser (the trigger's only permission)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def enabled_methods(self, user_pool_id: str, username: str) -> frozenset[str]:
        user = self._client.admin_get_user(UserPoolId=user_pool_id, Username=username)
        return frozenset(user.get("UserMFASettingList") or ())


def groups_without(groups: Iterable[str], removed: str) -> list[str]:
    return [group for group in groups if group != removed]


def gate_admin_group(event: dict[str, Any], *, admin_group: str, mfa: MfaSettingsReader) -> dict[str, Any]:
    """The V2 pre token generation event with its response filled in: unchanged unless the user is in
    `admin_group` without TOTP, then the tokens' groups lose `admin_group` and the ID token says why."""
    request = event.get("request") or {}
    configuration = request.get("groupConfiguration") or {}
    groups = list(configuration.get("groupsToOverride") or ())
    if admin_group not in groups:
        return event  # shoppers: no Cognito call, no change
    if TOTP in mfa.enabled_methods(str(event["userPoolId"]), str(event["userName"])):
        return event
    group_override: dict[str, Any] = {"groupsToOverride": groups_without(groups, admin_group)}
    # Overriding the groups replaces the roles too: keep the ones Cognito would have written.
    if configuration.get("iamRolesToOverride"):
        group_override["iamRolesToOverride"] = list(configuration["iamRolesToOverride"])
    if configuration.get("preferredRole"):
        group_override["preferredRole"] = configuration["preferredRole"]
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "groupOverrideDetails": group_override,
            "idTokenGeneration": {"claimsToAddOrOverride": {ADMIN_MFA_CLAIM: ADMIN_MFA_SETUP_REQUIRED}},
        }
    }
    return event
