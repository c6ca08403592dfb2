"""The shoppers' Cognito user pool, the web site's app client, and the admin group."""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from constructs_lib.nag import acknowledge

ADMIN_GROUP = "admin"


class ShopUserPool(Construct):
    """Email sign-in with verification and recovery, a strong password policy, optional TOTP MFA
    (required for the admin group: constructs_lib.admin_mfa_gate)."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        user_pool_name: str,
        retain: bool,
        threat_protection: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=user_pool_name,
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
                fullname=cognito.StandardAttribute(required=False, mutable=True),
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.PLUS if threat_protection else cognito.FeaturePlan.ESSENTIALS,
            standard_threat_protection_mode=(
                cognito.StandardThreatProtectionMode.FULL_FUNCTION if threat_protection else None
            ),
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.user_pool,
            "AwsSolutions-COG2",
            "MFA is optional for shoppers (requiring it would block guest-to-account sign-up); the admin "
            "group is required to use TOTP: the pre token generation trigger (AdminMfaGate) leaves "
            "'admin' out of the tokens of a user without TOTP MFA.",
        )
        if not threat_protection:
            for rule in ("AwsSolutions-COG3", "AwsSolutions-COG8"):
                acknowledge(
                    self.user_pool,
                    rule,
                    "Threat protection needs the Cognito Plus plan; this stage's settings leave it off "
                    "for cost (prod turns it on).",
                )
        self.web_client = self.user_pool.add_client(
            "WebClient",
            user_pool_client_name="shop-web",
            generate_secret=False,  # a browser cannot keep a secret
            auth_flows=cognito.AuthFlow(user_srp=True, user_password=True),
            prevent_user_existence_errors=True,
            access_token_validity=Duration.hours(1),
            id_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
            enable_token_revocation=True,
        )
        self.admin_group = cognito.CfnUserPoolGroup(
            self,
            "AdminGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name=ADMIN_GROUP,
            description="Shop administrators: product, order, refund and marketing routes",
        )
