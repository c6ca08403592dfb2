"""The admin MFA gate's decision on V2 pre token generation events, shaped as Cognito sends them."""

from __future__ import annotations

import copy
from typing import Any

from admin_mfa_gate.gate import ADMIN_MFA_CLAIM, ADMIN_MFA_SETUP_REQUIRED, TOTP, gate_admin_group


class FakeMfaSettings:
    def __init__(self, methods: frozenset[str]) -> None:
        self.methods = methods
        self.asked: list[tuple[str, str]] = []

    def enabled_methods(self, user_pool_id: str, username: str) -> frozenset[str]:
        self.asked.append((user_pool_id, username))
        return self.methods


def v2_event(
    groups: list[str], *, roles: list[str] | None = None, preferred: str | None = None
) -> dict[str, Any]:
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": "us-east-1_Pool",
        "userName": "5b3c7f0e-1111-2222-3333-444455556666",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client"},
        "request": {
            "userAttributes": {"sub": "5b3c7f0e-1111-2222-3333-444455556666", "email": "boss@example.com"},
            "groupConfiguration": {
                "groupsToOverride": groups,
                "iamRolesToOverride": roles or [],
                "preferredRole": preferred,
            },
            "scopes": ["aws.cognito.signin.user.admin"],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


def test_a_shopper_is_let_through_without_asking_cognito() -> None:
    mfa = FakeMfaSettings(frozenset())
    event = v2_event(["newsletter"])
    answer = gate_admin_group(copy.deepcopy(event), admin_group="admin", mfa=mfa)
    assert answer == event
    assert mfa.asked == []


def test_an_admin_with_totp_keeps_the_admin_group() -> None:
    mfa = FakeMfaSettings(frozenset({TOTP}))
    event = v2_event(["admin"])
    answer = gate_admin_group(copy.deepcopy(event), admin_group="admin", mfa=mfa)
    assert answer == event
    assert mfa.asked == [("us-east-1_Pool", "5b3c7f0e-1111-2222-3333-444455556666")]


def test_an_admin_without_totp_loses_the_admin_group_and_the_id_token_says_why() -> None:
    answer = gate_admin_group(
        v2_event(["admin", "newsletter"]), admin_group="admin", mfa=FakeMfaSettings(frozenset())
    )
    details = answer["response"]["claimsAndScopeOverrideDetails"]
    assert details["groupOverrideDetails"] == {"groupsToOverride": ["newsletter"]}
    assert details["idTokenGeneration"] == {
        "claimsToAddOrOverride": {ADMIN_MFA_CLAIM: ADMIN_MFA_SETUP_REQUIRED}
    }
    assert "accessTokenGeneration" not in details  # groups apply to both tokens on their own


def test_sms_mfa_does_not_count_as_totp() -> None:
    answer = gate_admin_group(
        v2_event(["admin"]), admin_group="admin", mfa=FakeMfaSettings(frozenset({"SMS_MFA"}))
    )
    assert (
        answer["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"]["groupsToOverride"] == []
    )


def test_the_groups_roles_survive_the_override() -> None:
    role = "arn:aws:iam::123456789012:role/newsletter"
    event = v2_event(["admin", "newsletter"], roles=[role], preferred=role)
    answer = gate_admin_group(event, admin_group="admin", mfa=FakeMfaSettings(frozenset()))
    override = answer["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"]
    assert override == {
        "groupsToOverride": ["newsletter"],
        "iamRolesToOverride": [role],
        "preferredRole": role,
    }


def test_the_admin_group_name_comes_from_the_setting() -> None:
    answer = gate_admin_group(v2_event(["admin"]), admin_group="staff", mfa=FakeMfaSettings(frozenset()))
    assert answer["response"] == {"claimsAndScopeOverrideDetails": None}  # "admin" is no special name here
