"""Auth: the Cognito user pool, its web app client, the admin group and the trigger that makes the
admin group need TOTP MFA."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.admin_mfa_gate import AdminMfaGate
from constructs_lib.shop_user_pool import ADMIN_GROUP, ShopUserPool
from stacks.shop_stack import ShopStack


class AuthStack(ShopStack):
    def __init__(self, scope: Construct, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, "Auth", config=config, stateful=True, purpose="Cognito user pool", **kwargs)
        pool = ShopUserPool(
            self,
            "Shoppers",
            user_pool_name=config.resource_name("shop-users"),
            retain=config.retains_data,
            threat_protection=config.cognito_threat_protection,
        )
        self.admin_mfa_gate = AdminMfaGate(
            self,
            "AdminMfaGate",
            user_pool=pool.user_pool,
            admin_group=ADMIN_GROUP,
            stage=config.name,
            log_retention_days=config.log_retention_days,
        )
        self.user_pool = pool.user_pool
        self.web_client = pool.web_client
        self.admin_group_name = pool.admin_group.group_name
