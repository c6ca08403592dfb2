"""Auth: the Cognito user pool, its web app client and the admin group."""

from __future__ import annotations

from typing import Any

from constructs import Construct

from cdk_app.config import StageConfig
from constructs_lib.shop_user_pool import ShopUserPool
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
        self.user_pool = pool.user_pool
        self.web_client = pool.web_client
        self.admin_group_name = pool.admin_group.group_name
