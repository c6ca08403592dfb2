"""Auth: email sign-in with verification and recovery, a strong password policy, the admin group."""

from __future__ import annotations

from cdk_app.synth import SynthesizedStage
from tests.infra.conftest import template_of


def _pool(stage: SynthesizedStage) -> dict:  # type: ignore[type-arg]
    [pool] = [
        resource
        for resource in stage.template("Auth")["Resources"].values()
        if resource["Type"] == "AWS::Cognito::UserPool"
    ]
    return pool  # type: ignore[no-any-return]


def test_user_pool_signs_in_by_verified_email_with_recovery(dev: SynthesizedStage) -> None:
    properties = _pool(dev)["Properties"]
    assert properties["UsernameAttributes"] == ["email"]
    assert properties["AutoVerifiedAttributes"] == ["email"]
    assert properties["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
    }
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False


def test_password_policy_is_strong(dev: SynthesizedStage) -> None:
    policy = _pool(dev)["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    for requirement in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"):
        assert policy[requirement] is True, requirement


def test_web_client_has_no_secret_and_uses_srp_or_password_auth(dev: SynthesizedStage) -> None:
    template_of(dev, "Auth").has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "GenerateSecret": False,
            "ExplicitAuthFlows": [
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
            "PreventUserExistenceErrors": "ENABLED",
        },
    )


def test_admin_group_exists(dev: SynthesizedStage) -> None:
    template_of(dev, "Auth").has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": "admin"})


def test_prod_pool_is_retained_protected_and_threat_protected(
    prod: SynthesizedStage, dev: SynthesizedStage
) -> None:
    pool = _pool(prod)
    assert pool["DeletionPolicy"] == "Retain"
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert pool["Properties"]["UserPoolTier"] == "PLUS"
    assert _pool(dev)["DeletionPolicy"] == "Delete"
